import { InvalidRequestError } from '../errors.js';
import { boundedMessage, paramPath } from './param-path.js';
import * as s from './shape/index.js';

/**
 * Checks a request body against a shape; a failure is a 400 naming the field, in the words
 * `validateRequest` uses for zod schemas, with the issues as its cause.
 */
export function validateShape<T>(shape: s.Shape, body: unknown): T {
  const result = s.safeParse<T>(shape, body);
  if (result.success) return result.data;
  const issue = result.issues[0]!;
  const param = paramPath(issue.path);
  const where = param === '' ? 'request body' : param;
  throw new InvalidRequestError(boundedMessage(`Invalid ${where}: ${s.messageOf(issue)}`), param || null, new s.ShapeError(result.issues));
}
