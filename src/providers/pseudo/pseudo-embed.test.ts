import { describe, expect, it } from 'vitest';
import { estimateTextTokens } from '../../pricing/tokens.js';
import { embeddingsRequestSchema, type EmbeddingCreateParams } from '../../wire/embeddings.js';
import { pseudoEmbed } from './pseudo-llm.js';

function embed(params: Partial<EmbeddingCreateParams>, signal?: AbortSignal) {
  return pseudoEmbed(embeddingsRequestSchema.parse({ model: 'e', input: 'hello', ...params }), { model: 'embed-model', attempt: 0, signal });
}

function floats(embedding: number[] | string | undefined): number[] {
  if (!Array.isArray(embedding)) throw new Error('expected a float embedding');
  return embedding;
}

const norm = (vector: number[]): number => Math.sqrt(vector.reduce((sum, value) => sum + value * value, 0));
const dot = (left: number[], right: number[]): number => left.reduce((sum, value, index) => sum + value * (right[index] ?? 0), 0);

describe('pseudoEmbed', () => {
  it('embeds each input as a deterministic unit vector of 1536 dimensions', async () => {
    const response = await embed({ input: ['the cat sat', 'quarterly revenue report', 'the cat sat'] });
    expect(response).toMatchObject({ object: 'list', model: 'embed-model' });
    expect(response.data.map((entry) => [entry.object, entry.index])).toEqual([['embedding', 0], ['embedding', 1], ['embedding', 2]]);
    const [cat, revenue, again] = response.data.map((entry) => floats(entry.embedding));
    expect(cat).toHaveLength(1536);
    expect(norm(cat ?? [])).toBeCloseTo(1, 5);
    expect(again).toEqual(cat);
    expect(Math.abs(dot(cat ?? [], revenue ?? []))).toBeLessThan(0.2);
    expect(floats((await embed({ input: 'the cat sat' })).data[0]?.embedding)).toEqual(cat);
  });

  it('honours dimensions', async () => {
    const vector = floats((await embed({ dimensions: 256 })).data[0]?.embedding);
    expect(vector).toHaveLength(256);
    expect(norm(vector)).toBeCloseTo(1, 5);
  });

  it('encodes base64 as the little-endian float32 bytes of the float form', async () => {
    const float = floats((await embed({ input: 'bytes' })).data[0]?.embedding);
    const encoded = (await embed({ input: 'bytes', encoding_format: 'base64' })).data[0]?.embedding;
    expect(typeof encoded).toBe('string');
    const bytes = Buffer.from(String(encoded), 'base64');
    expect(bytes.byteLength).toBe(1536 * 4);
    const decoded = Array.from({ length: 1536 }, (_, index) => bytes.readFloatLE(index * 4));
    expect(decoded).toEqual(float);
  });

  it('embeds token arrays and counts usage per input', async () => {
    const single = await embed({ input: [101, 2023, 102] });
    expect(single.data).toHaveLength(1);
    expect(single.usage).toEqual({ prompt_tokens: 3, total_tokens: 3 });
    const batch = await embed({ input: [[1, 2], [3, 4, 5]] });
    expect(batch.data).toHaveLength(2);
    expect(batch.data[0]?.embedding).not.toEqual(batch.data[1]?.embedding);
    expect(batch.usage).toEqual({ prompt_tokens: 5, total_tokens: 5 });
    const texts = ['a short one', 'and a somewhat longer input text'];
    const tokens = texts.reduce((sum, text) => sum + estimateTextTokens(text), 0);
    expect((await embed({ input: texts })).usage).toEqual({ prompt_tokens: tokens, total_tokens: tokens });
  });

  it('rejects when the signal has already aborted', async () => {
    await expect(embed({}, AbortSignal.abort())).rejects.toMatchObject({ code: 'aborted' });
  });
});
