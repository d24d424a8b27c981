import type { ChatRequest } from './chat-request.js';
import { chatRequestShape } from './chat-request-shape.js';

/*
 * The common chat request — text messages and plain sampling parameters — checked by hand
 * before the full schema (chat-request-shape.ts). Walking a schema's graph of objects costs
 * microseconds per request on a router that is also doing I/O (it falls out of the CPU caches
 * between requests; the zod schema took ~10 µs, the largest single part of routing a call);
 * these checks cost well under a microsecond.
 *
 * The contract: a request accepted here is one the full schema accepts, and the copy returned
 * equals what the schema would return. Anything else — tools, images, response formats, the
 * `route` and `simulate` extensions, unknown fields, and every invalid value — returns undefined
 * and goes through the schema, which names the failing field. test/simple-chat-request.test.ts
 * checks both halves against the schema on random requests.
 */

type Check = (value: unknown) => boolean;

/**
 * The deepest nesting a request accepted here can have: the body, `messages`, a message (or the
 * body, `stop` / `stream_options`). Its fields are otherwise scalars, so it needs no depth walk.
 */
export const simpleRequestDepth = 3;

const finiteIn = (min: number, max: number): Check => (value) => typeof value === 'number' && Number.isFinite(value) && value >= min && value <= max;
const integerIn = (min: number, max: number): Check => (value) => Number.isSafeInteger(value) && (value as number) >= min && (value as number) <= max;
const nullable = (check: Check): Check => (value) => value === null || check(value);
const isString: Check = (value) => typeof value === 'string';
const isBoolean: Check = (value) => typeof value === 'boolean';
const optional = (check: Check): Check => (value) => value === undefined || check(value);

/** The top-level fields this path knows, each with the schema's own bounds. Absent or undefined passes. */
const fields: Readonly<Record<string, Check>> = {
  temperature: nullable(finiteIn(0, 2)),
  top_p: nullable(finiteIn(0, 1)),
  n: nullable(integerIn(1, 128)),
  stop: nullable((value) => typeof value === 'string' || (Array.isArray(value) && value.length <= 4 && everyString(value))),
  max_tokens: nullable(integerIn(1, Number.MAX_SAFE_INTEGER)),
  max_completion_tokens: nullable(integerIn(1, Number.MAX_SAFE_INTEGER)),
  seed: nullable(integerIn(Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER)),
  frequency_penalty: nullable(finiteIn(-2, 2)),
  presence_penalty: nullable(finiteIn(-2, 2)),
  logprobs: nullable(isBoolean),
  top_logprobs: nullable(integerIn(0, 20)),
  stream: nullable(isBoolean),
  stream_options: nullable((value) => isPlainObject(value) && Object.keys(value).every((key) => key === 'include_usage') && optional(isBoolean)(value.include_usage)),
  parallel_tool_calls: isBoolean,
  user: isString,
};

const fieldNames = Object.keys(fields);
/** The schema's other fields: a request with any of them, enumerable or not, needs the schema. */
const schemaOnly = Object.keys(chatRequestShape.shape!).filter((key) => key !== 'model' && key !== 'messages' && !Object.hasOwn(fields, key));
const roles = new Set(['system', 'developer', 'user', 'assistant']);

/**
 * A plain object: what JSON gives and object literals build. Anything else (a class instance, an
 * object with a prototype of its own) may have fields that are not its own enumerable keys, which
 * the schema reads and a copy would lose: it goes to the schema.
 */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** Every element a string, holes included (`every` skips holes; the schema does not). */
function everyString(values: readonly unknown[]): boolean {
  for (let index = 0; index < values.length; index++) if (typeof values[index] !== 'string') return false;
  return true;
}

/** Whether `key` is absent, or an own enumerable field that a copy keeps. */
function copied(object: Record<string, unknown>, key: string): boolean {
  return object[key] === undefined || Object.prototype.propertyIsEnumerable.call(object, key);
}

/** A message with a role, text content (null too, from the assistant) and perhaps a name: nothing else. */
function isSimpleMessage(message: unknown): message is Record<string, unknown> {
  if (!isPlainObject(message) || typeof message.role !== 'string' || !roles.has(message.role)) return false;
  const assistant = message.role === 'assistant';
  if (!(typeof message.content === 'string' || (assistant && (message.content === null || message.content === undefined)))) return false;
  if (!optional(isString)(message.name)) return false;
  // The fields other roles carry, read by name as the schema does, whether enumerable or not.
  if (message.tool_calls !== undefined || message.tool_call_id !== undefined || message.refusal !== undefined) return false;
  if (!copied(message, 'role') || !copied(message, 'content') || !copied(message, 'name')) return false;
  for (const key of Object.keys(message)) if (key !== 'role' && key !== 'content' && key !== 'name') return false;
  return true;
}

/**
 * The validated copy of a common chat request, or undefined when the full schema must decide.
 */
export function parseSimpleChatRequest(body: unknown): ChatRequest | undefined {
  if (!isPlainObject(body)) return undefined;
  const { model, messages } = body;
  if (typeof model !== 'string' || model.length === 0 || !Array.isArray(messages) || messages.length === 0) return undefined;
  if (!copied(body, 'model') || !copied(body, 'messages')) return undefined;
  for (const key of Object.keys(body)) {
    if (key !== 'model' && key !== 'messages' && !Object.hasOwn(fields, key)) return undefined;
  }
  // Each field of the schema read by name, as the schema reads it, enumerable or not.
  for (const key of schemaOnly) if (body[key] !== undefined) return undefined;
  for (const key of fieldNames) {
    const value = body[key];
    if (value !== undefined && (!fields[key]!(value) || !copied(body, key))) return undefined;
  }
  for (let index = 0; index < messages.length; index++) if (!isSimpleMessage(messages[index])) return undefined;
  // A copy, as the schema returns one: the router and adapters may change their request.
  const copy: Record<string, unknown> = { ...body, messages: messages.map((message: Record<string, unknown>) => ({ ...message })) };
  if (Array.isArray(body.stop)) copy.stop = [...body.stop];
  if (isPlainObject(body.stream_options)) copy.stream_options = { ...body.stream_options };
  return copy as ChatRequest;
}
