import * as z from 'zod/mini';
import type { Route } from '../wire/chat-response.js';
import { nullishInteger, nullishNumber, routeOptionsSchema, simulateSchema } from '../wire/chat-request.js';

/*
 * The OpenAI `POST /v1/responses` request and the shapes the router answers with. The request
 * is validated loosely at the boundary (unknown item and part types are judged by the
 * translation, which names the field it cannot honour); wire names keep OpenAI's snake_case.
 */

const looseItem = z.looseObject({ type: z.nullish(z.string()) });

const metadata = z
  .record(z.string().check(z.maxLength(64, 'keys must be at most 64 characters')), z.string().check(z.maxLength(512, 'values must be at most 512 characters')))
  .check(z.refine((value) => Object.keys(value).length <= 16, 'must hold at most 16 pairs'));

export const responseRequestSchema = z.looseObject({
  model: z.string().check(z.minLength(1, 'model is required')),
  input: z.optional(z.union([z.string(), z.array(looseItem)])),
  instructions: z.nullish(z.string()),
  tools: z.optional(z.array(z.looseObject({ type: z.string() }))),
  tool_choice: z.nullish(z.union([z.enum(['none', 'auto', 'required']), z.looseObject({ type: z.string() })])),
  parallel_tool_calls: z.nullish(z.boolean()),
  max_tool_calls: z.nullish(z.number().check(z.int(), z.positive())),
  text: z.nullish(
    z.looseObject({
      format: z.nullish(z.looseObject({ type: z.string() })),
      verbosity: z.nullish(z.enum(['low', 'medium', 'high'])),
    }),
  ),
  max_output_tokens: nullishInteger(1),
  temperature: nullishNumber(0, 2),
  top_p: nullishNumber(0, 1),
  top_logprobs: nullishInteger(0, 20),
  reasoning: z.nullish(z.looseObject({ effort: z.nullish(z.string()), summary: z.nullish(z.string()) })),
  previous_response_id: z.nullish(z.string().check(z.minLength(1))),
  conversation: z.optional(z.unknown()),
  store: z.nullish(z.boolean()),
  background: z.nullish(z.boolean()),
  metadata: z.nullish(metadata),
  user: z.optional(z.string()),
  safety_identifier: z.nullish(z.string()),
  prompt_cache_key: z.nullish(z.string()),
  truncation: z.nullish(z.enum(['auto', 'disabled'])),
  include: z.nullish(z.array(z.string())),
  stream: z.nullish(z.boolean()),
  stream_options: z.nullish(z.looseObject({})),
  service_tier: z.nullish(z.string()),
  prompt: z.optional(z.unknown()),
  route: z.optional(routeOptionsSchema),
  simulate: z.optional(simulateSchema),
});

export type ResponseCreateParams = z.input<typeof responseRequestSchema>;
/** A validated Responses request. */
export type ResponseRequest = z.output<typeof responseRequestSchema>;

/** An input or output item as it travels: `message`, `function_call`, `function_call_output`, … */
export type ResponseItem = { type?: string | null; id?: string; [field: string]: unknown };

export interface OutputText {
  type: 'output_text';
  text: string;
  annotations: unknown[];
  logprobs: unknown[];
}

export interface OutputMessage {
  type: 'message';
  id: string;
  status: ItemStatus;
  role: 'assistant';
  content: (OutputText | { type: 'refusal'; refusal: string })[];
}

export interface FunctionCallItem {
  type: 'function_call';
  id: string;
  status: ItemStatus;
  call_id: string;
  name: string;
  arguments: string;
}

/** The model's reasoning, as providers that expose it send it (`reasoning_content`), as a summary. */
export interface ReasoningItem {
  type: 'reasoning';
  id: string;
  summary: { type: 'summary_text'; text: string }[];
}

export type OutputItem = ReasoningItem | OutputMessage | FunctionCallItem;
export type ItemStatus = 'in_progress' | 'completed' | 'incomplete';

/** Token counts in the Responses shape, plus what the call cost. */
export interface ResponseUsage {
  input_tokens: number;
  /**
   * `cached_tokens`: read from the provider's prompt cache; `cache_write_tokens` (present when
   * there were any): written to it. Both are part of `input_tokens` and priced at their own rates.
   */
  input_tokens_details: { cached_tokens: number; cache_write_tokens?: number };
  output_tokens: number;
  output_tokens_details: { reasoning_tokens: number };
  total_tokens: number;
  /** What this call cost, in `currency`. */
  cost: number;
  currency: string;
  /** Present when the upstream reported no usage and the tokens were estimated. */
  estimated?: true;
  /** Present when the deployment has no known price: `cost` is then 0 but not known to be free. */
  price_unknown?: true;
}

/** A response as `POST /v1/responses` returns it, with sovroute's `provider` and `route`. */
export interface ResponseObject {
  id: string;
  object: 'response';
  created_at: number;
  status: 'in_progress' | 'completed' | 'incomplete' | 'failed';
  background: false;
  error: { code: string; message: string } | null;
  incomplete_details: { reason: 'max_output_tokens' | 'content_filter' } | null;
  instructions: string | null;
  max_output_tokens: number | null;
  max_tool_calls: null;
  model: string;
  output: OutputItem[];
  /** The text of every `output_text` part, joined (the openai SDK computes the same). */
  output_text: string;
  parallel_tool_calls: boolean;
  previous_response_id: string | null;
  prompt_cache_key: string | null;
  reasoning: { effort: string | null; summary: string | null };
  safety_identifier: string | null;
  service_tier: string;
  store: boolean;
  temperature: number;
  text: { format: Record<string, unknown>; verbosity?: string };
  tool_choice: unknown;
  tools: unknown[];
  top_logprobs: number;
  top_p: number;
  truncation: 'disabled';
  usage: ResponseUsage | null;
  user: string | null;
  metadata: Record<string, string>;
  /** The provider id that answered (absent until it is known in a stream's first events). */
  provider?: string;
  route?: Route;
  [extra: string]: unknown;
}

/** One event of a streamed response; `type` names it, `sequence_number` counts from 0. */
export type ResponseStreamEvent = { type: string; sequence_number: number; [field: string]: unknown };
