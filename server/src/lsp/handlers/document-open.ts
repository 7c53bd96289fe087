// Open documents are prepared while the server is idle (their YAML trees, the rule index, the reach of the
// workloads of the document last opened or changed), so that the first hover on them does not wait.
import type { Connection } from 'vscode-languageserver';
import { featureIndex } from '../../engine/features/index';
import type { FeatureContext } from '../context';
import { canonicalUri } from '../files';

export function registerDocumentOpen(_connection: Connection, ctx: FeatureContext): void {
  // Hover, definition and references walk the YAML syntax tree of the document under the cursor, which the engine
  // builds lazily (a parse with the yaml package on first use: a few milliseconds per file, several times that on a
  // busy machine). Editors ask about open documents: their trees are built while the server is idle (after an
  // analysis, after an open), a few at a time, so that the first hover on a document does not wait for the parse;
  // so is the rule index the workload hover reads (5-15 ms per version on the large benchmark workspace).
  const warmed = new WeakSet<object>();
  // Not while the first indexing runs: the models of a half-read workspace are not built for anyone.
  let indexed = false;
  let lastTouched: string | undefined;
  const warmReach = (workspace: ReturnType<typeof ctx.workspace>, uri: string, started: number) => {
    const file = workspace.getFile(uri);
    const index = file && featureIndex(workspace).scopeFor(uri);
    if (!file || !index) return;
    for (const parsed of file.documents) {
      for (const object of parsed.objects) {
        const workload = index.workloadFor(object);
        if (workload) index.reachOf(workload);
        // A List of many workloads: the rest are computed by their hovers.
        if (Date.now() - started > 8) return;
      }
    }
  };
  const warmOpenDocuments = () => {
    const started = Date.now();
    const workspace = ctx.workspace();
    // The index of the scopes' isolating rules, which the first workload hover of a version would build; the
    // label counts completion offers (counted once, then kept up to date by each version's index: 20 ms on large).
    for (const scope of featureIndex(workspace).scopes()) {
      scope.ruleIndex();
      scope.podLabelStats();
    }
    // Who may reach the workloads of the document last opened or changed, which its workload hovers show (and so
    // the code behind them is compiled before the first hover waits for it).
    if (lastTouched) warmReach(workspace, lastTouched, started);
    for (const document of ctx.documents.all()) {
      const file = workspace.getFile(canonicalUri(document.uri));
      // Large files are left to the request that needs them: parsing one here would hold up the next edit.
      if (!file || warmed.has(file) || file.text.length > 256 * 1024) continue;
      warmed.add(file);
      for (const parsed of file.documents) {
        void parsed.yaml;
        for (const object of parsed.objects) void object.node;
      }
      // A slice at a time; the rest after whatever is waiting.
      if (Date.now() - started > 8) {
        scheduleWarming();
        return;
      }
    }
  };
  const scheduleWarming = () => {
    if (!indexed) return;
    if (ctx.scheduler.isScheduled('warm-documents')) return;
    // Never what keeps the process alive.
    ctx.scheduler.schedule(
      'warm-documents',
      20,
      () => {
        try {
          warmOpenDocuments();
        } catch (error) {
          ctx.log(`netpol: preparing open documents failed: ${error instanceof Error ? error.message : String(error)}`);
        }
      },
      { keepAlive: false },
    );
  };
  ctx.documents.onDidOpen((event) => {
    lastTouched = canonicalUri(event.document.uri);
    scheduleWarming();
  });
  ctx.documents.onDidChangeContent((event) => {
    lastTouched = canonicalUri(event.document.uri);
  });
  void ctx.whenIndexed().then(() => {
    indexed = true;
    scheduleWarming();
  });

  ctx.onDidChangeWorkspace((workspace) => {
    // The analysis has just built the models of this version: index them now (cheap: what the changes left valid is
    // taken over from the last version's index).
    featureIndex(workspace).scopes();
    scheduleWarming();
  });
}
