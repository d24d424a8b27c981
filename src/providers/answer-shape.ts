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

/** At least one choice, each an object that passes `check`: a caller reads `choices[0]`. */
function someChoices(value: unknown, check: (choice: Record<string, unknown>) => boolean): boolean {
  return Array.isArray(value) && value.length > 0 && everyObject(value, check);
}

/**
 * A message's content as clients read it: text, null (a tool call, a refusal), or a list of
 * content parts (some upstreams answer in parts; passed on as they are).
 */
function isMessage(message: unknown): boolean {
  if (!isObject(message)) return false;
  const { content, tool_calls: calls } = message;
  if (content !== undefined && content !== null && typeof content !== 'string' && !Array.isArray(content)) return false;
  // A call of one of OpenAI's custom tools carries `custom` instead of `function`.
  return calls === undefined || calls === null || everyObject(calls, (call) => isObject(call.function) || (call.type === 'custom' && isObject(call.custom)));
}

/**
 * A `chat.completion`: at least one choice, each with a `message` object whose content is text,
 * null or parts, and whose `tool_calls`, if any, are objects with a `function` (or, of a custom
 * tool, `type: 'custom'` and `custom`).
 */
export function isChatCompletion(value: unknown): boolean {
  return isObject(value) && someChoices(value.choices, (choice) => isMessage(choice.message));
}

/** A `text_completion`: at least one choice, each an object with its `text`. */
export function isTextCompletion(value: unknown): boolean {
  return isObject(value) && someChoices(value.choices, (choice) => typeof choice.text === 'string');
}

/** An embeddings list: `data` is an array of objects. */
export function isEmbeddingsList(value: unknown): boolean {
  return isObject(value) && everyObject(value.data);
}
