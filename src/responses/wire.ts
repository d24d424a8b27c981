import * as z from 'zod';
import type { Route } from '../wire/chat-response.js';
import { routeOptionsSchema, simulateSchema } from '../wire/chat-request.js';

/*
 * The OpenAI `POST /v1/responses` request and the shapes the router answers with. The request
 * is validated loosely at the boundary (unknown item and part types are judged by the
 * translation, which names the field it cannot honour); wire names keep OpenAI's snake_case.
 */

const looseItem = z.looseObject({ type: z.string().nullable().optional() });

const metadata = z
  .record(z.string().max(64, 'keys must be at most 64 characters'), z.string().max(512, 'values must be at most 512 characters'))
  .refine((value) => Object.keys(value).length <= 16, 'must hold at most 16 pairs');

export const responseRequestSchema = z.looseObject({
  model: z.string().min(1, 'model is required'),
  input: z.union([z.string(), z.array(looseItem)]).optional(),
  instructions: z.string().nullable().optional(),
  tools: z.array(z.looseObject({ type: z.string() })).optional(),
  tool_choice: z.union([z.enum(['none', 'auto', 'required']), z.looseObject({ type: z.string() })]).nullable().optional(),
  parallel_tool_calls: z.boolean().nullable().optional(),
  max_tool_calls: z.number().int().positive().nullable().optional(),
  text: z
    .looseObject({
      format: z.looseObject({ type: z.string() }).nullable().optional(),
      verbosity: z.enum(['low', 'medium', 'high']).nullable().optional(),
    })
    .nullable()
    .optional(),
  max_output_tokens: z.number().int().min(1).nullable().optional(),
  temperature: z.number().min(0).max(2).nullable().optional(),
  top_p: z.number().min(0).max(1).nullable().optional(),
  top_logprobs: z.number().int().min(0).max(20).nullable().optional(),
  reasoning: z.looseObject({ effort: z.string().nullable().optional(), summary: z.string().nullable().optional() }).nullable().optional(),
  previous_response_id: z.string().min(1).nullable().optional(),
  conversation: z.unknown().optional(),
  store: z.boolean().nullable().optional(),
  background: z.boolean().nullable().optional(),
  metadata: metadata.nullable().optional(),
  user: z.string().optional(),
  safety_identifier: z.string().nullable().optional(),
  prompt_cache_key: z.string().nullable().optional(),
  truncation: z.enum(['auto', 'disabled']).nullable().optional(),
  include: z.array(z.string()).nullable().optional(),
  stream: z.boolean().nullable().optional(),
  stream_options: z.looseObject({}).nullable().optional(),
  service_tier: z.string().nullable().optional(),
  prompt: z.unknown().optional(),
  route: routeOptionsSchema.optional(),
  simulate: simulateSchema.optional(),
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
  input_tokens_details: { cached_tokens: number };
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
