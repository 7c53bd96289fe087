// A minimal language-server client over stdio: JSON-RPC framing, requests with latency, notification waiters,
// and answers to the requests servers send to their client. Only what the benchmark needs.
import { spawn } from 'node:child_process';
import { peakRssOfTree } from './proc.mjs';

export const now = () => Number(process.hrtime.bigint()) / 1e6;
export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export class LspClient {
  /**
   * @param {string[]} command server command line
   * @param {{ cwd?: string, settings?: object, onLog?: (line: string) => void, answers?: Record<string, (params: any) => any> }} options
   */
  constructor(command, options = {}) {
    this.settings = options.settings ?? {};
    this.answers = options.answers ?? {};
    this.onLog = options.onLog ?? (() => {});
    this.nextId = 1;
    this.pending = new Map();
    this.listeners = new Set();
    this.exited = null;
    this.buffer = Buffer.alloc(0);
    this.peakRssMB = 0;
    this.child = spawn(command[0], command.slice(1), { stdio: ['pipe', 'pipe', 'pipe'], cwd: options.cwd });
    this.pid = this.child.pid;
    this.child.on('exit', (code, signal) => {
      this.exited = { code, signal };
      for (const p of this.pending.values()) p.reject(new Error(`server exited (${code ?? signal}) before answering ${p.method}`));
      this.pending.clear();
    });
    this.child.on('error', (error) => { this.exited = { code: -1, signal: String(error) }; });
    this.child.stdin.on('error', () => {});
    this.child.stderr.on('data', (b) => this.onLog(`[stderr] ${b}`));
    this.child.stdout.on('data', (chunk) => this.receive(chunk));
    // VmHWM is the kernel's own peak; sampling only catches children that come and go.
    this.rssTimer = setInterval(() => this.sampleRss(), 200);
  }

  sampleRss() {
    if (this.exited) return;
    const mb = peakRssOfTree(this.pid);
    if (mb > this.peakRssMB) this.peakRssMB = mb;
  }

  send(message) {
    if (this.exited) return;
    const body = JSON.stringify({ jsonrpc: '2.0', ...message });
    this.child.stdin.write(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  }

  notify(method, params) {
    this.send({ method, params });
  }

  /** Resolves with { result, ms }; rejects on an error answer, or after timeoutMs. */
  request(method, params, timeoutMs = 120_000) {
    const id = this.nextId++;
    const started = now();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`timeout after ${timeoutMs} ms: ${method}`));
      }, timeoutMs);
      this.pending.set(id, {
        method,
        resolve: (result) => { clearTimeout(timer); resolve({ result, ms: now() - started }); },
        reject: (error) => { clearTimeout(timer); reject(error); },
      });
      this.send({ id, method, params });
    });
  }

  /** Calls listener(method, params, at) for every notification from the server; returns an unsubscribe function. */
  listen(listener) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Resolves with the arrival time of the first notification that satisfies pred, or null after timeoutMs. */
  waitFor(pred, timeoutMs) {
    return new Promise((resolve) => {
      const timer = setTimeout(() => { off(); resolve(null); }, timeoutMs);
      const off = this.listen((method, params, at) => {
        if (pred(method, params)) { clearTimeout(timer); off(); resolve(at); }
      });
    });
  }

  receive(chunk) {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    for (;;) {
      const headerEnd = this.buffer.indexOf('\r\n\r\n');
      if (headerEnd < 0) return;
      const match = /Content-Length:\s*(\d+)/i.exec(this.buffer.subarray(0, headerEnd).toString('ascii'));
      if (!match) { this.buffer = this.buffer.subarray(headerEnd + 4); continue; }
      const length = Number(match[1]);
      if (this.buffer.length < headerEnd + 4 + length) return;
      const body = this.buffer.subarray(headerEnd + 4, headerEnd + 4 + length).toString('utf8');
      this.buffer = this.buffer.subarray(headerEnd + 4 + length);
      let message;
      try { message = JSON.parse(body); } catch { continue; }
      this.dispatch(message);
    }
  }

  dispatch(message) {
    const at = now();
    if (message.method !== undefined && message.id !== undefined) return this.answerServerRequest(message);
    if (message.method !== undefined) {
      if (message.method === 'window/logMessage' || message.method === 'window/showMessage') this.onLog(`[${message.method}] ${message.params?.message}`);
      for (const listener of [...this.listeners]) listener(message.method, message.params, at);
      return;
    }
    const pending = this.pending.get(message.id);
    if (!pending) return;
    this.pending.delete(message.id);
    if (message.error) pending.reject(Object.assign(new Error(`${pending.method}: ${message.error.message}`), { rpc: message.error }));
    else pending.resolve(message.result);
  }

  answerServerRequest(message) {
    const reply = (result) => this.send({ id: message.id, result });
    const custom = this.answers[message.method];
    if (custom) {
      try { return reply(custom(message.params)); } catch (error) { return this.send({ id: message.id, error: { code: -32603, message: String(error) } }); }
    }
    switch (message.method) {
      case 'workspace/configuration':
        return reply((message.params?.items ?? []).map((item) => sectionOf(this.settings, item.section)));
      case 'workspace/workspaceFolders':
        return reply(null);
      default:
        // registerCapability, workDoneProgress/create, refresh requests: acknowledging is what editors do.
        return reply(null);
    }
  }

  /** shutdown + exit; kills the server by its id when it does not exit within 5 s. */
  async stop() {
    clearInterval(this.rssTimer);
    try { await this.request('shutdown', null, 5000); } catch { /* answered or not, exit follows */ }
    this.notify('exit', null);
    const started = now();
    while (!this.exited && now() - started < 5000) await sleep(50);
    if (!this.exited) { try { process.kill(this.pid, 'SIGKILL'); } catch { /* already gone */ } }
  }
}

/** The value of a settings section (`yaml`, `a.b`), as workspace/configuration answers it. */
export function sectionOf(settings, section) {
  if (!section) return settings;
  let current = settings;
  for (const part of section.split('.')) {
    if (current && typeof current === 'object' && Object.prototype.hasOwnProperty.call(current, part)) current = current[part];
    else return null;
  }
  return current;
}
