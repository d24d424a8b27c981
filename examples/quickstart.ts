/**
 * sovroute quickstart: routes under an EU-sovereign policy with a `test-` key, so every call is
 * answered by the built-in pseudo-LLM: no network, no secrets. Run with `npm run demo`.
 */
import { createRouter, memoryAudit, openaiCompatible, RouterError } from '../src/index.js';

const audit = memoryAudit();

const router = createRouter({
  providers: [
    // Three deployments of one open-weight model, operated and hosted in different places.
    openaiCompatible({
      id: 'scaleway-fr',
      baseURL: 'https://api.scaleway.ai/v1',
      jurisdiction: { operator: { name: 'Scaleway SAS', country: 'FR', parents: [{ name: 'Iliad SA', country: 'FR' }] }, hosting: ['FR'] },
      models: [{ id: 'llama-3.3-70b-instruct', price: { input: 0.9, output: 0.9, currency: 'EUR' }, capabilities: ['chat', 'tools', 'json'] }],
    }),
    openaiCompatible({
      id: 'ovhcloud-fr',
      baseURL: 'https://oai.endpoints.kepler.ai.cloud.ovh.net/v1',
      jurisdiction: { operator: { name: 'OVH SAS', country: 'FR' }, hosting: ['FR'] },
      models: [{ id: 'llama-3.3-70b-instruct', native: 'Meta-Llama-3_3-70B-Instruct', price: { input: 0.67, output: 0.67, currency: 'EUR' } }],
    }),
    openaiCompatible({
      id: 'us-cloud',
      baseURL: 'https://api.us-cloud.example/v1',
      jurisdiction: { operator: { name: 'US Cloud Inc', country: 'US' }, hosting: ['US'] },
      models: [{ id: 'llama-3.3-70b-instruct', native: 'meta-llama/Llama-3.3-70B-Instruct', price: { input: 0.6, output: 0.6, currency: 'USD' } }],
    }),
  ],
  policy: 'eu-sovereign',
  strategy: 'cheapest',
  apiKey: 'test-quickstart', // a test- key: the pseudo-LLM answers, the routing decision is real
  audit: [audit],
});

const messages = [{ role: 'user' as const, content: 'In two sentences: why does data residency matter?' }];

console.log('1. The routing decision, before any call (router.explain):\n');
const decision = router.explain({ model: 'llama-3.3-70b-instruct', messages });
for (const candidate of decision.candidates) {
  const mark = candidate.eligible ? '✓' : '✗';
  const cost = candidate.est_cost === undefined ? '' : `  est. ${candidate.est_cost.toFixed(6)} EUR`;
  console.log(`   ${mark} ${candidate.provider}/${candidate.model}${cost}`);
  for (const reason of candidate.reasons) console.log(`       ${reason}`);
}
console.log(`   → chosen: ${decision.chosen?.provider} (policy ${decision.policy}, objective ${decision.objective})\n`);

console.log('2. A streamed answer:\n');
const stream = await router.chat.completions.create({ model: 'llama-3.3-70b-instruct', messages, stream: true });
process.stdout.write('   ');
for await (const chunk of stream) {
  process.stdout.write(chunk.choices[0]?.delta.content ?? '');
  if (chunk.usage && 'cost' in chunk.usage) {
    console.log(`\n\n   provider ${chunk.provider}, ${chunk.usage.total_tokens} tokens, cost ${chunk.usage.cost} ${chunk.usage.currency}`);
    console.log(`   simulated for: ${JSON.stringify(chunk.route?.simulated_for)}\n`);
  }
}

console.log('3. A request the policy refuses (tier 1, US-operated):\n');
try {
  await router.chat.completions.create({ model: 'us-cloud/llama-3.3-70b-instruct', messages });
} catch (error) {
  if (!RouterError.isInstance(error)) throw error;
  console.log(`   ${error.status} ${error.code}: ${error.message}\n`);
}

await router.flush();
console.log('4. The audit trail:\n');
for (const record of audit.records) {
  console.log(`   ${record.ts}  ${record.outcome.padEnd(7)} ${String(record.requested_model).padEnd(32)} → ${record.provider ?? '-'}  cost ${record.cost ?? 0} ${record.currency}  hash ${record.hash.slice(0, 12)}…`);
}
