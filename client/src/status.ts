// The status bar item: analysis state (starting, indexing, ready, stopped) and what the analysis covers, each number
// with its word ("12 policies · 40 workloads"). Findings are not counted here: the Problems item of the status bar
// counts them already.
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

  constructor() {
    this.item = vscode.window.createStatusBarItem('netpol.status', vscode.StatusBarAlignment.Left, 10);
    this.item.name = 'NetworkPolicy Analysis';
    this.item.command = Commands.showReachability;
    this.disposables.push(this.item);
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
        const policies = c.policies === 1 ? '1 policy' : `${c.policies} policies`;
        this.item.text = `$(shield) ${policies} · ${plural(c.workloads, 'workload')}${skipped ? ` · $(circle-slash) ${plural(skipped, 'file')} skipped` : ''}`;
        const skippedText = skipped ? ` ${plural(skipped, 'file')} larger than netpol.maxFileSize ${skipped === 1 ? 'is' : 'are'} not analysed (see ${skipped === 1 ? 'its' : 'their'} diagnostic).` : '';
        // A workload (Deployment, StatefulSet, a bare Pod…) stands for all the pods it runs.
        this.item.tooltip = `NetworkPolicy analysis: ${policies} over ${plural(c.workloads, 'workload')} (each workload stands for all of its pods). Findings are in the Problems panel.${skippedText} Click to show reachability.`;
        break;
      }
    }
    this.item.command = Commands.showReachability;
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
