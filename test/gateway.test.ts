import { spawnSync } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { builtCli, loadBuiltNode } from './helpers/built-package.js';
import { useGateways } from './helpers/gateway-process.js';

const root = join(import.meta.dirname, '..');
const example = join(root, 'examples', 'sovroute.config.yaml');
const gateways = useGateways('sovroute-gateway-');
const { directory } = gateways;

const model = 'mistral-small-3.2-24b';
const messages = [{ role: 'user' as const, content: 'Say something.' }];


/** A raw HTTP call: curl when the machine has it, node:http otherwise. */
async function rawPost(url: string, body: object): Promise<{ status: number; text: string }> {
  const payload = JSON.stringify(body);
  if (spawnSync('curl', ['--version']).status === 0) {
    const run = spawnSync('curl', ['-sS', '-w', '\n%{http_code}', '-H', 'authorization: Bearer test-local', '-H', 'content-type: application/json', '--data-binary', payload, url], { encoding: 'utf8' });
    const lines = run.stdout.trimEnd().split('\n');
    return { status: Number(lines.pop()), text: lines.join('\n') };
  }
  return new Promise((resolve, reject) => {
    const call = httpRequest(url, { method: 'POST', headers: { authorization: 'Bearer test-local', 'content-type': 'application/json' } }, (response) => {
      let text = '';
      response.setEncoding('utf8').on('data', (chunk: string) => (text += chunk)).on('end', () => resolve({ status: response.statusCode ?? 0, text }));
    });
    call.once('error', reject);
    call.end(payload);
  });
}

describe('sovroute serve --config examples/sovroute.config.yaml', () => {
  it('serves the OpenAI SDK and raw HTTP with a test key, and a SIGTERM lets a stream finish, flushes the audit log and exits 0', async () => {
    const audit = join(directory, 'audit.jsonl');
    const gateway = await gateways.start(example, { SOVROUTE_AUDIT_FILE: audit });
    // The banner names the providers with their tier, the policy and the keys' labels, never the keys.
    expect(gateway.stderr()).toMatch(/policy\s+eu-hosted/);
    expect(gateway.stderr()).toMatch(/keys\s+local-test, team-a/);
    expect(gateway.stderr()).toMatch(/mistral-eu\s+eu-sovereign/);
    expect(gateway.stderr()).not.toContain('test-local');

    const health = await fetch(`${gateway.url}/healthz`);
    expect(health.status).toBe(200);
    const ready = await fetch(`${gateway.url}/readyz`);
    expect([ready.status, await ready.json()]).toEqual([200, { status: 'ready' }]);

    const client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: 'test-local', maxRetries: 0 });
    const completion = await client.chat.completions.create({ model, messages });
    expect(completion.choices[0]!.message.content).toBeTruthy();
    const chunks = [];
    for await (const chunk of await client.chat.completions.create({ model, messages, stream: true })) chunks.push(chunk);
    expect(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('')).toBeTruthy();

    const raw = await rawPost(`${gateway.url}/v1/chat/completions`, { model, messages });
    expect(raw.status).toBe(200);
    expect(JSON.parse(raw.text).choices[0].message.content).toBeTruthy();
    const rawStream = await rawPost(`${gateway.url}/v1/chat/completions`, { model, messages, stream: true });
    expect(rawStream.status).toBe(200);
    expect(rawStream.text.trimEnd().endsWith('data: [DONE]')).toBe(true);

    // A slow stream (the pseudo-LLM waits between chunks), cut by SIGTERM after its first chunk.
    // The simulate extension, honoured with test keys, is no part of the SDK's types.
    const slowParams = { model, messages, stream: true as const, max_tokens: 40, simulate: { chunk_delay_ms: 40 } };
    const slow = await client.chat.completions.create(slowParams);
    const received: string[] = [];
    let finish: string | null | undefined;
    let signalled = false;
    for await (const chunk of slow) {
      received.push(chunk.choices[0]?.delta.content ?? '');
      finish = chunk.choices[0]?.finish_reason ?? finish;
      if (!signalled) {
        signalled = true;
        gateway.child.kill('SIGTERM');
      }
    }
    expect(received.length).toBeGreaterThan(3);
    expect(finish).toBeTruthy();
    const [code] = await gateway.exited;
    expect(code).toBe(0);
    expect(gateway.stderr()).toContain('SIGTERM: no longer accepting');

    const { verifyAuditFile, readAuditFile } = await loadBuiltNode();
    expect(await verifyAuditFile(audit)).toMatchObject({ ok: true, count: 5 });
    const records = await readAuditFile(audit);
    expect(records.at(-1)).toMatchObject({ stream: true, outcome: 'success', key_id: 'local-test', simulated: true });
  });

  it("--port that is not written in digits (an empty $PORT, 0x50, 1e3) exits 2, instead of listening on a free port or another one", () => {
    const config = join(directory, 'port.yaml');
    writeFileSync(config, 'providers:\n  - preset: scaleway\n');
    for (const port of ['', ' ', '0x50', '1e3']) {
      const run = spawnSync(process.execPath, [builtCli, 'serve', '--config', config, '--port', port], { encoding: 'utf8', timeout: 10_000 });
      expect(run.status).toBe(2);
      expect(run.stderr).toMatch(/^sovroute: --port takes a port number from 0 to 65535/);
    }
  });

  it('a configuration that cannot be used stops the start with the file, the line and the fix (exit 2)', () => {
    const config = join(directory, 'typo.yaml');
    writeFileSync(config, 'providers:\n  - preset: scaleway\npolcy: eu-sovereign\n');
    const run = spawnSync(process.execPath, [builtCli, 'serve', '--config', config, '--port', '0'], { encoding: 'utf8' });
    expect(run.status).toBe(2);
    expect(run.stderr).toBe(`sovroute: ${config}:3: unknown key polcy: did you mean policy?\n`);
  });
});
