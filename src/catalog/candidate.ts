import type { Capability, ModelOffer, Provider } from '../providers/types.js';

/** One (provider, model) pair the router can route to, with what is derived from it once. */
export interface Candidate {
  /** `${provider.id}/${model}`: the health, audit and display key. */
  readonly key: string;
  readonly provider: Provider;
  readonly offer: ModelOffer;
  /** Canonical model id. */
  readonly model: string;
  /** The id sent upstream. */
  readonly native: string;
  readonly capabilities: ReadonlySet<Capability>;
  /**
   * Price per 1M tokens in the router's currency, or undefined when the offer has none. Cache
   * reads and writes are priced as `input` when the offer gives them no price of their own.
   */
  readonly price: CandidatePrice | undefined;
}

/** A candidate's price per 1M tokens, in the router's currency. */
export interface CandidatePrice {
  readonly input: number;
  readonly output: number;
  /** An input token read from the prompt cache. */
  readonly cachedInput: number;
  /** An input token written to the prompt cache. */
  readonly cacheWrite: number;
}
