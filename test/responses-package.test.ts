import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/*
 * The Responses endpoint is a chunk of the built package loaded on first use: it must load from
 * both builds, and a stream from either must be recognised as one (a single ResponseStream class).
 */

const root = join(import.meta.dirname, '..');
let consumer: string;

// dist is built (when stale) by test/global-setup.ts before any test file runs.
beforeAll(() => {
  consumer = mkdtempSync(join(tmpdir(), 'sovroute-responses-consumer-'));
  mkdirSync(join(consumer, 'node_modules'));
  symlinkSync(root, join(consumer, 'node_modules', 'sovroute'), 'dir');
});
afterAll(() => rmSync(consumer, { recursive: true, force: true }));

const program = (load: string) => `
${load}
const router = sovroute.createRouter({ apiKey: 'test-package', providers: [sovroute.openaiCompatible({ id: 'local', baseURL: 'http://127.0.0.1:9/v1', models: [{ id: 'm' }] })] });
(async () => {
  const response = await router.responses.create({ model: 'm', input: 'ping' });
  const stream = await router.responses.create({ model: 'm', input: 'ping', stream: true });
  const types = [];
  for await (const event of stream) types.push(event.type);
  const http = await router.fetch('http://sovroute.local/v1/responses', {
    method: 'POST', headers: { authorization: 'Bearer test-package', 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'm', input: 'ping', stream: true, previous_response_id: response.id }),
  });
  const body = await http.text();
  console.log(JSON.stringify({ text: response.output_text.startsWith('Pseudo-LLM reply'), isStream: stream instanceof sovroute.ResponseStream,
    last: types.at(-1), contentType: http.headers.get('content-type'), completed: body.includes('event: response.completed') }));
})();`;

const expected = { text: true, isStream: true, last: 'response.completed', contentType: 'text/event-stream', completed: true };

function run(args: string[]): unknown {
  return JSON.parse(execFileSync(process.execPath, args, { cwd: consumer, encoding: 'utf8' }));
}

describe('the built package serves responses', () => {
  it('with require (CommonJS)', () => {
    expect(run(['-e', program("const sovroute = require('sovroute');")])).toEqual(expected);
  });

  it('with import (ESM)', () => {
    expect(run(['--input-type=module', '-e', program("import * as sovroute from 'sovroute';")])).toEqual(expected);
  });
});
