import { crc32 } from '../../src/providers/bedrock/crc32.js';

/*
 * Builds `application/vnd.amazon.eventstream` frames as Bedrock sends them: string headers and a
 * JSON payload, with real prelude and message CRCs. The decoder under test shares only the CRC
 * function, which its own test checks against the standard check value.
 */

const encoder = new TextEncoder();

/** One frame with string-valued headers (type 7) and a payload. */
export function frame(headers: Record<string, string>, payload: string | Uint8Array): Uint8Array {
  const headerBytes: number[] = [];
  for (const [name, value] of Object.entries(headers)) {
    const nameBytes = encoder.encode(name);
    const valueBytes = encoder.encode(value);
    headerBytes.push(nameBytes.length, ...nameBytes, 7, valueBytes.length >> 8, valueBytes.length & 0xff, ...valueBytes);
  }
  const body = typeof payload === 'string' ? encoder.encode(payload) : payload;
  const total = 12 + headerBytes.length + body.length + 4;
  const bytes = new Uint8Array(total);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, total);
  view.setUint32(4, headerBytes.length);
  view.setUint32(8, crc32(bytes, 0, 8));
  bytes.set(headerBytes, 12);
  bytes.set(body, 12 + headerBytes.length);
  view.setUint32(total - 4, crc32(bytes, 0, total - 4));
  return bytes;
}

/** A ConverseStream event frame: `:event-type` names it, the payload is its JSON (with AWS's `p` padding). */
export function eventFrame(eventType: string, payload: Record<string, unknown>): Uint8Array {
  return frame({ ':event-type': eventType, ':content-type': 'application/json', ':message-type': 'event' }, JSON.stringify({ ...payload, p: 'abcdefgh' }));
}

/** An in-stream exception frame, e.g. `throttlingException`. */
export function exceptionFrame(exceptionType: string, message: string): Uint8Array {
  return frame({ ':exception-type': exceptionType, ':content-type': 'application/json', ':message-type': 'exception' }, JSON.stringify({ message }));
}

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const result = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    result.set(part, offset);
    offset += part.length;
  }
  return result;
}

/** A streamed Converse answer with text, then one tool call, as Bedrock frames it. */
export function toolCallStream(): Uint8Array[] {
  return [
    eventFrame('messageStart', { role: 'assistant' }),
    eventFrame('contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'Let me check.' } }),
    eventFrame('contentBlockStop', { contentBlockIndex: 0 }),
    eventFrame('contentBlockStart', { contentBlockIndex: 1, start: { toolUse: { toolUseId: 'tooluse_abc123', name: 'get_weather' } } }),
    eventFrame('contentBlockDelta', { contentBlockIndex: 1, delta: { toolUse: { input: '{"city":' } } }),
    eventFrame('contentBlockDelta', { contentBlockIndex: 1, delta: { toolUse: { input: '"Berlin"}' } } }),
    eventFrame('contentBlockStop', { contentBlockIndex: 1 }),
    eventFrame('messageStop', { stopReason: 'tool_use' }),
    eventFrame('metadata', { usage: { inputTokens: 1000, outputTokens: 200, totalTokens: 1300, cacheReadInputTokens: 100 }, metrics: { latencyMs: 420 } }),
  ];
}
