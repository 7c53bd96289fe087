// Seeded random clusters for property tests: namespaces, workloads and policies in a few files per namespace, and
// random edits of their texts (labels, namespace labels, files added and removed, workloads moved, port numbers).
import { Workspace } from '../../src/engine/workspace';

/** mulberry32: a small seeded generator, so a failing seed can be replayed. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type Random = () => number;
export const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)];
export const chance = (random: Random, p: number) => random() < p;

export const NAMESPACES = ['shop', 'payments', 'data', 'kube-system', 'monitoring', 'edge'];
export const APPS = ['web', 'api', 'db', 'cache', 'kube-dns', 'prometheus', 'worker'];
export const TIERS = ['frontend', 'backend', 'infra'];
export const TEAMS = ['alpha', 'beta', 'gamma'];
export const PORT_NAMES = ['http', 'metrics', 'dns', 'grpc'];

export function namespaceYaml(random: Random, name: string): string {
  const labels = [`kubernetes.io/metadata.name: ${name}`];
  if (chance(random, 0.8)) labels.push(`team: ${pick(random, TEAMS)}`);
  if (chance(random, 0.5)) labels.push(`env: ${pick(random, ['prod', 'dev'])}`);
  return `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${name}\n  labels:\n${labels.map((l) => `    ${l}\n`).join('')}`;
}

export function workloadYaml(random: Random, name: string, namespace: string): string {
  const labels = [`app: ${pick(random, APPS)}`];
  if (chance(random, 0.6)) labels.push(`tier: ${pick(random, TIERS)}`);
  const ports: string[] = [];
  for (let i = 0, n = Math.floor(random() * 3); i < n; i++) {
    const named = chance(random, 0.6) ? `, name: ${pick(random, PORT_NAMES)}` : '';
    const protocol = chance(random, 0.2) ? ', protocol: UDP' : '';
    ports.push(`{containerPort: ${pick(random, [53, 80, 443, 8080, 9090, 5432])}${named}${protocol}}`);
  }
  const kind = pick(random, ['Deployment', 'Deployment', 'StatefulSet', 'Pod']);
  const labelBlock = (indent: string) => labels.map((l) => `${indent}${l}\n`).join('');
  const container = `[{name: main, image: x${ports.length ? `, ports: [${ports.join(', ')}]` : ''}}]`;
  if (kind === 'Pod') {
    return `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\n  namespace: ${namespace}\n  labels:\n${labelBlock('    ')}spec:\n  containers: ${container}\n`;
  }
  return (
    `apiVersion: apps/v1\nkind: ${kind}\nmetadata:\n  name: ${name}\n  namespace: ${namespace}\nspec:\n  selector:\n    matchLabels:\n      ${labels[0]}\n` +
    `  template:\n    metadata:\n      labels:\n${labelBlock('        ')}    spec:\n      containers: ${container}\n`
  );
}

export function selectorYaml(random: Random, kind: 'pod' | 'namespace', indent: string): string {
  const roll = random();
  if (roll < 0.15) return ' {}\n';
  if (kind === 'namespace') {
    if (roll < 0.45) return `\n${indent}matchLabels:\n${indent}  team: ${pick(random, TEAMS)}\n`;
    if (roll < 0.65) return `\n${indent}matchLabels:\n${indent}  kubernetes.io/metadata.name: ${pick(random, NAMESPACES)}\n`;
    if (roll < 0.75) return `\n${indent}matchExpressions:\n${indent}- {key: env, operator: Exists}\n`;
    if (roll < 0.85) return `\n${indent}matchExpressions:\n${indent}- {key: team, operator: NotIn, values: [${pick(random, TEAMS)}]}\n`;
    if (roll < 0.92) return `\n${indent}matchExpressions:\n${indent}- {key: env, operator: DoesNotExist}\n`;
    return `\n${indent}matchExpressions:\n${indent}- {key: team, operator: In, values: [${pick(random, TEAMS)}, ${pick(random, TEAMS)}]}\n`;
  }
  if (roll < 0.6) return `\n${indent}matchLabels:\n${indent}  app: ${pick(random, APPS)}\n`;
  if (roll < 0.75) return `\n${indent}matchLabels:\n${indent}  tier: ${pick(random, TIERS)}\n`;
  if (roll < 0.85) return `\n${indent}matchExpressions:\n${indent}- {key: app, operator: In, values: [${pick(random, APPS)}, ${pick(random, APPS)}]}\n`;
  if (roll < 0.93) return `\n${indent}matchExpressions:\n${indent}- {key: tier, operator: NotIn, values: [${pick(random, TIERS)}]}\n`;
  return `\n${indent}matchExpressions:\n${indent}- {key: tier, operator: Exists}\n`;
}

export function ruleYaml(random: Random, direction: 'ingress' | 'egress'): string {
  let out = '';
  const first = (text: string) => (out ? `  ${text}` : `- ${text}`);
  if (!chance(random, 0.2)) {
    out += first(`${direction === 'ingress' ? 'from' : 'to'}:\n`);
    for (let i = 0, n = 1 + Math.floor(random() * 2); i < n; i++) {
      const roll = random();
      if (roll < 0.12) {
        out += `    - ipBlock: {cidr: 10.0.0.0/8}\n`;
        continue;
      }
      let peer = '';
      if (roll < 0.5 || roll > 0.8) peer += `podSelector:${selectorYaml(random, 'pod', '        ')}`;
      if (roll >= 0.5) peer += `${peer ? '      ' : ''}namespaceSelector:${selectorYaml(random, 'namespace', '        ')}`;
      out += `    - ${peer}`;
    }
  }
  if (!chance(random, 0.35)) {
    out += first('ports:\n');
    for (let i = 0, n = 1 + Math.floor(random() * 2); i < n; i++) {
      const roll = random();
      const protocol = chance(random, 0.2) ? 'UDP' : 'TCP';
      if (roll < 0.4) out += `    - {protocol: ${protocol}, port: ${pick(random, PORT_NAMES)}}\n`;
      else if (roll < 0.55) out += `    - {protocol: ${protocol}, port: 8000, endPort: 9100}\n`;
      else if (roll < 0.62) out += `    - {protocol: ${protocol}}\n`;
      else out += `    - {protocol: ${protocol}, port: ${pick(random, [53, 80, 443, 8080, 5432])}}\n`;
    }
  }
  return out || '- {}\n';
}

export function policyYaml(random: Random, name: string, namespace: string): string {
  let spec = `  podSelector:${selectorYaml(random, 'pod', '      ')}`;
  const types = pick(random, [undefined, ['Ingress'], ['Egress'], ['Ingress', 'Egress']]);
  if (types) spec += `  policyTypes: [${types.join(', ')}]\n`;
  for (const direction of ['ingress', 'egress'] as const) {
    const rules = Math.floor(random() * 3);
    if (rules === 0) continue;
    spec += `  ${direction}:\n`;
    for (let i = 0; i < rules; i++) spec += ruleYaml(random, direction).replace(/^(?=.)/gm, '  ');
  }
  // Now and then a policy the API server rejects (it then isolates nothing).
  if (chance(random, 0.05)) spec += '  ingress:\n  - ports: [{protocol: HTTP}]\n';
  return `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: ${name}\n  namespace: ${namespace}\nspec:\n${spec}`;
}

/**
 * A random workspace as files (uri -> text): namespaces, workloads and policies in a few files per namespace.
 * `workloads`: how many per namespace at most (at least one).
 */
export function randomFiles(random: Random, options: { workloads?: number } = {}): Map<string, string> {
  const files = new Map<string, string>();
  const namespaces = NAMESPACES.slice(0, 3 + Math.floor(random() * 4));
  let counter = 0;
  for (const ns of namespaces) {
    const docs: string[] = [];
    if (chance(random, 0.8)) docs.push(namespaceYaml(random, ns));
    for (let i = 0, n = 1 + Math.floor(random() * (options.workloads ?? 4)); i < n; i++) docs.push(workloadYaml(random, `w${counter++}`, ns));
    files.set(`file:///ws/${ns}/apps.yaml`, docs.join('---\n'));
    const policies: string[] = [];
    for (let i = 0, n = Math.floor(random() * 4); i < n; i++) policies.push(policyYaml(random, `p${counter++}`, ns));
    if (policies.length) files.set(`file:///ws/${ns}/policies.yaml`, policies.join('---\n'));
  }
  if (chance(random, 0.5)) {
    // Objects outside the repository: assumed workloads (listed nowhere, but selectors see them).
    const assumed: string[] = [];
    for (let i = 0, n = 1 + Math.floor(random() * 2); i < n; i++) {
      assumed.push(workloadYaml(random, `outside${counter++}`, pick(random, namespaces)).replace(/^(?=.)/gm, '    ').replace(/^ {4}/, '  - '));
    }
    files.set('file:///ws/.netpol.yaml', `objects:\n${assumed.join('')}`);
  }
  return files;
}

export function workspaceOf(files: Map<string, string>): Workspace {
  const workspace = new Workspace();
  for (const [uri, text] of files) workspace.setFile(uri, text);
  return workspace;
}

/** One random edit of the files' texts. */
export function randomEdit(random: Random, files: Map<string, string>): void {
  const uris = [...files.keys()];
  const uri = pick(random, uris);
  const text = files.get(uri)!;
  const roll = random();
  if (roll < 0.4) {
    // A pod label value (or a selector's, in policy files).
    const matches = [...text.matchAll(/(app|tier): ([\w-]+)/g)];
    if (matches.length === 0) return;
    const m = pick(random, matches);
    const value = m[1] === 'app' ? pick(random, [...APPS, 'renamed']) : pick(random, TIERS);
    files.set(uri, text.slice(0, m.index!) + `${m[1]}: ${value}` + text.slice(m.index! + m[0].length));
  } else if (roll < 0.55) {
    // A namespace label.
    const m = /team: (\w+)/.exec(text);
    if (m) files.set(uri, text.replace(m[0], `team: ${pick(random, TEAMS)}`));
  } else if (roll < 0.7) {
    // A file removed, or new workloads and policies added in a namespace.
    if (chance(random, 0.5) && uris.length > 2) files.delete(uri);
    else {
      const ns = pick(random, NAMESPACES);
      const extra = [workloadYaml(random, `added${Math.floor(random() * 1e6)}`, ns), policyYaml(random, `padded${Math.floor(random() * 1e6)}`, ns)];
      files.set(`file:///ws/${ns}/added-${Math.floor(random() * 1e6)}.yaml`, extra.join('---\n'));
    }
  } else if (roll < 0.85) {
    // A workload moved to another namespace.
    const m = /namespace: ([\w-]+)/.exec(text);
    if (m) files.set(uri, text.replace(m[0], `namespace: ${pick(random, NAMESPACES)}`));
  } else {
    // A port number.
    const m = /containerPort: (\d+)/.exec(text);
    if (m) files.set(uri, text.replace(m[0], `containerPort: ${pick(random, [53, 80, 8080, 9090])}`));
  }
}

