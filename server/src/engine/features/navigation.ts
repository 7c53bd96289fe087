// Go to definition (selector -> the workloads it matches, named port -> the container ports it names) and find
// references (workload -> the policies and peers that select it).
import { NAMESPACE_NAME_LABEL, type Workload } from '../model';
import { keyRangeAt, nodeAt, rangeAt } from '../parse';
import type { SourceLocation } from '../types';
import type { Workspace } from '../workspace';
import { isMap } from 'yaml';
import { locate, pathStartsWith, type Cursor } from './cursor';
import { onWorkloadIdentity, policyTarget, ruleDestinations } from './hover';
import { featureIndex } from './index';
import { peerMatches } from './reach';
import { matchesSelector } from '../selectors';
import { nameLocation, workloadLocation } from './markdown';

/** A block node's range runs to the start of the next line; references read better without the trailing blank. */
function trimmed(workspace: Workspace, location: SourceLocation): SourceLocation {
  const text = workspace.getFile(location.uri)?.text;
  if (!text) return location;
  let end = location.range[1];
  while (end > location.range[0] && /\s/.test(text[end - 1])) end--;
  return { uri: location.uri, range: [location.range[0], end] };
}

function namespaceNameAt(cursor: Cursor): string | undefined {
  const value = cursor.scalar?.value;
  if (cursor.onKey || typeof value !== 'string') return undefined;
  const path = cursor.path;
  if (path.length === 2 && path[0] === 'metadata' && path[1] === 'namespace') return value;
  if (path[path.length - 1] === NAMESPACE_NAME_LABEL && path[path.length - 3] === 'namespaceSelector') return value;
  // matchExpressions on kubernetes.io/metadata.name: the values are namespace names.
  if (path.includes('namespaceSelector') && path[path.length - 2] === 'values' && typeof path[path.length - 3] === 'number') {
    const expression = cursor.object && nodeAt(cursor.object.node, path.slice(0, -2));
    if (isMap(expression) && expression.get('key') === NAMESPACE_NAME_LABEL) return value;
  }
  return undefined;
}

export function definition(workspace: Workspace, uri: string, offset: number): SourceLocation[] {
  const file = workspace.getFile(uri);
  if (!file) return [];
  const cursor = locate(file, offset);
  if (!cursor.object) return [];
  const index = featureIndex(workspace).scopeFor(uri);
  if (!index) return [];
  // A namespace name (metadata.namespace, or kubernetes.io/metadata.name in a namespaceSelector) -> its Namespace.
  const namespaceName = namespaceNameAt(cursor);
  if (namespaceName !== undefined) {
    const namespace = index.model.namespaces.get(namespaceName);
    return namespace?.object && workspace.hasFile(namespace.object.uri) ? [nameLocation(workspace, namespace.object)] : [];
  }
  // A Service's selector -> the workloads whose pods it selects (every key must match: equality only).
  if (cursor.object.kind === 'Service' && pathStartsWith(cursor.path, ['spec', 'selector'])) {
    const service = index.model.services.find((svc) => svc.object === cursor.object);
    const selector = service?.selector;
    if (!service || !selector || Object.keys(selector).length === 0) return [];
    return index
      .workloadsIn(service.namespace)
      .filter((w) => Object.entries(selector).every(([key, value]) => w.podLabels[key] === value))
      .map((w) => workloadLocation(w, workspace));
  }
  const policy = index.policyFor(cursor.object);
  if (!policy) return [];
  const target = policyTarget(policy, cursor);
  switch (target.type) {
    case 'podSelector':
      return index.selectedBy(policy).map((w) => workloadLocation(w, workspace));
    case 'peer':
      return index.peerWorkloads(policy, target.peer).map((w) => workloadLocation(w, workspace));
    case 'port': {
      const spec = target.port;
      if (typeof spec.port !== 'string') return [];
      const out: SourceLocation[] = [];
      for (const w of ruleDestinations(index, policy, target.rule)) {
        for (const cp of w.containerPorts) {
          if (cp.name !== spec.port || cp.protocol !== spec.protocol) continue;
          const range = rangeAt(w.object.node, [...cp.path, 'name']);
          if (range) out.push({ uri: w.object.uri, range });
        }
      }
      return out;
    }
    default:
      return [];
  }
}

/** The workload whose name or labels are under the cursor. */
function workloadAt(workspace: Workspace, uri: string, offset: number): Workload | undefined {
  const file = workspace.getFile(uri);
  if (!file) return undefined;
  const cursor = locate(file, offset);
  if (!cursor.object) return undefined;
  const workload = featureIndex(workspace).scopeFor(uri)?.workloadFor(cursor.object);
  return workload && onWorkloadIdentity(workload, cursor) ? workload : undefined;
}

/**
 * Where a workload is selected: the spec.podSelector of every policy that selects it, then every from/to peer that
 * matches it, each once. With `includeDeclaration`, the workload's own name first.
 */
export function references(workspace: Workspace, uri: string, offset: number, includeDeclaration: boolean): SourceLocation[] {
  const workload = workloadAt(workspace, uri, offset);
  if (!workload) return namespaceReferences(workspace, uri, offset, includeDeclaration);
  const index = featureIndex(workspace).scopeFor(uri)!;
  const out: SourceLocation[] = includeDeclaration ? [workloadLocation(workload, workspace)] : [];
  for (const policy of index.model.policiesByNamespace.get(workload.namespace) ?? []) {
    if (!matchesSelector(policy.podSelector, workload.podLabels)) continue;
    const range = keyRangeAt(policy.object.node, ['spec', 'podSelector']) ?? policy.object.range;
    out.push({ uri: policy.object.uri, range });
  }
  for (const ref of index.peerRefs()) {
    if (!peerMatches(index, ref.policy, ref.peer, workload)) continue;
    const range = rangeAt(ref.policy.object.node, ref.peer.path) ?? ref.policy.object.range;
    out.push(trimmed(workspace, { uri: ref.policy.object.uri, range }));
  }
  return out;
}

/** From a Namespace's name: the namespaceSelector peers that select the namespace. */
function namespaceReferences(workspace: Workspace, uri: string, offset: number, includeDeclaration: boolean): SourceLocation[] {
  const file = workspace.getFile(uri);
  if (!file) return [];
  const cursor = locate(file, offset);
  if (cursor.object?.kind !== 'Namespace' || !pathStartsWith(cursor.path, ['metadata', 'name'])) return [];
  const index = featureIndex(workspace).scopeFor(uri);
  const namespace = index?.model.namespaces.get(cursor.object.name);
  if (!index || !namespace) return [];
  const out: SourceLocation[] = includeDeclaration ? [nameLocation(workspace, cursor.object)] : [];
  for (const ref of index.peerRefs()) {
    if (ref.peer.type !== 'pods' || !ref.peer.namespaceSelector || !matchesSelector(ref.peer.namespaceSelector, namespace.labels)) continue;
    const range = keyRangeAt(ref.policy.object.node, [...ref.peer.path, 'namespaceSelector']) ?? ref.policy.object.range;
    out.push({ uri: ref.policy.object.uri, range });
  }
  return out;
}
