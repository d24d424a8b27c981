import { openaiCompatible, type JurisdictionFacts, type ModelOffer } from '../../src/index.js';

/* A small fixed catalogue for tests: one EU-sovereign, one EU-hosted US operator, one global. */

export const euFacts: JurisdictionFacts = { operator: { name: 'Example Cloud SAS', country: 'FR', parents: [] }, hosting: ['FR'] };
export const usInEuFacts: JurisdictionFacts = {
  operator: { name: 'Example Hyperscaler EU BV', country: 'NL', parents: [{ name: 'Example Hyperscaler Inc', country: 'US' }] },
  hosting: ['NL', 'DE'],
};
export const usFacts: JurisdictionFacts = { operator: { name: 'Example AI Inc', country: 'US', parents: [] }, hosting: ['US'] };

const llama = (price: number, extra: Partial<ModelOffer> = {}): ModelOffer => ({
  id: 'llama-3.3-70b-instruct',
  price: { input: price, output: price * 3, currency: 'EUR' },
  context: 128_000,
  capabilities: ['chat', 'tools', 'json'],
  ...extra,
});

export function testProviders(baseURL = 'https://upstream.test') {
  return [
    openaiCompatible({
      id: 'eu-cloud',
      baseURL: `${baseURL}/eu-cloud/v1`,
      apiKey: 'sk-eu',
      jurisdiction: euFacts,
      models: [llama(0.3), { id: 'embed-small', price: { input: 0.02, output: 0, currency: 'EUR' }, capabilities: ['embeddings'] }],
    }),
    openaiCompatible({
      id: 'hyperscaler-eu',
      baseURL: `${baseURL}/hyperscaler-eu/v1`,
      apiKey: 'sk-hs',
      jurisdiction: usInEuFacts,
      models: [llama(0.2, { native: 'meta-llama/Llama-3.3-70B-Instruct' })],
    }),
    openaiCompatible({
      id: 'us-ai',
      baseURL: `${baseURL}/us-ai/v1`,
      apiKey: 'sk-us',
      jurisdiction: usFacts,
      models: [llama(0.1, { native: 'llama-3.3-70b-versatile' }), { id: 'gpt-4o', price: { input: 2.5, output: 10, currency: 'USD' }, capabilities: ['chat', 'tools', 'vision', 'json'] }],
    }),
  ];
}
