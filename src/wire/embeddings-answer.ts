import { RouterError } from '../errors.js';
import type { EmbeddingsRequest, UpstreamEmbeddingsResponse } from './embeddings.js';

/*
 * An embeddings answer is only usable whole: callers read `data[i]` as the vector of input i
 * (the openai SDK and every vector store do), so an answer with a vector missing, repeated or not
 * made of numbers would be silently wrong downstream. It is an upstream failure instead, and the
 * request falls back to the next deployment like after any malformed answer.
 */

/** How many inputs a request embeds: a string or one tokenised input (an array of numbers) is one. */
export function embeddingInputCount(input: EmbeddingsRequest['input']): number {
  if (typeof input === 'string') return 1;
  return typeof input[0] === 'number' ? 1 : input.length;
}

/**
 * Checks that `response` holds exactly one vector per input, each a non-empty list of numbers (or
 * a base64 string of them), indexed 0 to n − 1 once each. Throws a retryable `upstream_error`
 * naming the provider and what was wrong.
 */
export function assertEmbeddingsAnswer(providerId: string, inputs: number, response: UpstreamEmbeddingsResponse): void {
  const fail = (what: string) => {
    throw new RouterError(`${providerId} returned ${what}`, { code: 'upstream_error', providerId, isRetryable: true });
  };
  const data = response.data;
  if (data.length !== inputs) fail(`${data.length} embedding${data.length === 1 ? '' : 's'} for ${inputs} input${inputs === 1 ? '' : 's'}`);
  const seen = new Set<number>();
  for (let position = 0; position < data.length; position++) {
    const { index, embedding } = data[position]!;
    const at = index ?? position;
    if (!Number.isInteger(at) || at < 0 || at >= inputs) fail(`an embedding with index ${String(at)} for ${inputs} input${inputs === 1 ? '' : 's'} (data[${position}])`);
    if (seen.has(at)) fail(`two embeddings for input ${at}`);
    seen.add(at);
    const numbers = typeof embedding === 'string' ? isFloat32Base64(embedding) : Array.isArray(embedding) && embedding.length > 0 && embedding.every((value) => typeof value === 'number' && Number.isFinite(value));
    if (!numbers) fail(`an embedding that is not a list of numbers (data[${position}])`);
  }
}

/**
 * The first vector of a checked answer whose size is not `dimensions`, as `data[i]` with its size;
 * undefined when every vector has that size.
 */
export function vectorOfOtherSize(response: UpstreamEmbeddingsResponse, dimensions: number): { position: number; size: number } | undefined {
  for (let position = 0; position < response.data.length; position++) {
    const { embedding } = response.data[position]!;
    const size = typeof embedding === 'string' ? float32Count(embedding) : embedding.length;
    if (size !== dimensions) return { position, size };
  }
  return undefined;
}

/** How many float32 values a checked base64 vector holds. */
function float32Count(text: string): number {
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  return ((text.length / 4) * 3 - padding) / 4;
}

/** Base64 of a whole number of float32 values, at least one: what a base64 vector must be to decode. */
function isFloat32Base64(text: string): boolean {
  if (text.length === 0 || text.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) return false;
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  return ((text.length / 4) * 3 - padding) % 4 === 0;
}

/** The answer with `data[i]` the vector of input i, whatever order the upstream listed them in (a checked answer holds each index once). */
export function inInputOrder(response: UpstreamEmbeddingsResponse): UpstreamEmbeddingsResponse {
  const data = response.data;
  if (data.every((item, position) => (item.index ?? position) === position)) return response;
  const ordered = new Array<UpstreamEmbeddingsResponse['data'][number]>(data.length);
  data.forEach((item, position) => (ordered[item.index ?? position] = { ...item, index: item.index ?? position }));
  return { ...response, data: ordered };
}
