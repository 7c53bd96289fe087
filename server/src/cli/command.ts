// The shape of a CLI command. Each command lives in `commands/<name>.ts` and is listed in `commands/index.ts`.
import type { OptionSpec } from './args';
import type { Progress } from './progress';

export interface CliIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Reads standard input (for `-`). */
  stdin?: () => string;
  /** Whether standard output is a terminal, and its width (for colour and wrapping of text reports). */
  stdoutIsTTY?: boolean;
  columns?: number;
  /** Standard error, when it is a terminal: progress of long runs goes there. */
  progress?: Progress;
  /** The process's environment (NO_COLOR, FORCE_COLOR); process.env when absent. */
  env?: NodeJS.ProcessEnv;
}

export interface Command {
  name: string;
  /** One line for `netpol --help`. */
  summary: string;
  /** The positional arguments, as the usage line shows them: `PATH...`. */
  arguments: string;
  /** Every option, for parsing and for `netpol help CMD` (each with its default and an example). */
  options: OptionSpec[];
  /** Command lines to copy. */
  examples: string[];
  /** A paragraph for the help after the summary: exit codes, what the input is. */
  details?: string;
  /** Returns the exit code: 0 success, 1 findings or failed checks, 2 bad arguments or unreadable input. */
  run(argv: string[], io: CliIO): number | Promise<number>;
}
