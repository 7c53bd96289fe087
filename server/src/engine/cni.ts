// Which CNI enforces the policies: `cni:` in .netpol.yaml, else detected from the workspace's DaemonSets (the node
// agents each CNI installs under its usual name). What it changes: whether anything enforces policies at all
// (Flannel alone implements no NetworkPolicy: "Flannel is focused on networking. For network policy, other projects
// such as Calico can be used", flannel README), and which policy kinds are implemented.
import type { CniName } from './config';
import type { Model } from './model';

/** Node-agent DaemonSet names (as the CNIs' install manifests and Helm charts name them). */
const AGENTS: readonly [RegExp, CniName][] = [
  [/^cilium$/, 'cilium'],
  [/^calico-node$/, 'calico'],
  [/^canal$/, 'canal'],
  [/^kube-flannel-ds(-.*)?$/, 'flannel'],
  [/^weave-net$/, 'weave'],
  [/^antrea-agent$/, 'antrea'],
  [/^ovnkube-node$/, 'ovn-kubernetes'],
  [/^aws-node$/, 'aws-vpc'],
];

export interface CniSetting {
  cni: CniName;
  /** Where it comes from: the configuration, or the DaemonSet it was detected from. */
  source: 'config' | { daemonSet: string; namespace: string };
}

/** The CNIs whose agents the workspace deploys; Calico beside Flannel is Canal (Flannel networking, Calico policy). */
export function detectCni(model: Model): CniSetting | undefined {
  const found = new Map<CniName, { daemonSet: string; namespace: string }>();
  for (const o of model.objects) {
    if (o.kind !== 'DaemonSet') continue;
    for (const [re, cni] of AGENTS) if (re.test(o.name) && !found.has(cni)) found.set(cni, { daemonSet: o.name, namespace: o.namespace ?? model.defaultNamespace });
  }
  if (found.has('calico') && found.has('flannel')) return { cni: 'canal', source: found.get('calico')! };
  // Cilium can run beside another CNI in chaining mode, where it enforces the policies: it wins.
  for (const cni of ['cilium', 'canal', 'calico', 'antrea', 'ovn-kubernetes', 'weave', 'aws-vpc', 'flannel'] as CniName[]) {
    const source = found.get(cni);
    if (source) return { cni, source };
  }
  return undefined;
}

export function effectiveCni(configured: CniName | undefined, model: Model): CniSetting | undefined {
  return configured !== undefined ? { cni: configured, source: 'config' } : detectCni(model);
}

/** CNIs that enforce no policy of any kind. */
export function enforcesNothing(cni: CniName): boolean {
  return cni === 'flannel' || cni === 'none';
}

/** Whether the CNI implements a policy kind, when that is documented; undefined when not known. */
export function implementsKind(cni: CniName, apiVersion: string, kind: string): boolean | undefined {
  if (enforcesNothing(cni)) return false;
  if (apiVersion.startsWith('cilium.io/') && (kind === 'CiliumNetworkPolicy' || kind === 'CiliumClusterwideNetworkPolicy')) {
    // GKE Dataplane V2 is Cilium-based with its own feature set: not asserted either way.
    return cni === 'cilium' ? true : cni === 'gke-dataplane-v2' ? undefined : false;
  }
  if (apiVersion.startsWith('projectcalico.org/') || apiVersion.startsWith('crd.projectcalico.org/')) {
    if (!/NetworkPolicy$/.test(kind)) return undefined;
    return cni === 'calico' || cni === 'canal' ? true : false;
  }
  return undefined;
}
