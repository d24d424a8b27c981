import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
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
  it('reads the last complete line and what follows it', async () => {
    expect(await tailOf('')).toEqual({ lastLine: null, partial: '', size: 0 });
    expect(await tailOf('a\nb\n')).toMatchObject({ lastLine: 'b', partial: '' });
    expect(await tailOf('a\nb\n{"torn')).toMatchObject({ lastLine: 'b', partial: '{"torn' });
    expect(await tailOf('only, unterminated')).toMatchObject({ lastLine: null, partial: 'only, unterminated' });
    expect(await tailOf('first\n')).toMatchObject({ lastLine: 'first', partial: '' });
  });

  it('skips blank lines at the end', async () => {
    expect(await tailOf('a\nb\n\n  \n')).toMatchObject({ lastLine: 'b', partial: '' });
    expect(await tailOf('\n\n')).toMatchObject({ lastLine: null, partial: '' });
  });

  it('assembles a last line longer than one block, multi-byte text included', async () => {
    const long = `${'é'.repeat(50_000)}€${'x'.repeat(70_000)}`;
    expect(await tailOf(`head\n${long}\n`)).toMatchObject({ lastLine: long, partial: '' });
    expect(await tailOf(`${long}\ntorn`)).toMatchObject({ lastLine: long, partial: 'torn' });
  });
});
