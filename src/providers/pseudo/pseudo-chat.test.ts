import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { InvalidRequestError } from '../../errors.js';
import { estimatePromptTokens } from '../../pricing/tokens.js';
import { chatRequestSchema, type ChatCompletionCreateParams } from '../../wire/chat-request.js';
import { pseudoChat } from './pseudo-llm.js';
import { tokenize } from './text-generator.js';

const ajv = new Ajv2020({ strict: false, validateFormats: false });
const options = { model: 'pseudo-model', attempt: 0 };

function chat(params: Partial<ChatCompletionCreateParams> & { prompt?: string } = {}) {
  const { prompt = 'Plan a weekend trip to Lisbon on a budget.', ...rest } = params;
  return pseudoChat(chatRequestSchema.parse({ model: 'm', messages: [{ role: 'user', content: prompt }], ...rest }), options);
}

async function text(params: Parameters<typeof chat>[0] = {}): Promise<string> {
  return (await chat(params)).choices[0]?.message.content ?? '';
}

const weather = {
  type: 'function',
  function: {
    name: 'get_weather',
    parameters: {
      type: 'object',
      properties: {
        city: { type: 'string', minLength: 2 },
        unit: { enum: ['celsius', 'fahrenheit'] },
        days: { type: 'integer', minimum: 1, maximum: 14 },
      },
      required: ['city'],
      additionalProperties: false,
    },
  },
} as const;
const search = {
  type: 'function',
  function: {
    name: 'search_docs',
    parameters: {
      type: 'object',
      $defs: { filter: { type: 'object', properties: { tag: { type: 'string' } }, required: ['tag'] } },
      properties: { query: { type: 'string' }, filters: { type: 'array', items: { $ref: '#/$defs/filter' } } },
      required: ['query', 'filters'],
    },
  },
} as const;

describe('pseudoChat text answers', () => {
  it('answers the same request byte for byte, with a deterministic id and created time', async () => {
    const first = await chat();
    expect(JSON.stringify(await chat())).toBe(JSON.stringify(first));
    expect(first).toMatchObject({ object: 'chat.completion', created: 1_700_000_000, model: 'pseudo-model' });
    expect(first.id).toMatch(/^chatcmpl-pseudo-[0-9a-z]+$/);
    expect(first.choices[0]).toMatchObject({ index: 0, finish_reason: 'stop', message: { role: 'assistant', refusal: null } });
    expect(first.choices[0]?.message).not.toHaveProperty('tool_calls');
  });

  it('answers different messages differently and quotes the last user message', async () => {
    const other = await chat({ prompt: 'What is the capital of France? Please answer briefly.' });
    expect(other.id).not.toBe((await chat()).id);
    expect(other.choices[0]?.message.content).not.toBe(await text());
    expect(other.choices[0]?.message.content).toMatch(/^Pseudo-LLM reply to "What is the capital of France\? Please an…": The /);
    expect(await text({ prompt: 'Hi' })).toMatch(/^Pseudo-LLM reply to "Hi": The [a-z]+ [a-z]+ [a-z]+ the [a-z]+ [a-z]+/);
  });

  it('writes 40 to 80 tokens, varied by the request, and counts them in usage', async () => {
    const lengths = new Set<number>();
    for (let index = 0; index < 30; index++) {
      const completion = await chat({ prompt: `Question number ${index}` });
      const content = completion.choices[0]?.message.content ?? '';
      const prompt_tokens = estimatePromptTokens([{ role: 'user', content: `Question number ${index}` }]);
      const completion_tokens = tokenize(content).length;
      expect(completion.usage).toEqual({ prompt_tokens, completion_tokens, total_tokens: prompt_tokens + completion_tokens });
      expect(completion_tokens).toBeGreaterThanOrEqual(40);
      // The last sentence may run past 80 by up to one sentence.
      expect(completion_tokens).toBeLessThan(92);
      lengths.add(completion_tokens);
    }
    expect(lengths.size).toBeGreaterThan(8);
  });

  it('gives n distinct choices, the first equal to the single answer', async () => {
    const completion = await chat({ n: 3 });
    const contents = completion.choices.map((choice) => choice.message.content ?? '');
    expect(completion.choices.map((choice) => choice.index)).toEqual([0, 1, 2]);
    expect(new Set(contents).size).toBe(3);
    expect(contents[0]).toBe(await text());
    const tokens = contents.reduce((sum, content) => sum + tokenize(content).length, 0);
    expect(completion.usage?.completion_tokens).toBe(tokens);
    expect(completion.usage?.total_tokens).toBe(tokens + (completion.usage?.prompt_tokens ?? 0));
  });
});

describe('pseudoChat stop and token limits', () => {
  it('cuts right before a stop sequence taken from the middle of the answer', async () => {
    const full = await text();
    const words = full.split(' ');
    const stop = words[Math.floor(words.length / 2)] ?? '';
    const completion = await chat({ stop });
    expect(completion.choices[0]?.message.content).toBe(full.slice(0, full.indexOf(stop)));
    expect(completion.choices[0]?.finish_reason).toBe('stop');
    expect(completion.usage?.completion_tokens).toBe(tokenize(full.slice(0, full.indexOf(stop))).length);
  });

  it('stops at the earliest of several stop sequences and ignores absent ones', async () => {
    const full = await text();
    expect(await text({ stop: ['never-in-the-text', '.', ':'] })).toBe(full.slice(0, full.indexOf(':')));
    expect(await text({ stop: ['never-in-the-text'] })).toBe(full);
  });

  it('truncates to the smaller token limit with finish_reason length', async () => {
    const pieces = tokenize(await text());
    const limited = await chat({ max_tokens: 15, max_completion_tokens: 12 });
    expect(limited.choices[0]).toMatchObject({ finish_reason: 'length', message: { content: pieces.slice(0, 12).join('') } });
    expect(limited.usage?.completion_tokens).toBe(12);
    expect((await chat({ max_tokens: 10 })).choices[0]?.message.content).toBe(pieces.slice(0, 10).join(''));
    expect((await chat({ max_tokens: 1000 })).choices[0]?.finish_reason).toBe('stop');
  });

  it('lets whichever of stop and the limit comes first end the answer', async () => {
    const full = await text();
    const pieces = tokenize(full);
    const early = pieces.slice(0, 5).join('').length;
    expect((await chat({ stop: ':', max_tokens: 30 })).choices[0]?.finish_reason).toBe('stop');
    const late = await chat({ stop: full.slice(early + 20, early + 30), max_tokens: 5 });
    expect(late.choices[0]).toMatchObject({ finish_reason: 'length', message: { content: pieces.slice(0, 5).join('') } });
  });
});

describe('pseudoChat response_format', () => {
  it('answers json_schema requests with JSON valid for the schema, never truncated', async () => {
    const schema = search.function.parameters;
    const completion = await chat({ max_tokens: 3, response_format: { type: 'json_schema', json_schema: { name: 'result', schema } } });
    const content = completion.choices[0]?.message.content ?? '';
    expect(ajv.validate(schema, JSON.parse(content))).toBe(true);
    expect(completion.choices[0]?.finish_reason).toBe('stop');
    expect(completion.usage?.completion_tokens).toBe(tokenize(content).length);
  });

  it('answers json_object requests with an object holding the reply', async () => {
    const content = (await chat({ response_format: { type: 'json_object' } })).choices[0]?.message.content ?? '';
    expect(JSON.parse(content)).toEqual({ answer: expect.stringMatching(/^Pseudo-LLM reply to "Plan a weekend/) });
  });
});

describe('pseudoChat tool calls', () => {
  it('calls a tool after a user message, with arguments valid for its schema', async () => {
    for (const prompt of ['one', 'two', 'three', 'four', 'five', 'six']) {
      const completion = await chat({ prompt, tools: [weather, search] });
      const choice = completion.choices[0];
      const call = choice?.message.tool_calls?.[0];
      expect(choice).toMatchObject({ finish_reason: 'tool_calls', message: { content: null } });
      expect(choice?.message.tool_calls).toHaveLength(1);
      expect(call?.id).toMatch(/^call_[0-9a-z]+$/);
      const tool = [weather, search].find((entry) => entry.function.name === call?.function.name);
      expect(ajv.validate(tool?.function.parameters ?? false, JSON.parse(call?.function.arguments ?? ''))).toBe(true);
      expect(completion.usage?.completion_tokens).toBe(tokenize(call?.function.arguments ?? '').length);
    }
  });

  it('picks among the tools by seed, or the tool the user names', async () => {
    const names = new Set<string>();
    for (let index = 0; index < 12; index++) {
      const completion = await chat({ prompt: `request ${index}`, tools: [weather, search] });
      names.add(completion.choices[0]?.message.tool_calls?.[0]?.function.name ?? '');
      const named = await chat({ prompt: `request ${index}: use search_docs please`, tools: [weather, search] });
      expect(named.choices[0]?.message.tool_calls?.[0]?.function.name).toBe('search_docs');
    }
    expect(names).toEqual(new Set(['get_weather', 'search_docs']));
  });

  it('answers in text after a tool result, so agent loops end', async () => {
    const messages: ChatCompletionCreateParams['messages'] = [
      { role: 'user', content: 'Weather in Oslo?' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } }] },
      { role: 'tool', tool_call_id: 'call_1', content: '{"temperature":3}' },
    ];
    const completion = await chat({ messages, tools: [weather] });
    expect(completion.choices[0]).toMatchObject({ finish_reason: 'stop', message: { content: expect.stringMatching(/^Pseudo-LLM reply to "Weather in Oslo\?"/) } });
    const forced = await chat({ messages, tools: [weather], tool_choice: 'required' });
    expect(forced.choices[0]?.finish_reason).toBe('tool_calls');
  });

  it('honours tool_choice none and a named function', async () => {
    expect((await chat({ tools: [weather], tool_choice: 'none' })).choices[0]?.message.tool_calls).toBeUndefined();
    const named = await chat({ prompt: 'use get_weather', tools: [weather, search], tool_choice: { type: 'function', function: { name: 'search_docs' } } });
    expect(named.choices[0]?.message.tool_calls?.[0]?.function.name).toBe('search_docs');
    await expect(chat({ tools: [weather], tool_choice: { type: 'function', function: { name: 'missing' } } })).rejects.toSatisfy(
      (error) => error instanceof InvalidRequestError && error.param === 'tool_choice' && error.status === 400,
    );
  });

  it('sends "{}" for tools without parameters and ignores custom tools', async () => {
    const bare = { type: 'function', function: { name: 'ping' } } as const;
    const empty = { type: 'function', function: { name: 'pong', parameters: {} } } as const;
    for (const tool of [bare, empty]) {
      expect((await chat({ tools: [tool] })).choices[0]?.message.tool_calls?.[0]?.function.arguments).toBe('{}');
    }
    const custom = await chat({ tools: [{ type: 'custom', custom: { name: 'grammar' } }] });
    expect(custom.choices[0]?.finish_reason).toBe('stop');
  });

  it('gives every choice its own call id', async () => {
    const completion = await chat({ n: 2, tools: [weather] });
    const ids = completion.choices.map((choice) => choice.message.tool_calls?.[0]?.id);
    expect(new Set(ids).size).toBe(2);
  });
});
