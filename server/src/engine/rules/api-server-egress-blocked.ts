// A workload that talks to the Kubernetes API (its ServiceAccount is a subject of a RoleBinding or
// ClusterRoleBinding in the files) is isolated for egress, and no egress rule allows the API server: the classic
// breakage after a namespace-wide default deny. The API server's address is outside the pod network (its own
// hosts, or a managed control plane), so only rules without `to` or with an ipBlock can allow it; with
// `apiServer.cidrs` in .netpol.yaml, the evaluation decides for those addresses. Reads bindings in every namespace
// (cluster-scoped ones too), so the rule re-runs whole; it is linear in the workloads and the bindings.
import { parseCidr } from '../cidr';
import { ipEndpoint, workloadEndpoint } from '../evaluate';
import { objectNamespace, type Workload } from '../model';
import { isPlainObject, type K8sObject } from '../parse';
import { PortSet } from '../portset';
import { baseModel, inWorkspace, listNames, locate, policyName } from './common';
import type { Rule, RuleContext } from './types';

const BINDING_KINDS = new Set(['RoleBinding', 'ClusterRoleBinding']);

interface Binding {
  object: K8sObject;
  /** The subject's namespace, or undefined when it names none (a RoleBinding: its own namespace applies). */
  namespace: string;
  /** Whether the binding names no namespace anywhere (a namespace-less bundle applied with -n). */
  namespaceFree: boolean;
}

/** ServiceAccount subjects of the bindings in the files, by ServiceAccount name. */
function serviceAccountBindings(context: RuleContext): Map<string, Binding[]> {
  const model = baseModel(context.model);
  const out = new Map<string, Binding[]>();
  for (const object of model.objects) {
    if (!BINDING_KINDS.has(object.kind) || !inWorkspace(context, object)) continue;
    const subjects = object.value.subjects;
    if (!Array.isArray(subjects)) continue;
    for (const s of subjects) {
      if (!isPlainObject(s) || s.kind !== 'ServiceAccount' || typeof s.name !== 'string') continue;
      // RBAC: a ServiceAccount subject of a RoleBinding without a namespace is in the binding's namespace.
      const explicit = typeof s.namespace === 'string' && s.namespace !== '' ? s.namespace : undefined;
      const namespace = explicit ?? (object.kind === 'RoleBinding' ? objectNamespace(model, object) : undefined);
      if (namespace === undefined) continue;
      const list = out.get(s.name) ?? [];
      list.push({ object, namespace, namespaceFree: explicit === undefined && object.namespace === undefined });
      out.set(s.name, list);
    }
  }
  return out;
}

function serviceAccountOf(w: Workload): { name: string; automount: boolean } {
  let spec: unknown = w.object.value;
  for (const key of [...w.templatePath, 'spec']) spec = isPlainObject(spec) ? spec[key] : undefined;
  const podSpec = isPlainObject(spec) ? spec : {};
  const name = typeof podSpec.serviceAccountName === 'string' ? podSpec.serviceAccountName : typeof podSpec.serviceAccount === 'string' ? podSpec.serviceAccount : 'default';
  return { name, automount: podSpec.automountServiceAccountToken !== false };
}

export const apiServerEgressBlocked: Rule = {
  id: 'api-server-egress-blocked',
  defaultSeverity: 'warning',
  description: 'A workload whose ServiceAccount has RBAC bindings is isolated for egress and nothing allows the API server.',
  run(context) {
    const bindings = serviceAccountBindings(context);
    if (bindings.size === 0) return;
    const { cidrs: cidrTexts, ports: portList } = context.config.apiServer;
    let apiPorts = PortSet.NONE;
    for (const p of portList) apiPorts = apiPorts.union(PortSet.of('TCP', p, p));
    const ranges = cidrTexts.map((t) => parseCidr(t)).filter((r) => typeof r !== 'string');
    const portText = portList.map((p) => `TCP ${p}`).join(' or ');
    for (const w of context.model.workloads) {
      if (w.assumed || w.hostNetwork || !inWorkspace(context, w.object)) continue;
      const sa = serviceAccountOf(w);
      if (!sa.automount) continue;
      // A namespace-less workload goes wherever it is applied: a binding naming its ServiceAccount in any namespace
      // (bundles name the namespace they expect) is taken as its own.
      const namespaceFree = w.object.namespace === undefined;
      const bound = (bindings.get(sa.name) ?? []).filter((b) => b.namespace === w.namespace || namespaceFree || b.namespaceFree);
      if (bound.length === 0) continue;
      const policies = context.analysis.isolatingPolicies(w, 'egress');
      if (policies.length === 0) continue;
      let allowed: boolean;
      if (ranges.length > 0) {
        allowed = ranges.some((range) => !context.analysis.egressAllowed(workloadEndpoint(w), ipEndpoint(range)).intersect(apiPorts).isEmpty());
      } else {
        // Unknown address: any rule toward the outside world (no `to`, or an ipBlock) on an API port may reach it.
        allowed = policies.some((p) =>
          p.egress.some((rule) => (!rule.peers || rule.peers.some((peer) => peer.type === 'ipBlock')) && !context.analysis.rulePorts(rule, ipEndpoint(ranges[0] ?? ANY_V4)).intersect(apiPorts).isEmpty()),
        );
      }
      if (allowed) continue;
      const where = ranges.length > 0 ? `the API server (${cidrTexts.join(', ')}) on ${portText}` : `any address outside the cluster on ${portText}, where the API server is`;
      context.report({
        message:
          `${w.displayName} runs as ServiceAccount ${sa.name}, which ${listNames(bound.map((b) => `${b.object.kind} ${b.object.name}`))} grant${bound.length === 1 ? 's' : ''} API access, ` +
          `but ${listNames(policies.map(policyName))} isolate${policies.length === 1 ? 's' : ''} its egress and no egress rule allows ${where}. ` +
          `Set apiServer.cidrs and apiServer.ports in .netpol.yaml if the API server is elsewhere.`,
        location: locate(w.object, ['metadata', 'name']),
        related: bound.map((b) => ({ location: locate(b.object, ['metadata', 'name']), message: `binds ServiceAccount ${sa.name}` })),
      });
    }
  },
};

const ANY_V4 = (() => {
  const r = parseCidr('0.0.0.0/0');
  if (typeof r === 'string') throw new Error(r);
  return r;
})();
