import { describe, expect, it } from 'vitest';
import {
  contentHash,
  createRouter,
  memoryAudit,
  openaiCompatible,
  RouterError,
  policyHash,
  presetPolicies,
  type AuditContentMode,
  type JurisdictionPolicy,
} from '../src/index.js';
import { mockServer } from './helpers/msw.js';
import { testProviders } from './helpers/providers.js';

mockServer();
const messages = [
  { role: 'system' as const, content: 'You are terse.' },
  { role: 'user' as const, content: 'Name one EU country.' },
];

function router(content?: AuditContentMode, extra: { policy?: JurisdictionPolicy; keys?: Record<string, { policy: JurisdictionPolicy }> } = {}) {
  const audit = memoryAudit();
  const routed = createRouter({
    providers: testProviders(),
    policy: extra.policy ?? 'eu-hosted',
    apiKey: 'test-record',
    ...(extra.keys ? { keys: extra.keys } : {}),
    audit: content === undefined ? [audit] : { sinks: [audit], content },
  });
  return { routed, audit };
}

async function completeBothWays(routed: ReturnType<typeof router>['routed']) {
  const response = await routed.chat.completions.create({ model: 'auto', messages, seed: 3 });
  const stream = await routed.chat.completions.create({ model: 'auto', messages, seed: 3, stream: true });
  let streamed = '';
  for await (const chunk of stream) streamed += chunk.choices[0]?.delta.content ?? '';
  await routed.flush();
  return { text: response.choices[0]!.message.content!, streamed };
}

describe('audit.content', () => {
  it("'none' (the default) keeps no text at all", async () => {
    const { routed, audit } = router();
    const { text } = await completeBothWays(routed);
    expect(audit.records.every((record) => record.content === undefined)).toBe(true);
    expect(JSON.stringify(audit.records)).not.toContain(text.slice(0, 30));
    expect(JSON.stringify(audit.records)).not.toContain('Name one EU country');
  });

  it("'hash' keeps the SHA-256 of each message and each answer, the same streamed or not", async () => {
    const { routed, audit } = router('hash');
    const { text, streamed } = await completeBothWays(routed);
    expect(streamed).toBe(text);
    const expected = { mode: 'hash', prompt: messages.map(contentHash), completion: [contentHash({ content: text })] };
    expect(audit.records.map((record) => record.content)).toEqual([expected, expected]);
    expect(JSON.stringify(audit.records)).not.toContain('Name one EU country');
  });

  it("'full' keeps the messages and the answers", async () => {
    const { routed, audit } = router('full');
    const { text } = await completeBothWays(routed);
    const expected = { mode: 'full', prompt: messages, completion: [{ content: text }] };
    expect(audit.records.map((record) => record.content)).toEqual([expected, expected]);
  });

  it('keeps tool calls, joined from stream deltas like the unstreamed message', async () => {
    const { routed, audit } = router('full');
    const tools = [{ type: 'function' as const, function: { name: 'lookup', parameters: { type: 'object', properties: { country: { type: 'string' } }, required: ['country'] } } }];
    const request = { model: 'auto', messages, tools, tool_choice: 'required' as const, seed: 1 };
    const response = await routed.chat.completions.create(request);
    const stream = await routed.chat.completions.create({ ...request, stream: true });
    for await (const _chunk of stream);
    await routed.flush();
    const call = response.choices[0]!.message.tool_calls![0]!;
    const expected = [{ content: null, tool_calls: [{ id: call.id, type: 'function', function: call.function }] }];
    expect(audit.records.map((record) => record.content?.completion)).toEqual([expected, expected]);
  });

  it('keeps what reached the caller of a stream that was cut', async () => {
    const { routed, audit } = router('full');
    const stream = await routed.chat.completions.create({ model: 'auto', messages, stream: true, simulate: { fault: 'stream_cut', cut_after_chunks: 3 } });
    let received = '';
    await (async () => {
      for await (const chunk of stream) received += chunk.choices[0]?.delta.content ?? '';
    })().catch(() => undefined);
    await routed.flush();
    expect(audit.records[0]!.content?.completion).toEqual([{ content: received }]);
  });

  it('a request holding a value JSON cannot write (an in-process BigInt) fails as invalid_request with its one record', async () => {
    for (const content of ['hash', 'full'] as const) {
      const audit = memoryAudit();
      const unsent = openaiCompatible({ id: 'eu-local', baseURL: 'http://127.0.0.1:9/v1', models: [{ id: 'm' }] });
      const routed = createRouter({ providers: [unsent], audit: { sinks: [audit], content } });
      const unwritable = [{ role: 'user', content: [{ type: 'text', text: 'hi', extra: 10n }] }];
      const error = await routed.chat.completions.create({ model: 'm', messages: unwritable } as never).catch((caught: unknown) => caught);
      expect(RouterError.isInstance(error), content).toBe(true);
      expect((error as RouterError).code).toBe('invalid_request');
      await routed.flush();
      expect(audit.records, content).toHaveLength(1);
      expect(audit.records[0]!.outcome).toBe('invalid');
      expect(audit.records[0]!.id).toBe((error as RouterError).auditId);
    }
  });

  it('hashes each embedding input', async () => {
    const { routed, audit } = router('hash');
    await routed.embeddings.create({ model: 'embed-small', input: ['alpha', 'beta'] });
    await routed.flush();
    expect(audit.records[0]!.content).toEqual({ mode: 'hash', prompt: [contentHash('alpha'), contentHash('beta')], completion: null });
  });
});

describe('policy_hash', () => {
  it('is the hash of the effective policies, so a changed policy shows in the record', async () => {
    const custom: JurisdictionPolicy = { name: 'fr-only', hosting: ['FR'] };
    const { routed, audit } = router(undefined, { policy: custom });
    await routed.chat.completions.create({ model: 'auto', messages });
    const changed = router(undefined, { policy: { ...custom, hosting: ['FR', 'DE'] } });
    await changed.routed.chat.completions.create({ model: 'auto', messages });
    await routed.flush();
    await changed.routed.flush();
    expect(audit.records[0]!.policy_hash).toBe(policyHash([custom]));
    expect(changed.audit.records[0]!.policy_hash).not.toBe(audit.records[0]!.policy_hash);
    expect(changed.audit.records[0]!.policy).toBe(audit.records[0]!.policy); // same name, different content
  });

  it('covers every policy that applied: router, key and model string', async () => {
    const team: JurisdictionPolicy = { name: 'team', providers: { deny: ['eu-cloud'] } };
    const { routed, audit } = router(undefined, { keys: { 'test-team': { policy: team } } });
    await routed.chat.completions.create({ model: 'eu-sovereign/llama-3.3-70b-instruct', messages }).catch(() => undefined);
    await routed.chat.completions.create({ model: 'auto', messages }, { apiKey: 'test-team' });
    await routed.flush();
    expect(audit.records[0]!.policy_hash).toBe(policyHash([presetPolicies['eu-hosted'], presetPolicies['eu-sovereign']]));
    expect(audit.records[1]!.policy_hash).toBe(policyHash([presetPolicies['eu-hosted'], team]));
  });

  it('depends on what a policy means, not how it is spelt', () => {
    expect(policyHash([{ name: 'p', hosting: ['fr', 'DE'] }])).toBe(policyHash([{ name: 'p', hosting: ['DE', 'FR'] }]));
    expect(policyHash([presetPolicies.global, presetPolicies['eu-hosted']])).toBe(policyHash([presetPolicies['eu-hosted'], presetPolicies.global]));
    expect(policyHash([presetPolicies['eu-hosted']])).toBe(policyHash([presetPolicies['eu-hosted'], presetPolicies['eu-hosted']]));
    expect(policyHash([{ name: 'p', hosting: 'EU' }])).not.toBe(policyHash([{ name: 'p', hosting: 'EEA' }]));
  });
});
