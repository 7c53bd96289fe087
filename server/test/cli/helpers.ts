// Runs the CLI in-process and captures what it prints.
import { runCli } from '../../src/cli/main';
import type { Progress } from '../../src/cli/progress';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CaptureOptions {
  /** The environment the CLI sees (NO_COLOR, FORCE_COLOR, COLUMNS); an empty one by default, so tests do not
   * depend on the shell they run in. */
  env?: NodeJS.ProcessEnv;
  /** Standard output as a terminal of this width. */
  terminalColumns?: number;
  progress?: Progress;
}

export async function runCaptured(argv: string[], stdinText?: string, options: CaptureOptions = {}): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    stdin: () => {
      if (stdinText === undefined) throw new Error('this test gave no standard input');
      return stdinText;
    },
    stdoutIsTTY: options.terminalColumns !== undefined,
    columns: options.terminalColumns,
    env: options.env ?? {},
    progress: options.progress,
  });
  return { code, stdout, stderr };
}
