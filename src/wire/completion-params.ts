import type { z } from 'zod';
import type { routeOptionsSchema, simulateSchema } from './chat-request.js';

/*
 * `router.completions.create(params)`: the legacy completion request as the `openai` SDK types
 * it (majors 4 to 7), so its values pass unchanged, plus `route` and `simulate`. Types only:
 * completions.ts validates at run time (an empty or null `prompt`, or `stream: true`, is a 400).
 */

export interface CompletionCreateParams {
  model: string;
  /** Text, texts, token ids, or lists of token ids. */
  prompt: string | string[] | number[] | number[][] | null;
  suffix?: string | null;
  /** @default 16 */
  max_tokens?: number | null;
  temperature?: number | null;
  top_p?: number | null;
  n?: number | null;
  best_of?: number | null;
  echo?: boolean | null;
  /** 0 to 5 alternatives per token. */
  logprobs?: number | null;
  stop?: string | string[] | null;
  seed?: number | null;
  frequency_penalty?: number | null;
  presence_penalty?: number | null;
  logit_bias?: { [token: string]: number } | null;
  user?: string;
  /** Legacy completions do not stream here: `true` is a 400. */
  stream?: boolean | null;
  stream_options?: { include_usage?: boolean; include_obfuscation?: boolean } | null;
  /** Routing hints for this request; a misspelt key is a 400. */
  route?: z.input<typeof routeOptionsSchema>;
  /** With a `test-` key: the fault the pseudo-LLM injects. */
  simulate?: z.input<typeof simulateSchema>;
}
