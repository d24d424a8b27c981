import { InvalidRequestError, RouterError } from '../errors.js';
import { storeFailure, type ResponseStore, type StoredResponse } from './response-store.js';
import type { ResponseItem, ResponseRequest } from './wire.js';
import { quote } from '../internal/quote.js';

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

/** Why nothing is found in a router without a store. */
const keepsNone = 'this router keeps no responses (responses: { store: false }); send the whole conversation as input items.';

/**
 * A response whose history took this many stored responses to rebuild is stored with its whole
 * conversation instead of a link (a checkpoint), so a conversation is kept whole every 16 turns:
 * continuing one reads at most 16 responses (one store read each) and needs only those since its
 * last checkpoint still stored, for about a sixteenth of the storage of keeping every turn whole.
 */
const conversationCheckpointTurns = 16;

/**
 * The items of the conversation response `previousId` ends, oldest first: the input and output of
 * each stored response, following `previousResponseId` back to one stored whole (the first, or a
 * checkpoint). Every response on the way must be `owner`'s. At most `maxTurns` responses are read
 * (`limits.maxConversationTurns`): each is one store read, and a store's links are not ours to trust.
 */
async function storedConversation(
  store: ResponseStore | undefined,
  previousId: string,
  owner: string | null,
  maxTurns: number,
): Promise<{ items: ResponseItem[]; links: number }> {
  if (!store) throw new InvalidRequestError(`Previous response with id '${quote(previousId)}' not found: ${keepsNone}`, 'previous_response_id');
  const turns: StoredResponse[] = [];
  for (let id: string | undefined = previousId; id !== undefined; ) {
    if (turns.length === maxTurns) {
      throw new InvalidRequestError(
        `The conversation previous_response_id '${quote(previousId)}' continues has more than ${maxTurns} responses; the limit is ${maxTurns} (limits.maxConversationTurns). ` +
          'Continue it without previous_response_id, sending the turns it still needs as input items, or raise the limit.',
        'previous_response_id',
      );
    }
    const wanted: string = id;
    const response = await lookUp(() => store.get(wanted), 'previous_response_id');
    // Another key's response is answered as one not stored: its existence is not the caller's to learn.
    if (!response || response.owner !== owner) {
      throw new InvalidRequestError(
        wanted === previousId
          ? `Previous response with id '${quote(previousId)}' not found. Responses are kept only when the request did not set store: false, and only for a limited time.`
          : `Response '${quote(wanted)}', an earlier turn of the conversation previous_response_id '${quote(previousId)}' continues, was not found: it is no longer stored (expired or evicted), so the conversation cannot be rebuilt. ` +
              'Continue it without previous_response_id, sending the turns it still needs as input items.',
        'previous_response_id',
      );
    }
    turns.push(response);
    id = response.previousResponseId;
  }
  const items: ResponseItem[] = [];
  for (let index = turns.length - 1; index >= 0; index -= 1) items.push(...turns[index]!.input, ...turns[index]!.output);
  return { items, links: turns.length };
}

/**
 * The conversation a request continues, as items: the stored conversation `previous_response_id`
 * ends (see {@link storedConversation}), then this request's input with every `item_reference`
 * replaced by the stored item. Only an id the store does not hold (or holds for another key) is a
 * 400 naming the field. A reference to an unknown reasoning item (`rs_…`) is dropped: reasoning
 * never reaches a Chat Completions provider anyway. A store that cannot be read is a 503
 * `store_unavailable`. `keepWhole`: the history took `conversationCheckpointTurns` stored responses
 * to rebuild, so the response to this request is to be kept with it whole (a checkpoint).
 */
export async function resolveInput(
  request: ResponseRequest,
  store: ResponseStore | undefined,
  owner: string | null,
  maxTurns: number,
): Promise<{ history: ResponseItem[]; input: ResponseItem[]; keepWhole: boolean }> {
  const previousId = request.previous_response_id;
  const { items: history, links } = typeof previousId === 'string' ? await storedConversation(store, previousId, owner, maxTurns) : { items: [], links: 0 };
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
      store
        ? `Item with id '${quote(id)}' not found. Items are kept only when the response that produced them did not set store: false, and only for a limited time.`
        : `Item with id '${quote(id)}' not found: ${keepsNone}`,
      `input[${index}].id`,
    );
  }
  return { history, input, keepWhole: links >= conversationCheckpointTurns };
}
