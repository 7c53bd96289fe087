// Logging to the client and containing failures: a handler that throws is logged and answered with its fallback,
// never allowed to take the server down.
import type { Connection } from 'vscode-languageserver';

export function errorText(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}

export class ServerLog {
  private diskWork: Promise<void> = Promise.resolve();

  constructor(private readonly connection: Connection) {}

  log(message: string): void {
    try {
      this.connection.console.log(message);
    } catch {
      // The connection is gone; nothing to log to.
    }
  }

  /** Runs a handler, logging instead of crashing on errors. */
  guard<T>(name: string, fallback: T, fn: () => T): T {
    try {
      return fn();
    } catch (error) {
      this.log(`netpol: ${name} failed: ${errorText(error)}`);
      return fallback;
    }
  }

  async guardAsync<T>(name: string, fallback: T, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      this.log(`netpol: ${name} failed: ${errorText(error)}`);
      return fallback;
    }
  }

  /**
   * Disk reads after events, and settings reloads, run one after the other, so a later event's text never loses to
   * an earlier one's.
   */
  serially(name: string, fn: () => Promise<void>): void {
    this.diskWork = this.diskWork.then(() => this.guardAsync(name, undefined, fn));
  }
}
