import { describe, expect, it } from 'vitest';
import { malformedOutputError, translateResponse } from './translate-response.js';
import { ConverseStreamTranslator } from './translate-stream.js';

describe('translateResponse (Converse → OpenAI)', () => {
  it('returns text and tool calls with usage counting cache tokens', () => {
    const completion = translateResponse(
      {
        output: { message: { role: 'assistant', content: [{ text: 'Checking.' }, { toolUse: { toolUseId: 'tooluse_1', name: 'get_weather', input: { city: 'Berlin' } } }] } },
        stopReason: 'tool_use',
        usage: { inputTokens: 10, outputTokens: 5, totalTokens: 45, cacheReadInputTokens: 20, cacheWriteInputTokens: 10 },
      },
      undefined,
      'eu.anthropic.claude-sonnet-4-6',
      'req-1',
      1_700_000_000,
    );
    expect(completion.choices[0]).toMatchObject({
      finish_reason: 'tool_calls',
      message: { content: 'Checking.', tool_calls: [{ id: 'tooluse_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Berlin"}' } }] },
    });
    expect(completion.usage).toEqual({ prompt_tokens: 40, completion_tokens: 5, total_tokens: 45, prompt_tokens_details: { cached_tokens: 20, cache_write_tokens: 10 } });
    expect(completion.model).toBe('eu.anthropic.claude-sonnet-4-6');
  });

  it.each([
    ['end_turn', 'stop'],
    ['stop_sequence', 'stop'],
    ['max_tokens', 'length'],
    ['model_context_window_exceeded', 'length'],
    ['guardrail_intervened', 'content_filter'],
    ['content_filtered', 'content_filter'],
    ['tool_use', 'tool_calls'],
  ])('maps stopReason %s to finish_reason %s, streamed or not', (stopReason, finish) => {
    const completion = translateResponse({ output: { message: { content: [{ text: 'x' }] } }, stopReason }, undefined, 'm', 'r', 1);
    expect(completion.choices[0]?.finish_reason).toBe(finish);
    const translator = new ConverseStreamTranslator(undefined, 'r', 'm', 1);
    const chunks = [
      ...translator.push('contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'x' } }),
      ...translator.push('messageStop', { stopReason }),
      ...translator.push('metadata', { usage: { inputTokens: 1, outputTokens: 1, totalTokens: 2 } }),
    ];
    expect(chunks.map((chunk) => chunk.choices[0]?.finish_reason).filter((reason) => reason != null)).toEqual([finish]);
  });

  it.each([
    ['malformed_tool_use', 'a tool call that is not valid'],
    ['malformed_model_output', 'output that is not valid'],
  ])('has no finish_reason for stopReason %s, but a retryable upstream error', (stopReason, what) => {
    expect(malformedOutputError('bedrock-test', stopReason, 'req-1')).toMatchObject({
      code: 'upstream_error',
      isRetryable: true,
      providerId: 'bedrock-test',
      requestID: 'req-1',
      message: expect.stringContaining(`bedrock-test: the model produced ${what} (stopReason ${stopReason})`),
    });
    for (const answered of ['end_turn', 'tool_use', 'max_tokens', 'stop_sequence', 'guardrail_intervened', 'content_filtered', 'model_context_window_exceeded', undefined]) {
      expect(malformedOutputError('bedrock-test', answered, 'req-1')).toBeUndefined();
    }
  });
});

describe('ConverseStreamTranslator', () => {
  it('numbers tool calls by order, not by content block, and emits usage after metadata', () => {
    const translator = new ConverseStreamTranslator(undefined, 'req-1', 'm', 1);
    const chunks = [
      ...translator.push('messageStart', { role: 'assistant' }),
      ...translator.push('contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'Two calls.' } }),
      ...translator.push('contentBlockStart', { contentBlockIndex: 1, start: { toolUse: { toolUseId: 'a', name: 'first' } } }),
      ...translator.push('contentBlockStop', { contentBlockIndex: 1 }),
      ...translator.push('contentBlockStart', { contentBlockIndex: 2, start: { toolUse: { toolUseId: 'b', name: 'second' } } }),
      ...translator.push('contentBlockDelta', { contentBlockIndex: 2, delta: { toolUse: { input: '{"x":1}' } } }),
      ...translator.push('contentBlockStop', { contentBlockIndex: 2 }),
      ...translator.push('messageStop', { stopReason: 'tool_use' }),
    ];
    expect(translator.done).toBe(false);
    const calls = chunks.flatMap((chunk) => chunk.choices[0]?.delta.tool_calls ?? []);
    expect(calls).toEqual([
      { index: 0, id: 'a', type: 'function', function: { name: 'first', arguments: '' } },
      // A call that streamed no input still gets valid JSON arguments.
      { index: 0, function: { arguments: '{}' } },
      { index: 1, id: 'b', type: 'function', function: { name: 'second', arguments: '' } },
      { index: 1, function: { arguments: '{"x":1}' } },
    ]);
    const end = translator.push('metadata', { usage: { inputTokens: 7, outputTokens: 3, totalTokens: 10 } });
    expect(end.map((chunk) => chunk.choices[0]?.finish_reason ?? null)).toEqual(['tool_calls', null]);
    expect(end[1]?.usage).toEqual({ prompt_tokens: 7, completion_tokens: 3, total_tokens: 10 });
    expect(translator.done).toBe(true);
  });

  it('finishes at the end of the body when no metadata follows messageStop', () => {
    const translator = new ConverseStreamTranslator(undefined, 'req-1', 'm', 1);
    translator.push('contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'Hi' } });
    expect(translator.finish()).toEqual([]);
    translator.push('messageStop', { stopReason: 'end_turn' });
    // No usage was reported: no usage chunk (the router estimates it), rather than zero tokens.
    const last = translator.finish();
    expect(last.map((chunk) => chunk.choices[0]?.finish_reason ?? null)).toEqual(['stop']);
    expect(last.some((chunk) => chunk.usage !== undefined)).toBe(false);
  });
});
