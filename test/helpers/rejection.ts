import { RouterError } from '../../src/errors.js';

/** The RouterError `promise` rejects with; fails the test if it resolves or rejects with anything else. */
export async function rejection(promise: Promise<unknown>): Promise<RouterError> {
  const caught = await promise.then(() => undefined, (error: unknown) => error);
  if (!RouterError.isInstance(caught)) throw new Error(`expected a RouterError, got ${String(caught)}`);
  return caught;
}
