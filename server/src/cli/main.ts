// Entry point of `netpol`: dispatches to the commands, maps errors to exit codes.
import * as fs from 'node:fs';
import type { CliIO } from './command';
import { COMMANDS } from './commands';
import { UsageError } from './io';

export async function runCli(argv: string[], io: CliIO): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(helpText());
    return name ? 0 : 2;
  }
  if (name === '--version') {
    io.stdout(`${version()}\n`);
    return 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    io.stderr(`netpol: unknown command "${name}". Run netpol --help for the list.\n`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout(`usage: ${command.usage}\n`);
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`netpol ${name}: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}

function version(): string {
  return typeof NETPOL_VERSION === 'string' ? NETPOL_VERSION : 'dev';
}
declare const NETPOL_VERSION: string | undefined;

function helpText(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'netpol: Kubernetes NetworkPolicy analysis',
    '',
    'usage: netpol <command> [options] PATH...',
    '',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Run netpol <command> --help for its options.',
    '',
  ].join('\n');
}

if (require.main === module || process.argv[1]?.endsWith('netpol.js') || process.argv[1]?.endsWith('cli.js')) {
  const io: CliIO = {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    stdin: () => fs.readFileSync(0, 'utf8'),
  };
  runCli(process.argv.slice(2), io).then(
    (code) => {
      process.exitCode = code;
    },
    (error) => {
      process.stderr.write(`netpol: internal error: ${(error as Error).stack ?? error}\n`);
      process.exitCode = 3;
    },
  );
}
