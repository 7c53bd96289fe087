// The custom part of the protocol between the netpol language server and its clients: custom requests,
// notifications and command ids, declared once here and imported by both sides (server and VS Code client).
// Only vscode-languageserver-protocol types here, so the client bundle can import this file.
import { NotificationType, RequestType as RenderRequestType, RequestType0 } from 'vscode-languageserver-protocol';

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
  /** How many times the rules ran over the workspace since the server started (for tests and benchmarks). */
  analyses: number;
}

/** The server's current counts (for a status bar). Answers after pending edits were analysed. */
export const StatusRequest = new RequestType0<StatusResult, void>('netpol/status');

/** Re-reads every file of the workspace folders from disk (for example after a branch switch). */
export const ReindexRequest = new RequestType0<IndexCounts, void>('netpol/reindex');

/**
 * Client to server: the workspace's Workspace Trust changed (VS Code grants trust while running). Only a trusted
 * workspace has its Helm charts and kustomizations rendered with the user's tools; the first state comes with
 * `initializationOptions.workspaceTrusted` (absent: not trusted).
 */
export const WorkspaceTrustedNotification = new NotificationType<{ trusted: boolean }>('netpol/workspaceTrusted');

export interface RenderedManifestParams {
  /** A file of a chart or kustomization (or its folder, or a rendered manifest's own URI). */
  uri: string;
}

export interface RenderedManifestResult {
  /** The rendered manifest's URI (scheme `netpol-rendered`), what its findings were placed from. */
  uri: string;
  /** The chart's or kustomization's folder. */
  rootUri: string;
  tool: 'helm' | 'kustomize' | 'kustomize-builtin';
  /** The tool's output; empty when it was not rendered (see the chart's findings for why). */
  text: string;
}

/** The rendered manifest of the chart or kustomization a file belongs to, or null (answers once rendering is idle). */
export const RenderedManifestRequest = new RenderRequestType<RenderedManifestParams, RenderedManifestResult | null, void>('netpol/renderedManifest');

/** Command ids shared by server and client. Editor features and assertions add theirs here. */
export const Commands = {
  /** Client-side: opens the rendered manifest of the active file's chart or kustomization (read-only). */
  showRenderedManifest: 'netpol.showRenderedManifest',
  /** Client-side: show a list of locations (arguments: uri, position, locations), like editor.action.showReferences. */
  showLocations: 'netpol.showLocations',
  /** Client-side: the pods a policy selects, from its code lens (arguments as for showLocations). */
  showPolicyPods: 'netpol.showPolicyPods',
} as const;

// ---------------------------------------------------------------------------------------------------------------
// Requests of the VS Code extension's commands (insert, generate, explain, reachability view). Owned by the
// extension work; handlers in extension-requests.ts. Locations are LSP locations (uri + line/character range).
// ---------------------------------------------------------------------------------------------------------------
import type { Location, Position } from 'vscode-languageserver-protocol';
import { RequestType } from 'vscode-languageserver-protocol';

export type ProtocolName = 'TCP' | 'UDP' | 'SCTP';

export interface WorkloadInfo {
  /** `namespace/name` (with `[Kind]` when two kinds share the name): the id used by the other requests. */
  id: string;
  name: string;
  namespace: string;
  kind: string;
  podLabels: Record<string, string>;
  ports: { name?: string; port: number; protocol: ProtocolName }[];
  location: Location;
}

export interface DnsInfo {
  namespace: string;
  podLabels: Record<string, string>;
  ports: number[];
  cidrs: string[];
}

export interface WorkspaceSummaryParams {
  /** The document the command runs in: picks its scope and reports what is at `position`. */
  uri?: string;
  position?: Position;
  /** A scope name; default: the document's first scope, else the first scope. */
  scope?: string;
}

export interface WorkspaceSummary {
  scope: string;
  scopes: string[];
  defaultNamespace: string;
  namespaces: { name: string; labels: Record<string, string> }[];
  workloads: WorkloadInfo[];
  dns: DnsInfo;
  /** About `uri`: the namespace of the object at `position` (else of the document's first namespaced object). */
  document?: { namespace?: string; workloadAt?: string };
}

export const WorkspaceSummaryRequest = new RequestType<WorkspaceSummaryParams, WorkspaceSummary, void>('netpol/workspaceSummary');

export interface ExplainTrafficParams {
  /** Workload id (`ns/name`, `ns/Kind/name`) or an IP address/CIDR. */
  from: string;
  to: string;
  port: number;
  protocol?: ProtocolName;
  scope?: string;
}

export interface ExplainedSide {
  direction: 'ingress' | 'egress';
  endpoint: string;
  isolated: boolean;
  allowed: boolean;
  /** The policies that isolate the endpoint for this direction. */
  policies: { name: string; location: Location }[];
  /** The rules that allow this exact port (when allowed and isolated). */
  rules: { policy: string; index: number; location: Location }[];
  /** With cluster-wide policies: the rule that decided (or passed) this port, as `tier → policy → rule: action`. */
  decision?: { text: string; action: string; location: Location };
}

export interface PolicyChange {
  direction: 'ingress' | 'egress';
  /** Namespace of the new policy. */
  namespace: string;
  /** A NetworkPolicy document (YAML, no `---`). */
  yaml: string;
  /** A file holding a policy that isolates the endpoint: a natural place for the new one. */
  suggestedUri?: string;
}

export type ExplainTrafficResult =
  | {
      found: true;
      from: string;
      to: string;
      port: number;
      protocol: ProtocolName;
      allowed: boolean;
      self: boolean;
      egress: ExplainedSide;
      ingress: ExplainedSide;
      /** The plain-text explanation (as `netpol reach` prints it). */
      text: string;
      /** For a denied verdict: the smallest policies that allow exactly this connection. */
      changes: PolicyChange[];
    }
  | { found: false; message: string };

export const ExplainTrafficRequest = new RequestType<ExplainTrafficParams, ExplainTrafficResult, void>('netpol/explainTraffic');

export interface LeastPrivilegeParams {
  /** The workload under the cursor of this document... */
  uri?: string;
  position?: Position;
  /** ...or a workload id. */
  workload?: string;
  scope?: string;
}

export type LeastPrivilegeResult = { found: true; workload: string; yaml: string } | { found: false; message: string };

export const LeastPrivilegeRequest = new RequestType<LeastPrivilegeParams, LeastPrivilegeResult, void>('netpol/leastPrivilegePolicy');

export interface GraphNode {
  id: string;
  name: string;
  namespace: string;
  kind: string;
  isolatedIngress: boolean;
  isolatedEgress: boolean;
  /** The workload's declared container ports (`8080/TCP`). */
  ports: string[];
  location: Location;
}

export interface GraphEdge {
  from: string;
  to: string;
  /** Declared ports of the destination that are allowed (`80/TCP`); for a destination without declared ports, `any`. */
  ports: string[];
}

export interface ReachabilityParams {
  scope?: string;
}

export interface ReachabilityGraph {
  scope: string;
  scopes: string[];
  namespaces: string[];
  nodes: GraphNode[];
  edges: GraphEdge[];
  /** Every declared port (`80/TCP`), for the port filter and the matrix. */
  ports: string[];
  /** allowed[port][i][j]: nodes[i] may connect to nodes[j] on that port (nodes in `nodes` order). */
  matrix: Record<string, boolean[][]>;
}

export const ReachabilityRequest = new RequestType<ReachabilityParams, ReachabilityGraph, void>('netpol/reachability');

/** Sent (debounced) after the analysed workspace changed, so views can refresh. */
export interface WorkspaceChangedParams {
  /** Grows with every change. */
  version: number;
  policies: number;
  workloads: number;
}

export const WorkspaceChangedNotification = new NotificationType<WorkspaceChangedParams>('netpol/workspaceChanged');

// ---------------------------------------------------------------------------------------------------------------
// What-if reachability diff (connectivity assertions work; handler in assertions.ts). The client sends the base
// version of the files (for example git HEAD through the git extension); the working tree is the server's
// workspace, unsaved editor text included.
// ---------------------------------------------------------------------------------------------------------------

/**
 * The base version is the union of `baseFiles` and `baseFilesOnDisk`. A file unchanged since the base is sent by
 * URI only (most of a workspace, megabytes of text otherwise): the server takes its text from disk.
 */
export interface ReachabilityDiffParams {
  /**
   * Files of the base version (manifests and `.netpol.yaml`) with their text, under the URIs the files have in the
   * workspace: those whose base text differs from the file on disk (read from git), or every file of the base when
   * `baseFilesOnDisk` is not sent. A URI in both lists takes the text given here.
   */
  baseFiles: { uri: string; text: string }[];
  /**
   * Files whose base text is their current text on disk (not the unsaved text of an open editor). The server
   * reuses its indexed file when no editor holds other text, else reads the disk; a URI it cannot read (missing,
   * larger than maxFileSize) is not part of the base.
   */
  baseFilesOnDisk?: string[];
  /** Names the base in the result, for example `HEAD`. */
  baseLabel: string;
}

export interface ReachabilityDiffCause {
  /** `namespace/name` of the policy whose share of the connection differs. */
  policy: string;
  /** `unchanged`: the policy is the same, but it selects other pods now (labels moved). */
  change: 'added' | 'deleted' | 'modified' | 'unchanged';
  direction: 'ingress' | 'egress';
  /** What the policy did for this connection before and after, in words. */
  before: string;
  after: string;
  /** Where the policy is; for a deleted policy, where it was in the base version (`inBase`). */
  location: Location;
  inBase: boolean;
}

export interface ReachabilityDiffChange {
  kind: 'added' | 'removed' | 'changed';
  scope: string;
  from: string;
  to: string;
  /** Set when that side is a set of addresses outside the cluster. */
  external?: 'from' | 'to';
  /** Allowed ports before and after, and the difference (`TCP 80,443`, `All Connections`, `No Connections`). */
  before: string;
  after: string;
  opened: string;
  closed: string;
  causes: ReachabilityDiffCause[];
}

export interface ReachabilityDiffWorkload {
  scope: string;
  name: string;
  kind: string;
  location: Location;
  inBase: boolean;
  connections: { from: string; to: string; ports: string }[];
}

export interface ReachabilityDiffResult {
  base: string;
  counts: { added: number; removed: number; changed: number; appeared: number; disappeared: number };
  changes: ReachabilityDiffChange[];
  workloadsAdded: ReachabilityDiffWorkload[];
  workloadsRemoved: ReachabilityDiffWorkload[];
}

export const ReachabilityDiffRequest = new RequestType<ReachabilityDiffParams, ReachabilityDiffResult, void>('netpol/reachabilityDiff');
