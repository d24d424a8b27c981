/*
 * Tool-call ids of a replayed history → ids the Messages API accepts (`^[a-zA-Z0-9_-]+$`), at
 * most 64 characters long, as Bedrock's Converse also wants. A history may carry ids another
 * provider minted: Kimi models name theirs `functions.lookup:0`, and a routed conversation meets
 * several providers, so one such id would fail every later turn here. An id that fits is sent as
 * it is; another becomes its allowed characters and a hash of the whole id: the same for a call
 * and its result, distinct for distinct ids.
 */

const fits = /^[a-zA-Z0-9_-]{1,64}$/;

/** The id to send for a tool call (and its result) whose OpenAI id is `id`. */
export function toolCallId(id: string): string {
  if (fits.test(id)) return id;
  const hash = fnv1a(id);
  return `${id.replace(/[^a-zA-Z0-9_-]/g, '_').slice(0, 64 - hash.length - 1)}_${hash}`;
}

/** FNV-1a, 32 bits, as 8 hex digits: a short, stable, synchronous hash of the id's UTF-16 units. */
function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(16).padStart(8, '0');
}
