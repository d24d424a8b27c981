import { InvalidRequestError } from '../errors.js';
import type { ResolvedRequestLimits } from '../router/options.js';
import { assertNestingDepth } from './nesting-depth.js';

/*
 * The sizes a caller controls, checked on the raw body before validation or anything else that
 * grows with them (the schema walk, model parsing, the audit hash, the pseudo-LLM). Each check
 * reads a length and moves on: a field of the wrong type is left to the schema, which names it.
 */

/** Most pairs in a chat request's `metadata`, as OpenAI takes it (keys up to 64 characters, values up to 512). */
export const maxMetadataPairs = 16;

/** Which list of a request holds its inputs: `messages` (chat), `input` (embeddings), `prompt` (completions). */
export type InputsField = 'messages' | 'input' | 'prompt';

/** The `route` fields that hold lists of provider ids. */
const routeLists = ['only', 'ignore', 'order'] as const;

/**
 * Throws a 400 `invalid_request` naming the limit and the option that raises it when `body`
 * exceeds one of `limits`: the model string's length, the number of inputs and tools (legacy
 * `functions` too), and the `route` fields. Nesting depth is {@link assertNestingDepth}, kept apart so that a request the
 * fast path has already proven flat does not pay for a walk.
 */
export function assertRequestLimits(body: unknown, limits: ResolvedRequestLimits, inputs: InputsField): void {
  if (typeof body !== 'object' || body === null) return;
  const { model, tools, functions, route } = body as Record<string, unknown>;
  if (typeof model === 'string' && model.length > limits.maxModelLength) {
    throw new InvalidRequestError(`model is ${model.length} characters long; the limit is ${limits.maxModelLength} (limits.maxModelLength)`, 'model');
  }
  const list = (body as Record<string, unknown>)[inputs];
  // A flat array of numbers is one tokenised input, however long: the body size bounds it.
  if (Array.isArray(list) && list.length > limits.maxMessages && typeof list[0] !== 'number') {
    throw new InvalidRequestError(`${inputs} has ${list.length} entries; the limit is ${limits.maxMessages} (limits.maxMessages)`, inputs);
  }
  assertToolCount('tools', tools, limits.maxTools);
  // The legacy `functions` of a chat request are tools too, forwarded upstream as they are.
  assertToolCount('functions', functions, limits.maxTools);
  if (typeof route === 'object' && route !== null) assertRouteLimits(route as Record<string, unknown>, limits.maxRouteFieldLength);
}

function assertToolCount(field: 'tools' | 'functions', list: unknown, limit: number): void {
  if (Array.isArray(list) && list.length > limit) {
    throw new InvalidRequestError(`${field} has ${list.length} entries; the limit is ${limit} (limits.maxTools)`, field);
  }
}

function assertRouteLimits(route: Record<string, unknown>, limit: number): void {
  assertRouteString(route.objective, 'route.objective', limit);
  for (const name of routeLists) {
    const list = route[name];
    if (!Array.isArray(list)) continue;
    if (list.length > limit) {
      throw new InvalidRequestError(`route.${name} has ${list.length} entries; the limit is ${limit} (limits.maxRouteFieldLength)`, `route.${name}`);
    }
    for (let index = 0; index < list.length; index++) assertRouteString(list[index], `route.${name}[${index}]`, limit);
  }
}

function assertRouteString(value: unknown, param: string, limit: number): void {
  if (typeof value === 'string' && value.length > limit) {
    throw new InvalidRequestError(`${param} is ${value.length} characters long; the limit is ${limit} (limits.maxRouteFieldLength)`, param);
  }
}

/** Every limit of a request body, the nesting depth included: for the paths without a fast check. */
export function assertRequestBody(body: unknown, limits: ResolvedRequestLimits, inputs: InputsField): void {
  assertRequestLimits(body, limits, inputs);
  assertNestingDepth(body, limits.maxDepth);
}
