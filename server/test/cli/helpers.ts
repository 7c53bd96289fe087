// Runs the CLI in-process and captures what it prints.
import { runCli } from '../../src/cli/main';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runCaptured(argv: string[], stdinText?: string): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    stdin: () => {
      if (stdinText === undefined) throw new Error('this test gave no standard input');
      return stdinText;
    },
  });
  return { code, stdout, stderr };
}
