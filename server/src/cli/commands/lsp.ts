import type { Command } from '../command';
import { UsageError } from '../io';

const TRANSPORTS = ['--stdio', '--node-ipc'];

export const lspCommand: Command = {
  name: 'lsp',
  summary: 'run the language server (for editors: Neovim, Emacs, Helix, ...)',
  arguments: '',
  details: 'Choose one transport. Options the editor adds for the language server library (--clientProcessId) are accepted.',
  options: [
    { name: 'stdio', default: 'off (one transport is required)', description: 'speak LSP over standard input and output', example: '--stdio' },
    { name: 'node-ipc', default: 'off', description: 'speak LSP over the Node.js IPC channel (when started by a Node.js client)', example: '--node-ipc' },
    { name: 'socket', value: 'PORT', default: 'none', description: 'connect to a TCP socket on this port', example: '--socket=6009' },
    { name: 'pipe', value: 'NAME', default: 'none', description: 'connect to a named pipe', example: '--pipe=/tmp/netpol.sock' },
  ],
  examples: ['netpol lsp --stdio'],
  async run(argv) {
    // The transport is read by createConnection from the arguments as the library spells them; they are checked
    // here only for a clear message (the library's own options such as --clientProcessId pass through).
    if (!argv.some((a) => TRANSPORTS.includes(a) || a.startsWith('--socket=') || a.startsWith('--pipe='))) {
      throw new UsageError('choose a transport: --stdio, --node-ipc, --socket=PORT or --pipe=NAME; run netpol lsp --help for the options');
    }
    // Loaded on demand: the other commands do not pay for the language server's start-up.
    const { serverConnection } = await import('../../lsp/stdio');
    const { startServer } = await import('../../lsp/server');
    await startServer(serverConnection(argv));
    return 0;
  },
};
