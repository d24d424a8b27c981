import { estimateTextTokens } from '../../pricing/tokens.js';
import type { EmbeddingsRequest, UpstreamEmbeddingsResponse } from '../../wire/embeddings.js';
import { acceptOneShot } from './faults.js';
import type { PseudoCallOptions } from './pseudo-llm.js';
import { hashText, seededRandom } from './seeded-random.js';
import { encodeEmbedding } from '../../wire/embedding-encoding.js';

/*
 * Pseudo embeddings: one unit vector per input, drawn from a PRNG seeded by the input, so equal
 * inputs embed equally and different inputs differ. A smaller `dimensions` gives a prefix of
 * the larger vector, renormalised, as text-embedding-3 models do.
 */

const defaultDimensions = 1536;

/** Each input alone; a token array becomes its tokens joined by spaces. */
function inputTexts(input: EmbeddingsRequest['input']): { text: string; tokens: number }[] {
  if (typeof input === 'string') return [{ text: input, tokens: estimateTextTokens(input) }];
  if (input.every((entry) => typeof entry === 'number')) return [{ text: input.join(' '), tokens: input.length }];
  return input.map((entry) =>
    typeof entry === 'string'
      ? { text: entry, tokens: estimateTextTokens(entry) }
      : { text: entry.join(' '), tokens: entry.length },
  );
}

/** A unit vector, already rounded to float32 so the float and base64 forms agree. */
function embed(text: string, dimensions: number): Float32Array {
  const random = seededRandom(hashText(text));
  const values = Array.from({ length: dimensions }, () => random.next() * 2 - 1);
  const norm = Math.sqrt(values.reduce((sum, value) => sum + value * value, 0)) || 1;
  return Float32Array.from(values, (value) => value / norm);
}

/** Little-endian float32 bytes in base64, without Node's `Buffer`, so this runs anywhere. */
/** Deterministic embeddings for `request`, of `request.dimensions` (default 1536). */
export async function pseudoEmbed(
  request: EmbeddingsRequest,
  options: PseudoCallOptions,
): Promise<UpstreamEmbeddingsResponse> {
  await acceptOneShot(request.simulate, options);
  const dimensions = request.dimensions ?? defaultDimensions;
  const inputs = inputTexts(request.input);
  const data = inputs.map(({ text }, index) => {
    const vector = embed(text, dimensions);
    const embedding = request.encoding_format === 'base64' ? encodeEmbedding(vector) : Array.from(vector);
    return { object: 'embedding' as const, index, embedding };
  });
  const tokens = inputs.reduce((sum, input) => sum + input.tokens, 0);
  return { object: 'list', model: options.model, data, usage: { prompt_tokens: tokens, total_tokens: tokens } };
}
