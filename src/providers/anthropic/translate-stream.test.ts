import { describe, expect, it } from 'vitest';
import type { UpstreamChatCompletionChunk } from '../../wire/chat-response.js';
import { StreamTranslator } from './translate-stream.js';
import type { AnthropicStreamEvent } from './wire.js';

/* Anthropic stream events → OpenAI chunks (openai-contract.md §4.6, §5.3). */

function run(events: AnthropicStreamEvent[], jsonTool?: string): { chunks: UpstreamChatCompletionChunk[]; done: boolean } {
  const translator = new StreamTranslator(jsonTool, 1_700_000_000);
  const chunks = events.flatMap((event) => [...translator.push(event)]);
  return { chunks, done: translator.done };
}

const start = (usage: object = { input_tokens: 20, output_tokens: 1 }, id = 'msg_01ABC'): AnthropicStreamEvent => ({
  type: 'message_start',
  message: { id, type: 'message', model: 'claude-sonnet-4-5', content: [], stop_reason: null, usage },
});
const text = (index: number, value: string): AnthropicStreamEvent[] => [
  { type: 'content_block_start', index, content_block: { type: 'text', text: '' } },
  { type: 'content_block_delta', index, delta: { type: 'text_delta', text: value } },
  { type: 'content_block_stop', index },
];
const end = (stopReason: string, usage: object): AnthropicStreamEvent[] => [
  { type: 'message_delta', delta: { stop_reason: stopReason }, usage },
  { type: 'message_stop' },
];

/** The §5.3 vector's Anthropic events. */
const vectorEvents: AnthropicStreamEvent[] = [
  start({ input_tokens: 20, cache_creation_input_tokens: 0, cache_read_input_tokens: 5, output_tokens: 1 }),
  { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
  { type: 'ping' },
  { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Checking.' } },
  { type: 'content_block_stop', index: 0 },
  { type: 'content_block_start', index: 1, content_block: { type: 'tool_use', id: 'toolu_01X', name: 'get_weather', input: {} } },
  { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '' } },
  { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '{"city":' } },
  { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '"Paris"}' } },
  { type: 'content_block_stop', index: 1 },
  ...end('tool_use', { output_tokens: 15 }),
];

/**
 * The §5.3 vector's OpenAI chunks, as an adapter yields them: the role chunk carries the prompt's
 * usage from message_start (the router takes it in and strips it, or sets `usage: null` when the
 * caller asked for usage).
 */
const vectorChunks = (() => {
  const base = { id: 'chatcmpl-msg_01ABC', object: 'chat.completion.chunk', created: 1_700_000_000, model: 'claude-sonnet-4-5' };
  const chunk = (delta: object, finish: string | null = null) => ({ ...base, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] });
  return [
    { ...chunk({ role: 'assistant', content: '' }), usage: { prompt_tokens: 25, prompt_tokens_details: { cached_tokens: 5 } } },
    chunk({ content: 'Checking.' }),
    chunk({ tool_calls: [{ index: 0, id: 'toolu_01X', type: 'function', function: { name: 'get_weather', arguments: '' } }] }),
    chunk({ tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] }),
    chunk({ tool_calls: [{ index: 0, function: { arguments: '"Paris"}' } }] }),
    chunk({}, 'tool_calls'),
    { ...base, choices: [], usage: { prompt_tokens: 25, completion_tokens: 15, total_tokens: 40, prompt_tokens_details: { cached_tokens: 5 } } },
  ];
})();

describe('StreamTranslator', () => {
  it('translates the §5.3 vector: role first, tool call index 0 (not block 1), one finish_reason, then usage', () => {
    const { chunks, done } = run(vectorEvents);
    expect(chunks).toEqual(vectorChunks);
    expect(done).toBe(true);
  });

  it('sends "{}" for a tool call that streamed no arguments (anthropic-tool-no-args)', () => {
    const { chunks } = run([
      start({ input_tokens: 565, output_tokens: 1 }),
      ...text(0, "I'll update the issue list for you."),
      { type: 'content_block_start', index: 1, content_block: { type: 'tool_use', id: 'toolu_2', name: 'updateIssueList', input: {} } },
      { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '' } },
      { type: 'content_block_stop', index: 1 },
      ...end('tool_use', { output_tokens: 48 }),
    ]);
    const argumentsText = chunks.flatMap((chunk) => chunk.choices.flatMap((choice) => choice.delta.tool_calls ?? [])).map((call) => call.function?.arguments).join('');
    expect(argumentsText).toBe('{}');
    expect(chunks.at(-2)!.choices[0]!.finish_reason).toBe('tool_calls');
    expect(chunks.at(-1)!.usage).toEqual({ prompt_tokens: 565, completion_tokens: 48, total_tokens: 613 });
  });

  it('finishes a refusal without content blocks with content_filter (anthropic-refusal)', () => {
    const { chunks } = run([start({ input_tokens: 18, output_tokens: 1 }), ...end('refusal', { output_tokens: 5 })]);
    expect(chunks.map((chunk) => (chunk.choices.length === 0 ? 'usage' : chunk.choices[0]!.finish_reason))).toEqual([null, 'content_filter', 'usage']);
    expect(chunks.at(-1)!.usage).toEqual({ prompt_tokens: 18, completion_tokens: 5, total_tokens: 23 });
  });

  it('ignores a repeated message_start: same id, no second role chunk, tool numbering intact', () => {
    const { chunks } = run([
      start(),
      ...text(0, 'Hello, '),
      start({ input_tokens: 99, output_tokens: 1 }, 'msg_OTHER'),
      ...text(1, 'World!'),
      ...end('end_turn', { output_tokens: 227 }),
    ]);
    const content = chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('');
    expect(content).toBe('Hello, World!');
    expect(new Set(chunks.map((chunk) => chunk.id))).toEqual(new Set(['chatcmpl-msg_01ABC']));
    expect(chunks.filter((chunk) => chunk.choices[0]?.delta.role === 'assistant')).toHaveLength(1);
    expect(chunks.at(-1)!.usage).toEqual({ prompt_tokens: 20, completion_tokens: 227, total_tokens: 247 });
  });

  it('takes message_delta usage as cumulative: later counts replace earlier ones, input included', () => {
    const { chunks } = run([
      start({ input_tokens: 43, output_tokens: 1 }),
      ...text(0, 'x'),
      { type: 'message_delta', delta: { stop_reason: null }, usage: { output_tokens: 10 } },
      { type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { input_tokens: 61, output_tokens: 30 } },
      { type: 'message_stop' },
    ]);
    expect(chunks.at(-1)!.usage).toEqual({ prompt_tokens: 61, completion_tokens: 30, total_tokens: 91 });
  });

  it('numbers several tool calls 0, 1, … and drops thinking deltas', () => {
    const { chunks } = run([
      start(),
      { type: 'content_block_start', index: 0, content_block: { type: 'thinking' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta' } },
      { type: 'content_block_stop', index: 0 },
      { type: 'content_block_start', index: 1, content_block: { type: 'tool_use', id: 'a', name: 'f', input: {} } },
      { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '{"x":1}' } },
      { type: 'content_block_start', index: 2, content_block: { type: 'tool_use', id: 'b', name: 'g', input: {} } },
      { type: 'content_block_delta', index: 2, delta: { type: 'input_json_delta', partial_json: '{"y":2}' } },
      ...end('tool_use', { output_tokens: 9 }),
    ]);
    const calls = chunks.flatMap((chunk) => chunk.choices.flatMap((choice) => choice.delta.tool_calls ?? []));
    expect(calls.map((call) => [call.index, call.id ?? null, call.function?.arguments])).toEqual([
      [0, 'a', ''],
      [0, null, '{"x":1}'],
      [1, 'b', ''],
      [1, null, '{"y":2}'],
    ]);
    expect(chunks).toHaveLength(1 + 4 + 2);
  });

  it('streams the JSON-mode tool input as content and finishes with stop', () => {
    const { chunks } = run(
      [
        start(),
        { type: 'content_block_start', index: 0, content_block: { type: 'tool_use', id: 't', name: 'json_response', input: {} } },
        { type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: '{"city":' } },
        { type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: '"Paris"}' } },
        { type: 'content_block_stop', index: 0 },
        ...end('tool_use', { output_tokens: 8 }),
      ],
      'json_response',
    );
    expect(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('')).toBe('{"city":"Paris"}');
    expect(chunks.some((chunk) => chunk.choices[0]?.delta.tool_calls !== undefined)).toBe(false);
    expect(chunks.at(-2)!.choices[0]!.finish_reason).toBe('stop');
  });

  it('is not done before message_stop, so a stream cut after message_delta is reported, not ended quietly', () => {
    const { done } = run([start(), ...text(0, 'Hi'), { type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 2 } }]);
    expect(done).toBe(false);
  });
});
