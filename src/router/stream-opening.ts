import { RouterError } from '../errors.js';
import { hasSubstance } from '../streaming/chunk-substance.js';
import type { TokenUsage, UpstreamChatCompletionChunk } from '../wire/chat-response.js';

/** What a stream's attempt read before it commits: the caller's first chunks, and usage seen on the way. */
export interface StreamOpening {
  /**
   * The chunks read while the attempt could still fall back, in the order the upstream sent
   * them: from the first chunk with choices (the caller's first) to the first chunk of substance,
   * with anything between (role-only chunks, chunks without choices).
   */
  read: [UpstreamChatCompletionChunk, ...UpstreamChatCompletionChunk[]];
  /** Usage reported on the chunks without choices that came before the first chunk with choices. */
  usage: TokenUsage | undefined;
}

/**
 * Reads a stream up to its first chunk of substance, inside the attempt: until then nothing of
 * the answer exists, so a failure (an error event, a reset, the per-attempt timeout, an end)
 * falls back like a failure before the first chunk. Chunks without choices before the first
 * with choices (Azure's prompt-filter results) reach no one, but their usage is kept; chunks
 * carrying only the role are held, to reach the caller ahead of the substance once committed.
 */
export async function readOpening(iterator: AsyncIterator<UpstreamChatCompletionChunk>, providerId: string): Promise<StreamOpening> {
  let usage: TokenUsage | undefined;
  let held: UpstreamChatCompletionChunk[] | undefined;
  for (;;) {
    const next = await iterator.next();
    if (next.done) throw endedEarly(providerId, held !== undefined);
    const chunk = next.value;
    if (held !== undefined) {
      // Everything after the first chunk with choices goes to the relay as it came, usage-only
      // chunks included: their usage then counts in the order the upstream sent it.
      held.push(chunk);
      if (hasSubstance(chunk)) return { read: held as StreamOpening['read'], usage };
    } else if (chunk.choices.length > 0) {
      if (hasSubstance(chunk)) return { read: [chunk], usage };
      held = [chunk];
    } else if (chunk.usage) usage = chunk.usage;
  }
}

function endedEarly(providerId: string, afterRole: boolean): RouterError {
  const message = afterRole
    ? `provider ${providerId} ended the stream before any content: its chunks so far carried only the role`
    : `provider ${providerId} ended the stream before its first chunk with choices`;
  return new RouterError(message, { code: 'upstream_error', providerId, isRetryable: true });
}
