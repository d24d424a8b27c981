import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import type { AuditOutcome } from '../audit/types.js';
import { exportAuditFile, verifyAuditFile } from './audit-file.js';

export const auditUsage = `  sovroute audit verify <file> [--expect-last-hash <hash>]
      check the hash chain of a JSONL audit log; exit 0 when intact, 1 at the first broken link
  sovroute audit export <file> --format csv|jsonl [--from <ISO>] [--to <ISO>]
                        [--outcome <outcome>[,...]] [--provider <id>[,...]] [--out <path>] [--bom]
      export the log (or the records matching the filters; --from inclusive, --to exclusive)
      to stdout or --out; --bom starts a CSV with the byte order mark Excel needs for UTF-8
`;

/** Thrown for a command line that cannot run: exit code 2 with the usage. */
export class UsageError extends Error {
  override name = 'UsageError';
}

function list(value: string | undefined): string[] | undefined {
  return value === undefined ? undefined : value.split(',').map((item) => item.trim()).filter(Boolean);
}

async function verify(args: string[], out: Writable): Promise<number> {
  const { positionals, values } = parseArgs({ args, allowPositionals: true, options: { 'expect-last-hash': { type: 'string' } } });
  const [file] = positionals;
  if (file === undefined || positionals.length > 1) throw new UsageError('audit verify takes one file');
  const expected = values['expect-last-hash'];
  const result = await verifyAuditFile(file, expected === undefined ? {} : { expectedLastHash: expected });
  if (result.ok) {
    out.write(`ok: ${result.count} record${result.count === 1 ? '' : 's'}${result.lastHash ? `, last hash ${result.lastHash}` : ''}\n`);
    return 0;
  }
  out.write(`broken at record ${result.index}: ${result.reason}\n`);
  return 1;
}

async function exportCommand(args: string[], out: Writable): Promise<number> {
  const { positionals, values } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      format: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      outcome: { type: 'string' },
      provider: { type: 'string' },
      out: { type: 'string' },
      bom: { type: 'boolean' },
    },
  });
  const [file] = positionals;
  if (file === undefined || positionals.length > 1) throw new UsageError('audit export takes one file');
  const format = values.format;
  if (format !== 'csv' && format !== 'jsonl') throw new UsageError('audit export needs --format csv or --format jsonl');
  const target = values.out === undefined ? out : createWriteStream(values.out);
  const write = async (text: string) => {
    if (!target.write(text)) await once(target, 'drain');
  };
  await exportAuditFile(
    file,
    {
      format,
      from: values.from,
      to: values.to,
      outcome: list(values.outcome) as AuditOutcome[] | undefined,
      provider: list(values.provider),
      bom: values.bom,
    },
    write,
  );
  if (target !== out) {
    target.end();
    await once(target, 'finish');
  }
  return 0;
}

/** `sovroute audit <verify|export> …`; resolves to the exit code. */
export async function auditCommand(args: string[], out: Writable): Promise<number> {
  const [command, ...rest] = args;
  try {
    if (command === 'verify') return await verify(rest, out);
    if (command === 'export') return await exportCommand(rest, out);
  } catch (error) {
    // parseArgs reports unknown or malformed options with this code.
    if ((error as { code?: unknown }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' || (error as { code?: unknown }).code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
      throw new UsageError((error as Error).message);
    }
    throw error;
  }
  throw new UsageError(command === undefined ? 'audit needs a command: verify or export' : `unknown audit command "${command}"`);
}
