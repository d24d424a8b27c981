import type { z } from 'zod';
import type { routeOptionsSchema, simulateSchema } from './chat-request.js';

/*
 * `router.embeddings.create(params)`: the embeddings request as the `openai` SDK types it
 * (majors 4 to 7), plus `route` and `simulate`. Types only: embeddings.ts validates at run time.
 */

export interface EmbeddingCreateParams {
  model: string;
  /** A text, up to 2048 texts, token ids, or lists of token ids. */
  input: string | string[] | number[] | number[][];
  /**
   * `float` answers each vector as numbers; `base64` as the base64 of its little-endian float32
   * bytes (a string), whatever the upstream sent.
   * @default 'float'
   */
  encoding_format?: 'float' | 'base64';
  dimensions?: number;
  user?: string;
  /**
   * Cohere's field, not OpenAI's: how the texts will be used, for Cohere Embed on Bedrock (sent
   * as is to an OpenAI-compatible server, which may ignore it or refuse it). Embed a search query
   * with `search_query`, what it searches with `search_document`.
   * @default 'search_document' (Cohere on Bedrock)
   */
  input_type?: 'search_document' | 'search_query' | 'classification' | 'clustering';
  /** Routing hints for this request; a misspelt key is a 400. */
  route?: z.input<typeof routeOptionsSchema>;
  /** With a `test-` key: the fault the pseudo-LLM injects. */
  simulate?: z.input<typeof simulateSchema>;
}

/** An embeddings request answered with number arrays. */
export interface EmbeddingCreateParamsFloat extends EmbeddingCreateParams {
  encoding_format?: 'float';
}

/** An embeddings request answered with base64 strings. */
export interface EmbeddingCreateParamsBase64 extends EmbeddingCreateParams {
  encoding_format: 'base64';
}
