/*
 * The least a 2xx answer must be for the router to use it. An upstream that answers 200 with
 * something else (`"choices":[null]`, a proxy's HTML page parsed as a string, an empty object) is
 * failing: its answer is an upstream error that retries and falls back like a 5xx, instead of a
 * crash further on. Loose on purpose: fields this library does not read are not checked.
 */

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function everyObject(value: unknown, check: (entry: Record<string, unknown>) => boolean = () => true): boolean {
  if (!Array.isArray(value)) return false;
  for (const entry of value) if (!isObject(entry) || !check(entry)) return false;
  return true;
}

/** A `chat.completion`: `choices` is an array of objects, each with a `message` object. */
export function isChatCompletion(value: unknown): boolean {
  return isObject(value) && everyObject(value.choices, (choice) => isObject(choice.message));
}

/** A `text_completion`: `choices` is an array of objects. */
export function isTextCompletion(value: unknown): boolean {
  return isObject(value) && everyObject(value.choices);
}

/** An embeddings list: `data` is an array of objects. */
export function isEmbeddingsList(value: unknown): boolean {
  return isObject(value) && everyObject(value.data);
}
