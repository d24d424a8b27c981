/*
 * One model served by several providers is known by several ids: a canonical id
 * (`llama-3.3-70b-instruct`) and each provider's native id (`meta-llama/Llama-3.3-70B-Instruct`,
 * `llama-3.3-70b-versatile`). These keys let any of them find every offer.
 */

/** The lookup keys an id is known by: as given, lower-cased, and without a namespace. */
export function modelKeys(id: string): string[] {
  const lower = id.toLowerCase();
  const keys = [id, lower];
  const slash = lower.lastIndexOf('/');
  if (slash !== -1) keys.push(lower.slice(slash + 1));
  return [...new Set(keys)];
}

/** The key an id is looked up by when a request names it. */
export function lookupKey(id: string): string {
  return id.toLowerCase();
}

/** An id's namespace, lower-cased (`meta-llama` of `meta-llama/Llama-3.1-8B-Instruct`), or undefined. */
export function namespaceOf(id: string): string | undefined {
  const slash = id.lastIndexOf('/');
  return slash === -1 ? undefined : id.slice(0, slash).toLowerCase();
}

/** An id lower-cased and without its namespace. */
export function bareKey(id: string): string {
  const lower = id.toLowerCase();
  return lower.slice(lower.lastIndexOf('/') + 1);
}
