import type * as z from 'zod/mini';
import { InvalidRequestError } from '../errors.js';
import { englishMessages } from './english-messages.js';
import { boundedMessage, paramPath } from './param-path.js';

/** Parses a request body; a failure is a 400 naming the field, with the ZodError as its cause. */
export function validateRequest<T extends z.ZodMiniType>(schema: T, body: unknown): z.output<T> {
  const result = schema.safeParse(body, { error: englishMessages });
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const param = paramPath(issue.path);
  const where = param === '' ? 'request body' : param;
  throw new InvalidRequestError(boundedMessage(`Invalid ${where}: ${issue.message}`), param || null, result.error);
}
