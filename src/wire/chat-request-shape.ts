import * as s from '../internal/shape/index.js';
import { maxMetadataPairs } from './request-limits.js';

/*
 * The OpenAI `POST /v1/chat/completions` request as the router checks it, without zod: the same
 * rules, answers and messages as `chatRequestSchema` (chat-request.ts), which the endpoints
 * loaded later (Responses, legacy completions, embeddings) build on and which gives the types.
 * A chat call is on every app's start-up path, and `explain()` answers synchronously, so this
 * check cannot wait for zod to load; test/chat-request-shape.test.ts holds the two to the same
 * answers on random requests. Objects are loose: fields this check does not know pass through
 * to the upstream untouched, as the official SDK does.
 */

const textPart = s.looseObject({ type: s.literal('text'), text: s.string() });
const imagePart = s.looseObject({
  type: s.literal('image_url'),
  image_url: s.looseObject({ url: s.string(s.minLength(1)), detail: s.optional(s.oneOf(['auto', 'low', 'high', 'original'])) }),
});
const audioPart = s.looseObject({
  type: s.literal('input_audio'),
  input_audio: s.looseObject({ data: s.string(), format: s.string() }),
});
const filePart = s.looseObject({ type: s.literal('file'), file: s.looseObject({}) });
const refusalPart = s.looseObject({ type: s.literal('refusal'), refusal: s.string() });

const userContentPart = s.discriminatedUnion('type', [textPart, imagePart, audioPart, filePart]);

const toolCall = s.looseObject({
  id: s.string(),
  type: s.literal('function'),
  function: s.looseObject({ name: s.string(), arguments: s.string() }),
});

const textContent = () => s.union([s.string(), s.array(textPart)]);

const message = s.discriminatedUnion('role', [
  s.looseObject({ role: s.literal('system'), content: textContent(), name: s.optional(s.string()) }),
  s.looseObject({ role: s.literal('developer'), content: textContent(), name: s.optional(s.string()) }),
  s.looseObject({ role: s.literal('user'), content: s.union([s.string(), s.array(userContentPart)]), name: s.optional(s.string()) }),
  s.looseObject({
    role: s.literal('assistant'),
    content: s.optional(s.union([s.string(), s.array(s.union([textPart, refusalPart])), s.nullValue()])),
    tool_calls: s.optional(s.array(toolCall)),
    refusal: s.nullish(s.string()),
    name: s.optional(s.string()),
  }),
  s.looseObject({ role: s.literal('tool'), content: textContent(), tool_call_id: s.string() }),
  s.looseObject({ role: s.literal('function'), content: s.nullable(s.string()), name: s.string() }),
]);

const functionTool = s.looseObject({
  type: s.literal('function'),
  function: s.looseObject({
    name: s.string(s.regex(/^[a-zA-Z0-9_-]{1,64}$/, 'must be 1-64 characters of a-z, A-Z, 0-9, _ or -')),
    description: s.optional(s.string()),
    parameters: s.optional(s.record(s.string(), s.unknown())),
    strict: s.nullish(s.boolean()),
  }),
});
const customTool = s.looseObject({
  type: s.literal('custom'),
  custom: s.looseObject({ name: s.string(), description: s.optional(s.string()) }),
});

const toolChoice = s.union([
  s.oneOf(['none', 'auto', 'required']),
  s.looseObject({ type: s.literal('function'), function: s.looseObject({ name: s.string() }) }),
  s.looseObject({ type: s.literal('custom'), custom: s.looseObject({ name: s.string() }) }),
  s.looseObject({ type: s.literal('allowed_tools'), allowed_tools: s.looseObject({}) }),
]);

const responseFormat = s.discriminatedUnion('type', [
  s.looseObject({ type: s.literal('text') }),
  s.looseObject({ type: s.literal('json_object') }),
  s.looseObject({
    type: s.literal('json_schema'),
    json_schema: s.looseObject({
      name: s.string(),
      description: s.optional(s.string()),
      schema: s.optional(s.record(s.string(), s.unknown())),
      strict: s.nullish(s.boolean()),
    }),
  }),
]);

/** A number of at least `min` (and at most `max`), null or absent: OpenAI's sampling parameters. */
const nullishNumber = (min: number, max?: number) => s.nullish(max === undefined ? s.number(s.minimum(min)) : s.number(s.minimum(min), s.maximum(max)));
/** The same, a whole number. */
const nullishInteger = (min?: number, max?: number) =>
  s.nullish(s.number(s.int(), ...(min === undefined ? [] : [s.minimum(min)]), ...(max === undefined ? [] : [s.maximum(max)])));

/** `metadata`: up to 16 pairs, as OpenAI takes it. */
const fitsMetadata = (metadata: Record<string, unknown>) => Object.keys(metadata).length <= maxMetadataPairs;
const metadataMessage = `metadata holds at most ${maxMetadataPairs} pairs`;

/** The `route` extension. Strict on purpose: a misspelt key is a 400, never a silently ignored constraint. */
const routeOptions = s.strictObject({
  objective: s.optional(s.string()),
  max_latency_ms: s.optional(s.number(s.positive())),
  max_cost: s.optional(s.number(s.nonnegative())),
  only: s.optional(s.array(s.string())),
  ignore: s.optional(s.array(s.string())),
  order: s.optional(s.array(s.string())),
  allow_fallbacks: s.optional(s.boolean()),
});

/** The `simulate` extension, honoured only with a `test-` key. */
const simulate = s.strictObject({
  fault: s.optional(s.oneOf(['rate_limit', 'server_error', 'timeout', 'stream_cut'])),
  times: s.optional(s.number(s.int(), s.positive())),
  retry_after_s: s.optional(s.number(s.nonnegative())),
  cut_after_chunks: s.optional(s.number(s.int(), s.nonnegative())),
  latency_ms: s.optional(s.number(s.nonnegative())),
  chunk_delay_ms: s.optional(s.number(s.nonnegative())),
});

export const chatRequestShape = s.looseObject({
  model: s.string(s.minLength(1, 'model is required')),
  messages: s.array(message, s.minLength(1, 'messages must contain at least one message')),
  temperature: nullishNumber(0, 2),
  top_p: nullishNumber(0, 1),
  n: nullishInteger(1, 128),
  stop: s.nullish(s.union([s.string(), s.array(s.string(), s.maxLength(4))])),
  max_tokens: nullishInteger(1),
  max_completion_tokens: nullishInteger(1),
  seed: nullishInteger(),
  frequency_penalty: nullishNumber(-2, 2),
  presence_penalty: nullishNumber(-2, 2),
  logit_bias: s.nullish(s.record(s.string(), s.number())),
  logprobs: s.nullish(s.boolean()),
  top_logprobs: nullishInteger(0, 20),
  stream: s.nullish(s.boolean()),
  stream_options: s.nullish(s.looseObject({ include_usage: s.optional(s.boolean()) })),
  tools: s.optional(s.array(s.union([functionTool, customTool]))),
  tool_choice: s.optional(toolChoice),
  parallel_tool_calls: s.optional(s.boolean()),
  response_format: s.optional(responseFormat),
  user: s.optional(s.string()),
  metadata: s.nullish(s.record(s.string(s.maxLength(64)), s.string(s.maxLength(512)), s.refine(fitsMetadata, metadataMessage))),
  route: s.optional(routeOptions),
  simulate: s.optional(simulate),
});
