// Entry point of `netpol`: dispatches to the commands, maps errors to exit codes. `main()` runs the process; the
// entry (bin/netpol.js through dist/cli-boot.js) calls it whatever name it was started by.
import { constants } from 'node:buffer';
import * as fs from 'node:fs';
import { closest, distance } from 'fastest-levenshtein';
import { commandHelp, parseArgs, type ParsedArgs } from './args';
import type { CliIO, Command } from './command';
import { COMMANDS } from './commands';
import { UsageError } from './io';
import { stderrProgress } from './progress';
import { version } from './version';
import { escapeControls } from '../report/escape';


/** Parses a command's arguments against its declared options. */
export function parseCommandArgs(argv: string[], command: Command): ParsedArgs {
  return parseArgs(argv, command.options, command.name);
}

export async function runCli(argv: string[], io: CliIO): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h') {
    (name ? io.stdout : io.stderr)(helpText());
    return name ? 0 : 2;
  }
  if (name === '--version' || name === '-V' || name === 'version') {
    io.stdout(`${version()}\n`);
    return 0;
  }
  if (name === 'help') {
    if (rest.length === 0) {
      io.stdout(helpText());
      return 0;
    }
    const command = COMMANDS.find((c) => c.name === rest[0]);
    if (!command) {
      io.stderr(`netpol help: unknown command "${escapeControls(rest[0])}"; commands: ${COMMANDS.map((c) => c.name).join(', ')}\n`);
      return 2;
    }
    io.stdout(commandHelp(command));
    return 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    const near = closest(name, COMMANDS.map((c) => c.name));
    const hint = distance(name, near) <= 2 ? ` (did you mean ${near}?)` : '';
    io.stderr(`netpol: unknown command "${escapeControls(name)}"${hint}; commands: ${COMMANDS.map((c) => c.name).join(', ')}. Run netpol --help for more.\n`);
    return 2;
  }
  // `--help` anywhere before `--` shows the command's help, whatever else is on the line.
  const beforeDashes = rest.indexOf('--') >= 0 ? rest.slice(0, rest.indexOf('--')) : rest;
  if (beforeDashes.includes('--help') || beforeDashes.includes('-h')) {
    io.stdout(commandHelp(command));
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    io.progress?.clear();
    if (error instanceof UsageError) {
      io.stderr(`netpol ${name}: ${error.message.split('\n').map(escapeControls).join('\n')}\n`);
      return 2;
    }
    throw error;
  }
}

function helpText(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    `netpol ${version()}: Kubernetes NetworkPolicy analysis`,
    '',
    'usage: netpol <command> [options] PATH...',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Run netpol help <command> (or netpol <command> --help) for its options, their defaults and examples.',
    'netpol --version prints the version.',
    '',
  ].join('\n');
}

/** Standard input, whole: any size a JavaScript string holds (about 512 MB), else a clear usage error. */
function readStandardInput(): string {
  try {
    return fs.readFileSync(0, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ERR_STRING_TOO_LONG') throw new UsageError(`standard input is larger than ${constants.MAX_STRING_LENGTH} characters, more than one run can hold; split it`);
    throw new UsageError(`cannot read standard input: ${code ?? (error as Error).message}`);
  }
}

/** Runs the CLI in this process, with its arguments, streams and exit code. */
export function main(): void {
  const stdoutIsTTY = process.stdout.isTTY === true;
  const io: CliIO = {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    stdin: readStandardInput,
    stdoutIsTTY,
    // A terminal that reports no size (0: a pty without one) counts as unknown: COLUMNS, else no wrapping.
    columns: stdoutIsTTY && process.stdout.columns > 0 ? process.stdout.columns : undefined,
    progress: stderrProgress(),
    env: process.env,
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

// `node dist/cli.js ...` runs it directly; the entry calls main() itself.
if (require.main === module) main();
