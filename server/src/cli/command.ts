// The shape of a CLI command. Each command lives in `commands/<name>.ts` and is listed in `commands/index.ts`.

export interface CliIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Reads standard input (for `-`). */
  stdin?: () => string;
}

export interface Command {
  name: string;
  /** One line for `netpol --help`. */
  summary: string;
  usage: string;
  /** Returns the exit code: 0 success, 1 findings or failed checks, 2 bad arguments or unreadable input. */
  run(argv: string[], io: CliIO): number | Promise<number>;
}
