// exit: the connection's end; startServer resolves then.
import type { Connection } from 'vscode-languageserver';

export function whenExited(connection: Connection): Promise<void> {
  return new Promise<void>((resolve) => connection.onExit(() => resolve()));
}
