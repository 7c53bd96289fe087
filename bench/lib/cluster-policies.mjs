// The cluster-wide policies added to a generated workspace for the `*-tiers` presets of `npm run bench`: two
// AdminNetworkPolicies over every namespace and a BaselineAdminNetworkPolicy, so that every direction of every pod
// goes through the tiers (engine/tiers.ts).
export const CLUSTER_POLICIES = `apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: dev-cannot-reach-prod}
spec:
  priority: 10
  subject: {namespaces: {matchLabels: {env: prod}}}
  ingress:
    - {name: kube-system, action: Allow, from: [{namespaces: {matchLabels: {kubernetes.io/metadata.name: kube-system}}}]}
    - {name: from-dev, action: Deny, from: [{namespaces: {matchLabels: {env: dev}}}]}
    - {name: same-env, action: Pass, from: [{namespaces: {matchLabels: {env: prod}}}], ports: [{portRange: {start: 1, end: 9000}}]}
---
apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: egress-guard}
spec:
  priority: 20
  subject: {namespaces: {}}
  egress:
    - {name: dns, action: Allow, to: [{pods: {namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}, podSelector: {matchLabels: {k8s-app: kube-dns}}}}], ports: [{portNumber: {protocol: UDP, port: 53}}, {portNumber: {protocol: TCP, port: 53}}]}
    - {name: no-metadata, action: Deny, to: [{networks: [169.254.169.254/32]}]}
---
apiVersion: policy.networking.k8s.io/v1alpha1
kind: BaselineAdminNetworkPolicy
metadata: {name: default}
spec:
  subject: {namespaces: {}}
  ingress:
    - {name: no-dev, action: Deny, from: [{namespaces: {matchLabels: {env: dev}}}]}
`;
