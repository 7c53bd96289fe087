// The server's connection, for both entry points (`netpol lsp`, dist/server.js), and the --stdio transport's writer.
// vscode-jsonrpc's stream writer writes a message's header and its body as two writes, a step of the event loop
// apart; on a pipe each is a system call that wakes the editor, which then waits for the rest. This writer sends
// each message as one frame in one write (the same bytes).
import { AbstractMessageWriter, createConnection, ProposedFeatures, StreamMessageReader, type Connection, type Message, type MessageWriter } from 'vscode-languageserver/node';

/** The server's connection for the transport named in `argv` (--stdio, --node-ipc, --socket=PORT, --pipe=NAME). */
export function serverConnection(argv: readonly string[]): Connection {
  if (argv.includes('--stdio')) return createConnection(ProposedFeatures.all, new StreamMessageReader(process.stdin), new FramedMessageWriter(process.stdout));
  return createConnection(ProposedFeatures.all);
}

export class FramedMessageWriter extends AbstractMessageWriter implements MessageWriter {
  private failures = 0;

  constructor(private readonly output: NodeJS.WritableStream) {
    super();
    output.on('error', (error: Error) => this.fireError(error));
    output.on('close', () => this.fireClose());
  }

  write(message: Message): Promise<void> {
    const body = Buffer.from(JSON.stringify(message), 'utf8');
    const header = Buffer.from(`Content-Length: ${body.byteLength}\r\n\r\n`, 'ascii');
    // Written at once, in call order: messages never interleave.
    return new Promise((resolve, reject) => {
      this.output.write(Buffer.concat([header, body]), (error) => {
        if (error) {
          this.failures++;
          this.fireError(error, message, this.failures);
          reject(error);
        } else {
          this.failures = 0;
          resolve();
        }
      });
    });
  }

  end(): void {
    this.output.end();
  }
}
