import { describe, expect, it } from 'vitest';
import { validateRequest } from '../internal/validate.js';
import type { ChatCompletion } from '../wire/chat-response.js';
import { toResponse } from './translate-response.js';
import { responseRequestSchema } from './wire.js';

/* A routed chat completion → the response object. */

const request = validateRequest(responseRequestSchema, { model: 'm', input: 'Hi', temperature: 0.2, metadata: { team: 'a' }, store: false });

function completion(message: object, finish: string): ChatCompletion {
  return {
    id: 'chatcmpl-1',
    object: 'chat.completion',
    created: 1,
    model: 'vendor/m',
    choices: [{ index: 0, message: { role: 'assistant', content: null, refusal: null, ...message }, finish_reason: finish, logprobs: null }],
    usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15, prompt_tokens_details: { cached_tokens: 4 }, cost: 0.5, currency: 'EUR', estimated: true },
    provider: 'p',
    route: { requested: 'm', tier: '1', policy: 'global', objective: 'balanced', fallback_used: false, attempts: [] },
  } as ChatCompletion;
}

describe('translating a chat completion to a response', () => {
  it('gives a call’s arguments as JSON text when the upstream sent them as an object, so the conversation can be continued', () => {
    const calls = [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: { city: 'Paris' } } }];
    const response = toResponse(request, 'resp_1', 7, completion({ tool_calls: calls }, 'tool_calls'));
    expect(response.output).toEqual([
      { type: 'function_call', id: expect.stringMatching(/^fc_/), status: 'completed', call_id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' },
    ]);
  });

  it('reads an answer given in content parts (Mistral’s Magistral): text parts as the message, thinking parts as reasoning', () => {
    const parts = [
      { type: 'thinking', thinking: [{ type: 'text', text: 'France… ' }, { type: 'text', text: 'Paris.' }] },
      { type: 'text', text: 'The capital is ' },
      { type: 'text', text: 'Paris.' },
    ];
    const response = toResponse(request, 'resp_1', 7, completion({ content: parts }, 'stop'));
    expect(response.output_text).toBe('The capital is Paris.');
    expect(response.output).toEqual([
      { type: 'reasoning', id: expect.stringMatching(/^rs_/), summary: [{ type: 'summary_text', text: 'France… Paris.' }] },
      { type: 'message', id: expect.stringMatching(/^msg_/), status: 'completed', role: 'assistant', content: [{ type: 'output_text', text: 'The capital is Paris.', annotations: [], logprobs: [] }] },
    ]);
  });

  it('makes text one message item and echoes the request’s settings', () => {
    const response = toResponse(request, 'resp_1', 7, completion({ content: 'Hello.' }, 'stop'));
    expect(response).toMatchObject({
      id: 'resp_1',
      object: 'response',
      created_at: 7,
      status: 'completed',
      incomplete_details: null,
      model: 'vendor/m',
      output_text: 'Hello.',
      temperature: 0.2,
      top_p: 1,
      tool_choice: 'auto',
      tools: [],
      store: false,
      metadata: { team: 'a' },
      text: { format: { type: 'text' } },
      provider: 'p',
    });
    expect(response.output).toEqual([
      { type: 'message', id: expect.stringMatching(/^msg_/), status: 'completed', role: 'assistant', content: [{ type: 'output_text', text: 'Hello.', annotations: [], logprobs: [] }] },
    ]);
    expect(response.usage).toEqual({
      input_tokens: 10,
      input_tokens_details: { cached_tokens: 4 },
      output_tokens: 5,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: 15,
      cost: 0.5,
      currency: 'EUR',
      estimated: true,
    });
  });

  it('makes each tool call a function_call item after the text, minting a call id for a repeated one', () => {
    const calls = [
      { id: 'call_0', type: 'function', function: { name: 'a', arguments: '{}' } },
      { id: 'call_0', type: 'function', function: { name: 'b', arguments: '{"x":1}' } },
    ];
    const response = toResponse(request, 'resp_1', 7, completion({ content: 'Calling.', tool_calls: calls }, 'tool_calls'));
    expect(response.output.map((item) => item.type)).toEqual(['message', 'function_call', 'function_call']);
    expect(response.output[1]).toMatchObject({ call_id: 'call_0', name: 'a', status: 'completed' });
    expect(response.output[2]).toMatchObject({ name: 'b', arguments: '{"x":1}' });
    expect((response.output[2] as { call_id: string }).call_id).toMatch(/^call_[0-9a-f]{48}$/);
    expect(new Set(response.output.map((item) => item.id)).size).toBe(3);
    // No text and only calls: no empty message item.
    expect(toResponse(request, 'resp_2', 7, completion({ tool_calls: [calls[0]] }, 'tool_calls')).output.map((item) => item.type)).toEqual(['function_call']);
  });

  it('marks a length or content-filter stop as incomplete with its reason', () => {
    const cut = toResponse(request, 'resp_1', 7, completion({ content: 'Once upon' }, 'length'));
    expect(cut).toMatchObject({ status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } });
    expect(cut.output[0]).toMatchObject({ status: 'incomplete' });
    expect(toResponse(request, 'resp_1', 7, completion({ content: '' }, 'content_filter'))).toMatchObject({ incomplete_details: { reason: 'content_filter' } });
  });

  it('returns a refusal as a refusal part, outside output_text', () => {
    const response = toResponse(request, 'resp_1', 7, completion({ content: null, refusal: 'I cannot help with that.' }, 'stop'));
    expect(response.output[0]).toMatchObject({ type: 'message', content: [{ type: 'refusal', refusal: 'I cannot help with that.' }] });
    expect(response.output_text).toBe('');
  });

  it('puts a provider’s reasoning text first, as a reasoning item with one summary', () => {
    const response = toResponse(request, 'resp_1', 7, completion({ content: 'Paris.', reasoning_content: 'The capital of France is Paris.' }, 'stop'));
    expect(response.output.map((item) => item.type)).toEqual(['reasoning', 'message']);
    expect(response.output[0]).toEqual({ type: 'reasoning', id: expect.stringMatching(/^rs_/), summary: [{ type: 'summary_text', text: 'The capital of France is Paris.' }] });
    expect(response.output_text).toBe('Paris.');
  });
});
