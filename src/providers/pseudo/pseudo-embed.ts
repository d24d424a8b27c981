import { estimateTextTokens } from '../../pricing/tokens.js';
import type { EmbeddingsRequest, UpstreamEmbeddingsResponse } from '../../wire/embeddings.js';
import { acceptOneShot } from './faults.js';
import type { PseudoCallOptions } from './pseudo-llm.js';
import { hashText, seededRandom } from './seeded-random.js';
import { encodeEmbedding } from '../../wire/embedding-encoding.js';
import { InvalidRequestError } from '../../errors.js';
import { defaultRequestLimits } from '../../router/options.js';

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

/** Bytes per value an embeddings answer counts against `maxAnswerBytes`: float32, as base64 carries them. */
const bytesPerValue = 4;

/**
 * Deterministic embeddings for `request`, of `request.dimensions` (default 1536). Inputs times
 * dimensions times 4 bytes must fit `limits.simulation.maxAnswerBytes` (a 400 otherwise, before
 * any vector is drawn): 170 inputs of 1536 dimensions with the default of 1 MiB.
 */
export async function pseudoEmbed(
  request: EmbeddingsRequest,
  options: PseudoCallOptions,
): Promise<UpstreamEmbeddingsResponse> {
  await acceptOneShot(request.simulate, options);
  const dimensions = request.dimensions ?? defaultDimensions;
  const count = typeof request.input === 'string' || typeof request.input[0] === 'number' ? 1 : request.input.length;
  const limit = (options.limits ?? defaultRequestLimits.simulation).maxAnswerBytes;
  if (count * dimensions * bytesPerValue > limit) {
    throw new InvalidRequestError(
      `The pseudo-LLM (test- keys) would answer ${count} embeddings of ${dimensions} dimensions, ${count * dimensions * bytesPerValue} bytes ` +
        `as float32; the limit is ${limit} (limits.simulation.maxAnswerBytes). Embed fewer inputs or dimensions, or raise that option.`,
      request.dimensions === undefined ? 'input' : 'dimensions',
    );
  }
  const inputs = inputTexts(request.input);
  const data = inputs.map(({ text }, index) => {
    const vector = embed(text, dimensions);
    const embedding = request.encoding_format === 'base64' ? encodeEmbedding(vector) : Array.from(vector);
    return { object: 'embedding' as const, index, embedding };
  });
  const tokens = inputs.reduce((sum, input) => sum + input.tokens, 0);
  return { object: 'list', model: options.model, data, usage: { prompt_tokens: tokens, total_tokens: tokens } };
}
