import type { JurisdictionFacts, Provider } from '../../providers/types.js';
import { buildPreset, eur, type PresetOptions } from './preset.js';

const facts: JurisdictionFacts = {
  operator: { name: 'T-Systems International GmbH', country: 'DE', parents: [{ name: 'Deutsche Telekom AG', country: 'DE' }] },
  // Only the models T-Systems runs itself, on Open Telekom Cloud / T Cloud in Germany. The hub also
  // resells "external" models hosted by US clouds outside the EU: they are another deployment and
  // are left out here. (Deutsche Telekom owns T-Mobile US; a subsidiary is not in the chain.)
  hosting: ['DE'],
  // Sub-processors depend on the model and were not reviewed: left unknown.
  verifiedAt: '2026-11-22',
  source: 'https://docs.llmhub.t-systems.net/reference/api-endpoints',
};

/**
 * T-Systems AI Foundation Services (LLM Hub), id `t-systems`: German operator under Deutsche
 * Telekom, inference in Germany. Satisfies `eu-sovereign`. Also serves legacy `POST /completions`.
 * Key: `T_SYSTEMS_LLM_API_KEY`. EUR prices; plans carry a minimum monthly commitment (from EUR
 * 1,000), and cached input is billed about 85% lower (priced as `cachedInput` below). The
 * GLM and Qwen model id strings are unverified; check them with `GET /v2/models`.
 */
export function tSystems(options?: PresetOptions): Provider {
  return buildPreset(
    {
      factory: 'tSystems',
      id: 't-systems',
      baseURL: 'https://llm-server.llmhub.t-systems.net/v2',
      envVar: 'T_SYSTEMS_LLM_API_KEY',
      jurisdiction: facts,
      completions: true,
      models: [
        { id: 'gpt-oss-120b', price: eur(0.2, 0.65, { cachedInput: 0.03 }), priceAsOf: '2026-10-01' },
        { id: 'glm-5.2', native: 'GLM-5.2', price: eur(1.5, 3.5, { cachedInput: 0.225 }), priceAsOf: '2026-10-01' },
        { id: 'glm-5.3-flash', native: 'GLM-5.3-Flash', price: eur(0.2, 0.6, { cachedInput: 0.03 }), priceAsOf: '2026-10-01' },
        { id: 'qwen3.8-27b', native: 'Qwen3.8-27B-FP8', price: eur(0.5, 2.5, { cachedInput: 0.075 }), priceAsOf: '2026-10-01' },
      ],
    },
    options,
  );
}
