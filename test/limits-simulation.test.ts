import { describe, expect, it } from 'vitest';
import { loadBuilt } from './helpers/built-package.js';
import { euFacts } from './helpers/providers.js';

/*
 * limits.simulation, through the built package: whatever sizes a request asks the pseudo-LLM
 * (test- keys) for, it answers within the limits or refuses with a 400 naming the option that
 * raises them. The process stays up; the tests assert answer sizes, not memory.
 */

const { createRouter, RouterError } = await loadBuilt();
const built = await loadBuilt();

const provider = built.openaiCompatible({
  id: 'sim',
  baseURL: 'https://upstream.invalid/v1',
  apiKey: 'sk-unused',
  jurisdiction: euFacts,
  models: [
    { id: 'model-a', capabilities: ['chat', 'tools', 'json', 'completions'] },
    { id: 'embed-a', capabilities: ['embeddings'] },
  ],
});
const router = createRouter({ providers: [provider], apiKey: 'test-limits' });
const maxAnswerBytes = 1024 * 1024;
const messages = [{ role: 'user' as const, content: 'Fill the form.' }];

type Schema = Record<string, unknown>;
const structured = (schema: Schema, extra: Record<string, unknown> = {}) => ({
  model: 'model-a',
  messages,
  response_format: { type: 'json_schema' as const, json_schema: { name: 'answer', schema } },
  ...extra,
});
const withTool = (parameters: Schema) => ({
  model: 'model-a',
  messages,
  tools: [{ type: 'function' as const, function: { name: 'fill', parameters } }],
  tool_choice: 'required' as const,
});

async function outcome(promise: Promise<unknown>): Promise<{ error?: InstanceType<typeof RouterError>; bytes?: number }> {
  try {
    return { bytes: JSON.stringify(await promise).length };
  } catch (error) {
    if (!RouterError.isInstance(error)) throw error;
    return { error };
  }
}

describe('limits.simulation: sizes a schema asks the pseudo-LLM for', () => {
  const refused: Array<[string, Schema, string]> = [
    ['minItems: 1e9', { type: 'array', minItems: 1e9 }, 'maxArrayItems'],
    ['minLength: 1e9', { type: 'object', properties: { text: { type: 'string', minLength: 1e9 } }, required: ['text'] }, 'maxStringLength'],
    ['minProperties: 1e9', { type: 'object', minProperties: 1e9 }, 'maxObjectProperties'],
    ['a pattern repeated {1000000} times', { type: 'object', properties: { code: { type: 'string', pattern: '^a{1000000}$' } }, required: ['code'] }, 'maxStringLength'],
    ['nested repeats that multiply past the limit', { type: 'object', properties: { code: { type: 'string', pattern: '^((a{60}){60}){60}$' } }, required: ['code'] }, 'maxStringLength'],
    ['empty groups repeated to billions of steps', { type: 'object', properties: { code: { type: 'string', pattern: '^((()){4000}){4000}$' } }, required: ['code'] }, 'maxStringLength'],
    [
      'nested arrays, each at the item limit',
      { type: 'array', minItems: 64, items: { type: 'array', minItems: 64, items: { type: 'array', minItems: 64, items: { type: 'array', minItems: 64 } } } },
      'maxAnswerBytes',
    ],
    ['a large const repeated in every item', { type: 'array', minItems: 64, items: { const: 'c'.repeat(100_000) } }, 'maxAnswerBytes'],
  ];

  for (const [name, schema, option] of refused) {
    for (const [mode, request, param] of [
      ['response_format', structured(schema), 'response_format'],
      ['tool parameters', withTool(schema.type === 'object' ? schema : { type: 'object', properties: { value: schema }, required: ['value'] }), 'tools'],
    ] as const) {
      it(`refuses ${name} in ${mode} with a 400 naming limits.simulation.${option}`, async () => {
        const { error } = await outcome(router.chat.completions.create(request as never));
        expect(error).toMatchObject({ status: 400, code: 'invalid_request', param });
        expect(error!.message).toContain(`(limits.simulation.${option})`);
      });
    }
  }

  it('answers sizes within the limits, and the answer stays within maxAnswerBytes', async () => {
    const schema = { type: 'array', minItems: 64, items: { type: 'object', minProperties: 64, additionalProperties: { type: 'string', minLength: 200 } } };
    const { error } = await outcome(router.chat.completions.create(structured(schema) as never));
    // 64 × 64 strings of 200 characters is about 0.8 MiB: within the default limit.
    expect(error).toBeUndefined();
    const answer = await router.chat.completions.create(structured(schema) as never);
    const content = answer.choices[0]!.message.content!;
    expect(content.length).toBeLessThanOrEqual(maxAnswerBytes);
    const value = JSON.parse(content) as Array<Record<string, string>>;
    expect(value).toHaveLength(64);
    expect(Object.keys(value[0]!)).toHaveLength(64);
  });

  it('holds n choices together to maxAnswerBytes', async () => {
    const schema = { type: 'array', minItems: 64, items: { type: 'string', minLength: 4096 } };
    const one = await router.chat.completions.create(structured(schema) as never);
    expect(one.choices[0]!.message.content!.length).toBeLessThanOrEqual(maxAnswerBytes);
    const { error } = await outcome(router.chat.completions.create(structured(schema, { n: 128 }) as never));
    expect(error).toMatchObject({ status: 400, message: expect.stringContaining('(limits.simulation.maxAnswerBytes)') });
  });

  it('raises each size with its option', async () => {
    const schema = structured({ type: 'array', minItems: 500, items: { type: 'string', minLength: 10_000, maxLength: 10_000 } });
    const limits = { maxArrayItems: 500, maxStringLength: 10_000 };
    // 500 strings of 10,000 characters: within the item and string limits, not the answer's.
    const items = createRouter({ providers: [provider], apiKey: 'test-limits', limits: { simulation: limits } });
    await expect(items.chat.completions.create(schema as never)).rejects.toThrow('(limits.simulation.maxAnswerBytes)');
    const generous = createRouter({ providers: [provider], apiKey: 'test-limits', limits: { simulation: { ...limits, maxAnswerBytes: 8 * 1024 * 1024 } } });
    const answer = await generous.chat.completions.create(schema as never);
    const value = JSON.parse(answer.choices[0]!.message.content!) as string[];
    expect(value).toHaveLength(500);
    expect(value[0]).toHaveLength(10_000);
  });

  it('answers a huge max_tokens with the usual short reply', async () => {
    const answer = await router.chat.completions.create({ model: 'model-a', messages, max_tokens: Number.MAX_SAFE_INTEGER, n: 128 });
    expect(answer.choices).toHaveLength(128);
    expect(JSON.stringify(answer).length).toBeLessThanOrEqual(maxAnswerBytes);
  });
});

describe('limits.simulation.maxAnswerBytes for embeddings and legacy completions', () => {
  it('refuses embeddings whose inputs × dimensions × 4 bytes pass it, before drawing a vector', async () => {
    const { error } = await outcome(router.embeddings.create({ model: 'embed-a', input: Array.from({ length: 2048 }, (_, index) => `text ${index}`), dimensions: 65_536 }));
    expect(error).toMatchObject({ status: 400, code: 'invalid_request', param: 'dimensions' });
    expect(error!.message).toContain('2048 embeddings of 65536 dimensions');
    expect(error!.message).toContain('(limits.simulation.maxAnswerBytes)');
    const many = await outcome(router.embeddings.create({ model: 'embed-a', input: Array.from({ length: 200 }, (_, index) => `text ${index}`) }));
    expect(many.error).toMatchObject({ status: 400, param: 'input' });
    const fitting = await router.embeddings.create({ model: 'embed-a', input: Array.from({ length: 170 }, (_, index) => `text ${index}`) });
    expect(fitting.data).toHaveLength(170);
  });

  it('refuses legacy completions whose prompts × n choices (echoed) pass it', async () => {
    const prompt = Array.from({ length: 4096 }, () => 'p'.repeat(1000));
    const { error } = await outcome(router.completions.create({ model: 'model-a', prompt, n: 128, echo: true }));
    expect(error).toMatchObject({ status: 400, code: 'invalid_request', message: expect.stringContaining('(limits.simulation.maxAnswerBytes)') });
    const small = await router.completions.create({ model: 'model-a', prompt: ['a', 'b'], n: 3 });
    expect(small.choices).toHaveLength(6);
  });
});
