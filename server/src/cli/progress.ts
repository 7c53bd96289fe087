// Progress of long runs on standard error: only when it is a terminal, and only once a run has taken a second, so
// quick runs and pipes (CI logs, `2> file`) never see it. One line, rewritten in place and erased at the end.

export interface Progress {
  /** What the run is doing now: `read 1200 files`, `analysed scope 3 of 8`. `phase`: a new step, drawn even
   * right after the last line (updates within a step are drawn at most every 100 ms). */
  update(text: string, phase?: boolean): void;
  /** Erases the line, before the report is printed. */
  clear(): void;
}

const SHOW_AFTER_MS = 1000;
const REDRAW_EVERY_MS = 100;

/** A progress line written with `write`; `now` is injectable for tests. */
export function terminalProgress(write: (text: string) => void, columns: () => number, now: () => number = Date.now): Progress {
  const start = now();
  let lastDraw = 0;
  let shown = false;
  return {
    update(text, phase = false) {
      const t = now();
      if (t - start < SHOW_AFTER_MS || (!phase && t - lastDraw < REDRAW_EVERY_MS)) return;
      lastDraw = t;
      shown = true;
      // The text is ours (counts and scope names escaped by the caller); cut to the width so it never wraps.
      write(`\r\x1b[2K${`netpol: ${text}`.slice(0, Math.max(10, columns() - 1))}`);
    },
    clear() {
      if (shown) write('\r\x1b[2K');
      shown = false;
    },
  };
}

/** Progress on this process's standard error when it is a terminal; undefined otherwise (pipes, files, CI). */
export function stderrProgress(): Progress | undefined {
  if (process.stderr.isTTY !== true) return undefined;
  return terminalProgress((t) => process.stderr.write(t), () => process.stderr.columns || 80);
}
