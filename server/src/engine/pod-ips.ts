// ipBlocks and the IPs of pods. The NetworkPolicy reference says ipBlocks are meant for addresses outside the
// cluster, but the upstream e2e test "should allow egress access to server in CIDR block" (test/e2e/network/
// netpol/network_legacy.go) gives a server pod's own IP as a /32 ipBlock and expects the traffic allowed, and most
// CNIs (Calico among them) pass it. Cilium never matches pods by ipBlock: a pod has a cluster identity, and CIDR
// peers only match addresses without one. The workspace knows a pod's IP only from a Pod's status.podIP.
import { defineQuery, type Store } from './store';
import { contains, overlaps, type IpRange } from './cidr';
import type { Model, Workload } from './model';
import type { IpBlockPeer } from './policy';

/** Whether an address range lies inside the block and outside its excepts. */
export function ipBlockHolds(peer: IpBlockPeer, range: IpRange): boolean {
  return contains(peer.cidr, range) && !peer.except.some((x) => overlaps(x, range));
}

/** The workload's pod IP the block holds, if any (whatever the CNI does with it). */
export function podIpInBlock(peer: IpBlockPeer, w: Workload): IpRange | undefined {
  for (const ip of w.podIps) if (ipBlockHolds(peer, ip)) return ip;
  return undefined;
}

/** Whether an ipBlock peer matches the workload's pods, under the model's CNI assumption. */
export function ipBlockMatchesWorkload(model: Model, peer: IpBlockPeer, w: Workload): boolean {
  return model.ipBlocksMatchPodIps && w.podIps.length > 0 && podIpInBlock(peer, w) !== undefined;
}

const POD_IPS_MATCHABLE = defineQuery<Model, boolean>({
  name: 'pod-ips-matchable',
  reads: ['workloads'],
  lifetime: 'model',
  description: 'whether some workload of the model has a known pod IP that ipBlocks may match',
});

/** Whether some workload of the model has a known pod IP that ipBlocks may match (else ipBlocks match no pod). */
export function anyPodIpMatchable(context: { model: Model; store: Store }): boolean {
  const model = context.model;
  if (!model.ipBlocksMatchPodIps) return false;
  return context.store.query(POD_IPS_MATCHABLE).get(model, () => model.workloads.some((w) => w.podIps.length > 0));
}

/**
 * The workload whose known pod IP a single address is, if exactly one has it: traffic to a pod's IP is traffic to
 * the pod, so `reach` to that address answers as for the pod (its ingress policies apply).
 */
export function workloadWithPodIp(model: Model, range: IpRange): Workload | undefined {
  if (range.lo !== range.hi) return undefined;
  const found = model.workloads.filter((w) => w.podIps.some((ip) => ip.v6 === range.v6 && ip.lo === range.lo));
  return found.length === 1 ? found[0] : undefined;
}
