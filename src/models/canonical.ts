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
  keys.push(canonicalModelId(lower));
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

/**
 * The canonical id of a model known by a cloud vendor's id, so that the same model competes
 * across the vendor's own API and the clouds that resell it: Bedrock's
 * `eu.anthropic.claude-sonnet-4-5-20250929-v1:0` and `anthropic.claude-sonnet-4-6`, Vertex's
 * `claude-sonnet-4@20250514` and Anthropic's dated `claude-sonnet-4-5-20250929` are
 * `claude-sonnet-4-5`, `claude-sonnet-4-6` and `claude-sonnet-4`. Any other id is returned as given.
 */
export function canonicalModelId(id: string): string {
  const lower = id.toLowerCase();
  const bedrock = /^(?:(?:eu|us|us-gov|apac|au|ca|jp|global)\.)?anthropic\.(claude-[a-z0-9-]+?)(?:-\d{8})?(?:-v\d+)?(?::\d+)?$/.exec(lower);
  if (bedrock !== null) return bedrock[1]!;
  const dated = /^(claude-[a-z0-9-]+?)(?:@|-)\d{8}$/.exec(lower);
  return dated === null ? id : dated[1]!;
}
