// The Calico policies added to a generated workspace for the `*-calico` presets of `npm run bench`: the zero-trust
// layout of Calico's guides on top of the workspace's NetworkPolicies. Two tiers before `default` (security: Deny
// a threat feed's GlobalNetworkSet, then Pass; platform: DNS and monitoring, then Pass), a GlobalNetworkPolicy in
// `default` that denies the rest after the NetworkPolicies (order 2000, DNS allowed), and in every fourth namespace
// a Calico NetworkPolicy with a Deny from dev namespaces (order 500, before the NetworkPolicies), a Log rule and an
// Allow on a named port. Every workload's every direction then goes through Calico's tiers (engine/calico-evaluate.ts).
import fs from 'node:fs';
import path from 'node:path';

const GLOBAL = `apiVersion: projectcalico.org/v3
kind: Tier
metadata: {name: security}
spec: {order: 50}
---
apiVersion: projectcalico.org/v3
kind: Tier
metadata: {name: platform}
spec: {order: 100}
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkSet
metadata: {name: threat-feed, labels: {feed: threats}}
spec:
  nets: [198.51.100.0/24, 203.0.113.0/24]
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: security.block-threats}
spec:
  tier: security
  order: 10
  selector: all()
  types: [Ingress, Egress]
  ingress:
    - {action: Deny, source: {selector: feed == 'threats'}}
    - {action: Pass}
  egress:
    - {action: Deny, destination: {selector: feed == 'threats'}}
    - {action: Pass}
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: platform.dns-and-monitoring}
spec:
  tier: platform
  order: 10
  selector: all()
  types: [Ingress, Egress]
  ingress:
    - {action: Allow, protocol: TCP, source: {namespaceSelector: "projectcalico.org/name == 'monitoring'"}, destination: {ports: [metrics]}}
    - {action: Pass}
  egress:
    - {action: Allow, protocol: UDP, destination: {namespaceSelector: "projectcalico.org/name == 'kube-system'", selector: k8s-app == 'kube-dns', ports: [53]}}
    - {action: Allow, protocol: TCP, destination: {namespaceSelector: "projectcalico.org/name == 'kube-system'", selector: k8s-app == 'kube-dns', ports: [53]}}
    - {action: Pass}
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: default-deny}
spec:
  order: 2000
  selector: projectcalico.org/namespace not in {'kube-system', 'monitoring'}
  types: [Ingress, Egress]
  egress:
    - {action: Allow, protocol: UDP, destination: {selector: k8s-app == 'kube-dns', namespaceSelector: "projectcalico.org/name == 'kube-system'", ports: [53]}}
    - {action: Allow, protocol: TCP, destination: {selector: k8s-app == 'kube-dns', namespaceSelector: "projectcalico.org/name == 'kube-system'", ports: [53]}}
`;

function namespacePolicies(namespace) {
  return `apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: deny-from-dev, namespace: ${namespace}}
spec:
  order: 500
  selector: all()
  types: [Ingress]
  ingress:
    - {action: Log, source: {namespaceSelector: env == 'dev'}}
    - {action: Deny, source: {namespaceSelector: env == 'dev'}}
    - {action: Allow, protocol: TCP, source: {namespaceSelector: "projectcalico.org/name == 'monitoring'"}, destination: {ports: [metrics]}}
`;
}

/** The namespaces of a generated workspace (the names in its `00-namespace.yaml` files), sorted. */
function namespacesOf(dir) {
  const out = new Set();
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      if (e.name.startsWith('.')) continue;
      const full = path.join(d, e.name);
      if (e.isDirectory()) walk(full);
      else if (e.name === '00-namespace.yaml') {
        const name = /^kind: Namespace\nmetadata:\n {2}name: (\S+)$/m.exec(fs.readFileSync(full, 'utf8'));
        if (name) out.add(name[1]);
      }
    }
  };
  walk(dir);
  return [...out].sort();
}

/** The Calico manifests for a generated workspace: one file of global objects and one per fourth namespace. */
export function calicoPolicyFiles(dir) {
  const files = new Map([['calico/global.yaml', GLOBAL]]);
  namespacesOf(dir).forEach((namespace, i) => {
    if (i % 4 === 0) files.set(`calico/namespaces/${namespace}.yaml`, namespacePolicies(namespace));
  });
  return files;
}
