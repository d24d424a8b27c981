import { InvalidRequestError } from '../../errors.js';
import type { JurisdictionFacts, Provider } from '../../providers/types.js';
import { buildPreset, chf, configurationError, readEnv, usd, type PresetOptions } from './preset.js';

const facts: JurisdictionFacts = {
  operator: { name: 'Infomaniak Network SA', country: 'CH', parents: [] }, // independent, Geneva
  // Switzerland is outside the EU/EEA (it has an EU adequacy decision): the built-in EU policies
  // exclude Infomaniak; a policy whose `hosting` adds 'CH' admits it.
  hosting: ['CH'],
  // Sub-processors: the research found none, which is not the same as knowing there are none,
  // so they stay unknown (policies asking about US sub-processors refuse it until declared).
  // Processing is stated to stay in Infomaniak's Swiss data centres.
  zeroRetention: true, // Infomaniak states prompts are neither stored nor used for training
  verifiedAt: '2026-11-22',
  source: 'https://www.infomaniak.com/en/support/faq/admin2/ai-tools',
};

const productVariable = 'INFOMANIAK_PRODUCT_ID';
const placeholder = '{product_id}';
const missingProduct = `no product id: set ${productVariable} or pass productId to infomaniak()`;

export interface InfomaniakOptions extends PresetOptions {
  /**
   * Your AI Tools product id: requests go to `https://api.infomaniak.com/2/ai/{productId}/openai/v1`.
   * Without it (and without `baseURL` or the variable) the preset still shows in routing
   * decisions: `explain()` lists it excluded for the missing product id, test keys simulate it,
   * and real calls leave it out.
   * @default the `INFOMANIAK_PRODUCT_ID` environment variable, read at each call
   * @example '105123'
   */
  productId?: string | undefined;
}

/**
 * Infomaniak rejects `response_format: { type: 'text' }` with a 400 (it accepts only
 * `json_schema`). Text is what every model answers anyway, so the field is dropped; JSON modes
 * never reach Infomaniak because its offers do not claim the `json` capability.
 */
function withoutTextFormat(init: RequestInit | undefined): RequestInit | undefined {
  if (typeof init?.body !== 'string' || !init.body.includes('"response_format"')) return init;
  const body = JSON.parse(init.body) as { response_format?: { type?: unknown } };
  if (body.response_format?.type !== 'text') return init;
  delete body.response_format;
  return { ...init, body: JSON.stringify(body) };
}

/** Puts the product id, read at call time, into the URL, and smooths the request quirk above. */
function infomaniakFetch(id: string, productId: string | undefined, inner: typeof globalThis.fetch | undefined): typeof globalThis.fetch {
  return (input, init) => {
    let url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (url.includes(placeholder)) {
      const product = productId ?? readEnv(productVariable);
      if (product === undefined) {
        return Promise.reject(configurationError(id, `no product id; pass productId to infomaniak() or set ${productVariable}`));
      }
      url = url.replace(placeholder, encodeURIComponent(product));
    }
    return (inner ?? globalThis.fetch)(url, withoutTextFormat(init));
  };
}

/**
 * Infomaniak AI Tools, id `infomaniak`: Swiss operator, inference in Switzerland, no retention.
 * Eligible under `global` only (Switzerland is not in the EU/EEA). Key: `INFOMANIAK_API_TOKEN`,
 * plus your product id (`productId` or `INFOMANIAK_PRODUCT_ID`). CHF price for Kimi K2.6; the
 * Qwen and Gemma prices are third-party approximations in USD, and their ids are Infomaniak's
 * aliases: check both with `GET /models`.
 */
export function infomaniak(options: InfomaniakOptions = {}): Provider {
  const { productId, ...preset } = options;
  const id = preset.id ?? 'infomaniak';
  if (productId !== undefined && !/^[A-Za-z0-9_-]+$/.test(productId)) {
    throw new InvalidRequestError(`infomaniak: productId "${productId}" is not a product id; use your AI Tools product's id (letters, digits, - or _)`, 'productId');
  }
  preset.fetch = infomaniakFetch(id, productId, preset.fetch);
  return buildPreset(
    {
      factory: 'infomaniak',
      id: 'infomaniak',
      baseURL: `https://api.infomaniak.com/2/ai/${placeholder}/openai/v1`,
      envVar: 'INFOMANIAK_API_TOKEN',
      jurisdiction: facts,
      models: [
        { id: 'kimi-k2.6', native: 'moonshotai/Kimi-K2.6', price: chf(0.6, 3), context: 262_144, capabilities: ['chat', 'tools', 'vision'], priceAsOf: '2026-10-01' },
        { id: 'qwen3.5-397b-a17b', native: 'qwen3.5', price: usd(0.88, 3.96), capabilities: ['chat', 'tools'], priceAsOf: '2026' },
        { id: 'gemma-4-31b', native: 'gemma-4', price: usd(0.22, 0.44), capabilities: ['chat', 'tools', 'vision'], priceAsOf: '2026' },
      ],
    },
    preset,
    // The variable is read at each call, so it is read at each planning too.
    () => (productId !== undefined || (preset.baseURL !== undefined && !preset.baseURL.includes(placeholder)) || readEnv(productVariable) !== undefined ? undefined : missingProduct),
  );
}
