import type { BodyText } from '../providers/read-body-text.js';

/*
 * What an adapter needs from one HTTP exchange, whichever transport carried it: Node's fetch
 * (or the caller's), or node:http directly. Both transports hand back the same shape, so the
 * adapter's error handling, limits and stream parsing are written once.
 */

/** Response headers by name, as `Headers.get`/`has` read them (case-insensitive). */
export interface HeaderLookup {
  get(name: string): string | null;
  has(name: string): boolean;
}

/** One read of a body: a chunk, or the end. */
export type ByteReadResult = { done: false; value: Uint8Array } | { done: true; value?: Uint8Array | undefined };

/**
 * A body read chunk by chunk, as a `ReadableStreamDefaultReader` reads it: `read()` rejects when
 * the body fails (a reset, an abort), `cancel()` abandons it and closes the connection.
 */
export interface ByteReader {
  read(): Promise<ByteReadResult>;
  cancel(reason?: unknown): Promise<void>;
}

/** An upstream's answer: status and headers received, the body not yet read. */
export interface UpstreamResponse {
  readonly status: number;
  /** A 2xx status. */
  readonly ok: boolean;
  readonly headers: HeaderLookup;
  /**
   * The body as text, up to `maxBytes`: past it the beginning is kept with `truncated` and the
   * rest is abandoned (the connection is closed, not drained). Rejects when the body fails while
   * being read. Read the body once, by `text` or by `reader`.
   */
  text(maxBytes: number): Promise<BodyText>;
  /** The body for reading as it arrives, or null when the answer has none. */
  reader(): ByteReader | null;
}

/** One POST with a JSON body, as an adapter sends it. */
export interface UpstreamRequest {
  url: string;
  /** Header names lowercased. */
  headers: Record<string, string>;
  /** Serialised once by the adapter; sent as it is. */
  body: string;
  signal: AbortSignal | undefined;
}

/**
 * How an adapter reaches its upstream. `native` sends through node:http/node:https with a
 * keep-alive agent, when the runtime has them and `globalThis.fetch` is Node's own; otherwise,
 * and for `fetch`, through `fetch`.
 */
export type TransportName = 'fetch' | 'native';
