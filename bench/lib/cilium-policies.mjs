// The Cilium policies added to a generated workspace for the `*-cilium` presets of `npm run bench`: in every
// namespace of the generator's teams/<team>/<namespace>/ folders a CiliumNetworkPolicy that makes both directions
// default-deny and allows the namespace itself, kube-system, the team's namespaces (by namespace label), DNS with a
// dns L7 rule, names under example.com, and denies world on 22; plus two CiliumClusterwideNetworkPolicies (a
// metadata-address egressDeny without default deny, and an ingress allow from prod namespaces), so that every
// direction of every pod goes through the Cilium evaluation (engine/cilium-evaluate.ts) beside the NetworkPolicies.
import fs from 'node:fs';
import path from 'node:path';

const CLUSTERWIDE = `apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata: {name: no-metadata-service}
spec:
  endpointSelector: {}
  enableDefaultDeny: {ingress: false, egress: false}
  egressDeny:
    - toCIDR: [169.254.169.254/32]
---
apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata: {name: prod-may-call-in}
spec:
  endpointSelector: {matchLabels: {io.cilium.k8s.namespace.labels.env: prod}}
  ingress:
    - fromEndpoints: [{matchLabels: {io.cilium.k8s.namespace.labels.env: prod}}]
      toPorts: [{ports: [{port: "8080", protocol: TCP}, {port: "9090", protocol: TCP}]}]
`;

function namespacePolicy(namespace, team) {
  return `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: cilium-guard, namespace: ${namespace}}
spec:
  endpointSelector: {}
  ingress:
    - fromEndpoints: [{}]
    - fromEndpoints: [{matchLabels: {k8s:io.kubernetes.pod.namespace: kube-system}}]
    - fromEndpoints: [{matchLabels: {io.cilium.k8s.namespace.labels.team: ${team}}}]
      toPorts: [{ports: [{port: "8080", protocol: TCP}], rules: {http: [{method: GET}]}}]
  ingressDeny:
    - fromEntities: [world]
      toPorts: [{ports: [{port: "22", protocol: TCP}]}]
  egress:
    - toEndpoints: [{matchLabels: {k8s:io.kubernetes.pod.namespace: kube-system, k8s-app: kube-dns}}]
      toPorts: [{ports: [{port: "53", protocol: ANY}], rules: {dns: [{matchPattern: "*"}]}}]
    - toEndpoints: [{}]
    - toFQDNs: [{matchPattern: "*.example.com"}]
      toPorts: [{ports: [{port: "443", protocol: TCP}]}]
`;
}

/** Writes OUTDIR/cilium/<team>.yaml (one CiliumNetworkPolicy per namespace) and OUTDIR/cilium/clusterwide.yaml. */
export function writeCiliumPolicies(dir) {
  const out = path.join(dir, 'cilium');
  fs.mkdirSync(out, { recursive: true });
  fs.writeFileSync(path.join(out, 'clusterwide.yaml'), CLUSTERWIDE);
  const teams = path.join(dir, 'teams');
  let count = 2;
  for (const team of fs.readdirSync(teams).sort()) {
    const docs = fs.readdirSync(path.join(teams, team)).sort().filter((ns) => fs.statSync(path.join(teams, team, ns)).isDirectory()).map((ns) => namespacePolicy(ns, team));
    count += docs.length;
    fs.writeFileSync(path.join(out, `${team}.yaml`), docs.join('---\n'));
  }
  return count;
}
