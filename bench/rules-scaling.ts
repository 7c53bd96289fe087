// Times label-typo and selector-matches-nothing alone on one file of N NetworkPolicy/Deployment pairs, each
// policy selecting its own Deployment by a distinct label (the robustness engineer's quadratic case).
// Run: node --import tsx bench/rules-scaling.ts [N...]
import { labelTypo } from '../server/src/engine/rules/label-typo';
import { runRules } from '../server/src/engine/rules/run';
import { selectorMatchesNothing } from '../server/src/engine/rules/selector-matches-nothing';
import { Workspace } from '../server/src/engine/workspace';

export function pairsFile(n: number): string {
  const docs: string[] = [];
  for (let i = 0; i < n; i++) {
    docs.push(`apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-app-${i}
  namespace: shop
spec:
  podSelector:
    matchLabels:
      app: app-${i}
  policyTypes: [Ingress, Egress]
  ingress:
    - from:
        - podSelector:
            matchLabels:
              app: app-${(i + 1) % n}
      ports:
        - port: 8080
  egress:
    - to:
        - podSelector:
            matchLabels:
              app: app-${(i + 7) % n}
`);
    docs.push(`apiVersion: apps/v1
kind: Deployment
metadata:
  name: app-${i}
  namespace: shop
  labels:
    team: t${i % 17}
spec:
  selector:
    matchLabels:
      app: app-${i}
  template:
    metadata:
      labels:
        app: app-${i}
        tier: backend
    spec:
      containers:
        - name: main
          image: example/app:${i}
          ports:
            - containerPort: 8080
`);
  }
  return docs.join('---\n');
}

if (process.argv[1]?.endsWith("rules-scaling.ts")) main();
function main(): void {
const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
  const typo = process.argv.includes('--typo');
for (const n of sizes.length ? sizes : [250, 500, 1000, 2000]) {
  // --typo: every spec.podSelector misspells its value (`app-12x`), so both rules report every policy.
  const text = typo ? pairsFile(n).replace(/(podSelector:\n    matchLabels:\n      app: app-\d+)/g, '$1x') : pairsFile(n);
  const times: string[] = [];
  for (const rule of [labelTypo, selectorMatchesNothing]) {
    const ws = new Workspace();
    ws.setFile('file:///bench/pairs.yaml', text);
    // Build the model outside the timing; with --warm also the yaml nodes (parsed lazily, once per file, by the
    // first rule that needs a position).
    const model = ws.scopes()[0].model;
    if (process.argv.includes('--warm')) for (const o of model.objects) void o.node;
    const start = performance.now();
    const out = runRules(ws, { rules: [rule] });
    const ms = performance.now() - start;
    const count = [...out.values()].reduce((s, l) => s + l.length, 0);
    times.push(`${rule.id} ${ms.toFixed(0)} ms (${count} findings)`);
  }
  console.log(`N=${n} (${(text.length / 1e6).toFixed(2)} MB): ${times.join(', ')}`);
}
}
