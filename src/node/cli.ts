import { readFileSync } from 'node:fs';
import { auditCommand, auditUsage } from './cli-audit.js';
import { explainCommand, explainUsage } from './cli-explain.js';
import { modelsCommand, modelsUsage } from './cli-models.js';
import { serveCommand, serveUsage } from './cli-serve.js';
import { UsageError, wantsHelp, type CommandIo } from './cli-usage.js';
import { FileError } from './cli-output.js';
import { ConfigError } from './config/config-error.js';

const usage = `sovroute — an LLM router with jurisdiction policies and an audit trail

Usage: sovroute <command> [options]

Commands:
  serve --config <file>                 run the gateway (OpenAI REST surface) from a configuration file
  explain --config <file> --model <m>   how a request for a model would be routed, and why
  models --config <file>                the models reachable under a policy, and where
  audit verify|export|report|migrate    check, export or report on the audit trail

Options:
  -h, --help       print this help (sovroute <command> --help for a command's options)
  -v, --version    print the version

Exit codes: 0 done; 1 the check failed (a broken audit chain, no eligible provider, a
gateway that could not shut down cleanly); 2 the command could not run as given (usage,
an unreadable file, an invalid configuration).
`;

const commands: Record<string, { usage: string; run: (args: string[], io: CommandIo) => Promise<number> }> = {
  serve: { usage: serveUsage, run: serveCommand },
  explain: { usage: explainUsage, run: explainCommand },
  models: { usage: modelsUsage, run: modelsCommand },
  audit: { usage: auditUsage, run: auditCommand },
};

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const io: CommandIo = { stdout: process.stdout, stderr: process.stderr, env: process.env };
  if (name === '--version' || name === '-v') {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    process.stdout.write(`${pkg.version}\n`);
    return 0;
  }
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage);
    return 0;
  }
  const command = commands[name];
  if (command === undefined) {
    process.stderr.write(`sovroute: unknown command "${name}"\n\n${usage}`);
    return 2;
  }
  // `audit --help` and `audit verify --help` are the audit command's to answer.
  if (name !== 'audit' && wantsHelp(rest)) {
    process.stdout.write(command.usage);
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`sovroute: ${error.message}\n\n${error.usage ?? command.usage}`);
      return 2;
    }
    if (error instanceof FileError || error instanceof ConfigError) {
      process.stderr.write(`sovroute: ${error.message}\n`);
      return 2;
    }
    process.stderr.write(`sovroute: ${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  }
}

// A reader that stops early (`| head`) closes the pipe: that is not an error worth a stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

process.exitCode = await main(process.argv.slice(2));
