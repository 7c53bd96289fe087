// One start of netpol's language server on a workspace, as `npm run bench` measures it: spawn → `netpol/indexComplete`
// and every finding published. Used by bench/start-lsp.mjs (builds compared in alternating rounds) and by
// bench/run.mjs (the start without a code cache).
import path from 'node:path';
import { LspClient, now, sleep } from './rpc.mjs';
import { cpuMsOfTree } from './proc.mjs';
import { uriOf } from './targets.mjs';

/**
 * @param {{ cli: string, dir: string, nodeArgs?: string[], timeoutMs?: number }} o  cli: a bin/netpol.js
 * @returns {Promise<{ initialize: number, index: number | null, start: number | null, cpu: number, readLog: string }>}
 */
export async function startOnly(o) {
  const spawnedAt = now();
  let readLog = '';
  const client = new LspClient([process.execPath, ...(o.nodeArgs ?? []), o.cli, 'lsp', '--stdio'], {
    cwd: path.dirname(path.dirname(o.cli)),
    settings: { netpol: {} },
    onLog: (line) => {
      if (/netpol: read \d+ files/.test(line)) readLog = line.replace(/^.*netpol: /, '');
    },
  });
  let indexCompleteAt = null;
  let lastFindingAt = 0;
  let lastMessageAt = spawnedAt;
  client.listen((method, params, at) => {
    lastMessageAt = at;
    if (method === 'netpol/indexComplete') indexCompleteAt = at;
    else if (method === 'textDocument/publishDiagnostics' && params.diagnostics?.length) lastFindingAt = Math.max(lastFindingAt, at);
  });
  const rootUri = uriOf(o.dir);
  await client.request('initialize', {
    processId: process.pid, rootUri, rootPath: o.dir, workspaceFolders: [{ uri: rootUri, name: path.basename(o.dir) }],
    capabilities: { workspace: { configuration: true, workspaceFolders: true }, textDocument: { publishDiagnostics: { relatedInformation: true } }, window: { workDoneProgress: true } },
  }, 60_000);
  const initializedAt = now();
  client.answers['workspace/configuration'] = (params) => (params?.items ?? []).map(() => ({}));
  client.notify('initialized', {});
  const timeoutMs = o.timeoutMs ?? 600_000;
  while (indexCompleteAt === null && !client.exited && now() - spawnedAt < timeoutMs) await sleep(10);
  while (now() - lastMessageAt < 500) await sleep(20);
  const cpu = cpuMsOfTree(client.pid);
  await client.stop();
  return {
    initialize: Math.round(initializedAt - spawnedAt),
    index: indexCompleteAt === null ? null : Math.round(indexCompleteAt - spawnedAt),
    start: indexCompleteAt === null ? null : Math.round(Math.max(indexCompleteAt, lastFindingAt) - spawnedAt),
    cpu,
    readLog,
  };
}
