import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { readTail } from './file-tail.js';

const directory = mkdtempSync(join(tmpdir(), 'sovroute-tail-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

async function tailOf(content: string | Buffer) {
  const path = join(directory, `file-${Math.random().toString(36).slice(2)}`);
  writeFileSync(path, content);
  const handle = await open(path, 'r');
  try {
    return await readTail(handle);
  } finally {
    await handle.close();
  }
}

describe('readTail', () => {
  it('finds the last line that is JSON, and whether the file ends mid-line', async () => {
    expect(await tailOf('')).toEqual({ last: undefined, unterminated: false, torn: 0, size: 0 });
    expect(await tailOf('{"a":1}\n{"b":2}\n')).toMatchObject({ last: { b: 2 }, unterminated: false, torn: 0 });
    expect(await tailOf('{"a":1}\n{"b":2}\n{"torn')).toMatchObject({ last: { b: 2 }, unterminated: true, torn: 1 });
    expect(await tailOf('{"only":"unterminated"')).toMatchObject({ last: undefined, unterminated: true, torn: 1 });
    // A whole last line that lacks only its newline counts.
    expect(await tailOf('{"a":1}\n{"b":2}')).toMatchObject({ last: { b: 2 }, unterminated: true, torn: 0 });
  });

  it('reads a first line after a byte order mark (a Windows editor saves one), so a writer continues its chain', async () => {
    expect(await tailOf('\uFEFF{"a":1}\n')).toMatchObject({ last: { a: 1 }, torn: 0 });
    expect(await tailOf('\uFEFF{"a":1}\n{"torn')).toMatchObject({ last: { a: 1 }, torn: 1 });
  });

  it('skips blank lines at the end', async () => {
    expect(await tailOf('{"a":1}\n{"b":2}\n\n  \n')).toMatchObject({ last: { b: 2 }, torn: 0 });
    expect(await tailOf('\n\n')).toMatchObject({ last: undefined, torn: 0 });
  });

  it('passes over any number of torn lines, each of any size, to the last whole line', async () => {
    const record = JSON.stringify({ id: 'req_1', text: `${'é'.repeat(50_000)}€`, hash: 'a'.repeat(64) });
    const cut = (length: number) => JSON.stringify({ id: 'req_2', text: 'x'.repeat(3 * 1024 * 1024) }).slice(0, length);
    const file = `{"id":"req_0"}\n${record}\n${cut(2_000_000)}\n${cut(70_000)}\n${cut(100)}`;
    expect(await tailOf(file)).toMatchObject({ last: JSON.parse(record), unterminated: true, torn: 3 });
    // A torn line cut right after a nested object closes ends with "}" and is still torn.
    expect(await tailOf(`${record}\n{"id":"req_2","usage":{"a":1}`)).toMatchObject({ last: { id: 'req_1' }, torn: 1 });
  });

  it('reads a long torn line by its last block only', async () => {
    const path = join(directory, 'long-torn');
    writeFileSync(path, `{"a":1}\n{"text":"${'x'.repeat(4 * 1024 * 1024)}`);
    const handle = await open(path, 'r');
    const read = vi.spyOn(handle, 'read');
    try {
      expect(await readTail(handle)).toMatchObject({ last: { a: 1 }, torn: 1 });
      // Every read is at most a block: the 4 MiB torn line is never read whole.
      const largest = Math.max(...read.mock.calls.map((call) => (call[0] as unknown as Buffer).length));
      expect(largest).toBeLessThanOrEqual(64 * 1024);
    } finally {
      await handle.close();
    }
  });
});
