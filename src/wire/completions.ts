import * as z from 'zod/mini';
import type { FinishReason, Route, TokenUsage, Usage } from './chat-response.js';
import { nullishInteger, nullishNumber, routeOptionsSchema, simulateSchema, stopSchema } from './chat-request.js';

/*
 * The legacy OpenAI `POST /v1/completions` request and response: a raw prompt in, text out.
 * Loose objects, as for chat: parameters this schema does not know pass through upstream.
 */

const tokenArray = z.array(z.number().check(z.int()));

export const completionRequestSchema = z.looseObject({
  model: z.string().check(z.minLength(1, 'model is required')),
  prompt: z.union([
    z.string(),
    z.array(z.string()).check(z.minLength(1, 'prompt must not be empty')),
    tokenArray.check(z.minLength(1, 'prompt must not be empty')),
    z.array(tokenArray).check(z.minLength(1, 'prompt must not be empty')),
  ]),
  suffix: z.nullish(z.string()),
  /** OpenAI's legacy default is 16. */
  max_tokens: nullishInteger(0),
  temperature: nullishNumber(0, 2),
  top_p: nullishNumber(0, 1),
  n: nullishInteger(1, 128),
  best_of: nullishInteger(1),
  echo: z.nullish(z.boolean()),
  logprobs: nullishInteger(0, 5),
  stop: stopSchema(),
  seed: nullishInteger(),
  frequency_penalty: nullishNumber(-2, 2),
  presence_penalty: nullishNumber(-2, 2),
  logit_bias: z.nullish(z.record(z.string(), z.number())),
  user: z.optional(z.string()),
  stream: z.nullish(z.boolean()),
  route: z.optional(routeOptionsSchema),
  simulate: z.optional(simulateSchema),
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
