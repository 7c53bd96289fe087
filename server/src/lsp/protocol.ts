// The custom part of the protocol between the netpol language server and its clients: custom requests,
// notifications and command ids, declared once here and imported by both sides (server and VS Code client).
// Only vscode-languageserver-protocol types here, so the client bundle can import this file.
import { NotificationType, RequestType0 } from 'vscode-languageserver-protocol';

/** Counts of what the index holds, sent when indexing finishes and returned by the status request. */
export interface IndexCounts {
  /** Manifest files in the index. */
  files: number;
  /** NetworkPolicy objects, over all scopes. */
  policies: number;
  /** Workloads (Deployments, StatefulSets, Pods, ...), over all scopes. */
  workloads: number;
  /** Diagnostics over all files (every severity). */
  findings: number;
}

export interface IndexCompleteParams extends IndexCounts {
  /** Milliseconds the initial indexing took. */
  durationMs: number;
}

/** Sent once after the initial indexing of the workspace folders, when the first diagnostics were published. */
export const IndexCompleteNotification = new NotificationType<IndexCompleteParams>('netpol/indexComplete');

export interface StatusResult extends IndexCounts {
  /** Whether the initial indexing has finished. */
  indexed: boolean;
  /** Scope names, in workspace order. */
  scopes: string[];
}

/** The server's current counts (for a status bar). Answers after pending edits were analysed. */
export const StatusRequest = new RequestType0<StatusResult, void>('netpol/status');

/** Re-reads every file of the workspace folders from disk (for example after a branch switch). */
export const ReindexRequest = new RequestType0<IndexCounts, void>('netpol/reindex');

/** Command ids shared by server and client. Editor features and assertions add theirs here. */
export const Commands = {
  /** Client-side: show a list of locations (arguments: uri, position, locations), like editor.action.showReferences. */
  showLocations: 'netpol.showLocations',
  /** Client-side: the pods a policy selects, from its code lens (arguments as for showLocations). */
  showPolicyPods: 'netpol.showPolicyPods',
} as const;
