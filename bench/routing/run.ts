import { createRouter, openaiCompatible, type JurisdictionFacts } from '../../src/index.js';
import { createMarket, maxTokens, type Market } from './market.js';
import { startMarketServers } from './market-servers.js';
import { oracleOutcome, type Objective } from './oracle.js';

/*
 * `npm run bench:routing`: routing quality, not speed. For each seed and strategy, a fresh router
 * routes the market's requests one after another (streamed, max_tokens 2048, answers of ~120
 * tokens) to real upstream servers; each result is compared with its oracle (oracle.ts).
 *
 * Time is compressed: a request here takes about a tenth of what a real one does, so the router's
 * time constants are its defaults × `timeScale` (1/10): a 30 s half-life becomes 3 s, some 30
 * requests here. Counts (half-life in samples, the exploration share) are the defaults. Every
 * seed and strategy runs side by side (each its own servers, router and sequence of requests),
 * to keep the run short. Counts (half-life in samples, the exploration share)
 * are the defaults unchanged. Time to first token is the simulation's (the drawn delay of each
 * attempt, failures included), so loopback and timer jitter do not blur the ratios.
 *
 * Usage: npm run bench:routing [-- --seeds 1,2,3 --requests 600 --objectives fastest --verbose --trace fastest]
 * (`--verbose`: runs of router/oracle choices; `--trace <objective>`: each request with the
 * router's estimates before it and why it explored.)
 */

const argument = (name: string) => {
  const index = process.argv.indexOf(`--${name}`);
  return index === -1 ? undefined : process.argv[index + 1];
};
/** The seed docs/performance.md names first, then two others. */
const seeds = (argument('seeds') ?? '1,2,3').split(',').map(Number);
const requests = Number(argument('requests') ?? 400);
const timeScale = 1 / 10;
const share = 0.05;
const objectives = (argument('objectives') ?? 'cheapest,fastest,balanced').split(',') as Objective[];

const eu: JurisdictionFacts = { operator: { name: 'Example Cloud SAS', country: 'FR', parents: [] }, hosting: ['FR'] };
const us: JurisdictionFacts = { operator: { name: 'Example AI Inc', country: 'US', parents: [] }, hosting: ['US'] };
const prompt = 'Summarise the attached data-processing agreement for the compliance team. '.repeat(16);

interface Served {
  request: number;
  provider: string | undefined;
  explored: boolean;
  ok: boolean;
  cost: number;
  ttftMs: number | undefined;
  /** What the caller saw: wall time to the first chunk. @unit milliseconds */
  observedMs: number | undefined;
}

async function runOnce(market: Market, objective: Objective): Promise<Served[]> {
  const servers = await startMarketServers(market);
  const router = createRouter({
    providers: market.deployments.map((spec) =>
      openaiCompatible({
        id: spec.name,
        baseURL: servers.baseURL(spec.name),
        apiKey: `sk-${spec.name}`,
        jurisdiction: spec.kind === 'us' ? us : eu,
        models: [{ id: 'model-a', price: { ...spec.price, currency: 'EUR' }, context: spec.kind === 'small-context' ? 1024 : 128_000, capabilities: ['chat'] }],
      }),
    ),
    policy: 'eu-sovereign',
    strategy: objective,
    retry: { retries: 0 },
    timeoutMs: 1_000,
    health: {
      cooldownMs: 5_000 * timeScale,
      maxCooldownMs: 60_000 * timeScale,
      cooldownDecayMs: 30_000 * timeScale,
      latency: { halfLifeMs: 30_000 * timeScale, peakHalfLifeMs: 10_000 * timeScale },
    },
    exploration: { share, maxStalenessMs: 300_000 * timeScale, recoveryWatchMs: 1_800_000 * timeScale, recoveryWatchDelayMs: 30_000 * timeScale },
  });
  // Warm connections first, as a long-running router has them: a first connection's setup is not the deployment's latency.
  await Promise.all(market.deployments.map((spec) => fetch(`${servers.baseURL(spec.name)}/models`).then((response) => response.arrayBuffer())));
  const served: Served[] = [];
  const explainAt = new Set((argument('explain') ?? '').split(',').filter(Boolean).map(Number));
  for (let request = 0; request < market.requests; request++) {
    if (explainAt.has(request) && objective === (argument('objective') ?? objective)) {
      const shown = router.explain({ model: 'model-a', messages: [{ role: 'user', content: prompt }], stream: true, max_tokens: maxTokens });
      console.log(`#${request} ${objective}`, JSON.stringify(shown.exploration), '\n' + shown.candidates.filter((entry) => entry.eligible).map((entry) => `  ${entry.provider} p50 ${entry.est_latency_ms} p90 ${entry.est_latency_p90_ms} range ${entry.latency_range_ms?.join('–')} se ${entry.latency_uncertainty} w ${entry.latency_samples} stale ${entry.latency_stale_ms} cost ${entry.est_cost} score ${entry.score}`).join('\n'));
    }
    // --trace <objective>: what the router believed before each request (estimates, exploration), printed with the outcome.
    const traced = argument('trace') === objective ? router.explain({ model: 'model-a', messages: [{ role: 'user', content: prompt }], stream: true, max_tokens: maxTokens }) : undefined;
    const logStart = servers.log.length;
    let provider: string | undefined;
    let explored = false;
    let cost = 0;
    let ok = false;
    let observedMs: number | undefined;
    const sent = performance.now();
    try {
      const stream = await router.chat.completions.create({
        model: 'model-a',
        messages: [{ role: 'user', content: `request #${request}. ${prompt}` }],
        stream: true,
        max_tokens: maxTokens,
      });
      for await (const chunk of stream) {
        observedMs ??= performance.now() - sent;
        if (chunk.route) {
          explored = chunk.route.explored === true;
          cost = (chunk.usage as { cost?: number } | undefined)?.cost ?? 0;
          provider = chunk.provider;
        }
      }
      ok = provider !== undefined;
    } catch {
      ok = false;
    }
    // Simulated time to first token: every attempt's drawn delay, up to the answer.
    const attempts = servers.log.slice(logStart).filter((entry) => entry.request === request);
    const ttftMs = ok ? attempts.reduce((sum, attempt) => sum + attempt.delayMs, 0) : undefined;
    const first = attempts[0]?.deployment;
    served.push({ request, provider: first, explored, ok, cost, ttftMs, observedMs });
    if (traced !== undefined) {
      const oracle = oracleOutcome(market, objective, request);
      const estimates = traced.candidates.filter((entry) => entry.eligible).map((entry) => `${entry.provider} ${entry.est_latency_p90_ms}${entry.explore ? '?' : ''}`).join(', ');
      console.log(
        `s${market.seed} #${request} ${first}${explored ? '*' : ''} ${ttftMs?.toFixed(0)} ms (observed ${observedMs?.toFixed(0)}) | oracle ${oracle.spec.name} ${oracle.ttftMs.toFixed(0)} ms | ${traced.exploration ? `${explored ? 'explored' : traced.exploration.now ? 'may explore' : 'no budget'}: ${traced.exploration.reason} | ` : ''}${estimates}`,
      );
    }
  }
  const leaked = servers.log.filter((entry) => market.deployments.find((spec) => spec.name === entry.deployment)!.kind !== 'eu').length;
  (served as Served[] & { leaked?: number }).leaked = leaked;
  await servers.close();
  return served;
}

const quantile = (values: readonly number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? Number.NaN;
};

interface Row {
  seed: number;
  objective: Objective;
  cost: number;
  p50: number;
  p90: number;
  p90AfterDrift: number[];
  leave: number | undefined;
  back: number | undefined;
  outageBack: number | undefined;
  success: number;
  exploration: number;
  violations: number;
  /** Median and p90 of (wall time to first chunk − simulated time): what the machine added. @unit milliseconds */
  noise: [number, number];
}

function measure(market: Market, objective: Objective, served: Served[] & { leaked?: number }): Row {
  const oracle = served.map((entry) => oracleOutcome(market, objective, entry.request));
  if (process.argv.includes('--verbose')) {
    // Runs of (router's first choice / oracle's choice), to see where they part.
    let line = '';
    let previous = '';
    let count = 0;
    for (const entry of served) {
      const label = `${entry.provider}${entry.explored ? '*' : ''}/${oracle[entry.request]!.spec.name}`;
      if (label === previous) count += 1;
      else {
        if (previous) line += `${previous}×${count} `;
        previous = label;
        count = 1;
      }
    }
    console.log(`${objective}: ${line}${previous}×${count}`);
  }
  const ok = served.filter((entry) => entry.ok);
  const okOracle = ok.map((entry) => oracle[entry.request]!);
  const ratio = (ours: number[], theirs: number[], q: number) => quantile(ours, q) / quantile(theirs, q);
  const p90AfterDrift = market.drifts.map((drift) => {
    const inWindow = ok.filter((entry) => entry.request >= drift.from && entry.request < Math.min(drift.to ?? market.requests, drift.from + 120));
    return ratio(inWindow.map((entry) => entry.ttftMs!), inWindow.map((entry) => oracle[entry.request]!.ttftMs), 0.9);
  });
  // The 5× drift: greedy (not explored) requests sent to it while slow; requests until it is used again once recovered.
  const drift = market.drifts[0]!;
  // "Used" means chosen on its merits (not explored) in the 50 requests before: a deployment the
  // strategy only ever measured has no traffic to leave or return to.
  const usedBefore = served.some((entry) => entry.request < drift.from && entry.request >= drift.from - 50 && !entry.explored && entry.provider === drift.deployment);
  const greedyTo = (name: string, from: number, to: number) => served.filter((entry) => entry.request >= from && entry.request < to && !entry.explored && entry.provider === name);
  const leave = usedBefore ? greedyTo(drift.deployment, drift.from, drift.to ?? market.requests).length : undefined;
  const backAt = usedBefore && drift.to !== undefined ? greedyTo(drift.deployment, drift.to, market.requests)[0]?.request : undefined;
  const outage = market.outage;
  const usedBeforeOutage = served.some((entry) => entry.request < outage.from && entry.request >= outage.from - 50 && !entry.explored && entry.provider === outage.deployment);
  const outageBackAt = usedBeforeOutage ? greedyTo(outage.deployment, outage.to, market.requests)[0]?.request : undefined;
  return {
    seed: market.seed,
    objective,
    cost: ok.reduce((sum, entry) => sum + entry.cost, 0) / okOracle.reduce((sum, entry) => sum + entry.cost, 0),
    p50: ratio(ok.map((entry) => entry.ttftMs!), okOracle.map((entry) => entry.ttftMs), 0.5),
    p90: ratio(ok.map((entry) => entry.ttftMs!), okOracle.map((entry) => entry.ttftMs), 0.9),
    p90AfterDrift,
    leave,
    back: usedBefore && drift.to !== undefined ? (backAt === undefined ? Number.POSITIVE_INFINITY : backAt - drift.to + 1) : undefined,
    outageBack: usedBeforeOutage ? (outageBackAt === undefined ? Number.POSITIVE_INFINITY : outageBackAt - outage.to + 1) : undefined,
    success: ok.length / served.length,
    exploration: served.filter((entry) => entry.explored).length / served.length,
    violations: served.leaked ?? 0,
    noise: [0.5, 0.9].map((q) => quantile(ok.map((entry) => entry.observedMs! - entry.ttftMs!), q)) as [number, number],
  };
}

const fixed = (value: number | undefined, digits = 2) => (value === undefined ? '—' : Number.isFinite(value) ? value.toFixed(digits) : 'never');
const started = performance.now();
const rows: Row[] = [];
const markets = seeds.map((seed) => createMarket(seed, requests));
const runs = await Promise.all(markets.flatMap((market) => objectives.map((objective) => runOnce(market, objective))));
for (const [marketIndex, market] of markets.entries()) {
  for (const [index, objective] of objectives.entries()) rows.push(measure(market, objective, runs[marketIndex * objectives.length + index]!));
  console.log(
    `seed ${market.seed}: drifts ${market.drifts.map((drift) => `${drift.deployment} ×${drift.factor} at #${drift.from}${drift.to === undefined ? '' : `–#${drift.to}`}`).join(', ')}; ` +
      `outage ${market.outage.deployment} #${market.outage.from}–#${market.outage.to}`,
  );
}

const header = ['seed', 'strategy', 'cost/oracle', 'p50/oracle', 'p90/oracle', 'p90/oracle after drifts', 'leave (req)', 'return (req)', 'outage return', 'success', 'explored', 'violations', 'machine noise p50/p90 ms'];
console.log(`\n${header.join(' | ')}`);
for (const row of rows) {
  console.log(
    [row.seed, row.objective, fixed(row.cost, 3), fixed(row.p50), fixed(row.p90), row.p90AfterDrift.map((value) => fixed(value)).join(' / '), fixed(row.leave, 0), fixed(row.back, 0), fixed(row.outageBack, 0), `${(row.success * 100).toFixed(2)} %`, `${(row.exploration * 100).toFixed(2)} %`, row.violations, row.noise.map((value) => value.toFixed(0)).join(' / ')].join(' | '),
  );
}

interface Criterion {
  name: string;
  holds: (row: Row) => boolean | undefined;
}
const criteria: Criterion[] = [
  { name: 'cheapest cost ≤ 1.01 × oracle', holds: (row) => (row.objective === 'cheapest' ? row.cost <= 1.01 : undefined) },
  { name: 'fastest p90 ≤ 1.10 × oracle over the run', holds: (row) => (row.objective === 'fastest' ? row.p90 <= 1.1 : undefined) },
  { name: 'fastest p90 ≤ 1.15 × oracle after each drift', holds: (row) => (row.objective === 'fastest' ? row.p90AfterDrift.every((value) => value <= 1.15) : undefined) },
  { name: 'fastest leaves a 5× slower deployment within 5 requests', holds: (row) => (row.objective === 'fastest' && row.leave !== undefined ? row.leave <= 5 : undefined) },
  { name: 'fastest returns to the recovered deployment within 20 requests', holds: (row) => (row.objective === 'fastest' && row.back !== undefined ? row.back <= 20 : undefined) },
  { name: 'balanced cost and p90 ≤ 1.10 × the balanced oracle', holds: (row) => (row.objective === 'balanced' ? row.cost <= 1.1 && row.p90 <= 1.1 : undefined) },
  { name: 'success ≥ 99.5 %', holds: (row) => row.success >= 0.995 },
  { name: '0 requests to an ineligible deployment', holds: (row) => row.violations === 0 },
  { name: `exploration ≤ ${share * 100} %`, holds: (row) => row.exploration <= share },
];
console.log('');
let failed = 0;
for (const criterion of criteria) {
  const results = rows.map((row) => ({ row, holds: criterion.holds(row) })).filter((result) => result.holds !== undefined);
  const failures = results.filter((result) => !result.holds);
  failed += failures.length;
  if (results.length === 0) {
    // E.g. the strategy was not using the deployment when it slowed down: nothing to leave.
    console.log(`N/A   ${criterion.name} (no run where it applies)`);
    continue;
  }
  const skipped = rows.filter((row) => row.objective === results[0]!.row.objective).length - results.length;
  const note = skipped > 0 ? ` [${results.length} of ${results.length + skipped} runs; in the others it does not apply]` : '';
  console.log(`${failures.length === 0 ? 'PASS' : 'FAIL'}  ${criterion.name}${failures.length === 0 ? '' : ` (fails: ${failures.map((result) => `seed ${result.row.seed} ${result.row.objective}`).join(', ')})`}${note}`);
}
console.log(`\n${rows.length} runs of ${requests} requests in ${((performance.now() - started) / 1000).toFixed(0)} s; the balanced rows compare with the balanced oracle (the strategy's own score on true values).`);
process.exitCode = failed === 0 ? 0 : 1;
