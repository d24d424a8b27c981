import { describe, expect, it } from 'vitest';
import { createRouter, openaiCompatible, type FxTable } from '../src/index.js';
import { anyUpstream } from './helpers/catalog.js';
import { mockServer } from './helpers/msw.js';

/* Prices in EUR, USD and CHF compare through the router's fx table and are reported in its currency. */

const upstream = mockServer();
const messages = [{ role: 'user' as const, content: 'Hello' }];
const facts = { operator: { name: 'Example SAS', country: 'FR' }, hosting: ['FR'] };

function router(currency: string, fx: FxTable) {
  return createRouter({
    providers: [
      openaiCompatible({
        id: 'usd-cloud',
        baseURL: 'https://usd-cloud.test/v1',
        jurisdiction: facts,
        models: [{ id: 'llama-3.3-70b-instruct', price: { input: 1, output: 1, currency: 'USD' } }],
      }),
      openaiCompatible({
        id: 'eur-cloud',
        baseURL: 'https://eur-cloud.test/v1',
        jurisdiction: facts,
        models: [{ id: 'llama-3.3-70b-instruct', price: { input: 0.6, output: 0.6, currency: 'EUR' } }],
      }),
    ],
    strategy: 'cheapest',
    currency,
    fx,
  });
}

describe('fx', () => {
  it('ranks a USD and a EUR price by their value under the configured rates', () => {
    // 1 EUR = 2 USD: the USD deployment costs 0.5 EUR per 1M tokens, less than 0.6 EUR.
    expect(router('EUR', { USD: 1, EUR: 2 }).explain({ model: 'llama-3.3-70b-instruct', messages }).chosen?.provider).toBe('usd-cloud');
    // 1 EUR = 1.5 USD: the USD deployment costs 0.667 EUR, more than 0.6 EUR.
    expect(router('EUR', { USD: 1, EUR: 1.5 }).explain({ model: 'llama-3.3-70b-instruct', messages }).chosen?.provider).toBe('eur-cloud');
  });

  it('reports estimates, costs and listed prices in the router’s currency', async () => {
    upstream.use(...anyUpstream); // usage: 12 prompt + 4 completion tokens
    const inEuro = router('EUR', { USD: 1, EUR: 2 });
    const response = await inEuro.chat.completions.create({ model: 'llama-3.3-70b-instruct', messages });
    expect(response.provider).toBe('usd-cloud');
    expect(response.usage).toMatchObject({ total_tokens: 16, currency: 'EUR' });
    expect(response.usage.cost).toBeCloseTo((16 * 0.5) / 1e6, 15);
    const listed = await inEuro.models.list();
    expect(listed.data.find((model) => model.provider === 'usd-cloud')?.price).toEqual({ input: 0.5, output: 0.5, currency: 'EUR' });

    const inDollars = router('USD', { USD: 1, EUR: 2 });
    const decision = inDollars.explain({ model: 'llama-3.3-70b-instruct', messages });
    const eurCandidate = decision.candidates.find((candidate) => candidate.provider === 'eur-cloud')!;
    const usdCandidate = decision.candidates.find((candidate) => candidate.provider === 'usd-cloud')!;
    expect(eurCandidate.est_cost! / usdCandidate.est_cost!).toBeCloseTo(1.2, 10);
    const priced = await inDollars.chat.completions.create({ model: 'eur-cloud/llama-3.3-70b-instruct', messages });
    expect(priced.usage).toMatchObject({ currency: 'USD' });
    expect(priced.usage.cost).toBeCloseTo((16 * 1.2) / 1e6, 15);
  });

  it('refuses, at createRouter, a currency the fx table cannot convert a price into', () => {
    expect(() => router('SEK', { USD: 1, EUR: 1.16 })).toThrow("no exchange rate between USD and SEK; add both to the router's fx option");
    expect(router('SEK', { USD: 1, EUR: 1.16, SEK: 0.1 }).explain({ model: 'llama-3.3-70b-instruct', messages }).chosen?.provider).toBe('eur-cloud');
  });

  it('compares a Swiss franc price through the fx table too, and costs its calls in the router’s currency', async () => {
    upstream.use(...anyUpstream); // usage: 12 prompt + 4 completion tokens
    const chfCloud = openaiCompatible({
      id: 'chf-cloud',
      baseURL: 'https://chf-cloud.test/v1',
      jurisdiction: facts,
      models: [{ id: 'llama-3.3-70b-instruct', price: { input: 0.5, output: 0.5, currency: 'CHF' } }],
    });
    const eurCloud = openaiCompatible({
      id: 'eur-cloud',
      baseURL: 'https://eur-cloud.test/v1',
      jurisdiction: facts,
      models: [{ id: 'llama-3.3-70b-instruct', price: { input: 0.6, output: 0.6, currency: 'EUR' } }],
    });
    const routed = (fx: FxTable) => createRouter({ providers: [chfCloud, eurCloud], strategy: 'cheapest', currency: 'EUR', fx });
    // 1 CHF = 1.1 EUR: 0.5 CHF is 0.55 EUR per 1M tokens, less than 0.6 EUR; at 1.3 EUR it is 0.65, more.
    const cheaper = routed({ USD: 1, EUR: 1, CHF: 1.1 });
    expect(routed({ USD: 1, EUR: 1, CHF: 1.3 }).explain({ model: 'llama-3.3-70b-instruct', messages }).chosen?.provider).toBe('eur-cloud');
    const response = await cheaper.chat.completions.create({ model: 'llama-3.3-70b-instruct', messages });
    expect(response.provider).toBe('chf-cloud');
    expect(response.usage).toMatchObject({ currency: 'EUR' });
    expect(response.usage.cost).toBeCloseTo((16 * 0.55) / 1e6, 15);
    // A table without CHF falls back to the built-in rate (1 CHF = 1.24 USD): 0.62 EUR here, more than 0.6.
    expect(routed({ USD: 1, EUR: 1 }).explain({ model: 'llama-3.3-70b-instruct', messages }).chosen?.provider).toBe('eur-cloud');
  });

  it('fills a currency the table leaves out with its built-in rate in the table’s own unit, not in dollars', async () => {
    upstream.use(...anyUpstream); // usage: 12 prompt + 4 completion tokens
    const chfCloud = openaiCompatible({
      id: 'chf-cloud',
      baseURL: 'https://chf-cloud.test/v1',
      jurisdiction: facts,
      models: [{ id: 'llama-3.3-70b-instruct', price: { input: 1, output: 1, currency: 'CHF' } }],
    });
    // Rates in euros (1 EUR = 1, 1 USD = 0.86 EUR), CHF left out: the built-in 1 CHF = 1.24 USD is
    // 1.24 × 0.86 = 1.0664 EUR, not 1.24 EUR (a dollar figure read as euros).
    const inEuroUnits = createRouter({ providers: [chfCloud], currency: 'EUR', fx: { EUR: 1, USD: 0.86 } });
    const response = await inEuroUnits.chat.completions.create({ model: 'llama-3.3-70b-instruct', messages });
    expect(response.usage.cost).toBeCloseTo((16 * 1.24 * 0.86) / 1e6, 15);
    const listed = await inEuroUnits.models.list();
    expect(listed.data[0]?.price?.input).toBeCloseTo(1.24 * 0.86, 12);
    // Without USD, a currency both tables rate sets the unit: 1 EUR = 1 here, the built-in 1.16 USD.
    const euroOnly = createRouter({ providers: [chfCloud], currency: 'EUR', fx: { EUR: 1 } });
    expect((await euroOnly.models.list()).data[0]?.price?.input).toBeCloseTo(1.24 / 1.16, 12);
  });

  it('lists a converted price without floating-point noise in its last digits', async () => {
    // 2 USD at the built-in 1 EUR = 1.16 USD is 1.72413793103448275… EUR; in binary floating point,
    // 2 / 1.16 reads 1.7241379310344829, wrong in its last two digits.
    const usdCloud = openaiCompatible({
      id: 'usd-cloud',
      baseURL: 'https://usd-cloud.test/v1',
      jurisdiction: facts,
      models: [{ id: 'gpt-6-sol', price: { input: 2, output: 10, cachedInput: 0.2, currency: 'USD' } }],
    });
    const listed = await createRouter({ providers: [usdCloud], currency: 'EUR' }).models.list();
    expect(listed.data[0]?.price).toEqual({ input: 1.724137931034, output: 8.620689655172, cachedInput: 0.172413793103, currency: 'EUR' });
  });
});
