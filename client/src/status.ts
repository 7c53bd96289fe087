// The status bar item: analysis state (starting, indexing, ready, stopped) and counts (policies, workloads,
// findings). Findings are counted from the diagnostics VS Code holds, so the count follows every publish.
import * as vscode from 'vscode';
import { Commands } from '../../server/src/lsp/protocol';

export type AnalysisState = 'starting' | 'indexing' | 'ready' | 'stopped';

export interface StatusCounts {
  policies: number;
  workloads: number;
  /** Files over the size limit, not analysed. */
  skippedForSize?: number;
}

export class AnalysisStatus implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private readonly disposables: vscode.Disposable[] = [];
  private current: AnalysisState = 'starting';
  private counts: StatusCounts | undefined;
  private findings = 0;

  constructor(private readonly diagnosticSource = 'netpol') {
    this.item = vscode.window.createStatusBarItem('netpol.status', vscode.StatusBarAlignment.Left, 10);
    this.item.name = 'NetworkPolicy Analysis';
    this.item.command = Commands.showReachability;
    this.disposables.push(this.item, vscode.languages.onDidChangeDiagnostics(() => this.countFindings()));
    this.render();
    this.item.show();
  }

  get state(): AnalysisState {
    return this.current;
  }

  setState(state: AnalysisState): void {
    this.current = state;
    this.render();
  }

  setCounts(counts: StatusCounts): void {
    // Counts without the skipped files (workspace changes) keep the last known number.
    this.counts = counts.skippedForSize === undefined ? { ...counts, skippedForSize: this.counts?.skippedForSize } : counts;
    this.render();
  }

  /** What the item shows, for tests and the output channel. */
  get text(): string {
    return this.item.text;
  }

  private countFindings(): void {
    let findings = 0;
    for (const [, diagnostics] of vscode.languages.getDiagnostics()) {
      for (const d of diagnostics) if (d.source === this.diagnosticSource) findings++;
    }
    if (findings !== this.findings) {
      this.findings = findings;
      this.render();
    }
  }

  private render(): void {
    const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
    switch (this.current) {
      case 'starting':
        this.item.text = '$(loading~spin) netpol';
        this.item.tooltip = 'NetworkPolicy analysis: starting the language server';
        break;
      case 'indexing':
        this.item.text = '$(sync~spin) netpol: indexing';
        this.item.tooltip = 'NetworkPolicy analysis: reading the manifests of the workspace';
        break;
      case 'stopped':
        this.item.text = '$(error) netpol: stopped';
        this.item.tooltip = 'The NetworkPolicy language server is not running. Run "NetworkPolicy: Restart Language Server".';
        this.item.command = Commands.restartServer;
        return;
      case 'ready': {
        const c = this.counts ?? { policies: 0, workloads: 0 };
        const skipped = c.skippedForSize ?? 0;
        this.item.text = `$(shield) ${c.policies} · $(server-process) ${c.workloads} · $(warning) ${this.findings}${skipped ? ` · $(circle-slash) ${skipped}` : ''}`;
        const policies = c.policies === 1 ? '1 policy' : `${c.policies} policies`;
        const skippedText = skipped ? ` ${plural(skipped, 'file')} larger than netpol.maxFileSize ${skipped === 1 ? 'is' : 'are'} not analysed (see ${skipped === 1 ? 'its' : 'their'} diagnostic).` : '';
        this.item.tooltip = `NetworkPolicy analysis: ${policies}, ${plural(c.workloads, 'workload')}, ${plural(this.findings, 'finding')}.${skippedText} Click to show reachability.`;
        break;
      }
    }
    this.item.command = Commands.showReachability;
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
