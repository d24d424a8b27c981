import { readFileSync } from 'node:fs';
import { auditCommand, auditUsage, UsageError } from './cli-audit.js';

const usage = `sovroute — an in-process LLM router with jurisdiction policies and an audit trail

Usage:
${auditUsage}  sovroute --version     print the version
  sovroute --help        print this help
`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === '--version' || command === '-v') {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    process.stdout.write(`${pkg.version}\n`);
    return 0;
  }
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(usage);
    return 0;
  }
  try {
    if (command === 'audit') return await auditCommand(rest, { stdout: process.stdout, stderr: process.stderr });
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`sovroute: ${error.message}\n\n${usage}`);
      return 2;
    }
    process.stderr.write(`sovroute: ${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  }
  process.stderr.write(`sovroute: unknown command "${command}"\n\n${usage}`);
  return 2;
}

// A reader that stops early (`| head`) closes the pipe: that is not an error worth a stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

process.exitCode = await main(process.argv.slice(2));
