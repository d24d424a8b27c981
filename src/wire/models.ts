/** One entry of `GET /v1/models`, with where and by whom it is served. */
export interface ModelEntry {
  /** The id to send as `model` (tier 1: `{provider}/{model}`). */
  id: string;
  object: 'model';
  created: number;
  owned_by: string;
  /** The provider id serving it. */
  provider: string;
  /** The canonical model id, comparable across providers. */
  canonical: string;
  /** A short summary of the deployment's jurisdiction facts. */
  jurisdiction: {
    operator: string;
    operator_country: string;
    hosting: string[];
    us_controlled: boolean | null;
    /** The strictest built-in policy the deployment satisfies. */
    tier: 'eu-sovereign' | 'eu-hosted' | 'global';
  };
  /** Per 1M tokens, in the router's currency; cache reads and writes when the deployment prices them apart. */
  price?: { input: number; output: number; cachedInput?: number; cacheWrite?: number; currency: string };
  context?: number;
  capabilities?: string[];
}

export interface ModelList {
  object: 'list';
  data: ModelEntry[];
}
