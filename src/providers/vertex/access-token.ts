import { RouterError } from '../../errors.js';
import { redactCredentialShapes } from '../redact.js';
import { raisedBeforeSending } from '../upstream-error.js';

/*
 * Google OAuth2 access tokens for Vertex AI, cached for their lifetime. A token is fetched once
 * and reused until shortly before it expires (five minutes, or a fifth of its life when that is
 * shorter); concurrent requests share one refresh, and one that fails leaves the token in use
 * until it expires. A token the API refused (401) is dropped and the next request fetches another.
 *
 * Sources: the caller's `accessToken` (a fixed string, or a function returning a string or
 * `{ token, expiresAt }`), else application default credentials through `google-auth-library`,
 * an optional peer dependency imported at the first call.
 */

/**
 * What a token function may return: a token, or a token with its expiry: a `Date`, or an epoch
 * time in milliseconds (as `Date.now()` and google-auth-library's `expiry_date` count) or in
 * seconds (as OAuth's and JWT's `exp` count).
 */
export type AccessTokenResult = string | { token: string; expiresAt: Date | number };

/** An expiry below this and already past, read in milliseconds, is in seconds: 1e11 ms is March 1973. */
const latestSeconds = 1e11;

/** What `vertex({ accessToken })` accepts. */
export type AccessTokenSource = string | (() => Promise<AccessTokenResult> | AccessTokenResult);

/** Lifetime assumed for a token returned without an expiry: Google's access tokens live an hour. @unit milliseconds */
const assumedLifetime = 55 * 60 * 1000;
/** How early a token is replaced before it expires. @unit milliseconds */
const refreshMargin = 5 * 60 * 1000;

/** How many fetched tokens are kept to scrub from error text. */
const recentTokens = 4;

const scope = 'https://www.googleapis.com/auth/cloud-platform';
const authLibrary = 'google-auth-library';

interface CachedToken {
  token: string;
  /** When to fetch the next one, in epoch milliseconds. */
  refreshAt: number;
  /** When it stops working, in epoch milliseconds. */
  expiresAt: number;
}

/** The minimal surface of google-auth-library this uses. */
interface GoogleAuthLike {
  getClient(): Promise<{ getAccessToken(): Promise<{ token?: string | null }>; credentials?: { expiry_date?: number | null } }>;
}

/** A token cache over one source. `now` is injectable for tests. */
export class AccessTokens {
  #cached: CachedToken | undefined;
  /** Tokens fetched lately, the newest last. */
  readonly #recent = new Set<string>();
  #pending: Promise<string> | undefined;
  #auth: GoogleAuthLike | undefined;
  readonly #providerId: string;
  readonly #source: AccessTokenSource | undefined;
  readonly #now: () => number;

  constructor(providerId: string, source: AccessTokenSource | undefined, now: () => number = Date.now) {
    this.#providerId = providerId;
    this.#source = source;
    this.#now = now;
  }

  /**
   * The tokens to scrub from error text: a fixed one, or the recent ones fetched (a stream
   * outlives its token's refresh, and an error late in it may quote the token it was sent).
   */
  get held(): string[] {
    return typeof this.#source === 'string' ? [this.#source] : [...this.#recent];
  }

  /** A valid token: the cached one, or a fresh one (one refresh shared by concurrent callers). */
  async get(): Promise<string> {
    if (typeof this.#source === 'string') return this.#source;
    const cached = this.#cached;
    if (cached !== undefined && this.#now() < cached.refreshAt) return cached.token;
    this.#pending ??= this.#refresh().finally(() => {
      this.#pending = undefined;
    });
    // The refresh is early: a failing one (a metadata server's blip) leaves the token until it expires.
    if (cached === undefined) return this.#pending;
    return this.#pending.catch((error: unknown) => {
      if (this.#cached === cached && this.#now() < cached.expiresAt) return cached.token;
      throw error;
    });
  }

  /** Drops `token` after the API refused it, so the next `get()` fetches another. */
  invalidate(token: string): void {
    if (this.#cached?.token === token) this.#cached = undefined;
  }

  /** Whether a refused token can be replaced by asking again (not for a fixed string). */
  get refreshable(): boolean {
    return typeof this.#source !== 'string';
  }

  async #refresh(): Promise<string> {
    const fetched = typeof this.#source === 'function' ? await this.#fromFunction(this.#source) : await this.#fromApplicationDefault();
    const now = this.#now();
    const expiresAt = fetched.expiresAt ?? now + assumedLifetime;
    const lifetime = expiresAt - now;
    this.#cached = { token: fetched.token, refreshAt: expiresAt - Math.min(refreshMargin, lifetime / 5), expiresAt };
    // Tokens rotate: the recent ones are kept, not every one ever fetched.
    if (this.#recent.size >= recentTokens) this.#recent.delete(this.#recent.values().next().value as string);
    this.#recent.add(fetched.token);
    return fetched.token;
  }

  async #fromFunction(source: () => Promise<AccessTokenResult> | AccessTokenResult): Promise<{ token: string; expiresAt?: number }> {
    let result: AccessTokenResult;
    try {
      result = await source();
    } catch (error) {
      // Its message may quote credentials: only the error's class is reported.
      throw this.#error(`the accessToken function failed (${error instanceof Error ? error.name : typeof error})`);
    }
    if (typeof result === 'string' && result !== '') return { token: result };
    if (typeof result === 'object' && result !== null && typeof result.token === 'string' && result.token !== '') {
      const given = result.expiresAt instanceof Date ? result.expiresAt.getTime() : result.expiresAt;
      // Seconds read as milliseconds would be an expired token, fetched again on every request.
      const expiresAt = typeof given === 'number' && given < latestSeconds && given < this.#now() ? given * 1000 : given;
      if (typeof expiresAt === 'number' && Number.isFinite(expiresAt)) return { token: result.token, expiresAt };
      return { token: result.token };
    }
    throw this.#error('the accessToken function must return a token string or { token, expiresAt }');
  }

  async #fromApplicationDefault(): Promise<{ token: string; expiresAt?: number }> {
    if (this.#auth === undefined) {
      let library: { GoogleAuth: new (options: { scopes: string[] }) => GoogleAuthLike };
      try {
        // A variable specifier: bundlers leave the optional peer alone, and apps that pass
        // accessToken never load it.
        library = (await import(/* @vite-ignore */ authLibrary)) as typeof library;
      } catch {
        throw this.#error(`no access token: pass accessToken to vertex(), or install ${authLibrary} (npm install ${authLibrary}) to use application default credentials`);
      }
      this.#auth = new library.GoogleAuth({ scopes: [scope] });
    }
    try {
      const client = await this.#auth.getClient();
      const { token } = await client.getAccessToken();
      if (typeof token !== 'string' || token === '') throw new Error('empty token');
      const expiry = client.credentials?.expiry_date;
      return typeof expiry === 'number' ? { token, expiresAt: expiry } : { token };
    } catch (error) {
      // A token server's refusal is its own words (error_description), which may quote what it
      // was sent: the refresh token, the client secret. What the library holds is scrubbed out.
      const said = redactSecrets(error instanceof Error ? error.message : String(error), heldSecrets(this.#auth));
      throw this.#error(`application default credentials gave no access token (${said}); set GOOGLE_APPLICATION_CREDENTIALS or pass accessToken`);
    }
  }

  #error(message: string): RouterError {
    return new RouterError(`${this.#providerId}: ${message}`, { code: 'upstream_error', status: 500, providerId: this.#providerId });
  }
}

/** Fields of google-auth-library's objects holding a credential (`refreshToken`, `client_secret`, `private_key`…), not where one is sent. */
const secretField = /secret|refresh_?token|private_?key|password|access_?token|^token$|assertion/i;
const addressField = /ur[il]$|endpoint/i;

/**
 * The credentials held in the fields of `root` (google-auth-library's GoogleAuth: the credentials
 * file it read, its client), as written and as a form body or a URL carries them. The walk is
 * bounded (depth, objects seen); never throws.
 */
function heldSecrets(root: unknown): string[] {
  const found = new Set<string>();
  const seen = new Set<object>();
  const visit = (value: unknown, depth: number) => {
    if (typeof value !== 'object' || value === null || depth > 5 || seen.has(value) || seen.size > 2_000) return;
    seen.add(value);
    let entries: [string, unknown][];
    try {
      entries = Object.entries(value);
    } catch {
      return;
    }
    for (const [name, field] of entries) {
      if (typeof field === 'string') {
        if (field.length >= 8 && secretField.test(name) && !addressField.test(name)) found.add(field);
      } else visit(field, depth + 1);
    }
  };
  visit(root, 0);
  const secrets = new Set<string>();
  for (const secret of found) {
    secrets.add(secret);
    secrets.add(encodeURIComponent(secret));
    secrets.add(new URLSearchParams({ s: secret }).toString().slice(2));
  }
  // Longest first: a secret inside another's encoding goes with it.
  return [...secrets].sort((a, b) => b.length - a.length);
}

/** `text` without `secrets` nor any text shaped like a credential (Bearer, Basic, ya29.…). */
function redactSecrets(text: string, secrets: readonly string[]): string {
  let result = text;
  for (const secret of secrets) if (result.includes(secret)) result = result.split(secret).join('[redacted]');
  return redactCredentialShapes(result);
}

/**
 * A fetch that sends `Authorization: Bearer <token>` from the cache and, when the API answers
 * 401, drops the token and sends the request once more with a fresh one.
 */
export function tokenFetch(tokens: AccessTokens, inner: () => typeof globalThis.fetch): typeof globalThis.fetch {
  return async (input, init) => {
    const send = async (token: string) => {
      const headers = new Headers(init?.headers);
      headers.set('authorization', `Bearer ${token}`);
      return inner()(input, { ...init, headers });
    };
    // No token, nothing sent: not the deployment's health, and not a request its limits count.
    const token = await tokens.get().catch((error: unknown) => {
      throw RouterError.isInstance(error) ? raisedBeforeSending(error) : error;
    });
    const response = await send(token);
    if (response.status !== 401 || !tokens.refreshable) return response;
    tokens.invalidate(token);
    // The refused answer's body is not needed: release the connection.
    void response.body?.cancel().catch(() => undefined);
    return send(await tokens.get());
  };
}
