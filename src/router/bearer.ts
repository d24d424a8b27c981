/**
 * The caller's key from `Authorization: Bearer …`, or else from `api-key`, the header Azure
 * OpenAI's clients (the openai SDK's `AzureOpenAI`, LangChain's `AzureChatOpenAI`) send it in. A
 * request without either presents the empty key, never the router's own `apiKey`: over HTTP an
 * anonymous caller must not borrow it (with `keys` configured it is refused with 401). Shared by
 * router.fetch (and its lazy loader) and serve().
 */
export function bearer(authorization: string | null | undefined, apiKeyHeader?: string | null): string {
  const match = authorization ? /^Bearer\s+(.+)$/i.exec(authorization.trim()) : null;
  return match?.[1] ?? (apiKeyHeader?.trim() || '');
}
