// The custom part of the protocol between the netpol language server and its clients: custom requests,
// notifications, command and view ids, and the messages between the extension and its reachability webview,
// declared once here and imported by the server, the VS Code client and the webview. The client and the webview
// import nothing else of the server: this file imports only vscode-languageserver-protocol (a test checks both).
import { NotificationType, RequestType as RenderRequestType, RequestType0, SemanticTokenModifiers, SemanticTokenTypes } from 'vscode-languageserver-protocol';

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
  /** Files not analysed because they exceed netpol.maxFileSize (each has a diagnostic saying so). */
  skippedForSize?: number;
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

/**
 * Every command id, declared once: the server names some in code lenses, the client registers them all, and
 * package.json's `contributes.commands` lists exactly these (a test compares them).
 */
export const Commands = {
  insertDefaultDeny: 'netpol.insertDefaultDeny',
  insertAllowDns: 'netpol.insertAllowDns',
  insertFromTemplate: 'netpol.insertFromTemplate',
  generateLeastPrivilegePolicy: 'netpol.generateLeastPrivilegePolicy',
  explainTraffic: 'netpol.explainTraffic',
  showReachability: 'netpol.showReachability',
  restartServer: 'netpol.restartServer',
  showOutput: 'netpol.showOutput',
  /** Client-side: opens the rendered manifest of the active file's chart or kustomization (read-only). */
  showRenderedManifest: 'netpol.showRenderedManifest',
  applyPolicyChanges: 'netpol.applyPolicyChanges',
  /** Client-side: show a list of locations (arguments: uri, position, locations), like editor.action.showReferences. */
  showLocations: 'netpol.showLocations',
  /** Client-side: the pods a policy selects, from its code lens (arguments as for showLocations). */
  showPolicyPods: 'netpol.showPolicyPods',
  showReachabilityChanges: 'netpol.showReachabilityChanges',
  refreshReachabilityChanges: 'netpol.refreshReachabilityChanges',
  revealReachabilityChange: 'netpol.revealReachabilityChange',
} as const;

/** Ids of the client's views and panels (package.json's `contributes.views` lists the tree views). */
export const Views = {
  reachabilityChanges: 'netpol.reachabilityChanges',
  reachabilityPanel: 'netpol.reachability',
} as const;

// ---------------------------------------------------------------------------------------------------------------
// Requests of the VS Code extension's commands (insert, generate, explain, reachability view). Owned by the
// extension work; handlers in handlers/ (one file per request), answers in extension-queries.ts. Locations are LSP locations (uri + line/character range).
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
  /** Without `suggestedUri`: a new file beside the subject workload's manifest (where a preview creates it). */
  newFileUri?: string;
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
      /**
       * For a denied verdict: the smallest policies that allow exactly this connection (with DNS where they newly
       * isolate pods for egress); empty when no such change exists or when it would add a warning (`refused`).
       */
      changes: PolicyChange[];
      /** The changes applied together to the workspace and analysed (absent without changes). */
      check?: GeneratedCheck;
      /** Why no change is offered although the connection is denied: the warnings the smallest change would add. */
      refused?: string[];
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

export type LeastPrivilegeResult =
  | {
      found: true;
      workload: string;
      yaml: string;
      /** The policy applied to the workspace and analysed: `netpol check` finds nothing new in it. */
      check: GeneratedCheck;
      /** Where the ingress peers came from, one line each (for the document's header). */
      sources: string[];
    }
  | { found: false; message: string };

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
  /** Set, with no nodes, edges or matrix, when the scope is too large to evaluate for the editor: says why and what to do. */
  tooLarge?: string;
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
// What-if reachability diff (handler in handlers/reachability-diff.ts). The client sends the base
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
  /**
   * Whether this policy's change by itself makes part of the connection's change (the connection with only this
   * policy as it is now, every other as in the base). The counts of `policies` count only these.
   */
  decides: boolean;
}

/** What one policy's change does: the connections it decides, by kind (the code lens on the policy). */
export interface ReachabilityDiffPolicy {
  policy: string;
  change: 'added' | 'deleted' | 'modified' | 'unchanged';
  location: Location;
  inBase: boolean;
  added: number;
  removed: number;
  changed: number;
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
  /** The change in plain words: `now only TCP/UDP 53`, `no longer TCP 8443`, `now also TCP 80`. */
  summary: string;
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
  /** Each changed policy with the connections its change decides: what the code lenses show. */
  policies: ReachabilityDiffPolicy[];
}

export const ReachabilityDiffRequest = new RequestType<ReachabilityDiffParams, ReachabilityDiffResult, void>('netpol/reachabilityDiff');

/** What `opened` and `closed` of a change (and the ports of a connection) hold when there are no ports. */
export const NO_CONNECTIONS = 'No Connections';

// ---------------------------------------------------------------------------------------------------------------
// Policy text for the insert commands (handler in handlers/policy-text.ts, texts in templates.ts): the client holds
// no YAML writer, so the server writes every policy it inserts.
// ---------------------------------------------------------------------------------------------------------------

export const TEMPLATE_IDS = ['allow-from-namespace', 'allow-from-pods', 'allow-to-port', 'deny-egress-except-dns'] as const;
export type TemplateId = (typeof TEMPLATE_IDS)[number];

export const TEMPLATE_LABELS: Record<TemplateId, { label: string; detail: string }> = {
  'allow-from-namespace': { label: 'Allow from a namespace', detail: 'Ingress to selected pods from every pod of another namespace' },
  'allow-from-pods': { label: 'Allow from pods', detail: 'Ingress to selected pods from pods with given labels in the same namespace' },
  'allow-to-port': { label: 'Allow to a port', detail: 'Ingress to selected pods on one port, from anywhere' },
  'deny-egress-except-dns': { label: 'Deny all egress except DNS', detail: 'Isolates every pod of the namespace for egress, keeping name resolution' },
};

/**
 * What the engine found when it applied a generated policy to a copy of the workspace and analysed it again
 * (engine/edit-check.ts): commands say this before they insert anything.
 */
export interface GeneratedCheck {
  /** Warnings and errors the policy would add, as `rule-id: message`. */
  newFindings: string[];
  /** Workloads it makes isolated for a direction, with what they could reach (or be reached by) before and not after. */
  newlyIsolated: { workload: string; direction: 'ingress' | 'egress'; loses: string[] }[];
  /** One line for a confirmation; empty when the policy adds no warning and isolates nothing new. */
  summary: string;
}

export type PolicyTextParams = (
  | { policy: 'default-deny'; direction: 'ingress' | 'egress' | 'both'; includeDns: boolean }
  | { policy: 'allow-dns' }
  | { policy: 'template'; template: TemplateId }
) & {
  /** The namespace the policy is written for. */
  namespace: string;
  /** The scope whose workloads and DNS settings fill the policy in (a WorkspaceSummary's `scope`). */
  scope?: string;
  /** The document the policy goes into (appended there for the check); a new file when absent or not analysed. */
  uri?: string;
};

export interface PolicyTextResult {
  /** VS Code snippet syntax: templates have tab stops with choices; the other policies are escaped plain YAML. */
  snippet: string;
  /** The policy (templates: with their first choices) applied to the workspace and analysed. */
  check: GeneratedCheck;
}

export const PolicyTextRequest = new RequestType<PolicyTextParams, PolicyTextResult, void>('netpol/policyText');

/** Escapes text for the body of a snippet (outside placeholders). */
export function escapeSnippet(text: string): string {
  return text.replace(/[\\$}]/g, '\\$&');
}

// ---------------------------------------------------------------------------------------------------------------
// The files of the index, for the client's base version of the reachability diff (handlers in handlers/workspace-files.ts and handlers/index-accepts.ts).
// ---------------------------------------------------------------------------------------------------------------

export interface IndexedFile {
  uri: string;
  fsPath: string;
}

/**
 * The files of the workspace folders that the index reads (manifests and root `.netpol.yaml`, exclusions and the
 * size limit applied), listed from disk now.
 */
export const WorkspaceFilesRequest = new RequestType0<IndexedFile[], void>('netpol/workspaceFiles');

export interface IndexAcceptsParams {
  /** File-system paths, which need not exist (a file deleted since the base, for example). */
  paths: string[];
}

/** Which of the paths lie in a workspace folder and are files the index would read (not excluded). */
export const IndexAcceptsRequest = new RequestType<IndexAcceptsParams, string[], void>('netpol/indexAccepts');

// ---------------------------------------------------------------------------------------------------------------
// Messages between the extension (client/src/reachability.ts) and the reachability webview (client/webview).
// ---------------------------------------------------------------------------------------------------------------

export interface ReachabilityViewFilter {
  /** '' = all. */
  namespace: string;
  /** '' = all. */
  port: string;
  view: 'graph' | 'matrix';
}

/** What the graph shows beyond the filter: namespaces drawn as one node, namespace pairs unbundled, the selection. */
export interface ReachabilityGraphState {
  collapsed: string[];
  /** Namespace pairs (`from->to`) whose bundled connections are drawn one by one. */
  expanded: string[];
  /** The selected workload ('' = none): its connections highlighted, the rest dimmed. */
  selected: string;
}

/** Boxes and polylines in the webview's CSS pixels, measured from the rendered SVG (getBoundingClientRect, getScreenCTM). */
export interface RenderedGraphGeometry {
  /** The SVG element and the page. */
  view: GeometryBox;
  page: { width: number; height: number };
  /** Workload and collapsed namespace boxes. */
  nodes: { id: string; box: GeometryBox }[];
  labels: { id: string; box: GeometryBox }[];
  /** `connects`: the boxes the edge may touch (its ends, and for bundles and collapsed namespaces their workloads). */
  edges: { id: string; connects: string[]; points: { x: number; y: number }[] }[];
  /** Node boxes in the drawing's own coordinates (stable under zoom and pan). */
  layout: { id: string; box: GeometryBox }[];
}

export interface GeometryBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Extension -> webview. `update` numbers the messages that change what the view shows. */
export type ToReachabilityWebview =
  | { type: 'graph'; graph: ReachabilityGraph; filter?: Partial<ReachabilityViewFilter>; state?: Partial<ReachabilityGraphState>; update: number }
  | { type: 'filter'; filter: Partial<ReachabilityViewFilter>; state?: Partial<ReachabilityGraphState>; update: number }
  /** Fit the graph to the view (as on open and on resize). */
  | { type: 'fit'; update: number }
  /** Answer with `svg`: the graph as a standalone SVG document. */
  | { type: 'export' }
  | { type: 'error'; message: string };

/** Webview -> extension. */
export type FromReachabilityWebview =
  | { type: 'ready' }
  | { type: 'reveal'; id: string }
  | { type: 'scope'; scope: string }
  | {
      type: 'rendered';
      /** The last update message applied. */
      update: number;
      view: 'graph' | 'matrix';
      filter: ReachabilityViewFilter;
      nodes: string[];
      edges: string[];
      /** Elements on the page that the view's script never creates (must stay empty), as the start of their HTML. */
      foreign: string[];
      /** The graph view: bundled namespace pairs (`from->to (n)`), the graph state, what the view says about its size. */
      bundles?: string[];
      state?: ReachabilityGraphState;
      notice?: string;
      geometry?: RenderedGraphGeometry;
      /** With a selected workload: the highlighted edges, the nodes at their other ends, how many elements are dimmed. */
      selection?: { related: string[]; peers: string[]; dimmed: number };
      /** Milliseconds the last layout took. */
      layoutMs?: number;
    }
  /** The graph as a standalone SVG document: asked for by `export`, or by the view's Export button (then saved where the user says). */
  | { type: 'svg'; svg: string; requested: boolean };

// ---------------------------------------------------------------------------------------------------------------
// Semantic tokens (handler in semantic-tokens.ts): standard token types only, so that every theme colours them.
// ---------------------------------------------------------------------------------------------------------------

/**
 * The legend of the server's semantic tokens. Namespace names are `namespace`; the label keys of selectors and of
 * the labels they select `property`, their values `string`; ports by number `number`, by name `enumMember`, as are the
 * enumerations that change what a policy means (policyTypes, protocols, operators, actions). `declaration` marks where
 * a thing is defined (a Namespace's name, pod labels, container ports) rather than referred to.
 */
export const SEMANTIC_TOKEN_LEGEND = {
  tokenTypes: [SemanticTokenTypes.namespace, SemanticTokenTypes.property, SemanticTokenTypes.string, SemanticTokenTypes.number, SemanticTokenTypes.enumMember],
  tokenModifiers: [SemanticTokenModifiers.declaration],
};
