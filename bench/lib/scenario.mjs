// Drives one language server through the editor session the benchmark measures: start, diagnostics for the
// workspace, edits that change labels, selectors and ports, hovers, code lenses, completions, peak memory.
import fs from 'node:fs';
import path from 'node:path';
import { LspClient, now, sectionOf, sleep } from './rpc.mjs';
import { cpuMsOfTree } from './proc.mjs';
import { pick, positionAt, seededRandom, uriOf } from './targets.mjs';

export function stats(values) {
  if (!values.length) return { n: 0 };
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
  const round = (x) => Math.round(x * 10) / 10;
  return { n: values.length, p50: round(rank(50)), p95: round(rank(95)), max: round(sorted[sorted.length - 1]) };
}

const CLIENT_CAPABILITIES = {
  workspace: { configuration: true, workspaceFolders: true, didChangeConfiguration: { dynamicRegistration: true }, didChangeWatchedFiles: { dynamicRegistration: true } },
  textDocument: {
    synchronization: { dynamicRegistration: false, didSave: true },
    publishDiagnostics: { relatedInformation: true, versionSupport: true },
    hover: { contentFormat: ['markdown', 'plaintext'] },
    completion: { completionItem: { snippetSupport: true, documentationFormat: ['markdown', 'plaintext'] } },
    codeLens: {},
    codeAction: { codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix'] } } },
  },
  window: { workDoneProgress: true },
};

/**
 * @param {object} o
 * @param {string[]} o.command server command line
 * @param {string} o.workspace folder
 * @param {string[]} o.files every YAML file of the workspace
 * @param {object} o.targets from findTargets
 * @param {'index'|'open-all'} o.startMode netpol indexes the folder itself; yaml-language-server only knows opened files
 * @param {object} [o.settings] answers to workspace/configuration
 * @param {number} [o.edits] number of edits (each change is followed by its revert; both are measured)
 * @param {number} [o.hovers] hovers per kind (selector, workload)
 * @param {number} [o.requests] code lens and completion requests
 * @param {number} [o.startTimeoutMs]
 * @param {number} [o.editBudgetMs] stop starting new edits after this long
 * @param {string} [o.log] file for the server's stderr and log messages
 * @param {[string, any][]} [o.notifications] sent right after `initialized`
 * @param {Record<string, (params: any) => any>} [o.answers] answers to server requests by method
 */
export async function runSession(o) {
  const logStream = o.log ? fs.createWriteStream(o.log) : undefined;
  const result = { startMode: o.startMode, notes: [] };
  const random = seededRandom(`${o.workspace}:session`);
  const spawnedAt = now();
  const client = new LspClient(o.command, { cwd: o.cwd, settings: o.settings ?? {}, answers: { ...o.answers }, onLog: (line) => logStream?.write(`${line}\n`) });
  // Every publishDiagnostics, by URI: the arrival time of the first and the latest, and whether it had findings.
  const diagnostics = new Map();
  const messageCounts = new Map();
  let lastDiagnosticsAt = 0;
  let indexCompleteAt = null;
  let indexCompleteParams = null;
  client.listen((method, params, at) => {
    if (method === 'textDocument/publishDiagnostics') {
      const entry = diagnostics.get(params.uri) ?? { first: at, firstWithFindings: null, count: 0 };
      entry.count = params.diagnostics?.length ?? 0;
      for (const d of params.diagnostics ?? []) {
        const key = String(d.message).slice(0, 400);
        messageCounts.set(key, (messageCounts.get(key) ?? 0) + 1);
      }
      entry.last = at;
      if (entry.count > 0 && entry.firstWithFindings === null) entry.firstWithFindings = at;
      diagnostics.set(params.uri, entry);
      lastDiagnosticsAt = at;
    } else if (method === 'netpol/indexComplete') {
      indexCompleteAt = at;
      indexCompleteParams = params;
    }
  });
  const waitQuiet = async (quietMs, maxMs) => {
    const started = now();
    while (now() - Math.max(lastDiagnosticsAt, started) < quietMs && now() - started < maxMs) await sleep(20);
  };

  try {
    const rootUri = uriOf(o.workspace);
    const init = await client.request('initialize', {
      processId: process.pid,
      rootUri,
      rootPath: o.workspace,
      workspaceFolders: [{ uri: rootUri, name: path.basename(o.workspace) }],
      capabilities: CLIENT_CAPABILITIES,
      clientInfo: { name: 'netpol-bench', version: '1' },
    }, 60_000);
    result.initializeMs = Math.round(now() - spawnedAt);
    const capabilities = init.result?.capabilities ?? {};
    const sync = capabilities.textDocumentSync;
    const incremental = (typeof sync === 'number' ? sync : sync?.change) === 2;
    result.serverInfo = init.result?.serverInfo ?? null;
    let configurationPulled = false;
    client.answers['workspace/configuration'] = (params) => {
      configurationPulled = true;
      return (params?.items ?? []).map((item) => sectionOf(o.settings ?? {}, item.section));
    };
    client.notify('initialized', {});
    for (const [method, params] of o.notifications ?? []) client.notify(method, params);
    client.notify('workspace/didChangeConfiguration', { settings: o.settings ?? {} });

    // 1. Start: every file's findings published (and, for netpol, the index reported complete).
    const texts = new Map();
    const startTimeoutMs = o.startTimeoutMs ?? 600_000;
    if (o.startMode === 'open-all') {
      // Like an editor, open files once the server has its settings (yaml-language-server pulls them).
      const waitStart = now();
      while (!configurationPulled && now() - waitStart < 5000) await sleep(20);
      await sleep(500);
      const openedAt = now();
      for (const file of o.files) {
        const text = fs.readFileSync(file, 'utf8');
        texts.set(file, { text, version: 1 });
        client.notify('textDocument/didOpen', { textDocument: { uri: uriOf(file), languageId: 'yaml', version: 1, text } });
      }
      const uris = new Set(o.files.map(uriOf));
      while (now() - openedAt < startTimeoutMs && [...uris].some((u) => !diagnostics.has(u)) && !client.exited) await sleep(50);
      const missing = [...uris].filter((u) => !diagnostics.has(u)).length;
      if (missing) result.notes.push(`${missing} files had no diagnostics within ${startTimeoutMs} ms`);
      // From the first didOpen: the server knows nothing of the folder before (its start-up is initializeMs).
      result.startMs = missing ? null : Math.round(lastDiagnosticsAt - openedAt);
    } else {
      while (indexCompleteAt === null && now() - spawnedAt < startTimeoutMs && !client.exited) await sleep(20);
      if (indexCompleteAt === null) result.notes.push('no netpol/indexComplete notification');
      await waitQuiet(500, 60_000);
      const withFindings = [...diagnostics.values()].filter((d) => d.firstWithFindings !== null);
      const lastFinding = withFindings.reduce((m, d) => Math.max(m, d.firstWithFindings), 0);
      result.startMs = indexCompleteAt === null ? null : Math.round(Math.max(indexCompleteAt, lastFinding) - spawnedAt);
      result.indexCompleteMs = indexCompleteAt === null ? null : Math.round(indexCompleteAt - spawnedAt);
      result.indexComplete = indexCompleteParams;
    }
    result.startCpuMs = cpuMsOfTree(client.pid);
    result.filesWithFindings = [...diagnostics.values()].filter((d) => d.count > 0).length;
    result.findings = [...diagnostics.values()].reduce((n, d) => n + d.count, 0);
    result.topMessages = [...messageCounts].sort((a, b) => b[1] - a[1]).slice(0, 5).map(([m, n]) => `${n}× ${m}`);
    result.rssAfterStartMB = Math.round(client.peakRssMB);
    if (client.exited) throw new Error(`server exited during start: ${JSON.stringify(client.exited)}`);

    // The editor opens the files it then edits and hovers.
    const { edits, hovers, completions, lensFiles } = o.targets;
    const editPlan = [
      ...pick(edits.label, Math.ceil(o.edits / 6), random),
      ...pick(edits.selector, Math.ceil(o.edits / 6), random),
      ...pick(edits.port, Math.ceil(o.edits / 6), random),
    ];
    const selectorHovers = pick(hovers.selector, o.hovers, random);
    const workloadHovers = pick(hovers.workload, o.hovers, random);
    const hoverPlan = [...selectorHovers, ...workloadHovers];
    const completionPlan = pick(completions, o.requests, random);
    const lensPlan = pick(lensFiles, o.requests, random);
    const toOpen = new Set([...editPlan, ...hoverPlan, ...completionPlan].map((t) => t.file).concat(lensPlan));
    for (const file of toOpen) {
      if (!texts.has(file)) {
        const text = fs.readFileSync(file, 'utf8');
        texts.set(file, { text, version: 1 });
        client.notify('textDocument/didOpen', { textDocument: { uri: uriOf(file), languageId: 'yaml', version: 1, text } });
      }
    }
    await waitQuiet(500, 30_000);

    // 2. Edits: each change, then its revert. Latency: didChange -> the edited file's diagnostics, extended to the
    // last diagnostics of the burst that follows (other files the edit affects), ended by 300 ms of quiet.
    const editMs = [];
    const affected = [];
    let editTimeouts = 0;
    const applyEdit = async (file, offset, removeLength, insertText) => {
      const doc = texts.get(file);
      const uri = uriOf(file);
      const start = positionAt(doc.text, offset);
      const end = positionAt(doc.text, offset + removeLength);
      doc.text = doc.text.slice(0, offset) + insertText + doc.text.slice(offset + removeLength);
      doc.version++;
      const change = incremental ? { range: { start, end }, text: insertText } : { text: doc.text };
      const seen = new Set();
      const off = client.listen((method, params) => { if (method === 'textDocument/publishDiagnostics') seen.add(params.uri); });
      const sentAt = now();
      const own = client.waitFor((method, params) => method === 'textDocument/publishDiagnostics' && params.uri === uri, 30_000);
      client.notify('textDocument/didChange', { textDocument: { uri, version: doc.version }, contentChanges: [change] });
      const ownAt = await own;
      if (ownAt === null) { editTimeouts++; off(); return; }
      await waitQuiet(300, 30_000);
      off();
      editMs.push(Math.max(ownAt, lastDiagnosticsAt) - sentAt);
      affected.push(seen.size);
    };
    const editsStarted = now();
    for (const edit of editPlan) {
      // A slow server gets a time budget (the rest of the session still runs); the result says how many were made.
      if (o.editBudgetMs && now() - editsStarted > o.editBudgetMs) {
        result.notes.push(`edit phase stopped after ${Math.round(o.editBudgetMs / 1000)} s (budget): ${editMs.length} edits measured`);
        break;
      }
      if (edit.kind === 'port') {
        await applyEdit(edit.file, edit.offset, edit.replace.length, edit.with);
        await applyEdit(edit.file, edit.offset, edit.with.length, edit.replace);
      } else {
        await applyEdit(edit.file, edit.offset, 0, edit.insert);
        await applyEdit(edit.file, edit.offset, edit.insert.length, '');
      }
      if (client.exited) throw new Error(`server exited during edits: ${JSON.stringify(client.exited)}`);
    }
    result.edit = { ...stats(editMs), timeouts: editTimeouts, meanFilesPublished: affected.length ? Math.round((affected.reduce((a, b) => a + b, 0) / affected.length) * 10) / 10 : null };

    // 3. Requests at positions: hovers on selectors and workloads, code lenses, completions.
    const timeRequests = async (plan, method, paramsOf) => {
      const ms = [];
      const timed = [];
      let nonEmpty = 0;
      let errors = 0;
      for (const target of plan) {
        try {
          const r = await client.request(method, paramsOf(target), 30_000);
          ms.push(r.ms);
          timed.push({ ms: Math.round(r.ms * 10) / 10, nth: timed.length + 1, target: typeof target === 'string' ? path.basename(target) : `${path.basename(target.file)}@${target.offset}` });
          if (r.result && (!Array.isArray(r.result) || r.result.length) && (!r.result.items || r.result.items.length)) nonEmpty++;
        } catch (error) {
          errors++;
          logStream?.write(`[${method}] ${error.message}\n`);
        }
      }
      // The slowest requests, to tell a tail of one kind of target from noise.
      const slowest = timed.sort((a, b) => b.ms - a.ms).slice(0, 3);
      return { ...stats(ms), nonEmpty, errors, slowest };
    };
    const at = (t) => ({ textDocument: { uri: uriOf(t.file) }, position: positionAt(texts.get(t.file).text, t.offset) });
    if (capabilities.hoverProvider) {
      result.hoverSelector = await timeRequests(selectorHovers, 'textDocument/hover', at);
      result.hoverWorkload = await timeRequests(workloadHovers, 'textDocument/hover', at);
    } else result.notes.push('no hoverProvider');
    if (capabilities.codeLensProvider) {
      result.codeLens = await timeRequests(lensPlan, 'textDocument/codeLens', (file) => ({ textDocument: { uri: uriOf(file) } }));
    } else result.notes.push('no codeLensProvider');
    if (capabilities.completionProvider) {
      result.completion = await timeRequests(completionPlan, 'textDocument/completion', at);
    } else result.notes.push('no completionProvider');
  } catch (error) {
    result.error = String(error?.message ?? error);
  } finally {
    client.sampleRss();
    result.peakRssMB = Math.round(client.peakRssMB);
    result.cpuMs = cpuMsOfTree(client.pid);
    await client.stop();
    logStream?.end();
  }
  return result;
}
