import { afterEach, describe, expect, it, vi } from 'vitest';
import { createRouter, memoryAudit, openaiCompatible, RouterError, type AuditRecord, type ChatCompletionCreateParamsStreaming, type Router } from '../src/index.js';
import { mockServer } from './helpers/msw.js';
import { euFacts, testProviders } from './helpers/providers.js';

/*
 * Acceptance: every outcome leaves exactly one audit record, through the in-process API and
 * through router.fetch alike, with the id the caller got, and no record holds the API key or
 * (by default) any message or answer text.
 */

const upstream = mockServer();
const apiKey = 'test-audit-secret-key-4f1c';
const unknownKey = 'test-unknown-key-9a2e';
const secretText = 'Confidential: patient Jane Doe, ward 7B';
const messages = [{ role: 'user' as const, content: secretText }];
const idleMs = 1_000;

function setup() {
  const audit = memoryAudit();
  const router = createRouter({
    providers: testProviders(),
    policy: 'eu-hosted',
    apiKey,
    keys: { [apiKey]: { label: 'compliance-suite' } },
    retry: { retries: 0 },
    streamIdleTimeoutMs: idleMs,
    audit: [audit],
  });
  return { router, audit };
}

type Body = Record<string, unknown>;
interface CallOptions {
  apiKey?: string;
  signal?: AbortSignal;
}

/** A streamed call as the caller sees it, either way in. */
interface OpenStream {
  id: string;
  /** Reads one piece; false once the stream is over. Rejects when the stream fails. */
  read(): Promise<boolean>;
  /** Leaves early (break / cancel). */
  leave(): Promise<void>;
}

/** The two ways in: each returns the audit id the caller was given. */
interface Transport {
  name: string;
  call(router: Router, body: Body, options?: CallOptions): Promise<string>;
  embed(router: Router, body: Body): Promise<string>;
  stream(router: Router, body: Body, options?: CallOptions): Promise<OpenStream>;
}

const inProcess: Transport = {
  name: 'the in-process API',
  async call(router, body, options = {}) {
    try {
      const response = await router.chat.completions.create(body as never, options);
      return response.route.audit_id!;
    } catch (error) {
      if (!RouterError.isInstance(error)) throw error;
      return error.auditId!;
    }
  },
  async embed(router, body) {
    return (await router.embeddings.create(body as never)).route.audit_id!;
  },
  async stream(router, body, options = {}) {
    const stream = await router.chat.completions.create({ ...body, stream: true } as ChatCompletionCreateParamsStreaming, options);
    const iterator = stream[Symbol.asyncIterator]();
    return {
      id: stream.requestId,
      read: async () => !(await iterator.next()).done,
      leave: async () => void (await iterator.return?.()),
    };
  },
};

function post(router: Router, path: string, body: Body | string, options: CallOptions = {}) {
  return router.fetch(`http://sovroute.local/v1/${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${options.apiKey ?? apiKey}`, 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    ...(options.signal ? { signal: options.signal } : {}),
  });
}

/** An aborted fetch rejects, like any fetch: the caller gets no response, so no id to match. */
const rejectedWithoutResponse = 'rejected without a response';

const viaFetch: Transport = {
  name: 'router.fetch',
  async call(router, body, options) {
    try {
      const response = await post(router, 'chat/completions', body, options);
      await response.arrayBuffer();
      return response.headers.get('x-request-id')!;
    } catch (error) {
      if (options?.signal?.aborted && error === options.signal.reason) return rejectedWithoutResponse;
      throw error;
    }
  },
  async embed(router, body) {
    const response = await post(router, 'embeddings', body);
    await response.arrayBuffer();
    return response.headers.get('x-request-id')!;
  },
  async stream(router, body, options) {
    const response = await post(router, 'chat/completions', { ...body, stream: true }, options);
    const reader = response.body!.getReader();
    return {
      id: response.headers.get('x-request-id')!,
      read: async () => !(await reader.read()).done,
      leave: () => reader.cancel(),
    };
  },
};

interface Case {
  name: string;
  outcome: AuditRecord['outcome'];
  run(transport: Transport, router: Router): Promise<string>;
  check?(record: AuditRecord): void;
}

async function readAll(stream: OpenStream) {
  while (await stream.read());
}

const cases: Case[] = [
  {
    name: 'success',
    outcome: 'success',
    run: (transport, router) => transport.call(router, { model: 'eu-hosted/llama-3.3-70b-instruct', messages }),
    check: (record) => expect(record).toMatchObject({ provider: 'hyperscaler-eu', stream: false, key_id: 'compliance-suite' }),
  },
  {
    name: 'success, streamed',
    outcome: 'success',
    async run(transport, router) {
      const stream = await transport.stream(router, { model: 'auto', messages });
      await readAll(stream);
      return stream.id;
    },
    check: (record) => expect(record.stream).toBe(true),
  },
  {
    name: 'embeddings',
    outcome: 'success',
    run: (transport, router) => transport.embed(router, { model: 'embed-small', input: [secretText] }),
    check: (record) => expect(record.endpoint).toBe('embeddings'),
  },
  {
    name: 'upstream failure after fallbacks',
    outcome: 'error',
    run: (transport, router) => transport.call(router, { model: 'llama-3.3-70b-instruct', messages, simulate: { fault: 'server_error' } }),
    check(record) {
      expect(record.error_code).toBe('all_providers_failed');
      expect(record.attempts.map((attempt) => attempt.outcome)).toEqual(['error', 'error']);
      expect(record.fallback_used).toBe(true);
    },
  },
  {
    name: 'policy denial',
    outcome: 'denied',
    run: (transport, router) => transport.call(router, { model: 'us-ai/gpt-4o', messages }),
    check(record) {
      expect(record.error_code).toBe('policy_violation');
      // Nothing eligible; the excluded deployment is counted under the policy's reasons.
      expect(record.candidates).toEqual([]);
      expect(record.excluded).toEqual([{ reason: expect.stringMatching(/policy/), count: 1, examples: ['us-ai/gpt-4o'] }]);
      expect(record.attempts).toEqual([]);
    },
  },
  {
    name: 'no provider the policy admits',
    outcome: 'denied',
    run: (transport, router) => transport.call(router, { model: 'gpt-4o', messages }),
    check: (record) => expect(record.error_code).toBe('no_eligible_provider'),
  },
  {
    // Not a denial: the policy admits deployments of the model, the request's own filter left none.
    name: 'no admitted provider fits the request',
    outcome: 'invalid',
    run: (transport, router) => transport.call(router, { model: 'llama-3.3-70b-instruct', messages, route: { only: ['no-such-provider'] } }),
    check: (record) => expect(record.error_code).toBe('no_eligible_provider'),
  },
  {
    name: 'invalid request',
    outcome: 'invalid',
    run: (transport, router) => transport.call(router, { model: 'auto', messages, temperature: 7 }),
    check: (record) => expect(record.error_code).toBe('invalid_request'),
  },
  {
    name: 'invalid key',
    outcome: 'denied',
    run: (transport, router) => transport.call(router, { model: 'auto', messages }, { apiKey: unknownKey }),
    check(record) {
      expect(record.error_code).toBe('invalid_api_key');
      expect(record.key_id).toMatch(/^key_[0-9a-f]{12}$/);
    },
  },
  {
    name: 'caller abort',
    outcome: 'aborted',
    async run(transport, router) {
      const controller = new AbortController();
      const pending = transport.call(router, { model: 'auto', messages, simulate: { latency_ms: 60_000 } }, { signal: controller.signal });
      controller.abort();
      return pending;
    },
    check: (record) => expect(record.usage).toBeNull(),
  },
  {
    name: 'caller abort mid-stream',
    outcome: 'aborted',
    async run(transport, router) {
      const controller = new AbortController();
      const stream = await transport.stream(router, { model: 'auto', messages }, { signal: controller.signal });
      await stream.read();
      controller.abort();
      // In-process the next read throws; through router.fetch the stream ends with an error event.
      await readAll(stream).catch(() => undefined);
      return stream.id;
    },
    check: (record) => expect(record.usage).toMatchObject({ estimated: true }),
  },
  {
    name: 'caller leaves the stream early',
    outcome: 'aborted',
    async run(transport, router) {
      const stream = await transport.stream(router, { model: 'auto', messages });
      await stream.read();
      await stream.leave();
      return stream.id;
    },
    check: (record) => expect(record.error_message).toMatch(/caller closed the stream after \d+ chunk/),
  },
  {
    name: 'caller stops reading and drops the stream',
    outcome: 'aborted',
    async run(transport, router) {
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
      const stream = await transport.stream(router, { model: 'auto', messages });
      await stream.read();
      await stream.read();
      // Never read again, never closed: after the idle timeout the router writes the record.
      await vi.advanceTimersByTimeAsync(2 * idleMs);
      return stream.id;
    },
    check(record) {
      expect(record.error_message).toMatch(/did not read the stream/);
      expect(record.usage).toMatchObject({ estimated: true });
      expect(record.usage!.completion_tokens).toBeGreaterThan(0);
    },
  },
  {
    name: 'mid-stream upstream cut',
    outcome: 'error',
    async run(transport, router) {
      const stream = await transport.stream(router, { model: 'auto', messages, simulate: { fault: 'stream_cut', cut_after_chunks: 4 } });
      // Through router.fetch the cut arrives as an error event; in-process as a thrown error.
      await readAll(stream).catch(() => undefined);
      return stream.id;
    },
    check(record) {
      expect(record.error_code).toBe('upstream_error');
      expect(record.usage).toMatchObject({ estimated: true });
      expect(record.cost).toBeGreaterThan(0);
      expect(record.attempts.at(-1)!.message).toMatch(/after 4 chunk\(s\)/);
    },
  },
];

afterEach(() => {
  vi.useRealTimers();
});

describe.each([inProcess, viaFetch])('through $name', (transport) => {
  it.each(cases)('$name leaves exactly one record, outcome $outcome', async ({ run, outcome, check }) => {
    const { router, audit } = setup();
    const id = await run(transport, router);
    vi.useRealTimers();
    await router.flush();

    expect(audit.records).toHaveLength(1);
    const [record] = audit.records;
    if (id !== rejectedWithoutResponse) {
      expect(id).toMatch(/^req_/);
      expect(record!.id).toBe(id);
    }
    expect(record!.outcome).toBe(outcome);
    check?.(record!);

    const stored = JSON.stringify(audit.records);
    for (const secret of [apiKey, unknownKey, 'Jane Doe', 'ward 7B', 'Pseudo-LLM reply', 'sk-eu', 'sk-hs', 'sk-us']) {
      expect(stored).not.toContain(secret);
    }
    expect(upstream.requests).toHaveLength(0);
  });
});

const chatOnly = openaiCompatible({ id: 'chat-only', baseURL: 'https://chat-only.test/v1', jurisdiction: euFacts, models: [{ id: 'model-a' }] });

describe('a request no configured model can serve', () => {
  it('is invalid, not a policy denial: there was nothing for the policy to exclude', async () => {
    const audit = memoryAudit();
    const router = createRouter({ providers: [chatOnly], apiKey, audit: [audit] });
    const error = await router.completions.create({ model: 'auto', prompt: 'x' }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'no_eligible_provider', message: expect.stringMatching(/none offers legacy completions/) });
    await router.flush();
    expect(audit.records.map((record) => record.outcome)).toEqual(['invalid']);
  });
});

describe('router.fetch', () => {
  it('records a body that is not JSON as invalid, naming the key that sent it', async () => {
    const { router, audit } = setup();
    const response = await post(router, 'chat/completions', `{"model":"auto","messages":[{"content":"${secretText}"`);
    expect(response.status).toBe(400);
    await router.flush();
    expect(audit.records).toHaveLength(1);
    expect(audit.records[0]).toMatchObject({ id: response.headers.get('x-request-id'), outcome: 'invalid', key_id: 'compliance-suite' });
    expect(JSON.stringify(audit.records)).not.toContain('Jane Doe');
  });

  it.each(['chat/completions', 'completions', 'embeddings'])('records a wrong method on /v1/%s as invalid (405), even without a key', async (path) => {
    const { router, audit } = setup();
    const response = await router.fetch(`http://sovroute.local/v1/${path}`, { method: 'GET' });
    expect(response.status).toBe(405);
    // RFC 9110: a 405 names the methods the resource allows.
    expect(response.headers.get('allow')).toBe('POST');
    expect(await response.json()).toMatchObject({ error: { code: 'invalid_request', message: expect.stringMatching(/GET is not allowed .* use POST/) } });
    await router.flush();
    expect(audit.records).toHaveLength(1);
    expect(audit.records[0]).toMatchObject({ id: response.headers.get('x-request-id'), outcome: 'invalid' });
  });

  it('writes no record for requests that are not routed (model lists, unknown paths)', async () => {
    const { router, audit } = setup();
    await router.fetch('http://sovroute.local/v1/models', { headers: { authorization: `Bearer ${apiKey}` } });
    await router.fetch('http://sovroute.local/v1/nowhere', { headers: { authorization: `Bearer ${apiKey}` } });
    const posted = await router.fetch('http://sovroute.local/v1/models', { method: 'POST', headers: { authorization: `Bearer ${apiKey}` }, body: '{}' });
    expect(posted.status).toBe(405);
    expect(posted.headers.get('allow')).toBe('GET, HEAD');
    await router.flush();
    expect(audit.records).toHaveLength(0);
  });
});
