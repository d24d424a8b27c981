import { attemptOutcome, createMarket, latencyScale, normal, trueP90, trueState, type DeploymentSpec, type Market } from './market.js';
import { oracleOutcome } from './oracle.js';

/*
 * `npm run bench:routing:ideal`: how close to the `fastest` oracle a learner could come at all in
 * the market of `npm run bench:routing`, so its table can be read against what is possible. No
 * router and no servers: idealised learners play the market's draws directly (market.ts), over
 * many seeds, and are scored as run.ts scores the router (p90 time to first token over the run and
 * after each drift, over the requests answered).
 *
 * The learners are told more than any router can know, so what they reach bounds what a router can:
 *
 * - `first-sample`: knows a deployment's true parameters, drifts and outages included, from the
 *   moment it has answered once. Its only cost is the cold start: each deployment answers once,
 *   in an order that knows nothing (a seeded shuffle).
 * - `informed`: knows every deployment's true spread (σ), and every drift and outage as it
 *   happens (which deployment, by what factor); learns only each deployment's median, from its
 *   own answers (a lognormal's mean of ln t, exactly as a Bayesian with a flat prior would). It
 *   ranks on the estimated p90, explores at most `share` of the requests in all (first
 *   measurements included; unlike a router it may spend them whenever it likes, knowing the
 *   run's length). Each way of exploring it is given is a row: none after the first answers; the
 *   candidate likeliest to be faster than the first choice, when that chance exceeds a threshold;
 *   Thompson sampling.
 *
 * The acceptance of `fastest` asks for three seeds at once; the last columns say how often a
 * learner meets both its targets on one seed, and on all three of a triple (seeds 1–3, 4–6, …).
 *
 * Usage: npm run bench:routing:ideal [-- --seeds 1-99 --requests 400 --failures]
 */

const argument = (name: string) => {
  const index = process.argv.indexOf(`--${name}`);
  return index === -1 ? undefined : process.argv[index + 1];
};
const seedRange = (argument('seeds') ?? '1-99').split('-').map(Number);
const seeds = seedRange.length === 2 ? Array.from({ length: seedRange[1]! - seedRange[0]! + 1 }, (_, index) => seedRange[0]! + index) : seedRange;
const requests = Number(argument('requests') ?? 400);
const share = 0.05;
const z90 = 1.2816;

interface Outcome {
  request: number;
  ok: boolean;
  ttftMs: number;
}

/** Base log-median samples per deployment: ln(time) less ln(the drift factor then). */
interface Knowledge {
  count: number;
  sum: number;
}

const eligible = (market: Market) => market.deployments.filter((spec) => spec.kind === 'eu');
const factor = (spec: DeploymentSpec, request: number) => trueState(spec, request).medianMs / (spec.medianMs * latencyScale);

/** Plays `order` for `request` as the router would: down the list until an answer. */
function play(market: Market, order: readonly DeploymentSpec[], request: number, learn: (spec: DeploymentSpec, delayMs: number) => void): Outcome {
  let ttftMs = 0;
  for (const spec of order) {
    const outcome = attemptOutcome(market, market.deployments.indexOf(spec), spec, request, 0);
    ttftMs += outcome.delayMs;
    if (outcome.kind === 'ok') {
      learn(spec, outcome.delayMs);
      return { request, ok: true, ttftMs };
    }
  }
  return { request, ok: false, ttftMs };
}

function shuffled<T>(values: readonly T[], seed: number): T[] {
  const copy = [...values];
  let state = seed * 2654435761;
  for (let index = copy.length - 1; index > 0; index--) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    const other = state % (index + 1);
    [copy[index], copy[other]] = [copy[other]!, copy[index]!];
  }
  return copy;
}

function firstSample(market: Market): Outcome[] {
  const measured = new Set<DeploymentSpec>();
  const cold = shuffled(eligible(market), market.seed);
  const outcomes: Outcome[] = [];
  for (let request = 0; request < market.requests; request++) {
    const up = (spec: DeploymentSpec) => trueState(spec, request).up;
    const known = eligible(market)
      .filter((spec) => measured.has(spec) && up(spec))
      .sort((a, b) => trueP90(a, request) - trueP90(b, request));
    const next = cold.find((spec) => !measured.has(spec));
    const order = next === undefined ? known : [next, ...known];
    outcomes.push(play(market, order, request, (spec) => measured.add(spec)));
    // A first measurement that failed still told it nothing: it is tried again on the next request.
  }
  return outcomes;
}

/** P(X < Y) for independent normals. */
const normalBelow = (meanX: number, meanY: number, variance: number) => 0.5 * erfc((meanX - meanY) / Math.sqrt(2 * variance));

function erfc(x: number): number {
  // Abramowitz and Stegun 7.1.26.
  const t = 1 / (1 + 0.3275911 * Math.abs(x));
  const y = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))) * Math.exp(-x * x);
  return x >= 0 ? y : 2 - y;
}

/** How `informed` picks what to explore, once every deployment answered once. */
type Exploring =
  | { kind: 'none' }
  /** The likeliest to be faster than the first choice, when that chance exceeds `threshold`. */
  | { kind: 'chance'; threshold: number }
  /** Thompson sampling: the lowest p90 drawn from each estimate; `near`: only one within 1.5× of the first choice. */
  | { kind: 'thompson'; near: boolean };

function informed(market: Market, exploring: Exploring): { outcomes: Outcome[]; explored: number } {
  const knowledge = new Map<DeploymentSpec, Knowledge>();
  const cold = shuffled(eligible(market), market.seed);
  const allowance = Math.floor(share * market.requests);
  let explored = 0;
  const outcomes: Outcome[] = [];
  const learn = (request: number) => (spec: DeploymentSpec, delayMs: number) => {
    const entry = knowledge.get(spec) ?? { count: 0, sum: 0 };
    entry.count += 1;
    entry.sum += Math.log(delayMs / factor(spec, request));
    knowledge.set(spec, entry);
  };
  for (let request = 0; request < market.requests; request++) {
    const up = eligible(market).filter((spec) => trueState(spec, request).up);
    // ln of the estimated p90 now (the drift factor and σ known), and the variance of that estimate.
    const estimate = (spec: DeploymentSpec) => {
      const entry = knowledge.get(spec)!;
      return { mean: entry.sum / entry.count + Math.log(factor(spec, request)) + z90 * spec.sigma, variance: (spec.sigma * spec.sigma) / entry.count };
    };
    const known = up.filter((spec) => knowledge.has(spec)).sort((a, b) => estimate(a).mean - estimate(b).mean);
    const unmeasured = cold.find((spec) => !knowledge.has(spec) && trueState(spec, request).up);
    let order = known;
    let chosen: DeploymentSpec | undefined;
    if (unmeasured !== undefined && explored < allowance) {
      order = [unmeasured, ...known];
      // The very first request has nothing to compare with: not an exploration.
      if (known.length > 0) explored += 1;
    } else if (known.length > 1 && explored < allowance) {
      const greedy = estimate(known[0]!);
      if (exploring.kind === 'chance') {
        let best = exploring.threshold;
        for (const spec of known.slice(1)) {
          const other = estimate(spec);
          const chance = normalBelow(other.mean, greedy.mean, other.variance + greedy.variance);
          if (chance > best) [best, chosen] = [chance, spec];
        }
      } else if (exploring.kind === 'thompson') {
        let drawn = Number.POSITIVE_INFINITY;
        for (const [index, spec] of known.entries()) {
          const own = estimate(spec);
          const value = own.mean + Math.sqrt(own.variance) * normal(market.seed, request, 991, index);
          if (value >= drawn) continue;
          drawn = value;
          chosen = index === 0 || (exploring.near && own.mean - greedy.mean > Math.log(1.5)) ? undefined : spec;
        }
      }
    }
    if (chosen !== undefined) {
      order = [chosen, ...known.filter((spec) => spec !== chosen)];
      explored += 1;
    }
    outcomes.push(play(market, order, request, learn(request)));
  }
  return { outcomes, explored };
}

const quantile = (values: readonly number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? Number.NaN;
};

/** p90 over the run and after each drift, against the fastest oracle, as run.ts measures them. */
function score(market: Market, outcomes: readonly Outcome[]): { run: number; drifts: number[]; success: number } {
  const oracle = outcomes.map((entry) => oracleOutcome(market, 'fastest', entry.request).ttftMs);
  const ok = outcomes.filter((entry) => entry.ok);
  const ratio = (entries: readonly Outcome[]) => quantile(entries.map((entry) => entry.ttftMs), 0.9) / quantile(entries.map((entry) => oracle[entry.request]!), 0.9);
  const drifts = market.drifts.map((drift) => ratio(ok.filter((entry) => entry.request >= drift.from && entry.request < Math.min(drift.to ?? market.requests, drift.from + 120))));
  return { run: ratio(ok), drifts, success: ok.length / outcomes.length };
}

interface Summary {
  name: string;
  runs: { seed: number; run: number; drifts: number[]; explored?: number }[];
}

const policies: { name: string; exploring: Exploring }[] = [
  { name: 'informed, no exploration after the first answers', exploring: { kind: 'none' } },
  { name: 'informed, chance > 0.2', exploring: { kind: 'chance', threshold: 0.2 } },
  { name: 'informed, chance > 0.3', exploring: { kind: 'chance', threshold: 0.3 } },
  { name: 'informed, chance > 0.4', exploring: { kind: 'chance', threshold: 0.4 } },
  { name: 'informed, Thompson', exploring: { kind: 'thompson', near: false } },
  { name: 'informed, Thompson within 1.5×', exploring: { kind: 'thompson', near: true } },
];
const summaries: Summary[] = [{ name: 'first-sample', runs: [] }, ...policies.map((policy) => ({ name: policy.name, runs: [] }))];
for (const seed of seeds) {
  const market = createMarket(seed, requests);
  summaries[0]!.runs.push({ seed, ...score(market, firstSample(market)) });
  for (const [index, policy] of policies.entries()) {
    const result = informed(market, policy.exploring);
    summaries[index + 1]!.runs.push({ seed, ...score(market, result.outcomes), explored: result.explored / market.requests });
  }
}

const fixed = (value: number) => value.toFixed(2);
console.log(`${seeds.length} seeds (${seeds[0]}–${seeds.at(-1)}), ${requests} requests each; targets: p90 over the run ≤ 1.10, after each drift ≤ 1.15\n`);
console.log('learner | seeds 1 / 2 / 3: p90 over the run (after drifts) | over the run: median, p90 of seeds | both targets met: seeds | triples | explored (mean)');
for (const summary of summaries) {
  const shown = [1, 2, 3].map((seed) => summary.runs.find((run) => run.seed === seed)).filter((run) => run !== undefined);
  const runs = summary.runs.map((run) => run.run);
  const meets = (run: Summary['runs'][number]) => run.run <= 1.1 && run.drifts.every((value) => value <= 1.15);
  const met = summary.runs.filter(meets).length;
  const triples = Array.from({ length: Math.floor(summary.runs.length / 3) }, (_, index) => summary.runs.slice(index * 3, index * 3 + 3));
  const triplesMet = triples.filter((triple) => triple.every(meets)).length;
  const explored = summary.runs.every((run) => run.explored !== undefined) ? `${((summary.runs.reduce((sum, run) => sum + run.explored!, 0) / summary.runs.length) * 100).toFixed(2)} %` : '—';
  console.log(
    [
      summary.name,
      shown.map((run) => `${fixed(run.run)} (${run.drifts.map(fixed).join(' / ')})`).join(', '),
      `${fixed(quantile(runs, 0.5))}, ${fixed(quantile(runs, 0.9))}`,
      `${met} of ${summary.runs.length}`,
      `${triplesMet} of ${triples.length}`,
      explored,
    ].join(' | '),
  );
}
if (process.argv.includes('--failures')) {
  for (const summary of summaries.slice(1)) {
    const failing = summary.runs.filter((run) => !(run.run <= 1.1 && run.drifts.every((value) => value <= 1.15)));
    // Which seeds miss, and by how much: over the run (after each drift).
    console.log(summary.name, failing.map((run) => `s${run.seed} ${fixed(run.run)} (${run.drifts.map(fixed).join('/')})`).join(', '));
  }
}
