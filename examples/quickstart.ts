/**
 * sovroute quickstart: routes under an EU-sovereign policy with a `test-` key, so every call is
 * answered by the built-in pseudo-LLM: no network, no secrets. Run with `npm run demo`.
 */
import { createRouter, groq, memoryAudit, ovhcloud, RouterError, scaleway, verifyAudit } from '../src/index.js';

const audit = memoryAudit();

const router = createRouter({
  // Three built-in presets serving one open-weight model, operated and hosted in different places:
  // Scaleway (Paris) and OVHcloud (Gravelines) are French; Groq is a US operator. Each preset
  // carries its jurisdiction facts, models and dated prices; API keys are read from each
  // provider's environment variable only when a real call is made, so none is needed here.
  providers: [scaleway(), ovhcloud(), groq()],
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
  await router.chat.completions.create({ model: 'groq/llama-3.3-70b-instruct', messages });
} catch (error) {
  if (!RouterError.isInstance(error)) throw error;
  console.log(`   ${error.status} ${error.code}: ${error.message}\n`);
}

await router.flush();
console.log('4. The audit trail:\n');
for (const record of audit.records) {
  console.log(`   ${record.ts}  ${record.outcome.padEnd(7)} ${String(record.requested_model).padEnd(32)} → ${record.provider ?? '-'}  cost ${record.cost ?? 0} ${record.currency}  hash ${record.hash.slice(0, 12)}…`);
}
const verdict = verifyAudit(audit.records);
console.log(`\n   chain of ${audit.records.length} records: ${verdict.ok ? 'verified' : `broken at ${verdict.index}: ${verdict.reason}`}`);
