import { z } from 'zod';
import { routeOptionsSchema, simulateSchema } from './chat-request.js';
import type { Route, Usage } from './chat-response.js';

/** The OpenAI `POST /v1/embeddings` request. */
export const embeddingsRequestSchema = z.looseObject({
  model: z.string().min(1, 'model is required'),
  input: z.union([
    z.string(),
    z.array(z.string()).min(1, 'input must not be empty').max(2048),
    z.array(z.number().int()).min(1, 'input must not be empty'),
    z.array(z.array(z.number().int())).min(1, 'input must not be empty'),
  ]),
  encoding_format: z.enum(['float', 'base64']).optional(),
  dimensions: z.number().int().min(1).max(65536).optional(),
  user: z.string().optional(),
  route: routeOptionsSchema.optional(),
  simulate: simulateSchema.optional(),
});

export type EmbeddingCreateParams = z.input<typeof embeddingsRequestSchema>;
export type EmbeddingsRequest = z.output<typeof embeddingsRequestSchema>;

export interface Embedding {
  object: 'embedding';
  index: number;
  /** Float32 values, or their little-endian bytes in base64 when `encoding_format` is `base64`. */
  embedding: number[] | string;
}

export interface UpstreamEmbeddingsResponse {
  object: 'list';
  model: string;
  data: Embedding[];
  usage?: { prompt_tokens: number; total_tokens: number } | null;
}

export interface EmbeddingsResponse {
  object: 'list';
  model: string;
  data: Embedding[];
  usage: Omit<Usage, 'completion_tokens'> & { completion_tokens?: number };
  provider: string;
  route: Route;
}
