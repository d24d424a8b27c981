import { readFileSync } from 'node:fs';

const usage = `sovroute — an in-process LLM router with jurisdiction policies and an audit trail

Usage:
  sovroute --version     print the version
  sovroute --help        print this help
`;

function main(argv: string[]): number {
  const [command] = argv;
  if (command === '--version' || command === '-v') {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    process.stdout.write(`${pkg.version}\n`);
    return 0;
  }
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(usage);
    return 0;
  }
  process.stderr.write(`sovroute: unknown command "${command}"\n\n${usage}`);
  return 2;
}

process.exitCode = main(process.argv.slice(2));
