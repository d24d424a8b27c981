import { createServer, type ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { createRouter, memoryAudit, openaiCompatible } from '../src/index.js';
import { chunk, closeServer, listenOnLoopback } from './helpers/local-upstream.js';

/*
 * A routed stream as an async iterator, used the ways `for await` does not: calls to `next()`
 * made while one waits, and `throw()`. It must behave as an async generator would.
 */

const jurisdiction = { operator: { name: 'Local SAS', country: 'FR', parents: [] }, hosting: ['FR'] };
const messages = [{ role: 'user' as const, content: 'hi' }];

/** An upstream that sends two chunks at once, then leaves the response to `then` (with the next chunk's text). */
async function streamingUpstream(then: (response: ServerResponse, next: () => string) => void) {
  const server = createServer((request, response: ServerResponse) => {
    request.resume().on('end', () => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      let index = 0;
      const next = () => `data: ${JSON.stringify(chunk('m', { content: `x${index++}` }, null))}\n\n`;
      response.write(next() + next());
      then(response, next);
    });
  });
  const port = await listenOnLoopback(server);
  return { baseURL: `http://127.0.0.1:${port}/v1`, close: () => closeServer(server) };
}

/** An upstream that sends two chunks at once, then one every `everyMs` until the client leaves. */
async function drippingUpstream(everyMs: number) {
  const closedAt: number[] = [];
  const upstream = await streamingUpstream((response, next) => {
    const timer = setInterval(() => response.write(next()), everyMs);
    response.on('close', () => {
      clearInterval(timer);
      closedAt.push(Date.now());
    });
  });
  return { ...upstream, closedAt };
}

/** An upstream that sends two chunks at once, then one more on `send()`, then nothing until the client leaves. */
async function heldUpstream() {
  let send: () => void = () => undefined;
  let closed: () => void = () => undefined;
  const whenClosed = new Promise<void>((resolve) => (closed = resolve));
  const upstream = await streamingUpstream((response, next) => {
    send = () => void response.write(next());
    response.on('close', closed);
  });
  return { ...upstream, send: () => send(), whenClosed };
}

function routerFor(baseURL: string) {
  const audit = memoryAudit();
  const router = createRouter({
    policy: 'eu-hosted',
    // Well within the test's time: a leave that waited on the silent upstream would end with it.
    deadlineMs: 5_000,
    audit: [audit],
    providers: [openaiCompatible({ id: 'local', baseURL, apiKey: 'sk-local', jurisdiction, models: [{ id: 'm', price: { input: 1, output: 1, currency: 'EUR' } }] })],
  });
  return { router, audit };
}

const contentOf = (result: IteratorResult<{ choices: { delta: { content?: string | null } }[] }>) => result.value?.choices[0]?.delta.content;

describe('a routed stream as an iterator', () => {
  it('serves next() calls in the order they were made, even one made when an earlier one settles', async () => {
    const upstream = await drippingUpstream(20);
    try {
      const { router } = routerFor(upstream.baseURL);
      const stream = await router.chat.completions.create({ model: 'auto', messages, stream: true });
      const iterator = stream[Symbol.asyncIterator]();
      expect(contentOf(await iterator.next())).toBe('x0');
      expect(contentOf(await iterator.next())).toBe('x1');
      const served: [string, string | null | undefined][] = [];
      let c: Promise<unknown> | undefined;
      // a waits on the upstream; b is called meanwhile; c is called the moment a settles.
      const a = iterator.next().then((result) => {
        served.push(['a', contentOf(result)]);
        c = iterator.next().then((later) => served.push(['c', contentOf(later)]));
      });
      const b = iterator.next().then((result) => served.push(['b', contentOf(result)]));
      await a;
      await b;
      await c;
      expect(served).toEqual([
        ['a', 'x2'],
        ['b', 'x3'],
        ['c', 'x4'],
      ]);
      await iterator.return!();
    } finally {
      await upstream.close();
    }
  });

  for (const how of ['return', 'throw'] as const) {
    it(`${how}() called as a read settles, with another read queued behind it, closes at once rather than wait on the silent upstream`, async () => {
      const upstream = await heldUpstream();
      try {
        const { router, audit } = routerFor(upstream.baseURL);
        const stream = await router.chat.completions.create({ model: 'auto', messages, stream: true });
        const iterator = stream[Symbol.asyncIterator]();
        await iterator.next();
        await iterator.next();
        let closing: Promise<unknown> | undefined;
        // a waits on the upstream; b is queued behind it; the caller leaves the moment a settles.
        const a = iterator.next().then((result) => {
          closing = how === 'return' ? iterator.return!() : iterator.throw!(new Error('done here')).catch(() => undefined);
          return contentOf(result);
        });
        const b = iterator.next().then(contentOf, (error: { code?: string }) => error.code);
        upstream.send();
        expect(await a).toBe('x2');
        // The upstream sends nothing more: leaving must not wait for it.
        await closing;
        await upstream.whenClosed;
        expect(await b).toBe('aborted');
        await router.flush();
        expect(audit.records.map(({ outcome }) => outcome)).toEqual(['aborted']);
      } finally {
        await upstream.close();
      }
    });
  }

  it("throw() ends the stream as the caller leaving: the upstream is closed, the record says so, the deployment's health is untouched", async () => {
    const upstream = await drippingUpstream(100);
    try {
      const { router, audit } = routerFor(upstream.baseURL);
      const stream = await router.chat.completions.create({ model: 'auto', messages, stream: true });
      const iterator = stream[Symbol.asyncIterator]();
      await iterator.next();
      const mine = new Error('caller gave up');
      await expect(iterator.throw!(mine)).rejects.toBe(mine);
      expect(await iterator.next()).toEqual({ done: true, value: undefined });
      // The upstream's connection is closed at once, not when it finishes on its own.
      for (let waited = 0; upstream.closedAt.length === 0 && waited < 2_000; waited += 10) await new Promise((resolve) => setTimeout(resolve, 10));
      expect(upstream.closedAt).toHaveLength(1);
      await router.flush();
      expect(audit.records.map(({ outcome, error_message }) => [outcome, error_message])).toEqual([
        ['aborted', 'The caller ended the stream with an error after 1 chunk(s): caller gave up.'],
      ]);
      expect(router.health()).toEqual([expect.objectContaining({ provider: 'local', failures: 0, circuit: 'closed' })]);
    } finally {
      await upstream.close();
    }
  });
});

describe('a routed Responses stream as an iterator', () => {
  /**
   * A Responses stream read up to what the held upstream sent, and the next read started (it waits
   * on the upstream): resolves to that read's event type, or its error's code.
   */
  async function readStartingAfterSent(router: ReturnType<typeof routerFor>['router']) {
    const stream = await router.responses.create({ model: 'm', input: 'hi', stream: true });
    const iterator = stream[Symbol.asyncIterator]();
    await readSent(iterator);
    const waiting = iterator.next().then(
      (result) => result.value?.type,
      (error: { code?: string }) => error.code,
    );
    return { stream, iterator, waiting };
  }

  /** Reads the events of the two chunks the held upstream sent at once: a next read would wait on it. */
  async function readSent(iterator: AsyncIterator<{ type: string; delta?: string }>) {
    for (;;) {
      const { value } = await iterator.next();
      if (value?.type === 'response.output_text.delta' && value.delta === 'x1') return;
    }
  }

  it('return() made as a read starts completes nothing: the read ends aborted and no cut-short answer is kept', async () => {
    const upstream = await heldUpstream();
    try {
      const { router, audit } = routerFor(upstream.baseURL);
      const { stream, iterator, waiting } = await readStartingAfterSent(router);
      // Called together: the read has not reached the chat stream yet when the caller leaves.
      await iterator.return!();
      expect(await waiting).toBe('aborted');
      await upstream.whenClosed;
      await router.flush();
      expect(audit.records.map(({ outcome, error_message }) => [outcome, error_message])).toEqual([['aborted', 'The caller closed the stream after 2 chunk(s).']]);
      await expect(router.responses.create({ model: 'm', input: 'and then?', previous_response_id: stream.responseId })).rejects.toMatchObject({
        param: 'previous_response_id',
        message: expect.stringMatching(/not found/),
      });
    } finally {
      await upstream.close();
    }
  });

  it('throw() made as a read starts closes the silent upstream at once, hands the error back and completes nothing; the record says the caller ended it', async () => {
    const upstream = await heldUpstream();
    try {
      const { router, audit } = routerFor(upstream.baseURL);
      const { stream, iterator, waiting } = await readStartingAfterSent(router);
      // Called together: the read has not reached the chat stream yet when the caller throws.
      const mine = new Error('caller gave up');
      await expect(iterator.throw!(mine)).rejects.toBe(mine);
      await upstream.whenClosed;
      expect(await waiting).toBe('aborted');
      await router.flush();
      expect(audit.records.map(({ outcome, error_message }) => [outcome, error_message])).toEqual([
        ['aborted', 'The caller ended the stream with an error after 2 chunk(s): caller gave up.'],
      ]);
      // Nothing was completed: no cut-short answer is kept to be continued.
      await expect(router.responses.create({ model: 'm', input: 'and then?', previous_response_id: stream.responseId })).rejects.toMatchObject({
        param: 'previous_response_id',
        message: expect.stringMatching(/not found/),
      });
    } finally {
      await upstream.close();
    }
  });
});
