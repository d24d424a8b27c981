import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { loadBuiltNode } from './helpers/built-package.js';
import { useGateways } from './helpers/gateway-process.js';
import { chunk, localUpstream, useLocalUpstreams } from './helpers/local-upstream.js';

/* `sovroute serve` cut at its shutdown deadline: what the audit log keeps of the requests it cut. */

useLocalUpstreams();
const gateways = useGateways('sovroute-shutdown-');
const { directory } = gateways;

const model = 'llama-3.3-70b-instruct';
const messages = [{ role: 'user', content: 'Take your time.' }];


describe('sovroute serve: requests cut at serve.shutdownTimeoutMs', () => {
  it('leaves one audit record for each request it cut, and exits 1', async () => {
    // An upstream that never ends an answer: a stream gets its first chunk, a completion nothing.
    const upstream = await localUpstream((body, response) => {
      if (body.stream !== true) return;
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write(`data: ${JSON.stringify(chunk(model, { role: 'assistant', content: 'Let me' }, null))}\n\n`);
    });
    const audit = join(directory, 'audit.jsonl');
    const config = join(directory, 'gateway.yaml');
    writeFileSync(
      config,
      [
        'providers:',
        '  - openaiCompatible:',
        '      id: on-prem',
        `      baseURL: ${upstream.baseURL}`,
        '      apiKey: sk-provider',
        '      jurisdiction: { operator: { name: Example GmbH, country: DE, parents: [] }, hosting: [DE] }',
        `      models: [{ id: ${model}, price: { input: 0, output: 0, currency: EUR } }]`,
        'keys:',
        '  - { key: sk-team, label: team }',
        'audit:',
        `  sinks: [{ jsonl: ${audit} }]`,
        'serve:',
        '  shutdownTimeoutMs: 200',
        '',
      ].join('\n'),
    );
    const gateway = await gateways.start(config);
    const calls = [false, false, true, true].map((stream) =>
      fetch(`${gateway.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer sk-team' },
        body: JSON.stringify({ model, messages, stream }),
      }).then(
        (response) => response.text().then(() => 'ended', () => 'cut'),
        () => 'cut',
      ),
    );
    await vi.waitFor(() => expect(upstream.hits).toBe(4), { timeout: 10_000 });

    gateway.child.kill('SIGTERM');
    const [code] = await gateway.exited;
    expect(code).toBe(1);
    expect(gateway.stderr()).toContain('were cut');
    expect(await Promise.all(calls)).toEqual(['cut', 'cut', 'cut', 'cut']);

    const { readAuditFile, verifyAuditFile } = await loadBuiltNode();
    expect(await verifyAuditFile(audit)).toMatchObject({ ok: true, count: 4 });
    const records = await readAuditFile(audit);
    expect(records.map((record) => record.outcome)).toEqual(['aborted', 'aborted', 'aborted', 'aborted']);
  });
});
