/*
 * The simulated market of `npm run bench:routing`: a dozen deployments of one model with
 * lognormal time to first token, random 503s and connection resets, an outage, deployments
 * that turn slow part-way (one recovers), and ineligible deployments that are cheaper and faster
 * than every eligible one, so a leak would pay. Every draw is a pure function of (seed, request,
 * deployment, attempt): the same seed gives the same market whatever the router does, and the
 * oracles read the true parameters, never the router.
 *
 * Time is counted in requests: the market changes at request indices. Latencies are in real
 * milliseconds, small, so a run takes seconds; the router's time constants are scaled to match
 * (see run.ts).
 */

export interface MarketEvent {
  /** First request index affected, and the first one no longer affected (undefined: to the end). */
  from: number;
  to: number | undefined;
  /** Latency multiplier while it lasts; `outage` answers 503 to everything instead. */
  factor?: number;
  outage?: boolean;
}

export interface DeploymentSpec {
  name: string;
  /** `eu`: eligible. `us`: excluded by the eu-sovereign policy. `small-context`: its window is too small. */
  kind: 'eu' | 'us' | 'small-context';
  medianMs: number;
  /** σ of ln(time to first token). */
  sigma: number;
  /** Per 1M tokens, EUR. */
  price: { input: number; output: number };
  /** Chance per attempt of a 503, and of a connection reset after half the time to first token. */
  failRate: number;
  resetRate: number;
  events: MarketEvent[];
}

/**
 * Multiplies every median below: large enough that timer and scheduling noise on a busy machine
 * (a few ms) stays small beside the latencies, small enough that a run takes seconds.
 */
export const latencyScale = 10;

/** Prompt tokens the upstreams report for every request. */
export const promptTokens = 300;
/** `max_tokens` of every request: far above the real answers, which is the trap for a max_tokens-based cost. */
export const maxTokens = 2048;
/** Median completion length (lognormal, σ 0.6), the same answer whoever serves it. */
export const completionMedian = 100;
export const completionSigma = 0.6;
export const expectedCompletion = completionMedian * Math.exp((completionSigma * completionSigma) / 2);

/** A uniform draw in (0, 1) from integers: splitmix32 over a mixed key. */
export function uniform(...parts: number[]): number {
  let hash = 0x9e3779b9;
  for (const part of parts) {
    hash = Math.imul(hash ^ (part | 0), 0x85ebca6b);
    hash ^= hash >>> 13;
    hash = Math.imul(hash, 0xc2b2ae35);
    hash ^= hash >>> 16;
  }
  hash = (hash + 0x6d2b79f5) | 0;
  let value = Math.imul(hash ^ (hash >>> 15), hash | 1);
  value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
  return (((value ^ (value >>> 14)) >>> 0) + 0.5) / 4_294_967_296;
}

/** A standard normal draw (Box–Muller). */
export function normal(...parts: number[]): number {
  return Math.sqrt(-2 * Math.log(uniform(...parts, 1))) * Math.cos(2 * Math.PI * uniform(...parts, 2));
}

export interface Market {
  seed: number;
  requests: number;
  deployments: DeploymentSpec[];
  /** The drifts measured by the benchmark: who turned slow, when, and when it recovered (if it does). */
  drifts: { deployment: string; from: number; to: number | undefined; factor: number }[];
  outage: { deployment: string; from: number; to: number };
}

/** The market of one seed: the same shape every time, event times shifted a little by the seed. */
export function createMarket(seed: number, requests = 400): Market {
  // Event times as shares of the run, shifted a little by the seed.
  const shift = (share: number, span: number) => Math.round(requests * (share + uniform(seed, 7, Math.round(share * 1000)) * span));
  const swiftSlow = shift(0.32, 0.05);
  const swiftBack = shift(0.62, 0.05);
  const briskSlow = shift(0.47, 0.05);
  const outageFrom = shift(0.5, 0.03);
  const outageTo = outageFrom + Math.round(requests / 10);
  const standard = { failRate: 0.01, resetRate: 0.005 };
  const deployments: DeploymentSpec[] = [
    { name: 'swift', kind: 'eu', medianMs: 8, sigma: 0.25, price: { input: 0.3, output: 1.2 }, ...standard, events: [{ from: swiftSlow, to: swiftBack, factor: 5 }] },
    { name: 'brisk', kind: 'eu', medianMs: 11, sigma: 0.3, price: { input: 0.25, output: 1 }, ...standard, events: [{ from: briskSlow, to: undefined, factor: 4 }] },
    { name: 'steady', kind: 'eu', medianMs: 14, sigma: 0.2, price: { input: 0.2, output: 0.8 }, ...standard, events: [] },
    { name: 'budget', kind: 'eu', medianMs: 18, sigma: 0.35, price: { input: 0.05, output: 0.3 }, ...standard, events: [{ from: outageFrom, to: outageTo, outage: true }] },
    { name: 'thrifty', kind: 'eu', medianMs: 20, sigma: 0.3, price: { input: 0.06, output: 0.4 }, ...standard, events: [] },
    { name: 'lowout', kind: 'eu', medianMs: 35, sigma: 0.4, price: { input: 0.4, output: 0.05 }, ...standard, events: [] },
    { name: 'flaky', kind: 'eu', medianMs: 12, sigma: 0.3, price: { input: 0.15, output: 0.6 }, failRate: 0.08, resetRate: 0.03, events: [] },
    { name: 'laggard', kind: 'eu', medianMs: 40, sigma: 0.4, price: { input: 0.1, output: 0.5 }, ...standard, events: [] },
    { name: 'middling', kind: 'eu', medianMs: 20, sigma: 0.3, price: { input: 0.12, output: 0.45 }, ...standard, events: [] },
    { name: 'overseas-fast', kind: 'us', medianMs: 4, sigma: 0.2, price: { input: 0.01, output: 0.05 }, ...standard, events: [] },
    { name: 'overseas-cheap', kind: 'us', medianMs: 6, sigma: 0.2, price: { input: 0.005, output: 0.02 }, ...standard, events: [] },
    { name: 'tiny-context', kind: 'small-context', medianMs: 5, sigma: 0.2, price: { input: 0.01, output: 0.03 }, ...standard, events: [] },
  ];
  return {
    seed,
    requests,
    deployments,
    drifts: [
      { deployment: 'swift', from: swiftSlow, to: swiftBack, factor: 5 },
      { deployment: 'brisk', from: briskSlow, to: undefined, factor: 4 },
    ],
    outage: { deployment: 'budget', from: outageFrom, to: outageTo },
  };
}

const active = (event: MarketEvent, request: number) => request >= event.from && (event.to === undefined || request < event.to);

/** The true median time to first token of `spec` at request `request`, and whether it is up. */
export function trueState(spec: DeploymentSpec, request: number): { medianMs: number; up: boolean } {
  let medianMs = spec.medianMs * latencyScale;
  let up = true;
  for (const event of spec.events) {
    if (!active(event, request)) continue;
    if (event.outage) up = false;
    if (event.factor) medianMs *= event.factor;
  }
  return { medianMs, up };
}

/** The time to first token of request `request` at `spec`: common random numbers across deployments. */
export function ttftDraw(market: Market, spec: DeploymentSpec, request: number): number {
  return trueState(spec, request).medianMs * Math.exp(spec.sigma * normal(market.seed, request, 11));
}

/** The completion length of request `request`, whoever answers it. */
export function completionDraw(market: Market, request: number): number {
  return Math.max(1, Math.min(maxTokens, Math.round(completionMedian * Math.exp(completionSigma * normal(market.seed, request, 13)))));
}

/** What an attempt gets: an answer after `delayMs`, a 503 at once, or a reset after `delayMs`. */
export function attemptOutcome(market: Market, index: number, spec: DeploymentSpec, request: number, attempt: number): { kind: 'ok' | '503' | 'reset'; delayMs: number } {
  const delayMs = ttftDraw(market, spec, request);
  if (!trueState(spec, request).up) return { kind: '503', delayMs: 0 };
  const draw = uniform(market.seed, request, 17, index, attempt);
  if (draw < spec.failRate) return { kind: '503', delayMs: 0 };
  if (draw < spec.failRate + spec.resetRate) return { kind: 'reset', delayMs: delayMs / 2 };
  return { kind: 'ok', delayMs };
}

/** True expected cost of one request at `spec`, in EUR. */
export function expectedCost(spec: DeploymentSpec): number {
  return (promptTokens * spec.price.input + expectedCompletion * spec.price.output) / 1_000_000;
}

/** True p90 of time to first token at request `request`. */
export function trueP90(spec: DeploymentSpec, request: number): number {
  return trueState(spec, request).medianMs * Math.exp(1.2816 * spec.sigma);
}
