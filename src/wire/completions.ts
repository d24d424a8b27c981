import * as z from 'zod';
import type { FinishReason, Route, TokenUsage, Usage } from './chat-response.js';
import { routeOptionsSchema, simulateSchema } from './chat-request.js';

/*
 * The legacy OpenAI `POST /v1/completions` request and response: a raw prompt in, text out.
 * Loose objects, as for chat: parameters this schema does not know pass through upstream.
 */

const tokenArray = z.array(z.number().int());

export const completionRequestSchema = z.looseObject({
  model: z.string().min(1, 'model is required'),
  prompt: z.union([
    z.string(),
    z.array(z.string()).min(1, 'prompt must not be empty'),
    tokenArray.min(1, 'prompt must not be empty'),
    z.array(tokenArray).min(1, 'prompt must not be empty'),
  ]),
  suffix: z.string().nullable().optional(),
  /** OpenAI's legacy default is 16. */
  max_tokens: z.number().int().min(0).nullable().optional(),
  temperature: z.number().min(0).max(2).nullable().optional(),
  top_p: z.number().min(0).max(1).nullable().optional(),
  n: z.number().int().min(1).max(128).nullable().optional(),
  best_of: z.number().int().min(1).nullable().optional(),
  echo: z.boolean().nullable().optional(),
  logprobs: z.number().int().min(0).max(5).nullable().optional(),
  stop: z.union([z.string(), z.array(z.string()).max(4)]).nullable().optional(),
  seed: z.number().int().nullable().optional(),
  frequency_penalty: z.number().min(-2).max(2).nullable().optional(),
  presence_penalty: z.number().min(-2).max(2).nullable().optional(),
  logit_bias: z.record(z.string(), z.number()).nullable().optional(),
  user: z.string().optional(),
  stream: z.boolean().nullable().optional(),
  route: routeOptionsSchema.optional(),
  simulate: simulateSchema.optional(),
});

/** What `create` takes, typed to accept the openai SDK's values; the schema above decides at run time. */
export type { CompletionCreateParams } from './completion-params.js';
/** A validated legacy completion request. */
export type CompletionRequest = z.output<typeof completionRequestSchema>;

/** The token limit of a legacy completion when the request sets none, as OpenAI documents it. */
export const defaultCompletionMaxTokens = 16;

/** Log probabilities of a legacy completion's tokens, present when the request set `logprobs`. */
export interface CompletionLogprobs {
  tokens?: string[];
  token_logprobs?: number[];
  top_logprobs?: Array<Record<string, number>>;
  text_offset?: number[];
}

export interface CompletionChoice {
  text: string;
  index: number;
  logprobs: CompletionLogprobs | null;
  finish_reason: Extract<FinishReason, 'stop' | 'length' | 'content_filter'>;
}

/** A `text_completion` as an upstream returns it. */
export interface UpstreamCompletion {
  id: string;
  object: 'text_completion';
  created: number;
  model: string;
  choices: CompletionChoice[];
  usage?: TokenUsage | null;
  /** As the openai SDK types it; some upstreams send null. */
  system_fingerprint?: string;
  [extra: string]: unknown;
}

/** A `text_completion` as the caller receives it: with cost, `provider` and `route`. */
export interface Completion extends UpstreamCompletion {
  usage: Usage;
  provider: string;
  route: Route;
}
