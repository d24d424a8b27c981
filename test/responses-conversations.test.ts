import OpenAI from 'openai';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createRouter, memoryAudit, memoryResponseStore, type ResponseStore, type StoredResponse } from '../src/index.js';
import { mockServer } from './helpers/msw.js';
import { testProviders } from './helpers/providers.js';

/*
 * Conversations continued with previous_response_id: each stored response keeps its own items
 * and a link to the one it continues, and the conversation is rebuilt by following the links.
 */

// No request may leave the process: the test key answers with the pseudo-LLM.
mockServer();

/** A store the test can read and seed, holding what the router gives it as it is. */
function recordingStore() {
  const saved = new Map<string, StoredResponse>();
  const store: ResponseStore = {
    get: async (id) => saved.get(id),
    getItem: async (id) => {
      for (const response of saved.values()) {
        const item = [...response.input, ...response.output].find((candidate) => candidate.id === id);
        if (item) return { item, owner: response.owner };
      }
      return undefined;
    },
    set: async (response) => void saved.set(response.id, structuredClone(response)),
  };
  return { saved, store };
}

function setup(options: { store?: ResponseStore; maxConversationTurns?: number } = {}) {
  const audit = memoryAudit();
  const router = createRouter({
    providers: testProviders(),
    keys: { 'test-a': { label: 'a' }, 'test-b': { label: 'b' } },
    audit: { sinks: [audit], content: 'full' },
    ...(options.maxConversationTurns !== undefined ? { limits: { maxConversationTurns: options.maxConversationTurns } } : {}),
    ...(options.store ? { responses: { store: options.store } } : {}),
  });
  const client = (apiKey: string) => new OpenAI({ apiKey, baseURL: 'http://sovroute.local/v1', fetch: router.fetch, maxRetries: 0 });
  return { router, audit, a: client('test-a'), b: client('test-b') };
}

const model = 'llama-3.3-70b-instruct';

/** The prompt the upstream got for the audit record at `index`. */
function prompt(audit: ReturnType<typeof memoryAudit>, index: number): { role: string; content: unknown }[] {
  return (audit.records[index]!.content as { prompt: { role: string; content: unknown }[] }).prompt;
}

describe('conversations continued with previous_response_id', () => {
  it('stores each turn once, with the whole conversation every 16 turns: 30 turns keep 92 items, not 930, and the last still sends all of it', async () => {
    const { saved, store } = recordingStore();
    const { router, audit, a } = setup({ store });
    let previous: string | undefined;
    for (let turn = 1; turn <= 30; turn += 1) {
      const response = await a.responses.create({ model, input: `Turn ${turn}`, ...(previous ? { previous_response_id: previous } : {}) });
      previous = response.id;
    }
    const kept = [...saved.values()];
    expect(kept).toHaveLength(30);
    // Each response holds its own input and output (2 items), but the 17th, whose history took 16
    // reads, holds the 32 items before it too: 16 × 2 + 34 + 13 × 2. Whole at every turn: 930.
    expect(kept.reduce((sum, response) => sum + response.input.length + response.output.length, 0)).toBe(92);
    expect(kept[16]!.previousResponseId).toBeUndefined();
    expect(kept[16]!.input).toHaveLength(33);
    expect(saved.get(previous!)!.input).toEqual([{ type: 'message', role: 'user', content: 'Turn 30' }]);
    expect(saved.get(previous!)!.previousResponseId).toBe(kept[28]!.id);
    await router.flush();
    const last = prompt(audit, 29);
    expect(last).toHaveLength(59);
    expect(last.filter((message) => message.role === 'user').map((message) => message.content)).toEqual(Array.from({ length: 30 }, (_, index) => `Turn ${index + 1}`));
  });

  it('reads at most 16 stored responses to continue a conversation, and needs none from before its last whole one', async () => {
    const { saved, store } = recordingStore();
    let reads = 0;
    const counting: ResponseStore = { ...store, get: (id) => (reads++, store.get(id)) };
    const { router, audit, a } = setup({ store: counting });
    const ids: string[] = [];
    for (let turn = 1; turn <= 40; turn += 1) {
      reads = 0;
      const response = await a.responses.create({ model, input: `Turn ${turn}`, ...(ids.length > 0 ? { previous_response_id: ids.at(-1)! } : {}) });
      expect(reads).toBeLessThanOrEqual(16);
      ids.push(response.id);
    }
    // Turn 33 was kept whole: the 32 responses before it may be gone.
    for (const id of ids.slice(0, 32)) saved.delete(id);
    await a.responses.create({ model, input: 'Turn 41', previous_response_id: ids.at(-1)! });
    await router.flush();
    expect(prompt(audit, 40).filter((message) => message.role === 'user')).toHaveLength(41);
  });

  it("does not push other conversations out of the memory store's byte budget by repeating a long one at every turn", async () => {
    const { a } = setup({ store: memoryResponseStore({ maxBytes: 500_000 }) });
    const other = await a.responses.create({ model, input: 'Another conversation' });
    let previous: string | undefined;
    for (let turn = 1; turn <= 60; turn += 1) {
      const response = await a.responses.create({ model, input: `Turn ${turn}`, ...(previous ? { previous_response_id: previous } : {}) });
      previous = response.id;
    }
    // 61 small responses (~1.6 KB each) fit in 500 KB when each is kept once and the conversation
    // whole every 16 turns (~260 KB); kept whole at every turn (~3 MB) they would not.
    await expect(a.responses.create({ model, previous_response_id: other.id, input: 'And then?' })).resolves.toMatchObject({ status: 'completed' });
    await expect(a.responses.create({ model, previous_response_id: previous!, input: 'And then?' })).resolves.toMatchObject({ status: 'completed' });
  });

  it('continues a response stored whole by an earlier version (its input holds the conversation before it)', async () => {
    const { saved, store } = recordingStore();
    saved.set('resp_old', {
      id: 'resp_old',
      owner: 'a',
      input: [
        { type: 'message', role: 'user', content: 'First question' },
        { type: 'message', id: 'msg_1', role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: 'First answer', annotations: [] }] },
        { type: 'message', role: 'user', content: 'Second question' },
      ],
      output: [{ type: 'message', id: 'msg_2', role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: 'Second answer', annotations: [] }] }],
      createdAt: Date.now(),
    });
    const { router, audit, a } = setup({ store });
    const next = await a.responses.create({ model, previous_response_id: 'resp_old', input: 'Third question' });
    await router.flush();
    expect(prompt(audit, 0).map((message) => message.content)).toEqual(['First question', 'First answer', 'Second question', 'Second answer', 'Third question']);
    expect(saved.get(next.id)).toMatchObject({ previousResponseId: 'resp_old', input: [{ type: 'message', role: 'user', content: 'Third question' }] });
  });

  it("refuses a conversation that goes back through another key's response, at any link of the chain", async () => {
    const { saved, store } = recordingStore();
    const { a, b } = setup({ store });
    const first = await a.responses.create({ model, input: 'Secret plans' });
    // A response of key b that claims to continue key a's (a shared store written by other code).
    saved.set('resp_b', {
      id: 'resp_b',
      owner: 'b',
      previousResponseId: first.id,
      input: [{ type: 'message', role: 'user', content: 'And?' }],
      output: [{ type: 'message', id: 'msg_b', role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: 'Sure', annotations: [] }] }],
      createdAt: Date.now(),
    });
    const continued = b.responses.create({ model, previous_response_id: 'resp_b', input: 'Tell me' });
    await expect(continued).rejects.toBeInstanceOf(OpenAI.BadRequestError);
    await expect(continued).rejects.toMatchObject({ status: 400, param: 'previous_response_id' });
    // Nothing says whether the other key's response exists.
    await expect(continued).rejects.toThrow(/not found/);
  });

  it('refuses a conversation longer than limits.maxConversationTurns with a 400 saying what to do', async () => {
    const { a } = setup({ maxConversationTurns: 3 });
    let previous: string | undefined;
    for (let turn = 1; turn <= 3; turn += 1) {
      const response = await a.responses.create({ model, input: `Turn ${turn}`, ...(previous ? { previous_response_id: previous } : {}) });
      previous = response.id;
    }
    const fourth = await a.responses.create({ model, input: 'Turn 4', previous_response_id: previous! });
    const fifth = a.responses.create({ model, input: 'Turn 5', previous_response_id: fourth.id });
    await expect(fifth).rejects.toBeInstanceOf(OpenAI.BadRequestError);
    await expect(fifth).rejects.toMatchObject({ status: 400, type: 'invalid_request_error', param: 'previous_response_id' });
    await expect(fifth).rejects.toThrow(/limits\.maxConversationTurns/);
    await expect(fifth).rejects.toThrow(/without previous_response_id/);
  });

  it('refuses, naming previous_response_id, a conversation whose earlier turn is no longer stored', async () => {
    const { saved, store } = recordingStore();
    const { a } = setup({ store });
    const first = await a.responses.create({ model, input: 'Turn 1' });
    const second = await a.responses.create({ model, input: 'Turn 2', previous_response_id: first.id });
    saved.delete(first.id);
    const third = a.responses.create({ model, input: 'Turn 3', previous_response_id: second.id });
    await expect(third).rejects.toMatchObject({ status: 400, param: 'previous_response_id' });
    await expect(third).rejects.toThrow(new RegExp(`${first.id}.*no longer stored`));
  });
});

describe('a stored conversation continued without storing the continuation', () => {
  afterEach(() => vi.useRealTimers());

  it('stays stored ttlMs after it was last continued, store: false continuations included', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const { a } = setup({ store: memoryResponseStore({ ttlMs: 60_000 }) });
    const prefix = await a.responses.create({ model, input: 'A long shared context.' });
    for (let minute = 1; minute <= 3; minute += 1) {
      vi.setSystemTime(Date.now() + 40_000);
      const answer = await a.responses.create({ model, input: `Question ${minute}`, previous_response_id: prefix.id, store: false });
      expect(answer.status).toBe('completed');
    }
  });
});

describe('items named by item_reference', () => {
  it("stay the key's own: another key sending an item with the same id does not take the reference from it", async () => {
    const { a, b } = setup();
    const first = await a.responses.create({ model, input: 'Hi' });
    const itemId = first.output[0]!.id!;
    // Key b sends an item under that id (a leaked or reused id) and its response is kept.
    await b.responses.create({ model, input: [{ type: 'message', id: itemId, role: 'assistant', content: 'Not what a said.' }, { role: 'user', content: 'Go on.' }] as never });
    const continued = await a.responses.create({ model, input: [{ role: 'user', content: 'Hi' }, { type: 'item_reference', id: itemId }, { role: 'user', content: 'More.' }] });
    expect(continued.status).toBe('completed');
  });
});

describe('what is kept of a response served in-process', () => {
  it("is the router's own copy: the caller editing the returned response, its events or its input does not change the conversation continued later", async () => {
    const { router, audit } = setup();
    const question = { type: 'input_text' as const, text: 'First question' };
    const first = await router.responses.create({ model, input: [{ role: 'user', content: [question] }] }, { apiKey: 'test-a' });
    const answer = (first.output[0] as { content: { text: string }[] }).content[0]!.text;
    // What an application does with the objects it was given: edit them for display, append to them.
    question.text = 'Edited question';
    (first.output[0] as { content: { text: string }[] }).content[0]!.text = 'Edited answer';
    first.output.push({ ...first.output[0]!, id: 'msg_appended' } as never);
    await router.responses.create({ model, previous_response_id: first.id, input: 'Second question' }, { apiKey: 'test-a' });

    const stream = await router.responses.create({ model, input: 'Streamed question', stream: true }, { apiKey: 'test-a' });
    let streamed = '';
    for await (const event of stream) {
      const item = (event.item ?? (event.response as { output?: unknown[] } | undefined)?.output?.[0]) as { content?: { text: string }[] } | undefined;
      if (event.type === 'response.output_item.done') streamed = item!.content![0]!.text;
      if (event.type === 'response.output_item.done' || event.type === 'response.completed') item!.content![0]!.text = 'Edited streamed answer';
    }
    await router.responses.create({ model, previous_response_id: stream.responseId, input: 'And then?' }, { apiKey: 'test-a' });
    await router.flush();
    expect(prompt(audit, 1).map((message) => message.content)).toEqual([[{ type: 'text', text: 'First question' }], answer, 'Second question']);
    expect(prompt(audit, 3).map((message) => message.content)).toEqual(['Streamed question', streamed, 'And then?']);
  });

  it('refuses input JSON cannot write (a BigInt passed in-process) as the request’s 400, with one audit record, not as a router failure', async () => {
    const { router, audit } = setup();
    const input = [{ role: 'user' as const, content: [{ type: 'input_text' as const, text: 'Find order 42.', order: 42n }] }];
    const error = await router.responses.create({ model, input } as never, { apiKey: 'test-a' }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ status: 400, code: 'invalid_request', param: 'input', message: expect.stringContaining('BigInt') });
    await router.flush();
    expect(audit.records.map((record) => [record.endpoint, record.outcome])).toEqual([['responses', 'invalid']]);
  });
});
