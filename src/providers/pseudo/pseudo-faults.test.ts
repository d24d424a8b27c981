import { afterEach, describe, expect, it, vi } from 'vitest';
import { RouterError } from '../../errors.js';
import { chatRequestSchema, type SimulateOptions } from '../../wire/chat-request.js';
import type { UpstreamChatCompletionChunk } from '../../wire/chat-response.js';
import { pseudoChat, pseudoChatStream } from './pseudo-llm.js';

function request(simulate?: SimulateOptions) {
  return chatRequestSchema.parse({ model: 'm', messages: [{ role: 'user', content: 'Hello' }], ...(simulate && { simulate }) });
}

async function collect(chunks: AsyncIterable<UpstreamChatCompletionChunk>): Promise<UpstreamChatCompletionChunk[]> {
  const collected: UpstreamChatCompletionChunk[] = [];
  for await (const chunk of chunks) collected.push(chunk);
  return collected;
}

/** Runs `promise` to settlement, returning its rejection (or undefined on success). */
async function failure(promise: Promise<unknown>): Promise<RouterError | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    if (!RouterError.isInstance(error)) throw error;
    return error;
  }
}

afterEach(() => {
  vi.useRealTimers();
});

describe('simulated faults', () => {
  const expected = {
    rate_limit: { code: 'rate_limited', status: 429, upstreamStatus: 429, type: 'rate_limit_error', isRetryable: true, headers: { 'retry-after': '1' } },
    server_error: { code: 'upstream_error', status: 502, upstreamStatus: 500, isRetryable: true },
    timeout: { code: 'timeout', status: 504, isRetryable: true },
    // Without a stream to cut, a cut is a server error.
    stream_cut: { code: 'upstream_error', status: 502, upstreamStatus: 500, isRetryable: true },
  } as const;

  for (const [fault, fields] of Object.entries(expected)) {
    it(`rejects a call with ${fault}`, async () => {
      const error = await failure(pseudoChat(request({ fault: fault as keyof typeof expected }), { model: 'x', attempt: 0 }));
      expect(error).toMatchObject(fields);
      expect(error?.message).toContain(`simulate.fault "${fault}"`);
    });
  }

  for (const fault of ['rate_limit', 'server_error', 'timeout'] as const) {
    it(`rejects a stream with ${fault} before any chunk`, async () => {
      const error = await failure(pseudoChatStream(request({ fault }), { model: 'x', attempt: 0 }));
      expect(error).toMatchObject(expected[fault]);
    });
  }

  it('sends the configured Retry-After', async () => {
    const error = await failure(pseudoChat(request({ fault: 'rate_limit', retry_after_s: 7 }), { model: 'x', attempt: 0 }));
    expect(error?.headers).toEqual({ 'retry-after': '7' });
  });

  it('sends a Retry-After a client can read whatever retry_after_s is: whole seconds, with the exact wait in retry-after-ms', async () => {
    const headers = async (seconds: number) => (await failure(pseudoChat(request({ fault: 'rate_limit', retry_after_s: seconds }), { model: 'x', attempt: 0 })))?.headers;
    expect(await headers(0.25)).toEqual({ 'retry-after': '1', 'retry-after-ms': '250' });
    expect(await headers(1.5)).toEqual({ 'retry-after': '2', 'retry-after-ms': '1500' });
    // Never an exponent: RFC 9110 delay-seconds are digits.
    expect((await headers(1e300))?.['retry-after']).toMatch(/^\d+$/);
  });

  it('injects the fault on the first `times` attempts only, then answers as without it', async () => {
    const plain = await pseudoChat(request(), { model: 'x', attempt: 0 });
    const faulty = request({ fault: 'server_error', times: 2 });
    expect(await failure(pseudoChat(faulty, { model: 'x', attempt: 0 }))).toBeDefined();
    expect(await failure(pseudoChat(faulty, { model: 'x', attempt: 1 }))).toBeDefined();
    expect(await pseudoChat(faulty, { model: 'x', attempt: 2 })).toEqual(plain);
    expect(await collect(await pseudoChatStream(request({ fault: 'stream_cut', times: 1 }), { model: 'x', attempt: 1 }))).toEqual(
      await collect(await pseudoChatStream(request(), { model: 'x', attempt: 0 })),
    );
  });

  it('cuts a stream after cut_after_chunks chunks, which match the uncut stream', async () => {
    const whole = await collect(await pseudoChatStream(request(), { model: 'x', attempt: 0 }));
    for (const [cut, delivered] of [[undefined, 2], [0, 0], [5, 5]] as const) {
      const simulate: SimulateOptions = { fault: 'stream_cut', ...(cut !== undefined && { cut_after_chunks: cut }) };
      const received: UpstreamChatCompletionChunk[] = [];
      const error = await failure(
        (async () => {
          for await (const chunk of await pseudoChatStream(request(simulate), { model: 'x', attempt: 0 })) received.push(chunk);
        })(),
      );
      expect(error).toMatchObject({ code: 'upstream_error', status: 502, isRetryable: true });
      expect(error?.message).toContain(`cut after ${delivered} chunks`);
      expect(received).toEqual(whole.slice(0, delivered));
    }
  });
});

describe('simulated latency and aborts', () => {
  it('answers without any timer when no latency is asked for', async () => {
    vi.useFakeTimers();
    await pseudoChat(request(), { model: 'x', attempt: 0 });
    await collect(await pseudoChatStream(request(), { model: 'x', attempt: 0 }));
    expect(vi.getTimerCount()).toBe(0);
  });

  it('waits latency_ms before answering, and before raising a fault', async () => {
    vi.useFakeTimers();
    const settled = vi.fn();
    void pseudoChat(request({ latency_ms: 1000 }), { model: 'x', attempt: 0 }).then(settled);
    const timeout = failure(pseudoChatStream(request({ latency_ms: 500, fault: 'timeout' }), { model: 'x', attempt: 0 })).then(settled);
    await vi.advanceTimersByTimeAsync(499);
    expect(settled).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    await timeout;
    expect(settled).toHaveBeenLastCalledWith(expect.objectContaining({ code: 'timeout' }));
    await vi.advanceTimersByTimeAsync(499);
    expect(settled).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(settled).toHaveBeenLastCalledWith(expect.objectContaining({ object: 'chat.completion' }));
  });

  it('waits chunk_delay_ms between chunks, not before the first nor between the role and the first token', async () => {
    vi.useFakeTimers();
    const iterator = (await pseudoChatStream(request({ chunk_delay_ms: 100 }), { model: 'x', attempt: 0 }))[Symbol.asyncIterator]();
    expect((await iterator.next()).value?.choices[0]?.delta).toEqual({ role: 'assistant', content: '' });
    expect((await iterator.next()).value?.choices[0]?.delta.content).toBeTruthy();
    const third = vi.fn();
    void iterator.next().then(third);
    await vi.advanceTimersByTimeAsync(99);
    expect(third).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(third).toHaveBeenCalledWith(expect.objectContaining({ done: false }));
  });

  it('rejects promptly with the abort reason as cause when aborted during latency', async () => {
    const controller = new AbortController();
    const started = Date.now();
    const pending = failure(pseudoChat(request({ latency_ms: 60_000 }), { model: 'x', attempt: 0, signal: controller.signal }));
    const reason = new Error('user left');
    controller.abort(reason);
    const error = await pending;
    expect(error).toMatchObject({ code: 'aborted', name: 'AbortedError', message: 'The request was aborted.' });
    expect(error?.cause).toBe(reason);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('throws from the stream when aborted during a chunk delay, or before the next chunk', async () => {
    const controller = new AbortController();
    const paced = (await pseudoChatStream(request({ chunk_delay_ms: 60_000 }), { model: 'x', attempt: 0, signal: controller.signal }))[Symbol.asyncIterator]();
    await paced.next(); // the role
    await paced.next(); // the first token, with it
    const pending = failure(paced.next());
    controller.abort();
    expect(await pending).toMatchObject({ code: 'aborted' });

    const unpaced = new AbortController();
    const iterator = (await pseudoChatStream(request(), { model: 'x', attempt: 0, signal: unpaced.signal }))[Symbol.asyncIterator]();
    await iterator.next();
    unpaced.abort();
    expect(await failure(iterator.next())).toMatchObject({ code: 'aborted' });
  });

  it('rejects at once when the signal has already aborted', async () => {
    const signal = AbortSignal.abort();
    expect(await failure(pseudoChat(request(), { model: 'x', attempt: 0, signal }))).toMatchObject({ code: 'aborted' });
    expect(await failure(pseudoChatStream(request(), { model: 'x', attempt: 0, signal }))).toMatchObject({ code: 'aborted' });
  });
});
