// netpol/workspaceChanged: sent after each analysis, so that the extension's views refresh.
import type { Connection } from 'vscode-languageserver';
import type { FeatureContext } from '../context';
import { WorkspaceChangedNotification } from '../protocol';

export function registerWorkspaceChanged(connection: Connection, ctx: FeatureContext): void {
  ctx.onDidChangeWorkspace((workspace) => {
    const scopes = workspace.scopes();
    void connection.sendNotification(WorkspaceChangedNotification, {
      version: workspace.version,
      policies: scopes.reduce((n, s) => n + s.model.policies.length, 0),
      workloads: scopes.reduce((n, s) => n + s.analysis.reportedWorkloads().length, 0),
    });
  });
}
