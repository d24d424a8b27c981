import { RouterError } from '../errors.js';
import type { ChatCompletionStream } from './chat-completion-stream.js';
import { errorOnAbort } from './error-on-abort.js';

const encoder = new TextEncoder();
const done = encoder.encode('data: [DONE]\n\n');

/**
 * A chat stream as OpenAI-style server-sent events: `data:` lines only (no `event:` field, which
 * SDK 4 would mis-wrap), each followed by a blank line, then `data: [DONE]`. A failure mid-stream
 * becomes one `data: {"error":…}` event and the stream closes without `[DONE]`, so every SDK
 * raises it instead of seeing a short answer. The request's `signal` aborting errors the bytes
 * with its reason, as a fetch body's would: the caller's own abort is not a failure to report.
 */
export function encodeSse(stream: ChatCompletionStream, signal?: AbortSignal): ReadableStream<Uint8Array> {
  const iterator = stream[Symbol.asyncIterator]();
  let stopListening: (() => void) | undefined;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      stopListening = errorOnAbort(controller, signal);
    },
    async pull(controller) {
      try {
        const result = await iterator.next();
        if (result.done) {
          stopListening?.();
          controller.enqueue(done);
          controller.close();
        } else {
          controller.enqueue(encoder.encode(`data: ${JSON.stringify(result.value)}\n\n`));
        }
      } catch (error) {
        stopListening?.();
        // Errored by the abort already: the failure is the caller's own abort, not one to report.
        if (signal?.aborted) return;
        const envelope = RouterError.isInstance(error)
          ? error.toJSON()
          : { error: { message: String(error), type: 'server_error', code: 'upstream_error', param: null } };
        try {
          controller.enqueue(encoder.encode(`data: ${JSON.stringify(envelope)}\n\n`));
          controller.close();
        } catch {
          // The reader has gone (it cancelled); there is nobody left to tell.
        }
      }
    },
    async cancel() {
      stopListening?.();
      await iterator.return?.();
    },
  });
}
