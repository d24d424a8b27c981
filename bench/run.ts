import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import OpenAI from 'openai';
import { build } from 'tsup';

/*
 * `npm run bench`: the routed call against what it replaces, on one loopback upstream running in
 * a child process (bench/upstream.ts). Contenders run interleaved in the same loop, in a
 * fresh seeded order each round, so machine noise and warm caches favour none of them:
 *
 *   (a) bare fetch + res.json()            (a') the same again: the A/A noise control
 *   (a+) bare fetch with a per-call AbortController and timer: the floor of any call that can
 *        time out on Node's fetch
 *   (b) the openai SDK v6 calling the upstream directly
 *   (c) sovroute router.chat.completions.create via openaiCompatible
 *   streams of N chunks: (d) SDK for-await, (e) sovroute for-await, (f) bare fetch draining bytes
 *
 * DESIGN §9 targets: (c) ≤ 0.7 × (b), (c) − (a) ≤ ~25 µs, (e) ≤ 0.5 × (d). Bounded: about 30 s.
 *
 * sovroute is measured as it ships: src/ is bundled first like the package build (tsx's own
 * transform keeps function names, which costs a defineProperty per closure and skews results).
 */

const outDir = fileURLToPath(new URL('../node_modules/.cache/sovroute-bench', import.meta.url));
await build({ entry: { index: 'src/index.ts', 'redis/index': 'src/redis/index.ts' }, format: ['esm'], target: 'node20', outDir, dts: false, sourcemap: false, splitting: false, silent: true, config: false });
const { createRouter, openaiCompatible } = (await import(`${outDir}/index.js`)) as typeof import('../src/index.js');
const { redisStore } = (await import(`${outDir}/redis/index.js`)) as typeof import('../src/redis/index.js');

const chunks = Number(process.env.BENCH_CHUNKS ?? 100);
const calls = Number(process.env.BENCH_CALLS ?? 3000);
const streams = Number(process.env.BENCH_STREAMS ?? 400);
const budgetMs = 50_000;

const upstream = spawn(process.execPath, ['--import', 'tsx', new URL('./upstream.ts', import.meta.url).pathname, String(chunks)], {
  stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
});
const [firstLine] = (await once(upstream.stdout!, 'data')) as [Buffer];
const baseURL = `http://127.0.0.1:${firstLine.toString().trim()}/v1`;

const body = {
  model: 'bench-model',
  messages: [
    { role: 'system' as const, content: 'You are a careful assistant for a data-protection team.' },
    { role: 'user' as const, content: 'Summarise the data-processing agreement in one sentence.' },
    { role: 'assistant' as const, content: 'It covers customer data processed in the EU.' },
    { role: 'user' as const, content: 'And its duration?' },
  ],
};
const json = JSON.stringify(body);
const streamJson = JSON.stringify({ ...body, stream: true });
const headers = { 'content-type': 'application/json', authorization: 'Bearer sk-bench' };

const sdk = new OpenAI({ apiKey: 'sk-bench', baseURL, maxRetries: 0 });
const router = createRouter({
  providers: [
    openaiCompatible({ id: 'bench', baseURL, apiKey: 'sk-bench', models: [{ id: 'bench-model', price: { input: 0.1, output: 0.3, currency: 'EUR' } }] }),
  ],
});
const overheads: number[] = [];

// The same router with OpenTelemetry on, as production would run it: the SDK's batch span
// processor (with an exporter that drops spans) and a meter provider.
const { BasicTracerProvider, BatchSpanProcessor } = await import('@opentelemetry/sdk-trace-base');
const { MeterProvider } = await import('@opentelemetry/sdk-metrics');
const droppingExporter = { export: (_spans: unknown, done: (result: { code: number }) => void) => done({ code: 0 }), shutdown: async () => undefined };
const traced = createRouter({
  providers: [
    openaiCompatible({ id: 'bench', baseURL, apiKey: 'sk-bench', models: [{ id: 'bench-model', price: { input: 0.1, output: 0.3, currency: 'EUR' } }] }),
  ],
  telemetry: {
    tracer: new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(droppingExporter)] }).getTracer('bench'),
    meter: new MeterProvider().getMeter('bench'),
  },
});

// The same router with its state in Redis (REDIS_URL, default 127.0.0.1:6379), and with a key
// whose budget is reserved and settled there: the one call that waits on a Redis round trip.
const benchProvider = () =>
  openaiCompatible({ id: 'bench', baseURL, apiKey: 'sk-bench', models: [{ id: 'bench-model', price: { input: 0.1, output: 0.3, currency: 'EUR' } }] });
const store = redisStore({ url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', prefix: `sovroute-bench-${process.pid}:` });
const shared = createRouter({
  providers: [benchProvider()],
  store,
  keys: { 'sk-plain': { label: 'plain' }, 'sk-budget': { label: 'budget', budget: { limit: 1e9, period: 'total' } } },
});
await store.ready();

type Contender = [name: string, run: () => Promise<unknown>];

const plain: Contender[] = [
  ['(a) fetch + json', async () => (await fetch(`${baseURL}/chat/completions`, { method: 'POST', headers, body: json })).json()],
  ["(a') fetch + json", async () => (await fetch(`${baseURL}/chat/completions`, { method: 'POST', headers, body: json })).json()],
  [
    '(a+) fetch + signal/timer',
    async () => {
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), 60_000);
      const response = await fetch(`${baseURL}/chat/completions`, { method: 'POST', headers, body: json, signal: controller.signal });
      await response.json();
      clearTimeout(timer);
    },
  ],
  ['(b) openai SDK', () => sdk.chat.completions.create(body)],
  [
    '(c) sovroute',
    async () => {
      const response = await router.chat.completions.create(body);
      overheads.push(response.route.overhead_ms ?? Number.NaN);
    },
  ],
  ['(c+) sovroute, telemetry', () => traced.chat.completions.create(body)],
  ['(cr) sovroute, Redis store', () => shared.chat.completions.create(body, { apiKey: 'sk-plain' })],
  ['(cb) Redis store + budget', () => shared.chat.completions.create(body, { apiKey: 'sk-budget' })],
];

const streamed: Contender[] = [
  [
    '(d) SDK stream',
    async () => {
      for await (const _chunk of await sdk.chat.completions.create({ ...body, stream: true }));
    },
  ],
  [
    '(e) sovroute stream',
    async () => {
      for await (const _chunk of await router.chat.completions.create({ ...body, stream: true }));
    },
  ],
  [
    '(f) fetch stream bytes',
    async () => {
      const reader = (await fetch(`${baseURL}/chat/completions`, { method: 'POST', headers, body: streamJson })).body!.getReader();
      while (!(await reader.read()).done);
    },
  ],
];

/** A seeded shuffle, so that no contender always runs right after another (a warm-cache bias). */
let seed = 42;
function shuffled(count: number): number[] {
  const order = Array.from({ length: count }, (_, index) => index);
  for (let index = count - 1; index > 0; index--) {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    const other = seed % (index + 1);
    [order[index], order[other]] = [order[other]!, order[index]!];
  }
  return order;
}

/** Runs every contender `iterations` times, interleaved in a fresh order each time; returns each one's samples in µs. */
async function measure(contenders: Contender[], iterations: number, warmup: number, deadline: number): Promise<number[][]> {
  const samples = contenders.map((): number[] => []);
  for (let iteration = 0; iteration < warmup + iterations && performance.now() < deadline; iteration++) {
    for (const index of shuffled(contenders.length)) {
      const started = performance.now();
      await contenders[index]![1]();
      if (iteration >= warmup) samples[index]!.push((performance.now() - started) * 1000);
    }
  }
  return samples;
}

const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};
const pairedMedian = (a: readonly number[], b: readonly number[]) => median(a.slice(0, b.length).map((value, index) => value - b[index]!));
const us = (value: number) => `${value.toFixed(1).padStart(9)} µs`;

const started = performance.now();
const plainSamples = await measure(plain, calls, 300, started + budgetMs * 0.6);
const streamSamples = await measure(streamed, streams, 40, started + budgetMs);
upstream.kill();
await store.close();

console.log(`node ${process.version}, loopback upstream in a child process, ${chunks}-chunk streams`);
console.log(`\nnon-streaming (${plainSamples[0]!.length} interleaved calls each), median per call:`);
plain.forEach(([name], index) => console.log(`  ${name.padEnd(24)} ${us(median(plainSamples[index]!))}`));
console.log(`\nstreaming (${streamSamples[0]!.length} interleaved streams each), median per stream:`);
streamed.forEach(([name], index) => console.log(`  ${name.padEnd(24)} ${us(median(streamSamples[index]!))}`));

const [fetchA, fetchB, fetchSignal, sdkCalls, routed, routedTraced] = plainSamples as [number[], number[], number[], number[], number[], number[]];
const [sdkStreams, routedStreams] = streamSamples as [number[], number[]];
console.log('\nagainst DESIGN §9:');
console.log(`  A/A control, fetch − fetch (paired median)   ${us(pairedMedian(fetchB, fetchA))}   (noise floor; should be within ±5 µs)`);
console.log(`  router − fetch (paired median)               ${us(pairedMedian(routed, fetchA))}   target ≤ ~25 µs`);
console.log(`    of which a per-call signal + timer on fetch  ${us(pairedMedian(fetchSignal, fetchA))}   (the floor of any call that can time out)`);
console.log(`  router / SDK                                  ${(median(routed) / median(sdkCalls)).toFixed(2).padStart(9)} ×    target ≤ 0.70`);
console.log(`  router stream / SDK stream                    ${(median(routedStreams) / median(sdkStreams)).toFixed(2).padStart(9)} ×    target ≤ 0.50`);
console.log(`  telemetry on − off (paired median)           ${us(pairedMedian(routedTraced, routed))}   (spans + metrics per call, batch span processor)`);
console.log(`  Redis store − memory store (paired median)   ${us(pairedMedian(plainSamples[6]!, routed))}   (no budget or limit: no Redis round trip on the call)`);
console.log(`  Redis budget − Redis store (paired median)   ${us(pairedMedian(plainSamples[7]!, plainSamples[6]!))}   (one reservation script before the call)`);
console.log(`  router's self-reported overhead (route.overhead_ms), median ${us(median(overheads) * 1000)}`);
console.log(`\n(stream rows include reading every chunk; (f) is the raw byte floor)`);
console.log(`\ndone in ${((performance.now() - started) / 1000).toFixed(1)} s`);
