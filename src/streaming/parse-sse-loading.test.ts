import { describe, expect, test, vi } from 'vitest';
import { RouterError } from '../errors.js';
import { sseBody, sseEvents } from '../../test/helpers/msw.js';
import { parseJsonEventStream } from './parse-sse.js';

/*
 * eventsource-parser loads when the first stream starts. Here its import waits until the test
 * lets it finish, as a slow one (a chunk fetched over the network, a cold disk) does.
 */

const loading = vi.hoisted(() => {
  let finish!: () => void;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  return { finished, finish };
});

vi.mock('eventsource-parser', async (importOriginal) => {
  await loading.finished;
  return importOriginal();
});

describe('a stream whose parser is still loading', () => {
  test('is aborted at once by its signal, without waiting for the import', async () => {
    const controller = new AbortController();
    const stream = parseJsonEventStream(sseBody([sseEvents({ n: 1 }), 'data: [DONE]\n\n']), { providerId: 'acme', signal: controller.signal });
    const next = stream.next().then(
      () => undefined,
      (error: unknown) => error,
    );
    // The body's bytes are read; the stream now waits for the parser.
    await new Promise((resolve) => setImmediate(resolve));
    controller.abort();
    const error = await next;
    expect(RouterError.isInstance(error) && error.code).toBe('aborted');

    // Once loaded, the next stream parses as usual.
    loading.finish();
    const values: unknown[] = [];
    for await (const value of parseJsonEventStream(sseBody([sseEvents({ n: 2 }), 'data: [DONE]\n\n']), { providerId: 'acme' })) values.push(value);
    expect(values).toEqual([{ n: 2 }]);
  });
});
