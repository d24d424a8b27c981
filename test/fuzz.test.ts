import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MemoryAudit, Router } from '../src/index.js';
import { loadBuilt } from './helpers/built-package.js';

/*
 * Hostile input is normal input. Random and mutated request bodies, and random upstream
 * misbehaviour, go through the built package's `router.fetch`. Whatever arrives, each request
 * ends in bounded time with an OpenAI envelope (or a real answer), leaves exactly one audit
 * record, never shows the provider key, never counts a caller's mistake against a deployment,
 * and the process lives on. Every run is seeded: a failure prints the seed and the shrunk case.
 */

const secret = 'sk-fuzz-Secret-7d41c0e9b2';
const seed = 20_261_205;

/** What the upstream does with the next request. */
type Behaviour =
  | { kind: 'ok' }
  | { kind: 'status'; status: number; body: string; contentType: string }
  | { kind: 'raw'; status: number; body: string; contentType: string }
  | { kind: 'sse'; events: string[] }
  | { kind: 'reset' }
  | { kind: 'hang' };

let behaviours: Behaviour[] = [];
let upstreamHits = 0;
let origin = '';
const server = createServer((request: IncomingMessage, response: ServerResponse) => {
  let text = '';
  request.setEncoding('utf8');
  request.on('data', (part: string) => (text += part));
  request.on('end', () => {
    upstreamHits++;
    const behaviour = behaviours.shift() ?? { kind: 'ok' };
    let body: { stream?: boolean; model?: string } = {};
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      // The router always sends JSON; a test that sees this would fail on its own assertions.
    }
    answer(response, behaviour, body);
  });
});

function answer(response: ServerResponse, behaviour: Behaviour, body: { stream?: boolean; model?: string }): void {
  const model = body.model ?? 'm';
  switch (behaviour.kind) {
    case 'ok':
      if (body.stream) {
        response.writeHead(200, { 'content-type': 'text/event-stream' });
        for (const content of ['', 'Hel', 'lo']) response.write(`data: ${JSON.stringify(chunk(model, { content }))}\n\n`);
        response.write(`data: ${JSON.stringify(chunk(model, {}, 'stop'))}\n\n`);
        response.end('data: [DONE]\n\n');
        return;
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          id: 'chatcmpl-fuzz',
          object: 'chat.completion',
          created: 1_700_000_000,
          model,
          choices: [{ index: 0, message: { role: 'assistant', content: 'Hello.' }, finish_reason: 'stop' }],
          usage: { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 },
        }),
      );
      return;
    case 'status':
    case 'raw':
      response.writeHead(behaviour.status, { 'content-type': behaviour.contentType }).end(behaviour.body);
      return;
    case 'sse':
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      for (const event of behaviour.events) response.write(event);
      response.end();
      return;
    case 'reset':
      response.socket?.destroy();
      return;
    case 'hang':
      return; // the router's per-attempt timeout ends it
  }
}

function chunk(model: string, delta: object, finish: string | null = null) {
  return { id: 'chatcmpl-fuzz', object: 'chat.completion.chunk', created: 1_700_000_000, model, choices: [{ index: 0, delta, finish_reason: finish }] };
}

let router: Router;
let audit: MemoryAudit;
/** The records so far: a snapshot each time it is read. */
const records = () => audit.records;

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const { createRouter, openaiCompatible, memoryAudit } = await loadBuilt();
  audit = memoryAudit({ limit: 100_000 });
  const deployment = (id: string) =>
    openaiCompatible({
      id,
      baseURL: `${origin}/${id}/v1`,
      apiKey: secret,
      jurisdiction: { operator: { name: 'Fuzz SAS', country: 'FR', parents: [] }, hosting: ['FR'] },
      models: [{ id: 'm', capabilities: ['chat', 'tools', 'json', 'vision'], price: { input: 1, output: 2, currency: 'EUR' } }],
    });
  router = createRouter({
    providers: [deployment('up-a'), deployment('up-b')],
    strategy: 'cheapest',
    retry: { retries: 1, minTimeoutMs: 0, maxTimeoutMs: 1 },
    timeoutMs: 250,
    deadlineMs: 3_000,
    // High enough that circuits never open during a run: each request is judged on its own.
    health: { failureThreshold: 1_000_000, cooldownMs: 1 },
    audit: { sinks: [audit], content: 'full' },
  });
});

afterAll(async () => {
  await router.close();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** Failures the health statistics hold, over every deployment. */
function healthFailures(): number {
  return router.health().reduce((sum, entry) => sum + entry.failures, 0);
}

/** Sends one body; resolves with the status and the whole text, or fails when it does not end within `boundMs`. */
async function send(body: string, boundMs = 10_000): Promise<{ status: number; text: string }> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const bounded = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${boundMs} ms for ${body.slice(0, 200)}`)), boundMs);
  });
  try {
    return await Promise.race([
      (async () => {
        const response = await router.fetch('http://sovroute.local/v1/chat/completions', {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: 'Bearer sk-caller-fuzz' },
          body,
        });
        return { status: response.status, text: await response.text() };
      })(),
      bounded,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** An OpenAI error envelope, exactly: `{ error: { message, type, param, code } }`. */
function expectEnvelope(text: string): void {
  const parsed = JSON.parse(text) as { error?: Record<string, unknown> };
  expect(parsed.error, text.slice(0, 300)).toBeDefined();
  expect(Object.keys(parsed.error!).sort()).toEqual(['code', 'message', 'param', 'type']);
  expect(typeof parsed.error!.message).toBe('string');
  expect(typeof parsed.error!.type).toBe('string');
}

/** A streamed answer ends with `[DONE]` or with an error event; a JSON answer is a completion or an envelope. */
function expectAnswer(status: number, text: string): void {
  if (status !== 200) return expectEnvelope(text);
  if (text.startsWith('data:')) {
    const events = text.split('\n\n').filter(Boolean);
    const last = events.at(-1)!;
    if (last !== 'data: [DONE]') expectEnvelope(last.slice('data: '.length));
    return;
  }
  expect((JSON.parse(text) as { object?: string }).object).toBe('chat.completion');
}

/** Exactly one new audit record, and no key in it. */
async function expectOneRecord(before: number): Promise<void> {
  await router.flush();
  expect(records().length - before).toBe(1);
  expect(JSON.stringify(records().at(-1))).not.toContain(secret);
}

const message = fc.record({ role: fc.constantFrom('user', 'system', 'assistant'), content: fc.string({ maxLength: 40 }) });
const validRequest = fc.record({
  model: fc.constantFrom('m', 'up-a/m', 'global/cheapest', 'auto'),
  messages: fc.array(message, { minLength: 1, maxLength: 3 }),
  stream: fc.boolean(),
});

/** Values a careless or hostile caller puts where a field belongs. */
const hostileValue = fc.oneof(
  fc.anything({ maxDepth: 4, withObjectString: true, withNullPrototype: true }),
  fc.string({ unit: 'binary', maxLength: 64 }),
  fc.integer({ min: 1, max: 6_000 }).map((depth) => '['.repeat(depth) + ']'.repeat(depth)), // deep nesting, as raw JSON
  fc.integer({ min: 1, max: 300_000 }).map((length) => 'x'.repeat(length)),
  fc.constantFrom(null, true, -1, 1e308, -0, '', [], {}, '__proto__', 'constructor'),
  fc.record({ __proto__: fc.anything({ maxDepth: 1 }), constructor: fc.anything({ maxDepth: 1 }) }, { noNullPrototype: true }),
);

const field = fc.constantFrom(
  'model',
  'messages',
  'stream',
  'tools',
  'tool_choice',
  'response_format',
  'max_tokens',
  'n',
  'stop',
  'temperature',
  'route',
  'metadata',
  'stream_options',
  'junk',
  '__proto__',
  'messages.0',
  'messages.0.content',
  'messages.0.role',
  'route.only',
  'route.max_cost',
);

/** Puts `value` at `path` of `request`, serialised; nested-JSON strings become raw JSON. */
function mutate(request: Record<string, unknown>, path: string, value: unknown): string {
  const marker = '"__fuzz_value__"';
  const raw = typeof value === 'string' && value.startsWith('[[') ? value : JSON.stringify(value) ?? 'null';
  const copy = structuredClone(request) as Record<string, unknown>;
  const parts = path.split('.');
  let target: Record<string, unknown> = copy;
  for (const part of parts.slice(0, -1)) {
    const next = target[part];
    if (typeof next !== 'object' || next === null) target[part] = {};
    target = target[part] as Record<string, unknown>;
  }
  Object.defineProperty(target, parts.at(-1)!, { value: '__fuzz_value__', enumerable: true, writable: true, configurable: true });
  return JSON.stringify(copy).replace(marker, () => raw);
}

describe('fuzz: hostile request bodies through router.fetch', () => {
  it('answers each with a completion or a 4xx envelope, one audit record, no key, and no effect on health', async () => {
    await fc.assert(
      fc.asyncProperty(validRequest, field, hostileValue, async (request, path, value) => {
        behaviours = [];
        const body = mutate(request, path, value);
        const failuresBefore = healthFailures();
        const recordsBefore = records().length;
        const { status, text } = await send(body);
        expect(status === 200 || (status >= 400 && status < 500), `${status} for ${body.slice(0, 200)}: ${text.slice(0, 300)}`).toBe(true);
        expectAnswer(status, text);
        expect(text).not.toContain(secret);
        await expectOneRecord(recordsBefore);
        // A caller's mistake is never a deployment's failure.
        expect(healthFailures()).toBe(failuresBefore);
      }),
      { seed, numRuns: 1_000 },
    );
  }, 600_000);

  it('refuses bodies that are not JSON objects', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string({ maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 50 }), fc.json()), async (body) => {
        const recordsBefore = records().length;
        const { status, text } = await send(body);
        expect(status, text).toBeGreaterThanOrEqual(400);
        expect(status).toBeLessThan(500);
        expectEnvelope(text);
        await expectOneRecord(recordsBefore);
      }),
      { seed, numRuns: 300 },
    );
  }, 300_000);
});

/** Ways an upstream says something is wrong, some quoting the key it was sent. */
const leakyText = fc.constantFrom(
  `Invalid credentials: Bearer ${secret}`,
  `<html><body><h1>403 Forbidden</h1><p>key ${secret} is not allowed</p></body></html>`,
  `{"error":{"message":"Incorrect API key provided: ${secret}","type":"invalid_request_error","code":"invalid_api_key"}}`,
  `{"detail":"token ${secret} expired"}`,
  'upstream exploded',
  '',
);

const upstreamBehaviour: fc.Arbitrary<Behaviour> = fc.oneof(
  fc.record({
    kind: fc.constant('status' as const),
    status: fc.constantFrom(400, 401, 403, 404, 408, 409, 413, 422, 429, 500, 502, 503, 504),
    body: leakyText,
    contentType: fc.constantFrom('application/json', 'text/html', 'text/plain'),
  }),
  fc.record({
    kind: fc.constant('raw' as const),
    status: fc.constant(200),
    body: fc.oneof(
      fc.constantFrom('{"choices":[null]}', '{"choices":null}', '[]', 'null', '"text"', '{"id":"x","choices":[{"index":0,', `{"error":{"message":"${secret}"}}`),
      fc.json(),
    ),
    contentType: fc.constant('application/json'),
  }),
  fc.record({
    kind: fc.constant('sse' as const),
    events: fc.array(
      fc.oneof(
        fc.constantFrom(
          'data: null\n\n',
          'data: 42\n\n',
          'data: {"choices":[null]}\n\n',
          'data: {"choices":[{"index":0,"delta":{"content":"x"}}]}\n\n',
          `data: {"error":{"message":"bad key ${secret}"}}\n\n`,
          'data: {not json\n\n',
          'event: error\ndata: {"error":{"message":"overloaded"}}\n\n',
          'data: [DONE]\n\n',
        ),
        fc.json().map((json) => `data: ${json}\n\n`),
      ),
      { maxLength: 5 },
    ),
  }),
  fc.constant({ kind: 'reset' as const }),
  fc.constant({ kind: 'hang' as const }),
  fc.constant({ kind: 'ok' as const }),
);

describe('fuzz: upstream misbehaviour', () => {
  it('answers each request with a completion or an envelope, one audit record, and never the key', async () => {
    await fc.assert(
      fc.asyncProperty(validRequest, fc.array(upstreamBehaviour, { minLength: 1, maxLength: 4 }), async (request, script) => {
        behaviours = [...script];
        const recordsBefore = records().length;
        const { status, text } = await send(JSON.stringify(request));
        expectAnswer(status, text);
        expect(text).not.toContain(secret);
        await expectOneRecord(recordsBefore);
        for (const entry of router.health()) expect(JSON.stringify(entry)).not.toContain(secret);
      }),
      { seed, numRuns: 300 },
    );
  }, 600_000);

  it('leaves the process serving: a plain request still succeeds after the run', async () => {
    behaviours = [];
    const hitsBefore = upstreamHits;
    const { status, text } = await send(JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'still there?' }] }));
    expect(status, text).toBe(200);
    expect(upstreamHits).toBe(hitsBefore + 1);
  });
});
