import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { createServer } from 'node:http';
import { describe, expect, it } from 'vitest';
import { loadBuilt } from './helpers/built-package.js';
import { closeServer, completion, listenOnLoopback, sendJson } from './helpers/local-upstream.js';

/*
 * A Node without `process.getBuiltinModule` (Node 20 before 20.16): the core entry loads its
 * Node-only capabilities through that function, so without it the native transport is off and
 * calls go through fetch, and audit records are hashed by the pure-JS SHA-256. A child process
 * deletes the function before importing the built package, routes calls and verifies the chain.
 */

const run = promisify(execFile);
const dist = pathToFileURL(join(import.meta.dirname, '..', 'dist', 'index.js')).href;

const { verifyAudit } = await loadBuilt();

async function routeInChild(baseURL: string, withoutBuiltins: boolean): Promise<{ answers: string[]; verified: unknown; records: unknown[] }> {
  const script = `
    ${withoutBuiltins ? 'delete process.getBuiltinModule;' : ''}
    const { createRouter, openaiCompatible, memoryAudit, verifyAudit } = await import(${JSON.stringify(dist)});
    const audit = memoryAudit();
    const router = createRouter({ providers: [openaiCompatible({ id: 'local', baseURL: ${JSON.stringify(baseURL)}, apiKey: 'k', models: [{ id: 'm' }] })], audit: [audit] });
    const answers = [];
    for (let index = 0; index < 3; index++) answers.push((await router.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'hi' }] })).choices[0].message.content);
    await router.flush();
    console.log(JSON.stringify({ answers, verified: verifyAudit(audit.records), records: audit.records }));
  `;
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { timeout: 30_000 });
  return JSON.parse(stdout) as { answers: string[]; verified: unknown; records: unknown[] };
}

describe('on a Node without process.getBuiltinModule', () => {
  it('routes through fetch instead of the native transport, and hashes a chain that verifies', async () => {
    const seen: string[] = [];
    const server = createServer((request, response) => {
      seen.push(request.headers['sec-fetch-mode'] ?? 'native');
      request.resume().on('end', () => sendJson(response, 200, completion('m', 'Bonjour')));
    });
    const baseURL = `http://127.0.0.1:${await listenOnLoopback(server)}/v1`;
    try {
      const without = await routeInChild(baseURL, true);
      expect(without.answers).toEqual(['Bonjour', 'Bonjour', 'Bonjour']);
      expect(without.records).toHaveLength(3);
      expect(without.verified).toEqual({ ok: true });
      // Hashed by the pure-JS SHA-256 there, verified here by node:crypto's: the same hashes.
      expect(verifyAudit(without.records as Parameters<typeof verifyAudit>[0])).toEqual({ ok: true });
      // fetch (undici) marks its requests; the native transport does not.
      expect(seen.splice(0)).toEqual(['cors', 'cors', 'cors']);

      // The same in an ordinary Node takes the native transport: the test tells the two apart.
      const withBuiltins = await routeInChild(baseURL, false);
      expect(withBuiltins.verified).toEqual({ ok: true });
      expect(seen).toEqual(['native', 'native', 'native']);
    } finally {
      await closeServer(server);
    }
  });
});
