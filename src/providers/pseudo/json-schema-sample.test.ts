import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { RouterError } from '../../errors.js';
import { sampleJsonSchema } from './json-schema-sample.js';
import { seededRandom } from './seeded-random.js';

// Formats are checked by hand below: ajv-formats is not a dependency.
const ajv = new Ajv2020({ strict: true, strictRequired: false, validateFormats: false, allowUnionTypes: true });

const schemas = {
  flat: {
    type: 'object',
    properties: {
      city: { type: 'string', minLength: 3, maxLength: 12 },
      unit: { enum: ['celsius', 'fahrenheit'] },
      days: { type: 'integer', minimum: 1, maximum: 7 },
      ratio: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1 },
      exact: { type: 'integer', minimum: 5, maximum: 5 },
      verbose: { type: 'boolean' },
      nothing: { type: 'null' },
      kind: { const: 'forecast' },
      page: { type: 'integer', default: 1 },
    },
    required: ['city', 'unit'],
    additionalProperties: false,
  },
  nested: {
    type: 'object',
    properties: {
      order: {
        type: 'object',
        properties: {
          id: { type: 'string', format: 'uuid' },
          items: {
            type: 'array',
            minItems: 2,
            maxItems: 4,
            items: {
              type: 'object',
              properties: { sku: { type: 'string' }, quantity: { type: 'integer', exclusiveMinimum: 0 } },
              required: ['sku', 'quantity'],
              additionalProperties: false,
            },
          },
          note: { type: ['string', 'null'], maxLength: 5 },
        },
        required: ['id', 'items', 'note'],
        additionalProperties: false,
      },
    },
    required: ['order'],
    additionalProperties: false,
  },
  references: {
    type: 'object',
    $defs: { address: { type: 'object', properties: { street: { type: 'string' } }, required: ['street'] } },
    definitions: { status: { type: 'string', enum: ['open', 'closed'] } },
    properties: {
      home: { $ref: '#/$defs/address' },
      status: { $ref: '#/definitions/status' },
      wrapped: { allOf: [{ $ref: '#/$defs/address' }], description: 'pydantic v1 style' },
      either: { anyOf: [{ type: 'integer', maximum: -10 }, { type: 'string' }] },
      one: { oneOf: [{ type: 'boolean' }, { type: 'null' }] },
      tags: { type: 'array', items: { type: 'string', minLength: 20 }, maxItems: 1 },
      scores: { type: 'object', additionalProperties: { type: 'number' }, required: ['total'] },
    },
    required: ['home', 'status', 'wrapped', 'either', 'one', 'tags', 'scores'],
  },
  // OpenAI strict-mode recursion: every property required, the way out is the `null` branch.
  recursive: {
    type: 'object',
    $defs: {
      node: {
        type: 'object',
        properties: {
          label: { type: 'string' },
          children: { type: 'array', items: { $ref: '#/$defs/node' } },
          next: { anyOf: [{ $ref: '#/$defs/node' }, { type: 'null' }] },
        },
        required: ['label', 'children', 'next'],
        additionalProperties: false,
      },
    },
    properties: { root: { $ref: '#/$defs/node' } },
    required: ['root'],
    additionalProperties: false,
  },
  topLevelArray: { type: 'array', items: { type: 'number', minimum: 10, maximum: 10.5 }, minItems: 5 },
} satisfies Record<string, Record<string, unknown>>;

describe('sampleJsonSchema', () => {
  for (const [name, schema] of Object.entries(schemas)) {
    it(`produces values valid for the ${name} schema under many seeds`, () => {
      const validate = ajv.compile(schema);
      for (let seed = 0; seed < 200; seed++) {
        const value = sampleJsonSchema(schema, seededRandom(seed));
        expect(validate(value), JSON.stringify({ value, errors: validate.errors })).toBe(true);
      }
    });
  }

  it('is deterministic for a seed and varies across seeds', () => {
    const first = JSON.stringify(sampleJsonSchema(schemas.nested, seededRandom(7)));
    expect(JSON.stringify(sampleJsonSchema(schemas.nested, seededRandom(7)))).toBe(first);
    const distinct = new Set(Array.from({ length: 20 }, (_, seed) => JSON.stringify(sampleJsonSchema(schemas.nested, seededRandom(seed)))));
    expect(distinct.size).toBeGreaterThan(15);
  });

  it('fills optional properties and keeps defaults and constants', () => {
    const value = sampleJsonSchema(schemas.flat, seededRandom(1)) as Record<string, unknown>;
    expect(Object.keys(value).sort()).toEqual(Object.keys(schemas.flat.properties).sort());
    expect(value).toMatchObject({ kind: 'forecast', page: 1, exact: 5, nothing: null });
  });

  it('writes strings in the requested formats', () => {
    const schema = {
      type: 'object',
      properties: Object.fromEntries(['date', 'date-time', 'email', 'uri', 'uuid'].map((format) => [format, { type: 'string', format }])),
    };
    for (let seed = 0; seed < 50; seed++) {
      const value = sampleJsonSchema(schema, seededRandom(seed)) as Record<string, string>;
      expect(value.date).toMatch(/^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d)$/);
      expect(Number.isNaN(Date.parse(value['date-time'] ?? ''))).toBe(false);
      expect(value['date-time']).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
      expect(value.email).toMatch(/^[a-z]+@example\.com$/);
      expect(new URL(value.uri ?? '').protocol).toBe('https:');
      expect(value.uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    }
  });

  it('rejects a schema that has no finite instance', () => {
    const endless = { type: 'object', properties: { self: { $ref: '#' } }, required: ['self'] };
    expect(() => sampleJsonSchema(endless, seededRandom(1))).toThrow(RouterError);
  });
});
