import { describe, expect, it } from 'vitest';
import { RouterError } from '../errors.js';
import { validateRequest } from '../internal/validate.js';
import type { ChatCompletionChunk } from '../wire/chat-response.js';
import { translateStream } from './translate-stream.js';
import { responseRequestSchema, type ResponseObject, type ResponseStreamEvent } from './wire.js';

/* Chat stream chunks → the Responses event sequence. */

const chunk = (delta: object, finish: string | null = null): ChatCompletionChunk =>
  ({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'vendor/m', choices: [{ index: 0, delta, finish_reason: finish }] }) as ChatCompletionChunk;

const final = {
  id: 'c',
  object: 'chat.completion.chunk',
  created: 1,
  model: 'vendor/m',
  choices: [],
  usage: { prompt_tokens: 52, completion_tokens: 15, total_tokens: 67, cost: 0.001, currency: 'EUR' },
  provider: 'p',
  route: { requested: 'm', tier: '1', policy: 'global', objective: 'balanced', fallback_used: false, attempts: [] },
} as unknown as ChatCompletionChunk;

async function* source(chunks: ChatCompletionChunk[], failure?: RouterError): AsyncGenerator<ChatCompletionChunk> {
  for (const value of chunks) yield value;
  if (failure) throw failure;
}

async function run(chunks: ChatCompletionChunk[], failure?: RouterError) {
  const request = validateRequest(responseRequestSchema, { model: 'm', input: 'Hi', max_output_tokens: 16, metadata: { a: 'b' } });
  const stored: ResponseObject[] = [];
  const events: ResponseStreamEvent[] = [];
  const stream = translateStream(source(chunks, failure), { request, id: 'resp_1', createdAt: 5, onEnd: (response) => void stored.push(response) });
  for await (const event of stream) events.push(event);
  return { events, stored };
}

describe('translating a chat stream to Responses events', () => {
  it('emits the canonical text sequence, numbered from 0, ending with usage and cost', async () => {
    const { events, stored } = await run([chunk({ role: 'assistant', content: '' }), chunk({ content: 'Hel' }), chunk({ content: 'lo' }), chunk({}, 'stop'), final]);
    expect(events.map((event) => event.type)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
    expect(events.map((event) => event.sequence_number)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const created = events[0]!.response as ResponseObject;
    expect(created).toMatchObject({ id: 'resp_1', status: 'in_progress', output: [], usage: null, model: 'vendor/m', max_output_tokens: 16, metadata: { a: 'b' } });
    const added = events[2]!.item as { id: string };
    expect(events.slice(3, 8).every((event) => event.item_id === added.id && event.output_index === 0)).toBe(true);
    expect(events[6]).toMatchObject({ text: 'Hello' });
    const completed = events[9]!.response as ResponseObject;
    expect(completed).toMatchObject({ id: 'resp_1', status: 'completed', output_text: 'Hello', provider: 'p' });
    expect(completed.output).toEqual([{ type: 'message', id: added.id, status: 'completed', role: 'assistant', content: [{ type: 'output_text', text: 'Hello', annotations: [], logprobs: [] }] }]);
    expect(completed.usage).toEqual({
      input_tokens: 52,
      input_tokens_details: { cached_tokens: 0 },
      output_tokens: 15,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: 67,
      cost: 0.001,
      currency: 'EUR',
    });
    expect(stored).toEqual([completed]);
  });

  it('turns tool calls into function_call items with argument deltas and dense output indexes', async () => {
    const { events } = await run([
      chunk({ content: 'Checking.' }),
      // The provider numbers its calls from 1: never copied into output_index.
      chunk({ tool_calls: [{ index: 1, id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: '' } }] }),
      chunk({ tool_calls: [{ index: 1, function: { arguments: '{"city":' } }] }),
      chunk({ tool_calls: [{ index: 1, function: { arguments: '"Paris"}' } }] }),
      chunk({ tool_calls: [{ index: 2, id: 'call_b', type: 'function', function: { name: 'get_time', arguments: '{}' } }] }),
      chunk({}, 'tool_calls'),
      final,
    ]);
    const types = events.map((event) => `${event.type}@${String(event.output_index ?? '')}`);
    expect(types).toEqual([
      'response.created@',
      'response.in_progress@',
      'response.output_item.added@0',
      'response.content_part.added@0',
      'response.output_text.delta@0',
      'response.output_text.done@0',
      'response.content_part.done@0',
      'response.output_item.done@0',
      'response.output_item.added@1',
      'response.function_call_arguments.delta@1',
      'response.function_call_arguments.delta@1',
      'response.output_item.added@2',
      'response.function_call_arguments.delta@2',
      'response.function_call_arguments.done@1',
      'response.output_item.done@1',
      'response.function_call_arguments.done@2',
      'response.output_item.done@2',
      'response.completed@',
    ]);
    const firstCall = events[8]!.item as { id: string; call_id: string; name: string; arguments: string; status: string };
    expect(firstCall).toMatchObject({ type: 'function_call', call_id: 'call_a', name: 'get_weather', arguments: '', status: 'in_progress' });
    expect(firstCall.id).toMatch(/^fc_/);
    expect(events[9]!.item_id).toBe(firstCall.id);
    expect(events[13]).toMatchObject({ item_id: firstCall.id, arguments: '{"city":"Paris"}', name: 'get_weather' });
    expect(events[14]!.item).toMatchObject({ id: firstCall.id, status: 'completed', arguments: '{"city":"Paris"}' });
    const completed = events.at(-1)!.response as ResponseObject;
    expect(completed.output.map((item) => item.type)).toEqual(['message', 'function_call', 'function_call']);
    expect(completed.output[2]).toMatchObject({ call_id: 'call_b', name: 'get_time', arguments: '{}' });
  });

  it('closes every call of an upstream that gives each call index 0, each with its own item', async () => {
    const { events } = await run([
      chunk({ tool_calls: [{ index: 0, id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] }),
      chunk({ tool_calls: [{ index: 0, id: 'call_b', type: 'function', function: { name: 'get_time', arguments: '{}' } }] }),
      chunk({}, 'tool_calls'),
      final,
    ]);
    const done = events.filter((event) => event.type === 'response.output_item.done').map((event) => event.item);
    expect(done).toMatchObject([
      { call_id: 'call_a', name: 'get_weather', arguments: '{"city":"Paris"}', status: 'completed' },
      { call_id: 'call_b', name: 'get_time', arguments: '{}', status: 'completed' },
    ]);
    expect(events.filter((event) => event.type === 'response.function_call_arguments.done').map((event) => event.output_index)).toEqual([0, 1]);
    const completed = events.at(-1)!.response as ResponseObject;
    expect(completed.output.map((item) => (item as { status: string }).status)).toEqual(['completed', 'completed']);
  });

  it('ends a length cut-off with response.incomplete and the reason', async () => {
    const { events, stored } = await run([chunk({ content: 'Once upon' }), chunk({}, 'length'), final]);
    const last = events.at(-1)!;
    expect(last.type).toBe('response.incomplete');
    expect(last.response).toMatchObject({ status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } });
    expect((last.response as ResponseObject).output[0]).toMatchObject({ status: 'incomplete' });
    expect(stored).toHaveLength(1);
  });

  it('reports a failure after the start as an error event (flat and nested) then response.failed, and stores nothing', async () => {
    const failure = new RouterError('The upstream provider failed.', { code: 'upstream_error', status: 502 });
    const { events, stored } = await run([chunk({ content: 'Hel' })], failure);
    const types = events.map((event) => event.type);
    expect(types.slice(-2)).toEqual(['error', 'response.failed']);
    expect(events.at(-2)).toMatchObject({
      code: 'server_error',
      message: 'The upstream provider failed.',
      param: null,
      error: { type: 'server_error', code: 'server_error', message: 'The upstream provider failed.', param: null },
    });
    expect(events.at(-1)!.response).toMatchObject({ id: 'resp_1', status: 'failed', error: { code: 'server_error', message: 'The upstream provider failed.' } });
    expect(events.map((event) => event.sequence_number)).toEqual(events.map((_, index) => index));
    expect(stored).toEqual([]);
  });

  it('carries on response.failed the output streamed before the failure, text, reasoning and calls, and the deployment’s model', async () => {
    const failure = new RouterError('The upstream provider failed.', { code: 'upstream_error', status: 502 });
    const text = await run([chunk({ reasoning_content: 'Think' }), chunk({ content: 'Hel' }), chunk({ content: 'lo' })], failure);
    const failed = text.events.at(-1)!.response as ResponseObject;
    expect(failed.model).toBe((text.events[0]!.response as ResponseObject).model);
    expect(failed.output_text).toBe('Hello');
    expect(failed.output).toEqual([
      { type: 'reasoning', id: expect.stringMatching(/^rs_/), summary: [{ type: 'summary_text', text: 'Think' }] },
      { type: 'message', id: expect.stringMatching(/^msg_/), status: 'incomplete', role: 'assistant', content: [{ type: 'output_text', text: 'Hello', annotations: [], logprobs: [] }] },
    ]);
    const call = await run([chunk({ tool_calls: [{ index: 0, id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: '{"city":' } }] })], failure);
    expect((call.events.at(-1)!.response as ResponseObject).output).toEqual([
      { type: 'function_call', id: expect.stringMatching(/^fc_/), status: 'incomplete', call_id: 'call_a', name: 'get_weather', arguments: '{"city":' },
    ]);
  });

  it('gives a call’s arguments sent as an object as JSON text', async () => {
    const { events } = await run([chunk({ tool_calls: [{ index: 0, id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: { city: 'Paris' } } }] }), chunk({}, 'tool_calls'), final]);
    expect((events.at(-1)!.response as ResponseObject).output[0]).toMatchObject({ type: 'function_call', arguments: '{"city":"Paris"}' });
  });

  it('maps a rate limit mid-stream to rate_limit_exceeded', async () => {
    const { events } = await run([chunk({ content: 'x' })], new RouterError('slow down', { code: 'rate_limited', status: 429 }));
    expect(events.at(-2)).toMatchObject({ type: 'error', code: 'rate_limit_exceeded' });
  });

  it('still completes an upstream that never sends a finish_reason', async () => {
    const { events } = await run([chunk({ content: 'Hi' }), final]);
    expect(events.at(-1)).toMatchObject({ type: 'response.completed', response: { status: 'completed', output_text: 'Hi' } });
  });
});

describe('a stream the caller aborts', () => {
  it('ends the read with the abort rather than with error events', async () => {
    const { AbortedError } = await import('../errors.js');
    const read = run([chunk({ content: 'x' })], new AbortedError('The caller aborted the request.'));
    await expect(read).rejects.toMatchObject({ code: 'aborted' });
  });
});

describe('a provider’s reasoning text in the stream', () => {
  it('reads deltas given in content parts (Mistral’s Magistral): thinking parts as reasoning, text parts as the message', async () => {
    const { events } = await run([
      chunk({ role: 'assistant', content: [{ type: 'thinking', thinking: [{ type: 'text', text: 'Think' }] }] }),
      chunk({ content: [{ type: 'thinking', thinking: [{ type: 'text', text: 'ing.' }] }] }),
      chunk({ content: [{ type: 'text', text: 'Ans' }] }),
      chunk({ content: 'wer.' }),
      chunk({}, 'stop'),
      final,
    ]);
    const completed = events.at(-1)!.response as ResponseObject;
    expect(completed.output_text).toBe('Answer.');
    expect(completed.output[0]).toEqual({ type: 'reasoning', id: expect.stringMatching(/^rs_/), summary: [{ type: 'summary_text', text: 'Thinking.' }] });
    expect(events.filter((event) => event.type === 'response.output_text.delta').map((event) => event.delta)).toEqual(['Ans', 'wer.']);
  });

  it('becomes a reasoning item with summary events, before the message', async () => {
    const { events } = await run([chunk({ reasoning_content: 'Think' }), chunk({ reasoning_content: 'ing.' }), chunk({ content: 'Answer.' }), chunk({}, 'stop'), final]);
    expect(events.map((event) => `${event.type}@${String(event.output_index ?? '')}`)).toEqual([
      'response.created@',
      'response.in_progress@',
      'response.output_item.added@0',
      'response.reasoning_summary_part.added@0',
      'response.reasoning_summary_text.delta@0',
      'response.reasoning_summary_text.delta@0',
      'response.reasoning_summary_text.done@0',
      'response.reasoning_summary_part.done@0',
      'response.output_item.done@0',
      'response.output_item.added@1',
      'response.content_part.added@1',
      'response.output_text.delta@1',
      'response.output_text.done@1',
      'response.content_part.done@1',
      'response.output_item.done@1',
      'response.completed@',
    ]);
    const reasoning = events[2]!.item as { id: string };
    expect(reasoning.id).toMatch(/^rs_/);
    expect(events[6]).toMatchObject({ item_id: reasoning.id, summary_index: 0, text: 'Thinking.' });
    const completed = events.at(-1)!.response as ResponseObject;
    expect(completed.output[0]).toEqual({ type: 'reasoning', id: reasoning.id, summary: [{ type: 'summary_text', text: 'Thinking.' }] });
    expect(completed.output_text).toBe('Answer.');
  });
});
