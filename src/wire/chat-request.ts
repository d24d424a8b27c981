import * as z from 'zod/mini';
import { maxMetadataPairs } from './request-limits.js';

/*
 * The OpenAI `POST /v1/chat/completions` request, validated at the boundary. Objects are loose:
 * fields this schema does not know (new OpenAI parameters, provider extras) pass through to the
 * upstream untouched, as the official SDK does. Schemas are built once, at module load.
 */

const textPart = z.looseObject({ type: z.literal('text'), text: z.string() });
const imagePart = z.looseObject({
  type: z.literal('image_url'),
  image_url: z.looseObject({ url: z.string().check(z.minLength(1)), detail: z.optional(z.enum(['auto', 'low', 'high', 'original'])) }),
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
  name: z.optional(z.string()),
});
const developerMessage = z.looseObject({
  role: z.literal('developer'),
  content: z.union([z.string(), z.array(textPart)]),
  name: z.optional(z.string()),
});
const userMessage = z.looseObject({
  role: z.literal('user'),
  content: z.union([z.string(), z.array(userContentPart)]),
  name: z.optional(z.string()),
});
const assistantMessage = z.looseObject({
  role: z.literal('assistant'),
  content: z.optional(z.union([z.string(), z.array(z.union([textPart, refusalPart])), z.null()])),
  tool_calls: z.optional(z.array(toolCall)),
  refusal: z.nullish(z.string()),
  name: z.optional(z.string()),
});
const toolMessage = z.looseObject({
  role: z.literal('tool'),
  content: z.union([z.string(), z.array(textPart)]),
  tool_call_id: z.string(),
});
const functionMessage = z.looseObject({
  role: z.literal('function'),
  content: z.nullable(z.string()),
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
    name: z.string().check(z.regex(/^[a-zA-Z0-9_-]{1,64}$/, 'must be 1-64 characters of a-z, A-Z, 0-9, _ or -')),
    description: z.optional(z.string()),
    parameters: z.optional(z.record(z.string(), z.unknown())),
    strict: z.nullish(z.boolean()),
  }),
});
const customTool = z.looseObject({
  type: z.literal('custom'),
  custom: z.looseObject({ name: z.string(), description: z.optional(z.string()) }),
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
      description: z.optional(z.string()),
      schema: z.optional(z.record(z.string(), z.unknown())),
      strict: z.nullish(z.boolean()),
    }),
  }),
]);

/** A number of at least `min` (and at most `max`), null or absent: OpenAI's sampling parameters. */
export const nullishNumber = (min: number, max?: number) =>
  z.nullish(max === undefined ? z.number().check(z.minimum(min)) : z.number().check(z.minimum(min), z.maximum(max)));
/** The same, a whole number. */
export const nullishInteger = (min?: number, max?: number) => {
  const checks = [z.int(), ...(min === undefined ? [] : [z.minimum(min)]), ...(max === undefined ? [] : [z.maximum(max)])];
  return z.nullish(z.number().check(...checks));
};

/**
 * The `route` extension: per-request routing hints. Strict on purpose: a misspelt key is a
 * 400, never a silently ignored constraint.
 */
export const routeOptionsSchema = z.strictObject({
  objective: z.optional(z.string()),
  max_latency_ms: z.optional(z.number().check(z.positive())),
  max_cost: z.optional(z.number().check(z.nonnegative())),
  only: z.optional(z.array(z.string())),
  ignore: z.optional(z.array(z.string())),
  order: z.optional(z.array(z.string())),
  allow_fallbacks: z.optional(z.boolean()),
});

/**
 * The `simulate` extension, honoured only with a `test-` key: what the pseudo-LLM should do to
 * this request, so an app can exercise its own error paths.
 */
export const simulateSchema = z.strictObject({
  /** The fault to inject. */
  fault: z.optional(z.enum(['rate_limit', 'server_error', 'timeout', 'stream_cut'])),
  /** Inject the fault on the first N attempts only; later attempts succeed. @default every attempt */
  times: z.optional(z.number().check(z.int(), z.positive())),
  /** `Retry-After` seconds sent with `rate_limit`. @default 1 */
  retry_after_s: z.optional(z.number().check(z.nonnegative())),
  /**
   * For `stream_cut`: how many chunks the stream sends before the cut; a cut before the first
   * token (0, or 1: the role chunk alone) is retried or falls back like any failure before a
   * stream commits. @default 2
   */
  cut_after_chunks: z.optional(z.number().check(z.int(), z.nonnegative())),
  /** Delay before the answer (and between stream chunks, see `chunk_delay_ms`). @unit milliseconds */
  latency_ms: z.optional(z.number().check(z.nonnegative())),
  /** Delay between stream chunks. @unit milliseconds */
  chunk_delay_ms: z.optional(z.number().check(z.nonnegative())),
});

/** `stop`: one sequence or up to 4. */
export const stopSchema = () => z.nullish(z.union([z.string(), z.array(z.string()).check(z.maxLength(4))]));

export const chatRequestSchema = z.looseObject({
  model: z.string().check(z.minLength(1, 'model is required')),
  messages: z.array(message).check(z.minLength(1, 'messages must contain at least one message')),
  temperature: nullishNumber(0, 2),
  top_p: nullishNumber(0, 1),
  n: nullishInteger(1, 128),
  stop: stopSchema(),
  max_tokens: nullishInteger(1),
  max_completion_tokens: nullishInteger(1),
  seed: nullishInteger(),
  frequency_penalty: nullishNumber(-2, 2),
  presence_penalty: nullishNumber(-2, 2),
  logit_bias: z.nullish(z.record(z.string(), z.number())),
  logprobs: z.nullish(z.boolean()),
  top_logprobs: nullishInteger(0, 20),
  stream: z.nullish(z.boolean()),
  stream_options: z.nullish(z.looseObject({ include_usage: z.optional(z.boolean()) })),
  tools: z.optional(z.array(z.union([functionTool, customTool]))),
  tool_choice: z.optional(toolChoice),
  parallel_tool_calls: z.optional(z.boolean()),
  response_format: z.optional(responseFormat),
  user: z.optional(z.string()),
  metadata: z.nullish(
    z
      .record(z.string().check(z.maxLength(64)), z.string().check(z.maxLength(512)))
      .check(z.refine((metadata) => Object.keys(metadata).length <= maxMetadataPairs, `metadata holds at most ${maxMetadataPairs} pairs`)),
  ),
  route: z.optional(routeOptionsSchema),
  simulate: z.optional(simulateSchema),
});

/** What `create` takes, typed to accept the openai SDK's values; the schema above decides at run time. */
export type { ChatCompletionCreateParams } from './chat-params.js';
/** A validated chat request. */
export type ChatRequest = z.output<typeof chatRequestSchema>;
export type ChatMessage = z.output<typeof message>;
export type ChatTool = z.output<typeof functionTool> | z.output<typeof customTool>;
export type RouteOptions = z.output<typeof routeOptionsSchema>;
export type SimulateOptions = z.output<typeof simulateSchema>;
