/*
 * Shapes: hand-written checks that behave as the zod 4 schemas of the same kinds (same output,
 * issues, paths and English messages), for what the core checks on its start-up path (router
 * and provider options, jurisdiction facts, the chat request), so that an app's start-up
 * bundle carries no zod. Import as `import * as s from '../internal/shape/index.js'`.
 */
export { aborted, englishMessage, type Issue, type Result } from './issue.js';
export { boolean, custom, literal, nullValue, number, oneOf, shapeOf, string, stringWithError, unknown, type Check, type Shape } from './schema.js';
export { int, length, maxLength, maximum, minLength, minimum, nonnegative, positive, refine, regex } from './checks.js';
export { looseObject, object, strictObject } from './object.js';
export { array, record } from './collections.js';
export { discriminatedUnion, union } from './union.js';
export { nullable, nullish, optional } from './wrappers.js';
export { messageOf, safeParse, ShapeError, type Describe, type ParseResult } from './parse.js';
