import type { UpstreamResponse } from '../transport/types.js';

/** A body read as text, up to a size. */
export interface BodyText {
  text: string;
  /** The body was longer than the limit; `text` holds its beginning. */
  truncated: boolean;
}

/**
 * Reads a body incrementally, stopping at `maxBytes`: past it, the beginning is kept with
 * `truncated` and the rest is cancelled (the connection is released, not drained). Rejects only
 * when the body fails while being read.
 */
export async function readBodyText(response: Response, maxBytes: number): Promise<BodyText> {
  const body = response.body;
  if (body === null) return { text: '', truncated: false };
  // A declared length within the limit is held to by fetch (a longer body fails): read it whole.
  // Not for a compressed body, whose declared length is the compressed one.
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (Number.isInteger(declared) && declared <= maxBytes && !response.headers.has('content-encoding')) return { text: await response.text(), truncated: false };
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  let received = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return { text: text + decoder.decode(), truncated: false };
    received += value.byteLength;
    if (received > maxBytes) {
      const keep = value.byteLength - (received - maxBytes);
      text += decoder.decode(value.subarray(0, Math.max(0, keep)));
      reader.cancel().catch(() => undefined);
      return { text, truncated: true };
    }
    text += decoder.decode(value, { stream: true });
  }
}


/** {@link readBodyText} for a fetch `Response` or a transport's {@link UpstreamResponse}. */
export function readResponseText(response: Response | UpstreamResponse, maxBytes: number): Promise<BodyText> {
  return isUpstreamResponse(response) ? response.text(maxBytes) : readBodyText(response, maxBytes);
}

function isUpstreamResponse(response: Response | UpstreamResponse): response is UpstreamResponse {
  return typeof (response as UpstreamResponse).reader === 'function';
}
