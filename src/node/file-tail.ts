import type { FileHandle } from 'node:fs/promises';

const blockSize = 64 * 1024;
export const newline = 0x0a;
/** The last byte of a whole record's line (spaces aside). */
export const closingBrace = 0x7d;

/** The end of a JSON-lines file, found by reading it backwards. */
export interface FileTail {
  /** The last line that is JSON (a value, or `undefined` when no line is), parsed. */
  last: unknown;
  /** Whether the file ends without a newline: a write was cut short, or a last line lacks only its newline. */
  unterminated: boolean;
  /** How many lines after `last` are not JSON: torn writes, passed over. */
  torn: number;
  size: number;
}

async function readRange(handle: FileHandle, start: number, end: number): Promise<Buffer> {
  const block = Buffer.alloc(end - start);
  let filled = 0;
  while (filled < block.length) {
    const { bytesRead } = await handle.read(block, filled, block.length - filled, start + filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return block.subarray(0, filled);
}

/** The byte ranges of a file's lines, last first (the text after the last newline, maybe empty, first of all). */
async function* linesBackwards(handle: FileHandle, size: number): AsyncGenerator<{ start: number; end: number }> {
  let lineEnd = size;
  let position = size;
  while (position > 0) {
    const length = Math.min(blockSize, position);
    position -= length;
    const block = await readRange(handle, position, position + length);
    for (let index = block.lastIndexOf(newline); index >= 0; index = index === 0 ? -1 : block.lastIndexOf(newline, index - 1)) {
      yield { start: position + index + 1, end: lineEnd };
      lineEnd = position + index;
    }
  }
  yield { start: 0, end: lineEnd };
}

/** Whitespace JSON allows around a value (a line's newline included). */
export const isSpace = (byte: number) => byte === 0x20 || byte === 0x09 || byte === 0x0d || byte === newline;

/**
 * A line's value, `blank`, or `torn` for a line that is not JSON. A line longer than a block is
 * read whole only if it ends with `}` (it may be a record): any other long line is taken for a
 * torn write without reading it, so a torn tail of any size costs a block, not its size.
 */
async function classify(handle: FileHandle, start: number, end: number): Promise<{ value: unknown } | 'blank' | 'torn'> {
  if (end - start > blockSize) {
    const tail = await readRange(handle, end - Math.min(blockSize, end - start), end);
    let last = tail.length - 1;
    while (last >= 0 && isSpace(tail[last]!)) last--;
    if (last >= 0 && tail[last] !== closingBrace) return 'torn';
  }
  // UTF-8 never uses the newline byte inside a character, so a line's bytes decode on their own.
  let text = (await readRange(handle, start, end)).toString('utf8');
  // A byte order mark (a Windows editor saves one) is not part of the first line's record.
  if (start === 0 && text.startsWith('\uFEFF')) text = text.slice(1);
  if (text.trim() === '') return 'blank';
  try {
    return { value: JSON.parse(text) as unknown };
  } catch {
    return 'torn';
  }
}

/**
 * Reads a JSON-lines file backwards, however many torn lines (lines that are not JSON, what a
 * write cut short leaves) end it, until a line that is JSON. Memory stays at a block or two plus
 * that last line, whatever the size of the file or of its torn tail.
 */
export async function readTail(handle: FileHandle): Promise<FileTail> {
  const { size } = await handle.stat();
  const unterminated = size > 0 && (await readRange(handle, size - 1, size))[0] !== newline;
  let torn = 0;
  for await (const { start, end } of linesBackwards(handle, size)) {
    const line = await classify(handle, start, end);
    if (line === 'blank') continue;
    if (line === 'torn') torn += 1;
    else return { last: line.value, unterminated, torn, size };
  }
  return { last: undefined, unterminated, torn, size };
}
