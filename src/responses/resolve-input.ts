import { InvalidRequestError, RouterError } from '../errors.js';
import { storeFailure, type ResponseStore } from './response-store.js';
import type { ResponseItem, ResponseRequest } from './wire.js';

/** A store lookup; a store that fails (a shared one that is down) is a 503 naming the field it was for. */
async function lookUp<T>(lookup: () => T | Promise<T>, param: string): Promise<T> {
  try {
    return await lookup();
  } catch (error) {
    if (RouterError.isInstance(error)) throw error;
    // No cause: the store's own error may hold what its message had to leave out (a password).
    throw new RouterError(`The response store could not be read to resolve ${param}: ${storeFailure(error)}`, { code: 'store_unavailable', param, isRetryable: true });
  }
}

/**
 * The conversation a request continues, as items: the stored history of `previous_response_id`
 * (its input and output), then this request's input with every `item_reference` replaced by the
 * stored item. Only an id the store does not hold (or holds for another key) is a 400 naming the
 * field. A reference to an unknown reasoning item (`rs_…`) is dropped: reasoning never reaches a
 * Chat Completions provider anyway. A store that cannot be read is a 503 `store_unavailable`.
 */
export async function resolveInput(
  request: ResponseRequest,
  store: ResponseStore | undefined,
  owner: string | null,
): Promise<{ history: ResponseItem[]; input: ResponseItem[] }> {
  const history: ResponseItem[] = [];
  const previousId = request.previous_response_id;
  if (typeof previousId === 'string') {
    const previous = store ? await lookUp(() => store.get(previousId), 'previous_response_id') : undefined;
    if (!previous || previous.owner !== owner) {
      throw new InvalidRequestError(
        `Previous response with id '${previousId}' not found. Responses are kept only when the request did not set store: false, and only for a limited time.`,
        'previous_response_id',
      );
    }
    history.push(...previous.input, ...previous.output);
  }
  const given: ResponseItem[] =
    typeof request.input === 'string' ? [{ type: 'message', role: 'user', content: request.input }] : ((request.input ?? []) as ResponseItem[]);
  const input: ResponseItem[] = [];
  for (const [index, item] of given.entries()) {
    if (item.type !== 'item_reference' && !(item.type == null && typeof item.id === 'string' && item.role === undefined)) {
      input.push(item);
      continue;
    }
    const id = item.id;
    if (typeof id !== 'string') throw new InvalidRequestError(`input[${index}] is an item_reference without an id.`, `input[${index}].id`);
    const found = store ? await lookUp(() => store.getItem(id), `input[${index}].id`) : undefined;
    if (found && found.owner === owner) {
      input.push(found.item);
      continue;
    }
    if (id.startsWith('rs_')) continue;
    throw new InvalidRequestError(
      `Item with id '${id}' not found. Items are kept only when the response that produced them did not set store: false, and only for a limited time.`,
      `input[${index}].id`,
    );
  }
  return { history, input };
}
