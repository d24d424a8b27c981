import { readBodyText } from '../providers/read-body-text.js';
import type { UpstreamRequest, UpstreamResponse } from './types.js';

/**
 * Sends `request` with `fetch` (the caller's, a wrapper, msw's, or Node's own) and hands back its
 * answer as an {@link UpstreamResponse}. Rejects as `fetch` does.
 */
export async function fetchPost(fetch: typeof globalThis.fetch, request: UpstreamRequest): Promise<UpstreamResponse> {
  const response = await fetch(request.url, {
    method: 'POST',
    headers: request.headers,
    body: request.body,
    signal: request.signal ?? null,
    // The deployment is the host its facts describe: a redirect would send the prompt (and any
    // key header but Authorization) to one no policy judged. Its 3xx fails the attempt, as on
    // the native transport, which never follows one.
    redirect: 'manual',
  });
  return fromFetchResponse(response);
}

/** A fetch `Response` as an {@link UpstreamResponse}. */
export function fromFetchResponse(response: Response): UpstreamResponse {
  return {
    status: response.status,
    ok: response.ok,
    headers: response.headers,
    text: (maxBytes) => readBodyText(response, maxBytes),
    reader: () => response.body?.getReader() ?? null,
  };
}
