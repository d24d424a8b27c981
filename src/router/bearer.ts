/**
 * The caller's key from `Authorization: Bearer …`. A request without one presents the empty key,
 * never the router's own `apiKey`: over HTTP an anonymous caller must not borrow it (with
 * `keys` configured it is refused with 401). Shared by router.fetch (and its lazy loader) and serve().
 */
export function bearer(authorization: string | null | undefined): string {
  const match = authorization ? /^Bearer\s+(.+)$/i.exec(authorization.trim()) : null;
  return match?.[1] ?? '';
}
