// The --stdio writer: each message is one write of a Content-Length frame (LSP specification, "Base Protocol"),
// read back by vscode-jsonrpc's own reader; write errors reach the connection.
import assert from 'node:assert/strict';
import { PassThrough, Writable } from 'node:stream';
import { describe, test } from 'node:test';
import { StreamMessageReader, type Message } from 'vscode-languageserver/node';
import { FramedMessageWriter } from '../../src/lsp/stdio';

describe('FramedMessageWriter (the --stdio transport)', () => {
  test('one write per message, framed with the body length in bytes, read back as sent', async () => {
    const chunks: Buffer[] = [];
    const wire = new PassThrough();
    const writes = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        chunks.push(chunk);
        wire.write(chunk, callback);
      },
    });
    const writer = new FramedMessageWriter(writes);
    const messages: Message[] = [
      { jsonrpc: '2.0', id: 1, result: { contents: 'ü → ✓ 🙂' } } as Message,
      { jsonrpc: '2.0', method: 'textDocument/publishDiagnostics', params: { uri: 'file:///a.yaml', diagnostics: [] } } as Message,
      { jsonrpc: '2.0', id: 2, result: 'x'.repeat(200_000) } as Message,
    ];
    const received: Message[] = [];
    const reader = new StreamMessageReader(wire);
    const all = new Promise<void>((resolve) => {
      reader.listen((message) => {
        received.push(message);
        if (received.length === messages.length) resolve();
      });
    });
    for (const message of messages) await writer.write(message);
    await all;
    assert.deepEqual(received, messages);
    assert.equal(chunks.length, messages.length, 'one write per message');
    for (const [i, chunk] of chunks.entries()) {
      const body = Buffer.from(JSON.stringify(messages[i]), 'utf8');
      assert.deepEqual(chunk, Buffer.concat([Buffer.from(`Content-Length: ${body.byteLength}\r\n\r\n`, 'ascii'), body]));
    }
  });

  test('messages written without waiting keep their order', async () => {
    const chunks: string[] = [];
    const writer = new FramedMessageWriter(
      new Writable({
        write(chunk: Buffer, _encoding, callback) {
          chunks.push(chunk.toString('utf8'));
          setTimeout(callback, 1);
        },
      }),
    );
    await Promise.all(Array.from({ length: 20 }, (_, i) => writer.write({ jsonrpc: '2.0', id: i, result: i } as Message)));
    assert.deepEqual(
      chunks.map((c) => JSON.parse(c.slice(c.indexOf('\r\n\r\n') + 4)).id),
      Array.from({ length: 20 }, (_, i) => i),
    );
  });

  test('a failed write rejects and reaches onError with the message and the count of failures in a row', async () => {
    const writer = new FramedMessageWriter(
      new Writable({
        write(_chunk, _encoding, callback) {
          callback(new Error('EPIPE'));
        },
      }),
    );
    const errors: [Error, Message | undefined, number | undefined][] = [];
    writer.onError(([error, message, count]) => errors.push([error, message, count]));
    const message = { jsonrpc: '2.0', id: 7, result: null } as Message;
    await assert.rejects(writer.write(message), /EPIPE/);
    // The stream is destroyed after its error: the next write fails too, and counts as the second in a row.
    await assert.rejects(writer.write(message));
    const fromWrites = errors.filter(([, m]) => m !== undefined);
    assert.deepEqual(
      fromWrites.map(([error, m, count]) => [error.message === 'EPIPE', m, count]),
      [
        [true, message, 1],
        [false, message, 2],
      ],
    );
  });
});
