/** `['messages', 0, 'role']` → `messages[0].role`, the way OpenAI names a request field. */
export function paramPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : out === '' ? String(part) : `.${String(part)}`;
  return out;
}
