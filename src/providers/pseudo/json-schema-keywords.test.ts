import { isIPv4, isIPv6 } from 'node:net';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { testProviders } from '../../../test/helpers/providers.js';
import { InvalidRequestError } from '../../errors.js';
import { createRouter } from '../../router/create-router.js';
import { chatRequestSchema } from '../../wire/chat-request.js';
import { honouredFormats } from './json-schema-formats.js';
import { pseudoChat } from './pseudo-llm.js';

/*
 * Every keyword docs/test-keys.md says the pseudo-LLM honours, alone and combined, checked by ajv on
 * what a caller receives: `response_format` json_schema content and tool-call arguments.
 */

const ajv = new Ajv2020({ strict: false, allowUnionTypes: true });
// ajv-formats is not a dependency: these follow its definitions for the honoured formats.
ajv.addFormat('date', /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/);
ajv.addFormat('time', /^([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d+)?(z|[+-]\d\d(:?\d\d)?)$/i);
ajv.addFormat('date-time', /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])t([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d+)?(z|[+-]\d\d(:?\d\d)?)$/i);
ajv.addFormat('duration', /^P(?!$)((\d+Y)?(\d+M)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+S)?)?|(\d+W)?)$/);
ajv.addFormat('email', /^[a-z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/i);
ajv.addFormat('hostname', /^(?=.{1,253}\.?$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[-0-9a-z]{0,61}[0-9a-z])?)*\.?$/i);
ajv.addFormat('ipv4', isIPv4);
ajv.addFormat('ipv6', isIPv6);
ajv.addFormat('uri', (value) => /^[a-z][a-z0-9+.-]*:/i.test(value) && URL.canParse(value));
ajv.addFormat('uuid', /^[0-9a-f]{8}-(?:[0-9a-f]{4}-){3}[0-9a-f]{12}$/i);

type Schema = Record<string, unknown>;
const seeds = 25;

/** The schema for `value`, as tool parameters and response formats take it: an object. */
function wrap(value: Schema): Schema {
  const { $defs, ...rest } = value; // references point at the root
  return { type: 'object', ...($defs ? { $defs } : {}), properties: { value: rest }, required: ['value'], additionalProperties: false };
}

/** What a caller gets back: the response_format content, or the forced tool call's arguments. */
async function answer(mode: 'response_format' | 'tool', schema: Schema, prompt: string): Promise<string> {
  const shape = mode === 'response_format'
    ? { response_format: { type: 'json_schema', json_schema: { name: 'result', schema, strict: true } } }
    : { tools: [{ type: 'function', function: { name: 'record', parameters: schema } }], tool_choice: 'required' };
  const request = chatRequestSchema.parse({ model: 'm', messages: [{ role: 'user', content: prompt }], ...shape });
  const message = (await pseudoChat(request, { model: 'pseudo', attempt: 0 })).choices[0]?.message;
  return (mode === 'tool' ? message?.tool_calls?.[0]?.function.arguments : message?.content) ?? '';
}

const cases: Record<string, Schema> = {
  'pattern with anchors, classes and counts': { type: 'string', pattern: '^[A-Z]{3}-\\d{4}$' },
  'pattern with optional groups and escapes': { type: 'string', pattern: '^(?:\\+?1[-. ]?)?\\(?\\d{3}\\)?[-. ]?\\d{3}[-. ]?\\d{4}$' },
  'pattern with a ranged class and bounds': { type: 'string', pattern: '^[a-z0-9_-]{3,16}$' },
  'pattern with alternation in a group': { type: 'string', pattern: '^#?([a-f0-9]{6}|[a-f0-9]{3})$' },
  'pattern with nested quantified groups': { type: 'string', pattern: '^v\\d+(\\.\\d+){2}(-[a-z]+(\\.\\d+)?)?$' },
  'pattern with top-level alternation': { type: 'string', pattern: '^(draft|published)$|^archived-\\d+$' },
  'pattern with a negated class': { type: 'string', pattern: '^[^@\\s]+@acme\\.org$' },
  'pattern with named groups and a dot': { type: 'string', pattern: '^(?<year>\\d{4})-(?<month>0[1-9]|1[0-2]):.+$' },
  'pattern with hex and unicode escapes': { type: 'string', pattern: '^\\x41\\u00e9[α-ω]{2,4}\\u{1F600}?$' },
  'unanchored pattern with minLength': { type: 'string', pattern: '\\d{2}', minLength: 12 },
  'pattern with minLength and maxLength': { type: 'string', pattern: '^[a-z]+$', minLength: 20, maxLength: 24 },
  'pattern with a short maxLength': { type: 'string', pattern: '^\\w*$', maxLength: 2 },
  'pattern with a format': { type: 'string', format: 'email', pattern: '@example\\.com$' },
  'multipleOf on an integer range': { type: 'integer', minimum: 10, maximum: 12, multipleOf: 5 },
  'multipleOf with exclusiveMinimum': { type: 'integer', exclusiveMinimum: 10, maximum: 30, multipleOf: 5 },
  'multipleOf with exclusive bounds on numbers': { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1, multipleOf: 0.1 },
  'multipleOf in cents': { type: 'number', minimum: 0, maximum: 1000, multipleOf: 0.01 },
  'multipleOf a fraction on an integer': { type: 'integer', minimum: -20, maximum: 20, multipleOf: 2.5 },
  'multipleOf unbounded and large': { type: 'integer', multipleOf: 1000 },
  'multipleOf without a type': { multipleOf: 7, minimum: 1 },
  'uniqueItems over a small enum': { type: 'array', items: { enum: ['a', 'b', 'c'] }, minItems: 3, uniqueItems: true },
  'uniqueItems over a tight integer range': { type: 'array', items: { type: 'integer', minimum: 0, maximum: 3 }, minItems: 4, maxItems: 4, uniqueItems: true },
  'uniqueItems over booleans': { type: 'array', items: { type: 'boolean' }, minItems: 2, uniqueItems: true },
  'uniqueItems over an item default': { type: 'array', items: { type: 'integer', default: 1, minimum: 1, maximum: 3 }, minItems: 3, uniqueItems: true },
  'uniqueItems over pattern items': { type: 'array', items: { type: 'string', pattern: '^[A-Z]{2}\\d$' }, minItems: 5, maxItems: 6, uniqueItems: true },
  'uniqueItems over objects': {
    type: 'array', minItems: 4, uniqueItems: true,
    items: { type: 'object', properties: { size: { enum: ['S', 'M', 'L'] }, extra: { type: 'boolean' } }, required: ['size', 'extra'] },
  },
  'minProperties from additionalProperties': { type: 'object', additionalProperties: { type: 'number', multipleOf: 0.5 }, minProperties: 2 },
  'minProperties from optional properties': {
    type: 'object', minProperties: 3, additionalProperties: false,
    properties: { a: { type: 'string' }, b: { type: 'integer' }, c: { type: 'boolean' }, d: { type: 'null' } },
  },
  'maxProperties over optional properties': {
    type: 'object', maxProperties: 2, required: ['id'],
    properties: { id: { type: 'string', format: 'uuid' }, b: { type: 'integer' }, c: { type: 'boolean' } },
  },
  'minProperties without declared properties': { minProperties: 3, maxProperties: 3 },
  'const beats the other keywords': { type: 'integer', multipleOf: 7, minimum: 0, const: 21 },
  'enum beats pattern and lengths': { type: 'string', pattern: '^[a-z]+$', maxLength: 5, enum: ['abc', 'de'] },
  'every honoured format': { type: 'object', properties: Object.fromEntries(honouredFormats.map((format) => [format, { type: 'string', format }])), required: honouredFormats },
  'nested: recursive items with pattern keys': {
    type: 'object', $defs: { node: { type: 'object', properties: { key: { type: 'string', pattern: '^k_[0-9a-f]{4}$' }, children: { type: 'array', items: { $ref: '#/$defs/node' }, uniqueItems: true } }, required: ['key', 'children'] } },
    properties: { root: { $ref: '#/$defs/node' } }, required: ['root'],
  },
};

/** Schemas with one valid value: the answer cannot vary. */
const singleAnswer = new Set(['multipleOf on an integer range', 'const beats the other keywords']);

describe('the pseudo-LLM honours JSON schema keywords', () => {
  for (const [name, schema] of Object.entries(cases)) {
    for (const mode of ['response_format', 'tool'] as const) {
      it(`${name} (${mode})`, async () => {
        const validate = ajv.compile(wrap(schema));
        const distinct = new Set<string>();
        for (let seed = 0; seed < seeds; seed++) {
          const text = await answer(mode, wrap(schema), `request ${seed}`);
          expect(validate(JSON.parse(text)), JSON.stringify({ text, errors: validate.errors })).toBe(true);
          distinct.add(text);
        }
        if (!singleAnswer.has(name)) expect(distinct.size, 'answers vary with the request').toBeGreaterThan(1);
      });
    }
  }

  it('answers the same request with the same JSON', async () => {
    const schema = wrap({ type: 'array', items: cases['pattern with optional groups and escapes'], minItems: 3, uniqueItems: true });
    for (const mode of ['response_format', 'tool'] as const) {
      expect(await answer(mode, schema, 'again')).toBe(await answer(mode, schema, 'again'));
    }
  });
});

describe('the pseudo-LLM fails with a 400 where it cannot honour a keyword', () => {
  const failures: Array<[string, Schema, RegExp]> = [
    ['a backreference', { type: 'string', pattern: '^(a|b)\\1$' }, /pattern "\^\(a\|b\)\\1\$".*a backreference "\\1" is not supported/],
    ['a lookahead', { type: 'string', pattern: '^(?=.*\\d)[a-z\\d]{8}$' }, /pattern "\^\(\?=\.\*\\d\)\[a-z\\d\]\{8\}\$".*a lookahead "\(\?=…\)"/],
    ['a word boundary', { type: 'string', pattern: '\\bid\\b' }, /a word boundary "\\b" is not supported/],
    ['a Unicode property', { type: 'string', pattern: '^\\p{Lu}+$' }, /a Unicode property "\\p" is not supported/],
    ['an invalid regular expression', { type: 'string', pattern: '^[a-z' }, /not a valid regular expression with the u flag/],
    ['a pattern that cannot meet maxLength', { type: 'string', pattern: '^[a-z]{5}$', maxLength: 3 }, /within minLength\/maxLength/],
    ['no multiple within the bounds', { type: 'integer', minimum: 11, maximum: 14, multipleOf: 5 }, /an integer .*none lies within minimum 11, maximum 14, multipleOf 5/],
    ['too few distinct items', { type: 'array', items: { enum: ['a', 'b'] }, minItems: 3, uniqueItems: true }, /3 distinct items .*uniqueItems/],
    ['more required properties than maxProperties', { type: 'object', properties: { a: {}, b: {} }, required: ['a', 'b'], maxProperties: 1 }, /requires 2 properties but maxProperties is 1/],
    // Bounded, so no request can make the generator block the process or run out of memory.
    ['a repeat too large to write', { type: 'string', pattern: '^a{100000000}$' }, /a repeat of 100000000\).*the limit is 4096 \(limits\.simulation\.maxStringLength\)/],
    ['nested repeats too long to write', { type: 'string', pattern: '^(a{1000}){1000}$' }, /the limit is 4096 \(limits\.simulation\.maxStringLength\)/],
    ['a minLength too long to write', { type: 'string', pattern: '^((a*)*)*$', minLength: 5_000_000 }, /a string of at least 5000000 characters .*the limit is 4096 \(limits\.simulation\.maxStringLength\)/],
    ['minProperties with no room', { type: 'object', properties: { a: {} }, minProperties: 2, additionalProperties: false }, /minProperties is 2 but additionalProperties is false/],
  ];
  for (const [name, schema, detail] of failures) {
    it(`for ${name}, naming the schema path and what to change`, async () => {
      for (const [mode, param, label] of [['response_format', 'response_format', 'response_format.json_schema "result"'], ['tool', 'tools', 'the parameters of tool "record"']] as const) {
        const failure = answer(mode, wrap(schema), 'anything');
        await expect(failure).rejects.toBeInstanceOf(InvalidRequestError);
        await expect(failure).rejects.toMatchObject({ status: 400, code: 'invalid_request', param });
        await expect(failure).rejects.toThrow(detail);
        await expect(failure).rejects.toThrow(`cannot produce`);
        await expect(failure).rejects.toThrow(`at #/properties/value of ${label}`);
      }
    });
  }

  it('reaches the caller of a router as that 400, without trying another deployment', async () => {
    const records: unknown[] = [];
    const router = createRouter({ providers: testProviders(), apiKey: 'test-schema', audit: [{ write: (record) => void records.push(record) }] });
    const schema = wrap({ type: 'string', pattern: '^(?!admin)[a-z]+$' });
    const failure = router.chat.completions.create({
      model: 'llama-3.3-70b-instruct',
      messages: [{ role: 'user', content: 'name a user' }],
      response_format: { type: 'json_schema', json_schema: { name: 'user', schema } },
    });
    await expect(failure).rejects.toMatchObject({ status: 400, code: 'invalid_request', param: 'response_format' });
    await expect(failure).rejects.toThrow('pattern "^(?!admin)[a-z]+$" at #/properties/value of response_format.json_schema "user"');
    await router.flush();
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ error_code: 'invalid_request', simulated: true });
    expect((records[0] as { attempts: unknown[] }).attempts).toHaveLength(1);
  });
});
