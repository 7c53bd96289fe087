// Semantic tokens: what the words of a manifest mean to the analysis, for highlighting that follows the user's theme.
// Only values and label keys are marked, never the schema's own keys: those keep the YAML grammar's colour, the same
// in every theme. Namespace names, the label keys and values of selectors (and of the pods they select), ports by
// number and by name, and the enumerations that change what a policy means (policyTypes, protocols, operators,
// actions). The LSP edge maps the categories to standard token types (protocol.ts, SEMANTIC_TOKEN_LEGEND).
import { isMap, isScalar, isSeq, type Node as YamlNode } from 'yaml';
import type { OffsetRange } from '../types';
import type { Workspace } from '../workspace';
import { parseFile, type K8sObject } from '../parse';

export type SemanticCategory = 'namespace' | 'label-key' | 'label-value' | 'port-number' | 'port-name' | 'enum';

export interface SemanticToken {
  range: OffsetRange;
  category: SemanticCategory;
  /** Where the thing is defined (a Namespace's name, a pod's labels, a container's ports), not referred to. */
  declaration: boolean;
}

type Path = readonly (string | number)[];

const POLICY_ENUMS = new Set(['policyTypes', 'types', 'protocol', 'notProtocol', 'operator', 'action', 'tier', 'defaultAction', 'family']);
const ENUM_VALUES = new Set(['Ingress', 'Egress', 'TCP', 'UDP', 'SCTP', 'ANY', 'ICMP', 'ICMPv6', 'UDPLite', 'In', 'NotIn', 'Exists', 'DoesNotExist', 'Allow', 'Deny', 'Pass', 'Accept', 'Log', 'Admin', 'Baseline', 'IPv4', 'IPv6']);
const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';
/** Keys whose numeric value is a port. */
const PORT_NUMBER_KEYS = new Set(['port', 'endPort', 'containerPort', 'targetPort', 'number', 'start', 'end']);
/** Keys whose string value names a container port. */
const PORT_NAME_KEYS = new Set(['port', 'targetPort', 'namedPort', 'destinationNamedPort']);

/**
 * The tokens of a file, in text order. `text` is the editor's: a document the workspace does not index (an untitled
 * editor) or holds in another state is read from it. Objects that are neither policies nor workloads get only their
 * namespace.
 */
export function semanticTokens(workspace: Workspace, uri: string, text?: string): SemanticToken[] {
  const indexed = workspace.getFile(uri);
  const file = indexed && (text === undefined || indexed.text === text) ? indexed : text !== undefined ? parseFile(uri, text) : undefined;
  if (!file) return [];
  const tokens: SemanticToken[] = [];
  const source = file.text;
  const add = (node: YamlNode | null | undefined, category: SemanticCategory, declaration = false) => {
    if (!node?.range) return;
    const range: OffsetRange = [node.range[0], node.range[1]];
    // A token is one line (block scalars are left alone).
    if (range[1] <= range[0] || source.slice(range[0], range[1]).includes('\n')) return;
    tokens.push({ range, category, declaration });
  };
  for (const document of file.documents) {
    for (const object of document.objects) {
      if (object.node) walkObject(object, add);
    }
  }
  tokens.sort((a, b) => a.range[0] - b.range[0]);
  // Overlaps cannot be encoded: the first wins (a List's items never overlap, so this is only a guard).
  return tokens.filter((t, i) => i === 0 || t.range[0] >= tokens[i - 1].range[1]);
}

type Add = (node: YamlNode | null | undefined, category: SemanticCategory, declaration?: boolean) => void;

function walkObject(object: K8sObject, add: Add): void {
  const isNamespace = object.kind === 'Namespace' && object.apiVersion === 'v1';
  const isWorkloadLike = !/policy|networkset|tier/i.test(object.kind);
  const visit = (node: unknown, path: Path): void => {
    if (isMap(node)) {
      for (const pair of node.items) {
        const key = pair.key as YamlNode | null;
        const value = pair.value as YamlNode | null;
        if (!isScalar(key)) continue;
        const name = String(key.value);
        const at = [...path, name];
        if (isScalar(value)) scalarAt(key, value, at);
        else if (path[path.length - 1] === 'matchLabels' || path[path.length - 1] === 'labels') labelPair(key, value, at);
        visit(value, at);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => {
        const at = [...path, i];
        if (isScalar(item)) scalarItem(item as YamlNode, at);
        visit(item, at);
      });
    }
  };
  const labelPair = (key: YamlNode, value: YamlNode | null, path: Path) => {
    const parent = path[path.length - 2];
    const declaration = parent === 'labels';
    if (declaration) {
      // Labels that selectors select: a Namespace's, a Pod's, a pod template's; not other objects' own labels.
      const own = path.length === 3 && path[0] === 'metadata';
      if (!(own ? isNamespace || object.kind === 'Pod' : isWorkloadLike && path.includes('template'))) return;
    }
    add(key, 'label-key', declaration);
    if (!isScalar(value)) return;
    const inNamespaceSelector = path.some((p) => typeof p === 'string' && /^namespace(Selector|s)$/.test(p));
    const labelKey = String((key as { value?: unknown }).value);
    // kubernetes.io/metadata.name in a namespace selector; Cilium's namespace label in an endpoint selector.
    const names = (labelKey === NAMESPACE_NAME_LABEL && (inNamespaceSelector || isNamespace)) || /^(k8s:)?io\.kubernetes\.pod\.namespace$/.test(labelKey);
    add(value, names ? 'namespace' : 'label-value', declaration);
  };
  const scalarAt = (key: YamlNode, value: YamlNode, path: Path) => {
    const name = path[path.length - 1];
    const parent = path[path.length - 2];
    const v = (value as { value?: unknown }).value;
    if (parent === 'matchLabels' || parent === 'labels') return labelPair(key, value, path);
    if (name === 'namespace' && typeof v === 'string') {
      // metadata.namespace of any object; a Service or a Cilium toServices' namespace.
      if (path.length === 2 && path[0] === 'metadata') return add(value, 'namespace');
      if (!isWorkloadLike) return add(value, 'namespace');
      return;
    }
    if (name === 'name' && path.length === 2 && path[0] === 'metadata' && isNamespace) return add(value, 'namespace', true);
    if (name === 'key' && typeof v === 'string' && path.includes('matchExpressions')) return add(value, 'label-key');
    if (isWorkloadLike) {
      // Container ports: `ports[].name` and `containerPort` declare what policies refer to; a Service's ports too.
      const inPorts = path.length >= 3 && path[path.length - 3] === 'ports';
      if (inPorts && name === 'containerPort' && typeof v === 'number') return add(value, 'port-number', true);
      if (inPorts && name === 'name' && typeof v === 'string' && path.includes('containers')) return add(value, 'port-name', true);
      return;
    }
    if (PORT_NUMBER_KEYS.has(String(name)) && (typeof v === 'number' || (typeof v === 'string' && /^\d+$/.test(v))) && isPortPath(path)) return add(value, 'port-number');
    if (PORT_NAME_KEYS.has(String(name)) && typeof v === 'string' && !/^\d+$/.test(v) && isPortPath(path)) return add(value, 'port-name');
    if (POLICY_ENUMS.has(String(name)) && typeof v === 'string' && ENUM_VALUES.has(v)) return add(value, 'enum');
  };
  const scalarItem = (item: YamlNode, path: Path) => {
    const list = path[path.length - 2];
    const v = (item as { value?: unknown }).value;
    if (isWorkloadLike) return;
    if ((list === 'policyTypes' || list === 'types') && typeof v === 'string' && ENUM_VALUES.has(v)) return add(item, 'enum');
    // Calico's ports: numbers, ranges (`8000:8080`) and names.
    if ((list === 'ports' || list === 'notPorts') && (typeof v === 'number' || typeof v === 'string')) return add(item, typeof v === 'number' || /^\d+(:\d+)?$/.test(v) ? 'port-number' : 'port-name');
    if (list === 'values' && path.includes('matchExpressions')) {
      const expression = path.slice(0, -2);
      const keyIsNamespaceName = keyOfExpression(object.node, expression) === NAMESPACE_NAME_LABEL;
      return add(item, keyIsNamespaceName && path.some((p) => typeof p === 'string' && /^namespace(Selector|s)$/.test(p)) ? 'namespace' : 'label-value');
    }
  };
  visit(object.node, []);
}

/** A port field of a policy: below `ports`, `toPorts`, `protocols` or a rule's destination. */
function isPortPath(path: Path): boolean {
  return path.some((p) => p === 'ports' || p === 'toPorts' || p === 'protocols' || p === 'destinationPort' || p === 'portNumber' || p === 'portRange');
}

function keyOfExpression(root: YamlNode | undefined, path: Path): string | undefined {
  let node: unknown = root;
  for (const step of path) {
    if (isMap(node)) node = node.get(step, true);
    else if (isSeq(node) && typeof step === 'number') node = node.items[step];
    else return undefined;
  }
  if (!isMap(node)) return undefined;
  const key = node.get('key');
  return typeof key === 'string' ? key : undefined;
}
