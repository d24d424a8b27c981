import { RouterError } from '../errors.js';

/*
 * Secrets out of upstream text. An upstream may quote back the credentials it was sent (`Invalid
 * credentials: Bearer sk-…` in a 401, an HTML 403 page, an error event mid-stream, a proxy's
 * diagnostics), and what an upstream says reaches error messages, `route.attempts`, audit records,
 * logs and `router.health()`. Every text read from an upstream goes through a `Redactor` before
 * it becomes part of an error, so the key never leaves the adapter that holds it.
 */

/** Replaces every secret a provider knows of in a text read from its upstream. */
export type Redactor = (text: string) => string;

/** What a secret is replaced with. */
export const redactedMark = '[redacted]';

/**
 * Credentials whose shape gives them away even when the adapter does not know them (a key a user
 * header or a custom fetch added): a bearer token, OpenAI-style `sk-…` keys (OpenAI, Anthropic's
 * `sk-ant-…`, DeepSeek…), Google API keys (`AIza` and 35 more characters, sent as `?key=` or
 * `x-goog-api-key`) and Google OAuth access tokens (`ya29.…`). Long enough that ordinary words are
 * not taken for keys. A key's end is where its characters stop, not a word boundary: a key may
 * end with `-`, after which `\b` finds none.
 */
const credentialShapes = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}|\bsk-[A-Za-z0-9_-]{12,}|\bAIza[A-Za-z0-9_-]{35}(?![A-Za-z0-9_-])|\bya29\.[A-Za-z0-9._-]{12,}/g;

/** Secrets shorter than this are not looked for: replacing "abc" everywhere would garble the text. */
const shortestSecret = 6;

/**
 * A redactor for the secrets `secrets()` lists, read each time it runs (a key read from the
 * environment at call time is current), plus anything shaped like a credential. Never throws: a
 * `secrets` that throws leaves the shape-based redaction.
 */
export function createRedactor(secrets: () => Iterable<string | undefined>): Redactor {
  return (text) => {
    let result = text;
    try {
      for (const secret of secrets()) {
        if (secret === undefined || secret.length < shortestSecret) continue;
        if (result.includes(secret)) result = result.split(secret).join(redactedMark);
        // An upstream that quotes its request as JSON escapes `/` and `"` in the key.
        const escaped = JSON.stringify(secret).slice(1, -1).replaceAll('/', '\\/');
        if (escaped !== secret && result.includes(escaped)) result = result.split(escaped).join(redactedMark);
      }
    } catch {
      // The shapes below still apply.
    }
    return redactCredentialShapes(result);
  };
}

/** Only the credential shapes: for text from an upstream whose secrets the adapter cannot see. */
export function redactCredentialShapes(text: string): string {
  return text.replace(credentialShapes, (match, scheme: string | undefined) => (scheme === undefined ? redactedMark : `${scheme} ${redactedMark}`));
}

/** The secrets in a set of request headers: the values of the headers that carry credentials. */
export function headerSecrets(headers: Record<string, string> | undefined): string[] {
  const secrets: string[] = [];
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (!credentialHeader.test(name)) continue;
    secrets.push(value);
    // `Bearer <key>`: the key alone is what an upstream most often quotes.
    const space = value.indexOf(' ');
    if (space > 0) secrets.push(value.slice(space + 1).trim());
  }
  return secrets;
}

/**
 * The secrets in a set of query parameters (an SDK client's `defaultQuery`: Azure API
 * Management's `subscription-key`, Google's `key`, a SAS `sig`), as written and URL-encoded: an
 * upstream quoting the URL it was sent quotes them.
 */
export function querySecrets(query: Record<string, unknown> | undefined): string[] {
  const secrets: string[] = [];
  for (const [name, value] of Object.entries(query ?? {})) {
    if (typeof value !== 'string' || !credentialParameter.test(name)) continue;
    secrets.push(value, encodeURIComponent(value), new URLSearchParams({ value }).toString().slice('value='.length));
  }
  return secrets;
}

/** Query parameter names that carry credentials: a header's (`api_key`, `*-key`, `*token*`…), and `key`, `code`, `sig`. */
const credentialParameter = /^(?:key|code|sig|signature)$|authorization|api[-_]?key|[-_]key$|token|secret|password|credential/i;

/**
 * Header names that carry credentials: `authorization`, `api-key`, `x-api-key`, `x-goog-api-key`,
 * any `*-key` (Azure API Management's `ocp-apim-subscription-key`), `*-token`, `*-secret`…
 */
const credentialHeader = /authorization|api[-_]?key|[-_]key$|token|secret|cookie|password|credential/i;

/**
 * Credentials whose password starts with digits and holds an unencoded `/`, `?` or `#`
 * (`https://user:1234/5678@host/v1`): the URL parser ends the host there, reading host `user` and
 * port 1234, so no credential is seen, the requests go to user:1234, and connection errors and
 * spans (`server.address`, `server.port`) carry the password's first part.
 */
const unencodedUserInfo = /^[a-z][a-z0-9+.-]*:\/\/[^/?#@]*:[^/?#@]*[/?#][^]*@/i;

/**
 * Refuses a base URL that carries credentials (`https://user:secret@host/v1`): they would be sent
 * on every request and quoted by every error about the endpoint; or a query string or fragment
 * (`https://host/v1?key=…`), which the endpoint paths appended to it would land behind. Returns
 * the problem in words, never quoting the credential or the query, or `undefined` for a plain URL.
 */
export function credentialsInURL(value: string): string | undefined {
  // Not the URL, which shows the password's first part as its port.
  if (unencodedUserInfo.test(value)) return 'must not contain credentials (user:password@, here with a password the URL reads as a port and a path): pass the key as apiKey, or in headers, instead';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  const shown = `${url.protocol}//${url.host}${url.pathname}`;
  if (url.username !== '' || url.password !== '') return `must not contain credentials (user:password@): pass the key as apiKey, or in headers, instead (the URL was ${shown})`;
  // Each endpoint's path is appended to the base URL, so a query there would end up in front of
  // it (…/v1?key=…/chat/completions) and, as a key=… an upstream may echo, in errors and records.
  if (url.search !== '' || url.hash !== '') return `must not contain a query string or fragment (?… or #…): each endpoint's path is appended to it; pass a key as apiKey (apiKeyHeader names its header), other values in headers (the URL was ${shown})`;
  return undefined;
}

/** Deepest `cause` chain kept: causes rarely go further, and a cycle must end. */
const causeDepth = 4;

/** Error classes a redacted copy keeps. */
const builtInErrors = [Error, TypeError, SyntaxError, RangeError, ReferenceError] as const;

/**
 * A copy of `error` fit to keep as the `cause` of a RouterError. An upstream failure's words may
 * quote what was sent (undici quotes an invalid header's value, `JSON.parse` the text it choked
 * on), and `console.error(error)` prints the whole cause chain: name, message and stack are
 * redacted, down the chain; `code`, `errno`, `syscall`, `address` and `port` are kept
 * (ECONNRESET to 10.0.0.7:443 is what a reader looks for), and an `AggregateError`'s errors (undici
 * tries each address of a host) are redacted the same way. A RouterError is kept as it is: its
 * words went through a redactor when it was made.
 * A cause that is neither an Error nor a string is dropped. Never throws.
 */
export function redactCause(error: unknown, redact: Redactor = redactCredentialShapes, depth = 0): unknown {
  try {
    if (error === undefined || RouterError.isInstance(error)) return error;
    if (typeof error === 'string') return redact(error);
    if (!(error instanceof Error)) return undefined;
    const cause = depth < causeDepth ? redactCause(error.cause, redact, depth + 1) : undefined;
    // A built-in class is kept (a reader may test `instanceof SyntaxError`); any other becomes an Error of its name.
    const options = cause === undefined ? undefined : { cause };
    const copy =
      error instanceof AggregateError
        ? new AggregateError(
            Array.isArray(error.errors) && depth < causeDepth ? error.errors.map((inner: unknown) => redactCause(inner, redact, depth + 1)) : [],
            redact(error.message),
            options,
          )
        : new (builtInErrors.find((candidate) => error.constructor === candidate) ?? Error)(redact(error.message), options);
    copy.name = error.name;
    if (error.stack !== undefined) copy.stack = redact(error.stack);
    for (const key of ['code', 'errno', 'syscall', 'address', 'port'] as const) {
      const value: unknown = (error as unknown as Record<string, unknown>)[key];
      if (typeof value === 'string' || typeof value === 'number') (copy as unknown as Record<string, unknown>)[key] = value;
    }
    return copy;
  } catch {
    return undefined;
  }
}
