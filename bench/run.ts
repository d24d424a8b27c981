import { fork } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import OpenAI from 'openai';
import { body, envNumber, headers, json, median, price, shuffled, startUpstream, streamBody } from './fixtures.js';
import { optionalRows } from './optional-rows.js';
import { compared, comparedAtLeast, formatAcceptance, formatRow, type BenchResults, type BenchRow } from './rows.js';
import { buildSovroute, loadSovroute } from './sovroute-build.js';
import { measureThroughput, type LoadContender } from './throughput.js';

/*
 * `npm run bench`: the routed call against what it replaces, on one loopback upstream running in
 * a child process (bench/upstream.ts), every line a ratio against a baseline measured in the same
 * run. What each part measures, how, and against what: docs/performance.md.
 *
 *   1. latency: one call at a time, contenders interleaved in a fresh seeded order each round
 *      (bare fetch, twice as an A/A noise control, with a per-call signal and timer, undici.request,
 *      the openai SDK v6, sovroute plain, with telemetry, with a JSONL audit file, with a Redis
 *      store, with a Redis budget); streams of 100 and 500 chunks (SDK, sovroute, fetch and
 *      undici draining bytes).
 *   2. throughput: 64 and 256 concurrent callers, req/s, p99 and client CPU per call.
 *   3. memory: heap per in-flight request and per open stream (bench/heap.ts, its own process).
 *   4. bench/scale.ts `scaleBenchRows()` (its own process) and bench/bundle-size.ts `bundleRows()`,
 *      when present.
 *   5. acceptance: every row with a target, PASS or FAIL.
 *
 * Scale it down with BENCH_QUICK=1 (about a fifth of everything) or the variables below;
 * `--json[=path]` or BENCH_JSON=path writes every row as JSON (bench/readme-table.ts renders it).
 */

const quick = process.env.BENCH_QUICK === '1';
const scale = quick ? 0.2 : 1;
const calls = envNumber('BENCH_CALLS', 3000 * scale);
const streams = envNumber('BENCH_STREAMS', 400 * scale);
const chunkCounts = (process.env.BENCH_CHUNKS ?? '100,500').split(',').map(Number).filter((count) => count >= 2);
const concurrencies = (process.env.BENCH_CONCURRENCY ?? '64,256').split(',').map(Number).filter((count) => count >= 1);
const windowMs = envNumber('BENCH_THROUGHPUT_MS', 1000 * scale);
const throughputRounds = envNumber('BENCH_THROUGHPUT_ROUNDS', quick ? 1 : 3);
const jsonArgument = process.argv.find((argument) => argument === '--json' || argument.startsWith('--json='));
const jsonPath = jsonArgument ? jsonArgument.slice('--json='.length) || 'bench-results.json' : process.env.BENCH_JSON;

const started = performance.now();
const startLoad = loadavg()[0]!;
await buildSovroute();
const { baseURL, child: upstream } = await startUpstream();
const url = `${baseURL}/chat/completions`;

// Node's fetch installs its own dispatcher on first use; loading the undici package before that
// would install undici's as Node's global one, and fetch (with the SDK on it) would no longer be
// measured as Node ships it. So: one fetch before anything else loads, and undici.request on an
// Agent of its own.
await (await fetch(url, { method: 'POST', headers, body: json })).json();
const { core, redis, node } = await loadSovroute();
const undici = await import('undici');
const undiciAgent = new undici.Agent();
if ((globalThis as Record<symbol, unknown>)[Symbol.for('undici.globalDispatcher.1')] instanceof undici.Agent) {
  console.log("note: Node's fetch runs on the undici package's dispatcher here, not its own");
}
const undiciRequest = (target: string, options: { method: 'POST'; headers: Record<string, string>; body: string }) =>
  undici.request(target, { ...options, dispatcher: undiciAgent });

const provider = () => core.openaiCompatible({ id: 'bench', baseURL, apiKey: 'sk-bench', models: [{ id: 'bench-model', price }] });
const sdk = new OpenAI({ apiKey: 'sk-bench', baseURL, maxRetries: 0 });
const router = core.createRouter({ providers: [provider()] });
const overheads: number[] = [];

// The same router with OpenTelemetry on, as production would run it: the SDK's batch span
// processor (with an exporter that drops spans) and a meter provider.
const { BasicTracerProvider, BatchSpanProcessor } = await import('@opentelemetry/sdk-trace-base');
const { MeterProvider } = await import('@opentelemetry/sdk-metrics');
const droppingExporter = { export: (_spans: unknown, done: (result: { code: number }) => void) => done({ code: 0 }), shutdown: async () => undefined };
const traced = core.createRouter({
  providers: [provider()],
  telemetry: {
    tracer: new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(droppingExporter)] }).getTracer('bench'),
    meter: new MeterProvider().getMeter('bench'),
  },
});

// The same router writing its tamper-evident audit trail to a JSONL file (deferred hashing and
// appends: they cost CPU and throughput rather than the call's latency).
const auditDirectory = mkdtempSync(join(tmpdir(), 'sovroute-bench-'));
const audited = core.createRouter({ providers: [provider()], audit: [node.jsonlAudit(join(auditDirectory, 'audit.jsonl'))] });

// The same router with its state in Redis (REDIS_URL, default 127.0.0.1:6379), and with a key
// whose budget is reserved and settled there: the one call that waits on a Redis round trip.
const store = redis.redisStore({ url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', prefix: `sovroute-bench-${process.pid}:` });
const shared = core.createRouter({
  providers: [provider()],
  store,
  keys: { 'sk-plain': { label: 'plain' }, 'sk-budget': { label: 'budget', budget: { limit: 1e9, period: 'total' } } },
});
await store.ready();

type Contender = [name: string, run: () => Promise<unknown>];

const callFetch = async () => (await fetch(url, { method: 'POST', headers, body: json })).json();
const callUndici = async () => (await undiciRequest(url, { method: 'POST', headers, body: json })).body.json();
const plain: Contender[] = [
  ['fetch + json', callFetch],
  ["fetch + json (A/A)", callFetch],
  [
    'fetch + signal/timer',
    async () => {
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), 60_000);
      const response = await fetch(url, { method: 'POST', headers, body: json, signal: controller.signal });
      await response.json();
      clearTimeout(timer);
    },
  ],
  ['undici.request + json', callUndici],
  ['openai SDK', () => sdk.chat.completions.create(body)],
  [
    'sovroute',
    async () => {
      const response = await router.chat.completions.create(body);
      overheads.push(response.route.overhead_ms ?? Number.NaN);
    },
  ],
  ['sovroute, telemetry', () => traced.chat.completions.create(body)],
  ['sovroute, JSONL audit', () => audited.chat.completions.create(body)],
  ['sovroute, Redis store', () => shared.chat.completions.create(body, { apiKey: 'sk-plain' })],
  ['sovroute, Redis budget', () => shared.chat.completions.create(body, { apiKey: 'sk-budget' })],
];

const streamed = (chunks: number): Contender[] => {
  const params = streamBody(chunks);
  const bytes = JSON.stringify(params);
  return [
    [
      'openai SDK',
      async () => {
        for await (const _chunk of await sdk.chat.completions.create(params));
      },
    ],
    [
      'sovroute',
      async () => {
        for await (const _chunk of await router.chat.completions.create(params));
      },
    ],
    [
      'fetch, bytes',
      async () => {
        const reader = (await fetch(url, { method: 'POST', headers, body: bytes })).body!.getReader();
        while (!(await reader.read()).done);
      },
    ],
    [
      'undici.request, bytes',
      async () => {
        for await (const _bytes of (await undiciRequest(url, { method: 'POST', headers, body: bytes })).body);
      },
    ],
  ];
};

/**
 * Runs every contender `iterations` times, interleaved in a fresh order each time, until
 * `budgetMs` has passed; returns each one's samples in µs. The first `warmup` rounds, or the
 * first fifth of the budget if that comes sooner, are not counted.
 */
async function measure(contenders: Contender[], iterations: number, warmup: number, budgetMs: number): Promise<number[][]> {
  const samples = contenders.map((): number[] => []);
  const begun = performance.now();
  const deadline = begun + budgetMs;
  let warming = true;
  for (let iteration = 0, counted = 0; counted < iterations && performance.now() < deadline; iteration++) {
    if (warming && (iteration >= warmup || performance.now() > begun + budgetMs / 5)) warming = false;
    for (const index of shuffled(contenders.length)) {
      const callStarted = performance.now();
      await contenders[index]![1]();
      if (!warming) samples[index]!.push((performance.now() - callStarted) * 1000);
    }
    if (!warming) counted++;
  }
  return samples;
}

const pairedMedian = (a: readonly number[], b: readonly number[]) => median(a.slice(0, b.length).map((value, index) => value - b[index]!));
const us = (value: number) => `${value.toFixed(1).padStart(9)} µs`;
const rows: BenchRow[] = [];
const notMeasured: string[] = [];
const print = (title: string, section: BenchRow[]) => {
  console.log(`\n${title}`);
  for (const row of section) console.log(formatRow(row));
  rows.push(...section);
};

console.log(`node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'unknown cpu'}, load ${startLoad.toFixed(1)}; loopback upstream in a child process`);

// 1. Latency, one call at a time.
const plainSamples = await measure(plain, calls, Math.min(300, calls / 10), 30_000 * scale);
const plainMedian = (name: string) => median(plainSamples[plain.findIndex(([contender]) => contender === name)]!);
const plainNamed = (name: string) => ({ label: name, value: plainMedian(name) });
const latency = 'latency';
print(`non-streaming, one call at a time (${plainSamples[0]!.length} interleaved calls each), median µs per call:`, [
  compared(latency, 'non-stream call, sovroute', 'µs', plainMedian('sovroute'), { label: 'SDK', value: plainMedian('openai SDK') }, 0.6),
  compared(latency, 'non-stream call, sovroute', 'µs', plainMedian('sovroute'), { label: 'fetch', value: plainMedian('fetch + json') }, 1.0),
  compared(latency, 'non-stream call, sovroute', 'µs', plainMedian('sovroute'), { label: 'undici', value: plainMedian('undici.request + json') }),
  compared(latency, 'non-stream call, openai SDK', 'µs', plainMedian('openai SDK'), { label: 'fetch', value: plainMedian('fetch + json') }),
  compared(latency, 'non-stream call, undici.request', 'µs', plainMedian('undici.request + json'), { label: 'fetch', value: plainMedian('fetch + json') }),
  compared(latency, 'A/A control: fetch again', 'µs', plainMedian('fetch + json (A/A)'), { label: 'fetch', value: plainMedian('fetch + json') }),
  compared(latency, 'fetch + per-call signal and timer', 'µs', plainMedian('fetch + signal/timer'), { label: 'fetch', value: plainMedian('fetch + json') }),
  compared(latency, 'sovroute with telemetry', 'µs', plainMedian('sovroute, telemetry'), plainNamed('sovroute')),
  compared(latency, 'sovroute with a JSONL audit file', 'µs', plainMedian('sovroute, JSONL audit'), plainNamed('sovroute')),
  compared(latency, 'sovroute with a Redis store', 'µs', plainMedian('sovroute, Redis store'), plainNamed('sovroute')),
  compared(latency, 'sovroute with a Redis budget', 'µs', plainMedian('sovroute, Redis budget'), plainNamed('sovroute, Redis store')),
  compared(latency, "router's own overhead (route.overhead_ms)", 'µs', median(overheads) * 1000, plainNamed('sovroute')),
]);
const samplesOf = (name: string) => plainSamples[plain.findIndex(([contender]) => contender === name)]!;
console.log('  paired medians (the difference call by call, in the same round):');
console.log(`    fetch (A/A) − fetch              ${us(pairedMedian(samplesOf('fetch + json (A/A)'), samplesOf('fetch + json')))}   (noise floor; should be within ±5 µs)`);
console.log(`    sovroute − fetch                 ${us(pairedMedian(samplesOf('sovroute'), samplesOf('fetch + json')))}`);
console.log(`    fetch signal/timer − fetch       ${us(pairedMedian(samplesOf('fetch + signal/timer'), samplesOf('fetch + json')))}   (the floor of any call that can time out on fetch)`);
console.log(`    telemetry on − off               ${us(pairedMedian(samplesOf('sovroute, telemetry'), samplesOf('sovroute')))}   (spans + metrics, batch span processor)`);
console.log(`    JSONL audit − none               ${us(pairedMedian(samplesOf('sovroute, JSONL audit'), samplesOf('sovroute')))}   (hashing and appends are deferred: see CPU per call)`);
console.log(`    Redis store − memory store       ${us(pairedMedian(samplesOf('sovroute, Redis store'), samplesOf('sovroute')))}   (no budget or limit: no Redis round trip on the call)`);
console.log(`    Redis budget − Redis store       ${us(pairedMedian(samplesOf('sovroute, Redis budget'), samplesOf('sovroute, Redis store')))}   (one reservation script before the call)`);

for (const chunks of chunkCounts) {
  const contenders = streamed(chunks);
  const count = Math.max(10, Math.round(chunks <= 100 ? streams : (streams * 100) / chunks));
  const samples = await measure(contenders, count, Math.min(40, count / 10), 15_000 * scale);
  const of = (name: string) => median(samples[contenders.findIndex(([contender]) => contender === name)]!);
  const label = `${chunks}-chunk stream`;
  print(`${chunks}-chunk streams, one at a time (${samples[0]!.length} interleaved streams each), median µs per stream, every chunk read:`, [
    compared('streams', `${label}, sovroute`, 'µs', of('sovroute'), { label: 'SDK', value: of('openai SDK') }, chunks === 100 ? 0.5 : undefined),
    compared('streams', `${label}, sovroute`, 'µs', of('sovroute'), { label: 'fetch bytes', value: of('fetch, bytes') }),
    compared('streams', `${label}, sovroute`, 'µs', of('sovroute'), { label: 'undici bytes', value: of('undici.request, bytes') }),
    compared('streams', `${label}, openai SDK`, 'µs', of('openai SDK'), { label: 'fetch bytes', value: of('fetch, bytes') }),
  ]);
}

// 2. Throughput under concurrent callers.
const load: LoadContender[] = [
  { name: 'fetch', call: callFetch },
  { name: 'undici', call: callUndici },
  { name: 'SDK', call: () => sdk.chat.completions.create(body) },
  { name: 'sovroute', call: () => router.chat.completions.create(body) },
  { name: 'sovroute+audit', call: () => audited.chat.completions.create(body), settle: () => audited.flush() },
];
for (const concurrency of concurrencies) {
  const results = await measureThroughput(load, concurrency, windowMs, throughputRounds);
  const of = (name: string) => results.find((result) => result.name === name)!;
  const section = 'throughput';
  const label = `${concurrency} callers`;
  const target = concurrency === 256;
  const rps = (name: string) => ({ label: name, value: of(name).requestsPerSecond });
  const p99 = (name: string) => ({ label: name, value: of(name).p99Ms });
  const cpu = (name: string) => ({ label: name, value: of(name).cpuMicrosPerCall });
  const failures = results.filter((result) => result.failed > 0);
  print(`throughput, ${concurrency} concurrent callers (${throughputRounds} interleaved ${windowMs} ms windows each; client-process CPU, deferred work included):`, [
    target ? comparedAtLeast(section, `${label}, sovroute`, 'req/s', of('sovroute').requestsPerSecond, rps('SDK'), 1.5) : compared(section, `${label}, sovroute`, 'req/s', of('sovroute').requestsPerSecond, rps('SDK')),
    target ? comparedAtLeast(section, `${label}, sovroute`, 'req/s', of('sovroute').requestsPerSecond, rps('fetch'), 1.0) : compared(section, `${label}, sovroute`, 'req/s', of('sovroute').requestsPerSecond, rps('fetch')),
    compared(section, `${label}, sovroute`, 'req/s', of('sovroute').requestsPerSecond, rps('undici')),
    compared(section, `${label}, sovroute + JSONL audit`, 'req/s', of('sovroute+audit').requestsPerSecond, rps('sovroute')),
    compared(section, `${label}, SDK`, 'req/s', of('SDK').requestsPerSecond, rps('fetch')),
    compared(section, `${label}, undici`, 'req/s', of('undici').requestsPerSecond, rps('fetch')),
    compared(section, `${label}, p99, sovroute`, 'ms', of('sovroute').p99Ms, p99('SDK')),
    compared(section, `${label}, p99, sovroute`, 'ms', of('sovroute').p99Ms, p99('fetch')),
    compared(section, `${label}, p99, sovroute + JSONL audit`, 'ms', of('sovroute+audit').p99Ms, p99('sovroute')),
    compared(section, `${label}, CPU per call, sovroute`, 'µs CPU', of('sovroute').cpuMicrosPerCall, cpu('SDK')),
    compared(section, `${label}, CPU per call, sovroute`, 'µs CPU', of('sovroute').cpuMicrosPerCall, cpu('fetch')),
    compared(section, `${label}, CPU per call, sovroute + JSONL audit`, 'µs CPU', of('sovroute+audit').cpuMicrosPerCall, cpu('sovroute')),
    compared(section, `${label}, CPU per call, SDK`, 'µs CPU', of('SDK').cpuMicrosPerCall, cpu('fetch')),
    compared(section, `${label}, CPU per call, undici`, 'µs CPU', of('undici').cpuMicrosPerCall, cpu('fetch')),
  ]);
  for (const result of failures) console.log(`  ${result.name}: ${result.failed} calls failed (of ${result.completed + result.failed})`);
}

upstream.kill();
await undiciAgent.close();
await audited.close();
await store.close();
rmSync(auditDirectory, { recursive: true, force: true });

// 3. Memory, in a process of its own with --expose-gc.
const heap = fork(fileURLToPath(new URL('./heap.ts', import.meta.url)), [], {
  execArgv: ['--expose-gc', '--import', 'tsx'],
  env: { ...process.env, BENCH_INFLIGHT: String(envNumber('BENCH_INFLIGHT', 1000 * scale)), BENCH_HEAP_ROUNDS: String(envNumber('BENCH_HEAP_ROUNDS', quick ? 1 : 2)) },
});
const heapResult = await new Promise<{ rows: BenchRow[]; inFlight: number; rounds: number } | undefined>((resolve) => {
  heap.once('message', resolve);
  heap.once('exit', () => resolve(undefined));
});
if (heapResult) print(`memory (${heapResult.inFlight} held at once, median of ${heapResult.rounds} interleaved rounds, forced gc), heapUsed growth per request:`, heapResult.rows);
else {
  console.log('\nmemory: not measured: bench/heap.ts ended without rows (its error is above)');
  notMeasured.push('heap per in-flight request ≤ 1.2× fetch (not measured: bench/heap.ts failed)');
}

// 4. Planning at scale and bundle size, from their own files when present.
// Scale measures CPU per call in a process of its own, as memory does: on a collected heap, not
// on the garbage of everything measured above.
const optional: Array<[file: string, exportName: string, title: string, targets: string[], ownProcess: boolean]> = [
  ['scale.ts', 'scaleBenchRows', 'planning at scale and audited call CPU, in a process of its own', ['50×300 plan ≤ 1 ms', 'audited call ≤ 2 ms CPU', 'growth at most linear'], true],
  ['bundle-size.ts', 'bundleRows', 'bundle size and import time', ['createRouter + openaiCompatible ≤ 40 KB min+gz'], false],
];
for (const [file, exportName, title, targets, ownProcess] of optional) {
  const result = await optionalRows(fileURLToPath(new URL(`./${file}`, import.meta.url)), exportName, { ownProcess });
  if ('rows' in result) print(`${title} (bench/${file}):`, result.rows);
  else {
    console.log(`\n${title}: not measured: ${result.missing}`);
    for (const target of targets) notMeasured.push(`${target} (not measured: ${result.missing})`);
  }
}

// 5. Acceptance.
if (!chunkCounts.includes(100)) notMeasured.unshift('100-chunk stream ≤ 0.5× SDK (not measured: BENCH_CHUNKS leaves out 100)');
if (!concurrencies.includes(256)) notMeasured.unshift('256 callers ≥ 1.5× SDK and ≥ 1.0× fetch (not measured: BENCH_CONCURRENCY leaves out 256)');
console.log('\nacceptance (performance targets, ratios in this run):');
for (const row of rows.filter((candidate) => candidate.pass !== undefined)) console.log(formatAcceptance(row));
for (const line of notMeasured) console.log(`  ----  ${line}`);

const seconds = (performance.now() - started) / 1000;
console.log(`\ndone in ${seconds.toFixed(1)} s`);
if (jsonPath) {
  const results: BenchResults = {
    date: new Date().toISOString(),
    node: process.version,
    machine: { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, platform: process.platform, loadAtStart: startLoad },
    settings: { calls, streams, chunkCounts, concurrencies, windowMs, throughputRounds, inFlight: heapResult?.inFlight, heapRounds: heapResult?.rounds },
    seconds,
    rows,
    notMeasured,
  };
  writeFileSync(jsonPath, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`rows written to ${jsonPath}`);
}
