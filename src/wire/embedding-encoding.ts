import type { UpstreamEmbeddingsResponse } from './embeddings.js';

/*
 * Embedding vectors travel as float arrays or, with `encoding_format: 'base64'`, as the base64 of
 * their little-endian float32 bytes. The openai SDK asks for base64 by default and decodes it
 * itself; an upstream that ignores the format must not leave such a caller with an empty vector.
 */

/** The base64 of `values` as little-endian float32 bytes. */
export function encodeEmbedding(values: ArrayLike<number>): string {
  const view = new DataView(new ArrayBuffer(values.length * 4));
  for (let index = 0; index < values.length; index++) view.setFloat32(index * 4, values[index]!, true);
  let binary = '';
  for (let index = 0; index < view.byteLength; index++) binary += String.fromCharCode(view.getUint8(index));
  return btoa(binary);
}

/** The floats in a base64 string of little-endian float32 bytes. */
export function decodeEmbedding(text: string): number[] {
  const binary = atob(text);
  const view = new DataView(new ArrayBuffer(binary.length));
  for (let index = 0; index < binary.length; index++) view.setUint8(index, binary.charCodeAt(index));
  const values: number[] = [];
  for (let offset = 0; offset + 4 <= view.byteLength; offset += 4) values.push(view.getFloat32(offset, true));
  return values;
}

/** Each vector in the encoding the caller asked for (floats unless it asked for base64), whatever the upstream sent. */
export function inRequestedEncoding(response: UpstreamEmbeddingsResponse, format: 'float' | 'base64' | undefined): UpstreamEmbeddingsResponse {
  const wantBase64 = format === 'base64';
  if (response.data.every((item) => (typeof item.embedding === 'string') === wantBase64)) return response;
  const data = response.data.map((item) => {
    if (wantBase64 && Array.isArray(item.embedding)) return { ...item, embedding: encodeEmbedding(item.embedding) };
    if (!wantBase64 && typeof item.embedding === 'string') return { ...item, embedding: decodeEmbedding(item.embedding) };
    return item;
  });
  return { ...response, data };
}
