import OpenAI from 'openai';
import { body, envNumber, headers, json, median, price, shuffled, startUpstream, streamBody } from './fixtures.js';
import { compared, type BenchRow } from './rows.js';
import { loadSovroute } from './sovroute-build.js';

/*
 * Heap per in-flight request and per open stream, run by bench/run.ts in a process of its own
 * started with --expose-gc (so collections are forced and nothing else of the benchmark is on the
 * heap). Against an upstream that holds every answer (a stream after its role chunk and first
 * token), each contender starts BENCH_INFLIGHT requests (default 1,000); once all are held
 * upstream (and each stream has delivered its first chunk), a forced collection, and the growth of
 * `heapUsed` since before they started, divided by their number, is what each one holds. Then the upstream
 * releases them and they finish. A first round warms up (so every connection pool holds as many
 * idle connections before a measurement as it uses during it); then BENCH_HEAP_ROUNDS rounds
 * (default 2), contenders taking turns in a fresh seeded order each, and the median counts.
 * Sends its rows to the parent over IPC.
 */

const gc = globalThis.gc;
if (!gc) throw new Error('bench/heap.ts needs --expose-gc');
const inFlight = envNumber('BENCH_INFLIGHT', 1000);
const rounds = envNumber('BENCH_HEAP_ROUNDS', 2);

// Node's fetch installs its own dispatcher on its first call: make that call before anything
// else loads that could install another (bench/run.ts says more).
await fetch('http://127.0.0.1:1/').catch(() => undefined);
const { core } = await loadSovroute();
const { baseURL, child: upstream } = await startUpstream('hold');
const ask = (message: 'count' | 'release') =>
  new Promise<{ held?: number }>((resolve) => {
    upstream.once('message', (reply) => resolve(reply as { held?: number }));
    upstream.send(message);
  });

const sdk = new OpenAI({ apiKey: 'sk-bench', baseURL, maxRetries: 0 });
const router = core.createRouter({ providers: [core.openaiCompatible({ id: 'bench', baseURL, apiKey: 'sk-bench', models: [{ id: 'bench-model', price }] })] });

/** A started request: `ready` once it is in flight as far as it gets while held, `done` once it ended. */
interface Launched {
  ready: Promise<unknown>;
  done: Promise<unknown>;
}
interface HeldContender {
  name: string;
  kind: 'request' | 'stream';
  launch: () => Launched;
}

const request = (call: () => Promise<unknown>) => (): Launched => {
  const done = call();
  return { ready: Promise.resolve(), done };
};
/** A stream is ready once its first chunk arrived; then it is held open, and drained on release. */
const stream =
  (open: () => Promise<{ next: () => Promise<{ done?: boolean | undefined }> }>) =>
  (): Launched => {
    let firstChunk!: () => void;
    const ready = new Promise<void>((resolve) => (firstChunk = resolve));
    const done = (async () => {
      const iterator = await open();
      await iterator.next();
      firstChunk();
      while (!(await iterator.next()).done);
    })();
    return { ready: Promise.race([ready, done]), done };
  };

const contenders: HeldContender[] = [
  { name: 'fetch', kind: 'request', launch: request(async () => (await fetch(`${baseURL}/chat/completions`, { method: 'POST', headers, body: json })).json()) },
  { name: 'openai SDK', kind: 'request', launch: request(() => sdk.chat.completions.create(body)) },
  { name: 'sovroute', kind: 'request', launch: request(() => router.chat.completions.create(body)) },
  {
    name: 'fetch',
    kind: 'stream',
    launch: stream(async () => {
      const response = await fetch(`${baseURL}/chat/completions`, { method: 'POST', headers, body: JSON.stringify(streamBody(100)) });
      const reader = response.body!.getReader();
      return { next: () => reader.read() };
    }),
  },
  { name: 'openai SDK', kind: 'stream', launch: stream(async () => (await sdk.chat.completions.create(streamBody(100)))[Symbol.asyncIterator]()) },
  { name: 'sovroute', kind: 'stream', launch: stream(async () => (await router.chat.completions.create(streamBody(100)))[Symbol.asyncIterator]()) },
];

async function collect(): Promise<number> {
  for (let pass = 0; pass < 3; pass++) {
    gc!();
    await new Promise((resolve) => setImmediate(resolve));
  }
  return process.memoryUsage().heapUsed;
}

/** Starts `inFlight` requests, waits until all are held, and returns the heap they hold, per request, in bytes. */
async function heldBytes(contender: HeldContender): Promise<number> {
  const before = await collect();
  const launched = Array.from({ length: inFlight }, contender.launch);
  const deadline = performance.now() + 60_000;
  while (((await ask('count')).held ?? 0) < inFlight) {
    if (performance.now() > deadline) throw new Error(`${contender.name} ${contender.kind}: not all ${inFlight} requests reached the upstream`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  await Promise.all(launched.map(({ ready }) => ready));
  const after = await collect();
  await ask('release');
  await Promise.all(launched.map(({ done }) => done));
  return (after - before) / inFlight;
}

const samples = contenders.map((): number[] => []);
// Round -1 warms up: afterwards each pool holds as many idle connections before a measurement as during it.
for (let round = -1; round < rounds; round++) {
  for (const index of shuffled(contenders.length)) {
    const bytes = await heldBytes(contenders[index]!);
    if (round >= 0) samples[index]!.push(bytes);
  }
}

const kilobytes = samples.map((values) => median(values) / 1024);
const rowFor = (index: number, baselineIndex: number, atMost?: number): BenchRow => {
  const { name, kind } = contenders[index]!;
  const what = kind === 'request' ? 'heap per in-flight request' : 'heap per open stream';
  return compared('memory', `${what}, ${name}`, 'KB', kilobytes[index]!, { label: 'fetch', value: kilobytes[baselineIndex]! }, atMost);
};
const rows: BenchRow[] = [rowFor(1, 0), rowFor(2, 0, 1.2), rowFor(4, 3), rowFor(5, 3)];
process.send!({ rows, inFlight, rounds });
upstream.kill();
process.exit(0);
