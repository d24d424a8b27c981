import type { FileHandle } from 'node:fs/promises';

const blockSize = 64 * 1024;
const newline = 0x0a;

/** The end of a line-oriented file, read from the end so a large file costs a block or two. */
export interface FileTail {
  /** The last non-blank line that ends with a newline, or null. */
  lastLine: string | null;
  /** What follows the last newline: '' when the file ends with one, else what an interrupted write left. */
  partial: string;
  size: number;
}

async function readBlock(handle: FileHandle, position: number, length: number): Promise<Buffer> {
  const block = Buffer.alloc(length);
  let filled = 0;
  while (filled < length) {
    const { bytesRead } = await handle.read(block, filled, length - filled, position + filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return block.subarray(0, filled);
}

/**
 * Reads a file backwards, block by block, until it has the last complete non-blank line. UTF-8
 * never uses the newline byte inside a character, so splitting bytes on it is safe.
 */
export async function readTail(handle: FileHandle): Promise<FileTail> {
  const { size } = await handle.stat();
  let position = size;
  let pieces: Buffer[] = []; // the line being assembled, in file order, still open to the left
  let partial: string | undefined;
  while (position > 0) {
    const length = Math.min(blockSize, position);
    position -= length;
    const block = await readBlock(handle, position, length);
    let end = block.length;
    for (let index = end - 1; index >= 0; index--) {
      if (block[index] !== newline) continue;
      const text = Buffer.concat([block.subarray(index + 1, end), ...pieces]).toString('utf8');
      pieces = [];
      end = index;
      if (partial === undefined) partial = text;
      else if (text.trim() !== '') return { lastLine: text, partial, size };
    }
    pieces.unshift(block.subarray(0, end));
  }
  const first = Buffer.concat(pieces).toString('utf8');
  // No newline at all: the whole file is one unterminated line.
  if (partial === undefined) return { lastLine: null, partial: first, size };
  return { lastLine: first.trim() === '' ? null : first, partial, size };
}
