import { fileURLToPath } from 'node:url';
import type { BenchRow } from './rows.js';

/*
 * `npm run bench:scale`: how routing decisions scale with the catalogue. Synthetic catalogues of
 * 10×30, 50×300 and 200×300 (providers × models; every provider serves every model), with mixed
 * jurisdictions so `eu-sovereign` excludes most of them (one provider in eight is an EEA
 * operator with no parents and EEA hosting). For each size it measures:
 *
 *   create   createRouter, median of a few
 *   plan     planning `eu-sovereign/cheapest` as a call plans it (median of many)
 *   explain  router.explain() of the same request: every candidate with its reasons
 *   call     CPU (process.cpuUsage, user + system) per call: a test- key (the pseudo-LLM
 *            answers, no network), no audit
 *   audited  the same with a memoryAudit sink, flushed; in rounds taking turns with `call`
 *
 * and prints per-candidate costs and each size's growth against the smallest (a linear planner
 * keeps µs per candidate flat). Speed is measured, not asserted.
 *
 * `runScaleBench()` returns the rows, for bench/run.ts to include.
 */

export interface ScaleRow {
  providers: number;
  models: number;
  candidates: number;
  eligible: number;
  createMs: number;
  planMs: number;
  explainMs: number;
  /** CPU per call with no audit sink: what the audit record adds is the difference. */
  callCpuMs: number;
  auditedCpuMs: number;
  /** Bytes of one audit record of the audited call, as JSON. */
  recordBytes: number;
}

type Bench = typeof import('./scale/entry.js');

export const scaleSizes: readonly [number, number][] = [
  [10, 30],
  [50, 300],
  [200, 300],
];

/** Jurisdiction facts in rotation: only the first passes `eu-sovereign`. */
const profiles = [
  { operator: { name: 'Sovereign SAS', country: 'FR', parents: [] }, hosting: ['FR', 'DE'] },
  { operator: { name: 'Cloud Inc', country: 'US', parents: [] }, hosting: ['US'] },
  { operator: { name: 'Cloud Inc', country: 'US', parents: [] }, hosting: ['DE'] },
  { operator: { name: 'Euro GmbH', country: 'DE', parents: [{ name: 'Holding Inc', country: 'US' }] }, hosting: ['DE'] },
  undefined,
  { operator: { name: 'Euro BV', country: 'NL' }, hosting: ['NL'] },
  { operator: { name: 'Swiss AG', country: 'CH', parents: [] }, hosting: ['CH'] },
  { operator: { name: 'Asia KK', country: 'JP', parents: [] }, hosting: ['JP'] },
] as const;

/** A deterministic spread of prices, so the ranking has work to do. */
function price(provider: number, model: number): { input: number; output: number; currency: 'EUR' } {
  const x = Math.sin(provider * 12.9898 + model * 78.233) * 43758.5453;
  const r = x - Math.floor(x);
  return { input: Math.round((0.05 + r * 5) * 1000) / 1000, output: Math.round((0.1 + r * 15) * 1000) / 1000, currency: 'EUR' };
}

function catalogue(bench: Bench, providerCount: number, modelCount: number) {
  const providers = [];
  for (let p = 0; p < providerCount; p++) {
    const models = [];
    for (let m = 0; m < modelCount; m++) models.push({ id: `model-${m}`, price: price(p, m), context: 128_000, quality: ((p + m) % 10) / 10 });
    const facts = profiles[p % profiles.length];
    providers.push(
      bench.openaiCompatible({
        id: `provider-${p}`,
        baseURL: 'http://127.0.0.1:9/v1',
        ...(facts ? { jurisdiction: structuredClone(facts) as never } : {}),
        models,
      }),
    );
  }
  return providers;
}

/** A full collection when the bench runs with --expose-gc (as `npm run bench:scale` does). */
function collect(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

const body = {
  model: 'eu-sovereign/cheapest',
  messages: [{ role: 'user' as const, content: 'Summarise the data-processing agreement in one sentence.' }],
};

/**
 * Mean CPU per call of each router over rounds of ten calls (flushed, so the audit's hashing and
 * writes count), the routers taking turns round by round: what one leaves to collect, the next
 * may pay for, so neither is measured on a heap the other found cleaner. A mean, not a median:
 * the rounds in which a collection runs are part of what a call costs.
 */
async function cpuPerCall(routers: readonly ReturnType<Bench['createRouter']>[], budgetMs: number): Promise<number[]> {
  for (const router of routers) {
    for (let i = 0; i < 5; i++) await router.chat.completions.create(body, { apiKey: 'test-bench' });
    await router.flush();
  }
  const used = routers.map(() => ({ microseconds: 0, calls: 0 }));
  for (let started = performance.now(), round = 0; round < 3 || (performance.now() - started < budgetMs * routers.length && round < 50); round++) {
    for (const [index, router] of routers.entries()) {
      const calls = 10;
      const before = process.cpuUsage();
      for (let i = 0; i < calls; i++) await router.chat.completions.create(body, { apiKey: 'test-bench' });
      await router.flush();
      const spent = process.cpuUsage(before);
      used[index]!.microseconds += spent.user + spent.system;
      used[index]!.calls += calls;
    }
  }
  return used.map(({ microseconds, calls }) => microseconds / 1000 / calls);
}

/** Loads sovroute bundled as it ships (tsx's transform skews timings), with the planner's way in. */
export async function loadScaleBench(): Promise<Bench> {
  const { build } = await import('tsup');
  const outDir = fileURLToPath(new URL('../node_modules/.cache/sovroute-bench-scale', import.meta.url));
  await build({ entry: { entry: fileURLToPath(new URL('./scale/entry.ts', import.meta.url)) }, format: ['esm'], target: 'node20', outDir, dts: false, sourcemap: false, splitting: false, silent: true, config: false });
  return (await import(`${outDir}/entry.js`)) as Bench;
}

/** Runs every size; `budgetMs` bounds each measurement loop. */
export async function runScaleBench(options: { bench?: Bench; budgetMs?: number; log?: (line: string) => void } = {}): Promise<ScaleRow[]> {
  const bench = options.bench ?? (await loadScaleBench());
  const budgetMs = options.budgetMs ?? 1500;
  const log = options.log ?? (() => undefined);
  const rows: ScaleRow[] = [];
  for (const [providerCount, modelCount] of scaleSizes) {
    const providers = catalogue(bench, providerCount, modelCount);
    const createTimes: number[] = [];
    for (let i = 0; i < 5; i++) {
      const started = performance.now();
      bench.createRouter({ providers });
      createTimes.push(performance.now() - started);
    }

    // Each phase starts on a collected heap: the routers built above hold large catalogues.
    collect();
    const plan = bench.benchPlanner({ providers });
    const planTimes: number[] = [];
    let eligible = 0;
    for (let started = performance.now(), n = 0; n < 20 || (performance.now() - started < budgetMs && n < 5000); n++) {
      const t = performance.now();
      eligible = plan(body);
      planTimes.push(performance.now() - t);
    }

    collect();
    const router = bench.createRouter({ providers });
    const explainTimes: number[] = [];
    let candidates = 0;
    for (let started = performance.now(), n = 0; n < 5 || (performance.now() - started < budgetMs && n < 500); n++) {
      const t = performance.now();
      candidates = router.explain(body).candidates.length;
      explainTimes.push(performance.now() - t);
    }

    collect();
    const sink = bench.memoryAudit({ limit: 200 });
    const [callCpuMs, auditedCpuMs] = (await cpuPerCall([bench.createRouter({ providers }), bench.createRouter({ providers, audit: [sink] })], budgetMs)) as [
      number,
      number,
    ];
    const record = sink.records.at(-1)!;

    const row: ScaleRow = {
      providers: providerCount,
      models: modelCount,
      candidates,
      eligible,
      createMs: median(createTimes),
      planMs: median(planTimes),
      explainMs: median(explainTimes),
      callCpuMs,
      auditedCpuMs,
      recordBytes: JSON.stringify(record).length,
    };
    rows.push(row);
    log(
      `${String(providerCount).padStart(4)}×${String(modelCount).padEnd(4)} ${String(candidates).padStart(6)} candidates (${eligible} eligible)  ` +
        `create ${row.createMs.toFixed(2)} ms  plan ${row.planMs.toFixed(3)} ms  explain ${row.explainMs.toFixed(2)} ms  ` +
        `call ${row.callCpuMs.toFixed(2)} ms CPU, audited ${row.auditedCpuMs.toFixed(2)} ms CPU  record ${(row.recordBytes / 1024).toFixed(1)} KiB`,
    );
  }
  const base = rows[0]!;
  for (const row of rows) {
    const scale = row.candidates / base.candidates;
    log(
      `${row.providers}×${row.models}: per candidate: plan ${((row.planMs / row.candidates) * 1000).toFixed(3)} µs, explain ${((row.explainMs / row.candidates) * 1000).toFixed(3)} µs, ` +
        `create ${((row.createMs / row.candidates) * 1000).toFixed(3)} µs; ` +
        `growth vs ${base.providers}×${base.models} (candidates ×${scale.toFixed(0)}): plan ×${(row.planMs / base.planMs).toFixed(1)}, ` +
        `explain ×${(row.explainMs / base.explainMs).toFixed(1)}, call ×${(row.callCpuMs / base.callCpuMs).toFixed(1)}, audited ×${(row.auditedCpuMs / base.auditedCpuMs).toFixed(1)}, create ×${(row.createMs / base.createMs).toFixed(1)}`,
    );
  }
  return rows;
}

/**
 * The scale measurements as `npm run bench` rows (bench/rows.ts), checked against the targets:
 * `eu-sovereign/cheapest` over 50×300 plans in ≤ 1 ms, an audited call there costs ≤ 2 ms CPU,
 * and planning grows at most linearly from 10×30 to 200×300 (time per candidate no higher).
 */
export async function scaleBenchRows(): Promise<BenchRow[]> {
  const rows = await runScaleBench({ budgetMs: 1000 });
  const size = (row: ScaleRow) => `${row.providers}×${row.models}`;
  const out: BenchRow[] = [];
  for (const row of rows) {
    const label = `${size(row)} (${row.candidates} candidates, ${row.eligible} eligible)`;
    const target = row.providers === 50 && row.models === 300;
    out.push({ section: 'scale', label: `plan, ${label}`, value: row.planMs, unit: 'ms', ...(target ? { target: '≤ 1 ms', pass: row.planMs <= 1 } : {}) });
    out.push({
      section: 'scale',
      label: `audited call CPU, ${label}`,
      value: row.auditedCpuMs,
      unit: 'ms CPU',
      baseline: { label: 'the same call without audit', value: row.callCpuMs },
      ratio: row.auditedCpuMs / row.callCpuMs,
      ...(target ? { target: '≤ 2 ms CPU', pass: row.auditedCpuMs <= 2 } : {}),
    });
    out.push({ section: 'scale', label: `createRouter, ${label}`, value: row.createMs, unit: 'ms' });
  }
  const first = rows[0]!;
  const last = rows.at(-1)!;
  const growth = last.planMs / first.planMs;
  const candidates = last.candidates / first.candidates;
  out.push({
    section: 'scale',
    label: `plan growth ${size(first)} → ${size(last)}`,
    value: growth,
    unit: '×',
    baseline: { label: 'candidates', value: candidates },
    ratio: growth / candidates,
    target: 'at most linear',
    pass: growth <= candidates,
  });
  return out;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  console.log(`sovroute scale bench, Node ${process.version}`);
  await runScaleBench({ log: (line) => console.log(line) });
}
