// (One folder, no subfolders: files written in a burst into new nested folders are not always reported by the
// workbench's file watcher.)
// A generated workspace for the reachability graph's checks in the workbench (the suite's geometry test and the
// browser-level screenshots): 44 workloads in 8 namespaces, every namespace isolated, with a chain of tiers, hops
// inside namespaces, an ingress gateway every workload may reach, monitoring scraping every workload, and logging.

export const GENERATED_FOLDER = 'generated-graph';
export const GENERATED_NAMESPACES = ['gen-edge', 'gen-web', 'gen-api', 'gen-payments', 'gen-orders', 'gen-data', 'gen-monitoring', 'gen-logging'];
const TIERS = GENERATED_NAMESPACES.slice(0, 6);

const short = (ns) => ns.replace(/^gen-/, '');
/** Workload names of a namespace: 5 or 6 of them. */
export function workloadsOf(ns) {
  const count = 5 + (GENERATED_NAMESPACES.indexOf(ns) % 2);
  return Array.from({ length: count }, (_, j) => `${short(ns)}-svc-${j}`);
}
export const GENERATED_WORKLOADS = GENERATED_NAMESPACES.flatMap((ns) => workloadsOf(ns).map((w) => `${ns}/${w}`));

const docs = (...d) => d.map((x) => x.trim()).join('\n---\n') + '\n';

function deployment(ns, name, j) {
  return `
apiVersion: apps/v1
kind: ${j % 3 === 0 ? 'StatefulSet' : 'Deployment'}
metadata:
  name: ${name}
  namespace: ${ns}
spec:
  selector:
    matchLabels:
      app: ${name}
  template:
    metadata:
      labels:
        app: ${name}
    spec:
      containers:
        - name: main
          image: registry.example/${name}:1.0
          ports:
            - name: http
              containerPort: ${8080 + j}
            - name: metrics
              containerPort: 9100`;
}

function allow(ns, name, target, from, ports) {
  const peers = from
    .map(([peerNs, app]) =>
      [
        '        - namespaceSelector:',
        '            matchLabels:',
        `              name: ${peerNs}`,
        ...(app ? ['          podSelector:', '            matchLabels:', `              app: ${app}`] : []),
      ].join('\n'),
    )
    .join('\n');
  return `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: ${name}
  namespace: ${ns}
spec:
  podSelector:${target ? `\n    matchLabels:\n      app: ${target}` : ' {}'}
  policyTypes:
    - Ingress
  ingress:
    - from:
${peers}
      ports:
${ports.map((p) => `        - protocol: TCP\n          port: ${p}`).join('\n')}`;
}

/** Relative path -> text. */
export function generatedWorkspace() {
  const files = {};
  files[`${GENERATED_FOLDER}/namespaces.yaml`] = docs(
    ...GENERATED_NAMESPACES.map((ns) => `
apiVersion: v1
kind: Namespace
metadata:
  name: ${ns}
  labels:
    name: ${ns}
    generated: "true"`),
  );
  GENERATED_NAMESPACES.forEach((ns, i) => {
    const names = workloadsOf(ns);
    const policies = [];
    // Every namespace isolated for ingress; in gen-edge the gateway (edge-svc-0) stays open to every peer.
    policies.push(`
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: default-deny-ingress
  namespace: ${ns}
spec:
  podSelector:${ns === 'gen-edge' ? `\n    matchExpressions:\n      - key: app\n        operator: NotIn\n        values: [edge-svc-0]` : ' {}'}
  policyTypes:
    - Ingress`);
    // Egress stays inside the generated namespaces (gen-logging's workloads are not isolated for egress).
    if (ns !== 'gen-logging') {
      policies.push(`
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: egress-within-generated
  namespace: ${ns}
spec:
  podSelector: {}
  policyTypes:
    - Egress
  egress:
    - to:
        - namespaceSelector:
            matchLabels:
              generated: "true"
    - to:
        - namespaceSelector:
            matchLabels:
              kubernetes.io/metadata.name: kube-system
          podSelector:
            matchLabels:
              k8s-app: kube-dns
      ports:
        - protocol: UDP
          port: 53
        - protocol: TCP
          port: 53`);
    }
    if (TIERS.includes(ns)) {
      // The namespace's front (svc-0) calls its backends; the next tier is called by svc-1 and svc-2.
      for (let j = 1; j < names.length; j++) policies.push(allow(ns, `${names[j]}-from-${names[0]}`, names[j], [[ns, names[0]]], [8080 + j]));
      const previous = TIERS[TIERS.indexOf(ns) - 1];
      if (previous) {
        const before = workloadsOf(previous);
        policies.push(allow(ns, `${names[0]}-from-${previous}`, names[0], [[previous, before[1]]], [8080]));
        policies.push(allow(ns, `${names[2]}-from-${previous}`, names[2], [[previous, before[2]]], [8082, 9100]));
      }
    }
    if (ns === 'gen-logging') {
      for (const [j, name] of names.entries()) if (j > 0) policies.push(allow(ns, `${name}-from-api`, name, [['gen-api', 'api-svc-3']], [8080 + j]));
    }
    policies.push(allow(ns, 'metrics-from-prometheus', undefined, [['gen-monitoring', 'monitoring-svc-0']], [9100]));
    files[`${GENERATED_FOLDER}/${short(ns)}-workloads.yaml`] = docs(...names.map((name, j) => deployment(ns, name, j)));
    files[`${GENERATED_FOLDER}/${short(ns)}-policies.yaml`] = docs(...policies);
    void i;
  });
  return files;
}
