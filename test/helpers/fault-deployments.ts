import { openaiCompatible, type ModelOffer, type Provider } from '../../src/index.js';
import type { FaultUpstream } from './fault-server.js';
import { euFacts, usFacts } from './providers.js';

/**
 * A deployment of `model-a` behind a fault-server upstream, named after it. `price` is the
 * input price per 1M tokens (output costs three times as much); omit it for an unpriced offer.
 */
export function deployment(
  upstream: FaultUpstream,
  options: { price?: number; us?: boolean; offer?: Partial<ModelOffer> } = {},
): Provider {
  return openaiCompatible({
    id: upstream.name,
    baseURL: upstream.baseURL,
    apiKey: `sk-${upstream.name}`,
    jurisdiction: options.us ? usFacts : euFacts,
    models: [
      {
        id: 'model-a',
        ...(options.price === undefined ? {} : { price: { input: options.price, output: options.price * 3, currency: 'EUR' as const } }),
        capabilities: ['chat', 'tools', 'json'],
        ...options.offer,
      },
    ],
  });
}

export const messages = [{ role: 'user' as const, content: 'Summarise the data-processing agreement in one line.' }];

/** Retries fast enough for tests that do not fake timers. */
export const quickRetry = { retries: 1, minTimeoutMs: 1, maxTimeoutMs: 2 };
