import { describe, expect, it } from 'vitest';
import { translateResponse, translateUsage } from './translate-response.js';

/* Anthropic messages → OpenAI chat.completions (openai-contract.md §4.3–4.5, §5.2). */

describe('translateResponse', () => {
  it('translates the §5.2 vector: text and a tool call, finish_reason tool_calls, cached tokens in prompt_tokens', () => {
    const completion = translateResponse(
      {
        id: 'msg_01ABC',
        type: 'message',
        model: 'claude-sonnet-4-5-20250929',
        content: [
          { type: 'text', text: 'Checking.' },
          { type: 'tool_use', id: 'toolu_01X', name: 'get_weather', input: { city: 'Paris' } },
        ],
        stop_reason: 'tool_use',
        usage: { input_tokens: 20, cache_creation_input_tokens: 0, cache_read_input_tokens: 5, output_tokens: 15 },
      },
      undefined,
      1_700_000_000,
    );
    expect(completion).toEqual({
      id: 'chatcmpl-msg_01ABC',
      object: 'chat.completion',
      created: 1_700_000_000,
      model: 'claude-sonnet-4-5-20250929',
      choices: [
        {
          index: 0,
          logprobs: null,
          finish_reason: 'tool_calls',
          message: {
            role: 'assistant',
            content: 'Checking.',
            refusal: null,
            tool_calls: [{ id: 'toolu_01X', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }],
          },
        },
      ],
      usage: { prompt_tokens: 25, completion_tokens: 15, total_tokens: 40, prompt_tokens_details: { cached_tokens: 5 } },
    });
  });

  it.each([
    ['end_turn', 'stop'],
    ['stop_sequence', 'stop'],
    ['pause_turn', 'stop'],
    ['max_tokens', 'length'],
    ['model_context_window_exceeded', 'length'],
    ['refusal', 'content_filter'],
    [null, 'stop'],
  ])('maps stop_reason %s to finish_reason %s', (stopReason, finish) => {
    const completion = translateResponse({ id: 'm', type: 'message', content: [{ type: 'text', text: 'x' }], stop_reason: stopReason }, undefined, 1);
    expect(completion.choices[0]!.finish_reason).toBe(finish);
  });

  it('answers a refusal without content blocks with content null and no tool_calls key', () => {
    const completion = translateResponse({ id: 'm', type: 'message', content: [], stop_reason: 'refusal', usage: { input_tokens: 18, output_tokens: 5 } }, undefined, 1);
    expect(completion.choices[0]!.message).toEqual({ role: 'assistant', content: null, refusal: null });
    expect(completion.usage).toEqual({ prompt_tokens: 18, completion_tokens: 5, total_tokens: 23 });
  });

  it('unwraps the JSON-mode tool call into content, finish_reason stop, without the words before it', () => {
    const completion = translateResponse(
      {
        id: 'm',
        type: 'message',
        content: [
          { type: 'text', text: 'Here you go:' },
          { type: 'tool_use', id: 'toolu_1', name: 'json_response', input: { city: 'Paris' } },
        ],
        stop_reason: 'tool_use',
      },
      'json_response',
      1,
    );
    expect(completion.choices[0]).toMatchObject({ finish_reason: 'stop', message: { content: '{"city":"Paris"}' } });
    expect(completion.choices[0]!.message).not.toHaveProperty('tool_calls');
  });

  it('keeps finish_reason length when a JSON answer was cut by max_tokens', () => {
    const completion = translateResponse(
      { id: 'm', type: 'message', content: [{ type: 'tool_use', id: 't', name: 'json_response', input: {} }], stop_reason: 'max_tokens' },
      'json_response',
      1,
    );
    expect(completion.choices[0]!.finish_reason).toBe('length');
  });
});

describe('translateUsage', () => {
  it('counts cache writes in prompt_tokens too, and reports thinking tokens as reasoning tokens', () => {
    expect(
      translateUsage({
        input_tokens: 10,
        cache_read_input_tokens: 100,
        cache_creation_input_tokens: 50,
        output_tokens: 7,
        output_tokens_details: { thinking_tokens: 3 },
      }),
    ).toEqual({
      prompt_tokens: 160,
      completion_tokens: 7,
      total_tokens: 167,
      prompt_tokens_details: { cached_tokens: 100, cache_write_tokens: 50 },
      completion_tokens_details: { reasoning_tokens: 3 },
    });
  });

  it('reports cache writes when the cache-read count is null, so that they are priced as writes', () => {
    expect(translateUsage({ input_tokens: 10, cache_read_input_tokens: null, cache_creation_input_tokens: 50, output_tokens: 7 })).toEqual({
      prompt_tokens: 60,
      completion_tokens: 7,
      total_tokens: 67,
      prompt_tokens_details: { cached_tokens: 0, cache_write_tokens: 50 },
    });
  });
});
