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
    const { createConnection, ProposedFeatures, StreamMessageReader } = await import('vscode-languageserver/node');
    const { startServer } = await import('../../lsp/server');
    if (argv.includes('--stdio')) {
      const { FramedMessageWriter } = await import('../../lsp/stdio');
      await startServer(createConnection(ProposedFeatures.all, new StreamMessageReader(process.stdin), new FramedMessageWriter(process.stdout)));
    } else await startServer(createConnection(ProposedFeatures.all));
    return 0;
  },
};
