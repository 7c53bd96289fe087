import type { Command } from '../command';
import { UsageError } from '../io';

const TRANSPORTS = ['--stdio', '--node-ipc'];

export const lspCommand: Command = {
  name: 'lsp',
  summary: 'run the language server (for editors: Neovim, Emacs, Helix, ...)',
  usage: 'netpol lsp --stdio | --node-ipc | --socket=PORT',
  async run(argv) {
    // createConnection reads the transport from the process arguments; check them here for a clear message.
    if (!argv.some((a) => TRANSPORTS.includes(a) || a.startsWith('--socket=') || a.startsWith('--pipe='))) {
      throw new UsageError('choose a transport: --stdio, --node-ipc or --socket=PORT');
    }
    // Loaded on demand: the other commands do not pay for the language server's start-up.
    const { serverConnection } = await import('../../lsp/stdio');
    const { startServer } = await import('../../lsp/server');
    await startServer(serverConnection(argv));
    return 0;
  },
};
