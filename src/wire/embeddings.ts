import * as z from 'zod/mini';
import { routeOptionsSchema, simulateSchema } from './chat-request.js';
import type { Route } from './chat-response.js';

/** The OpenAI `POST /v1/embeddings` request. */
export const embeddingsRequestSchema = z.looseObject({
  model: z.string().check(z.minLength(1, 'model is required')),
  // Emptiness and the entry count are checked on the union, not in its branches: an array a
  // branch refuses fails every branch, and the union then says only "Invalid input".
  input: z
    .union([z.string(), z.array(z.string()), z.array(z.number().check(z.int())), z.array(z.array(z.number().check(z.int())))])
    .check(
      z.refine((input) => typeof input === 'string' || input.length > 0, 'input must not be empty'),
      z.refine((input) => typeof input === 'string' || typeof input[0] === 'number' || input.length <= 2048, 'input holds at most 2048 entries'),
      // OpenAI refuses an empty input among them; refused here, a test key refuses it too.
      z.superRefine((input, context) => {
        if (input === '') context.addIssue({ code: 'custom', message: 'must not be an empty string; give it text to embed', input });
        if (typeof input === 'string' || typeof input[0] === 'number') return;
        (input as ReadonlyArray<string | number[]>).forEach((entry, index) => {
          if (entry.length > 0) return;
          const what = typeof entry === 'string' ? 'an empty string; remove it or give it text to embed' : 'an empty list of tokens; remove it';
          context.addIssue({ code: 'custom', message: `must not be ${what}`, path: [index], input: entry });
        });
      }),
    ),
  encoding_format: z.optional(z.enum(['float', 'base64'])),
  dimensions: z.optional(z.number().check(z.int(), z.minimum(1), z.maximum(65536))),
  user: z.optional(z.string()),
  route: z.optional(routeOptionsSchema),
  simulate: z.optional(simulateSchema),
});

/** What `create` takes, typed to accept the openai SDK's values; the schema above decides at run time. */
export type { EmbeddingCreateParams, EmbeddingCreateParamsBase64, EmbeddingCreateParamsFloat } from './embedding-params.js';
export type EmbeddingsRequest = z.output<typeof embeddingsRequestSchema>;

/** One vector: `number[]`, or a base64 `string` of its little-endian float32 bytes when `encoding_format` is `base64`. */
export interface Embedding<Vector extends number[] | string = number[] | string> {
  object: 'embedding';
  index: number;
  embedding: Vector;
}

/** Tokens read and what they cost, in the router's currency. */
export interface EmbeddingsUsage {
  prompt_tokens: number;
  total_tokens: number;
  /** What this call cost, in `currency`. */
  cost: number;
  currency: string;
  /** Present when the upstream reported no usage and the tokens were estimated. */
  estimated?: true;
  /** Present when the deployment has no known price: `cost` is then 0 but not known to be free. */
  price_unknown?: true;
}

export interface UpstreamEmbeddingsResponse {
  object: 'list';
  model: string;
  data: Embedding[];
  usage?: { prompt_tokens: number; total_tokens: number } | null;
}

/**
 * The vectors, typed by the request's `encoding_format`: `EmbeddingsResponse<number[]>` (floats,
 * the default) or `EmbeddingsResponse<string>` (base64).
 */
export interface EmbeddingsResponse<Vector extends number[] | string = number[] | string> {
  object: 'list';
  model: string;
  data: Embedding<Vector>[];
  usage: EmbeddingsUsage;
  provider: string;
  route: Route;
}
