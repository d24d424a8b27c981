import * as z from 'zod';

/*
 * The OpenAI `POST /v1/chat/completions` request, validated at the boundary. Objects are loose:
 * fields this schema does not know (new OpenAI parameters, provider extras) pass through to the
 * upstream untouched, as the official SDK does. Schemas are built once, at module load.
 */

const textPart = z.looseObject({ type: z.literal('text'), text: z.string() });
const imagePart = z.looseObject({
  type: z.literal('image_url'),
  image_url: z.looseObject({ url: z.string().min(1), detail: z.enum(['auto', 'low', 'high', 'original']).optional() }),
});
const audioPart = z.looseObject({
  type: z.literal('input_audio'),
  input_audio: z.looseObject({ data: z.string(), format: z.string() }),
});
const filePart = z.looseObject({ type: z.literal('file'), file: z.looseObject({}) });
const refusalPart = z.looseObject({ type: z.literal('refusal'), refusal: z.string() });

const userContentPart = z.discriminatedUnion('type', [textPart, imagePart, audioPart, filePart]);

const toolCall = z.looseObject({
  id: z.string(),
  type: z.literal('function'),
  function: z.looseObject({ name: z.string(), arguments: z.string() }),
});

const systemMessage = z.looseObject({
  role: z.literal('system'),
  content: z.union([z.string(), z.array(textPart)]),
  name: z.string().optional(),
});
const developerMessage = z.looseObject({
  role: z.literal('developer'),
  content: z.union([z.string(), z.array(textPart)]),
  name: z.string().optional(),
});
const userMessage = z.looseObject({
  role: z.literal('user'),
  content: z.union([z.string(), z.array(userContentPart)]),
  name: z.string().optional(),
});
const assistantMessage = z.looseObject({
  role: z.literal('assistant'),
  content: z.union([z.string(), z.array(z.union([textPart, refusalPart])), z.null()]).optional(),
  tool_calls: z.array(toolCall).optional(),
  refusal: z.string().nullable().optional(),
  name: z.string().optional(),
});
const toolMessage = z.looseObject({
  role: z.literal('tool'),
  content: z.union([z.string(), z.array(textPart)]),
  tool_call_id: z.string(),
});
const functionMessage = z.looseObject({
  role: z.literal('function'),
  content: z.string().nullable(),
  name: z.string(),
});

const message = z.discriminatedUnion('role', [
  systemMessage,
  developerMessage,
  userMessage,
  assistantMessage,
  toolMessage,
  functionMessage,
]);

const functionTool = z.looseObject({
  type: z.literal('function'),
  function: z.looseObject({
    name: z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/, 'must be 1-64 characters of a-z, A-Z, 0-9, _ or -'),
    description: z.string().optional(),
    parameters: z.record(z.string(), z.unknown()).optional(),
    strict: z.boolean().nullable().optional(),
  }),
});
const customTool = z.looseObject({
  type: z.literal('custom'),
  custom: z.looseObject({ name: z.string(), description: z.string().optional() }),
});

const toolChoice = z.union([
  z.enum(['none', 'auto', 'required']),
  z.looseObject({ type: z.literal('function'), function: z.looseObject({ name: z.string() }) }),
  z.looseObject({ type: z.literal('custom'), custom: z.looseObject({ name: z.string() }) }),
  z.looseObject({ type: z.literal('allowed_tools'), allowed_tools: z.looseObject({}) }),
]);

const responseFormat = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('text') }),
  z.looseObject({ type: z.literal('json_object') }),
  z.looseObject({
    type: z.literal('json_schema'),
    json_schema: z.looseObject({
      name: z.string(),
      description: z.string().optional(),
      schema: z.record(z.string(), z.unknown()).optional(),
      strict: z.boolean().nullable().optional(),
    }),
  }),
]);

/**
 * The `route` extension: per-request routing hints. Strict on purpose: a misspelt key is a
 * 400, never a silently ignored constraint.
 */
export const routeOptionsSchema = z.strictObject({
  objective: z.string().optional(),
  max_latency_ms: z.number().positive().optional(),
  max_cost: z.number().nonnegative().optional(),
  only: z.array(z.string()).optional(),
  ignore: z.array(z.string()).optional(),
  order: z.array(z.string()).optional(),
  allow_fallbacks: z.boolean().optional(),
});

/**
 * The `simulate` extension, honoured only with a `test-` key: what the pseudo-LLM should do to
 * this request, so an app can exercise its own error paths.
 */
export const simulateSchema = z.strictObject({
  /** The fault to inject. */
  fault: z.enum(['rate_limit', 'server_error', 'timeout', 'stream_cut']).optional(),
  /** Inject the fault on the first N attempts only; later attempts succeed. @default every attempt */
  times: z.number().int().positive().optional(),
  /** `Retry-After` seconds sent with `rate_limit`. @default 1 */
  retry_after_s: z.number().nonnegative().optional(),
  /** For `stream_cut`: how many chunks reach the caller before the cut. @default 2 */
  cut_after_chunks: z.number().int().nonnegative().optional(),
  /** Delay before the answer (and between stream chunks, see `chunk_delay_ms`). @unit milliseconds */
  latency_ms: z.number().nonnegative().optional(),
  /** Delay between stream chunks. @unit milliseconds */
  chunk_delay_ms: z.number().nonnegative().optional(),
});

export const chatRequestSchema = z.looseObject({
  model: z.string().min(1, 'model is required'),
  messages: z.array(message).min(1, 'messages must contain at least one message'),
  temperature: z.number().min(0).max(2).nullable().optional(),
  top_p: z.number().min(0).max(1).nullable().optional(),
  n: z.number().int().min(1).max(128).nullable().optional(),
  stop: z.union([z.string(), z.array(z.string()).max(4)]).nullable().optional(),
  max_tokens: z.number().int().min(1).nullable().optional(),
  max_completion_tokens: z.number().int().min(1).nullable().optional(),
  seed: z.number().int().nullable().optional(),
  frequency_penalty: z.number().min(-2).max(2).nullable().optional(),
  presence_penalty: z.number().min(-2).max(2).nullable().optional(),
  logit_bias: z.record(z.string(), z.number()).nullable().optional(),
  logprobs: z.boolean().nullable().optional(),
  top_logprobs: z.number().int().min(0).max(20).nullable().optional(),
  stream: z.boolean().nullable().optional(),
  stream_options: z.looseObject({ include_usage: z.boolean().optional() }).nullable().optional(),
  tools: z.array(z.union([functionTool, customTool])).optional(),
  tool_choice: toolChoice.optional(),
  parallel_tool_calls: z.boolean().optional(),
  response_format: responseFormat.optional(),
  user: z.string().optional(),
  metadata: z.record(z.string().max(64), z.string().max(512)).nullable().optional(),
  route: routeOptionsSchema.optional(),
  simulate: simulateSchema.optional(),
});

/** What `create` takes, typed to accept the openai SDK's values; the schema above decides at run time. */
export type { ChatCompletionCreateParams } from './chat-params.js';
/** A validated chat request. */
export type ChatRequest = z.output<typeof chatRequestSchema>;
export type ChatMessage = z.output<typeof message>;
export type ChatTool = z.output<typeof functionTool> | z.output<typeof customTool>;
export type RouteOptions = z.output<typeof routeOptionsSchema>;
export type SimulateOptions = z.output<typeof simulateSchema>;
