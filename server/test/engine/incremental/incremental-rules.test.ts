// Property: after any sequence of edits (labels, selectors, ports, namespaces, files added and deleted, the
// workspace configuration), the incremental rule runner's diagnostics equal a full `runRules` on a workspace built
// from scratch with the same files. Seeded, on the rule fixtures and on a small generated workspace.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { pathToFileURL } from 'node:url';
import fc from 'fast-check';
import { listsByNamespace, type Model, type Workload } from '../../../src/engine/model';
import type { K8sObject } from '../../../src/engine/parse';
import { IncrementalRuleRunner, runRules } from '../../../src/engine/rules/run';
import type { Diagnostic } from '../../../src/engine/rules/types';
import { Workspace } from '../../../src/engine/workspace';

const repoRoot = path.resolve(__dirname, '../../../..');

function yamlFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) walk(full);
      else if (/\.ya?ml$/.test(e.name) && e.name !== '.netpol.yaml' && !/^kustomization/.test(e.name)) out.push(full);
    }
  };
  walk(root);
  return out.sort();
}

/** Diagnostics as comparable text: per file, sorted (the runner may order a file's findings differently). */
function normalize(byUri: Map<string, Diagnostic[]>): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [uri, list] of [...byUri].sort(([a], [b]) => a.localeCompare(b))) {
    out[uri] = list.map((d) => JSON.stringify(d)).sort();
  }
  return out;
}

type Files = Map<string, string>;

const LABEL_VALUES = ['web', 'api', 'db', 'frontend', 'backend', 'cache', 'payments', 'kube-dns', 'monitoring'];
const PORTS = [53, 80, 443, 5432, 8080, 9090, 6379];

/** One edit of the workspace's texts; `pick` chooses among candidates deterministically from the random numbers. */
type Edit =
  | { op: 'label'; file: number; nth: number; value: number }
  | { op: 'key'; file: number; nth: number }
  | { op: 'port'; file: number; nth: number; value: number }
  | { op: 'namespace'; file: number; nth: number; value: number }
  | { op: 'delete'; file: number }
  | { op: 'restore' }
  | { op: 'add'; kind: number; value: number; other: number }
  | { op: 'duplicate'; file: number }
  | { op: 'config'; variant: number };

const editArbitrary: fc.Arbitrary<Edit> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ op: fc.constant('label' as const), file: fc.nat(), nth: fc.nat(), value: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('key' as const), file: fc.nat(), nth: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('port' as const), file: fc.nat(), nth: fc.nat(), value: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('namespace' as const), file: fc.nat(), nth: fc.nat(), value: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('delete' as const), file: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('restore' as const) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('add' as const), kind: fc.nat(), value: fc.nat(), other: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('duplicate' as const), file: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('config' as const), variant: fc.nat() }) },
);

/** Replaces the nth match of a pattern (counted over the whole text) through `replace`. */
function replaceNth(text: string, pattern: RegExp, nth: number, replace: (m: RegExpExecArray) => string): string {
  const matches = [...text.matchAll(new RegExp(pattern.source, 'gm'))];
  if (matches.length === 0) return text;
  const m = matches[nth % matches.length] as RegExpExecArray;
  return text.slice(0, m.index) + replace(m) + text.slice(m.index! + m[0].length);
}

class Scenario {
  readonly deleted: [string, string][] = [];
  private added = 0;
  constructor(
    readonly root: string,
    readonly files: Files,
    readonly namespaces: string[],
  ) {}

  apply(edit: Edit, ws: Workspace): void {
    const uris = [...this.files.keys()].filter((u) => !u.endsWith('/.netpol.yaml'));
    const set = (uri: string, text: string) => {
      this.files.set(uri, text);
      ws.setFile(uri, text);
    };
    const fileAt = (n: number) => uris[n % uris.length];
    switch (edit.op) {
      case 'label': {
        const uri = fileAt(edit.file);
        set(uri, replaceNth(this.files.get(uri)!, /^(\s+(?:app|tier|team|role|k8s-app|name|env|kubernetes\.io\/metadata\.name): )("?)[A-Za-z0-9._-]+\2\s*$/, edit.nth, (m) => `${m[1]}${LABEL_VALUES[edit.value % LABEL_VALUES.length]}`));
        return;
      }
      case 'key': {
        const uri = fileAt(edit.file);
        set(uri, replaceNth(this.files.get(uri)!, /^(\s+)(app|tier|team|role): /, edit.nth, (m) => `${m[1]}${m[2] === 'app' ? 'tier' : 'app'}: `));
        return;
      }
      case 'port': {
        const uri = fileAt(edit.file);
        set(uri, replaceNth(this.files.get(uri)!, /^(\s+-?\s*(?:port|containerPort|targetPort): )\d+\s*$/, edit.nth, (m) => `${m[1]}${PORTS[edit.value % PORTS.length]}`));
        return;
      }
      case 'namespace': {
        const uri = fileAt(edit.file);
        const ns = this.namespaces[edit.value % this.namespaces.length];
        set(uri, replaceNth(this.files.get(uri)!, /^(\s+namespace: )[A-Za-z0-9-]+\s*$/, edit.nth, (m) => `${m[1]}${ns}`));
        return;
      }
      case 'delete': {
        if (uris.length <= 1) return;
        const uri = fileAt(edit.file);
        this.deleted.push([uri, this.files.get(uri)!]);
        this.files.delete(uri);
        ws.deleteFile(uri);
        return;
      }
      case 'restore': {
        const entry = this.deleted.pop();
        if (entry) set(entry[0], entry[1]);
        return;
      }
      case 'duplicate': {
        const uri = fileAt(edit.file);
        set(`${uri.replace(/\.ya?ml$/, '')}-copy${this.added++}.yaml`, this.files.get(uri)!);
        return;
      }
      case 'add': {
        const ns = this.namespaces[edit.value % this.namespaces.length];
        const other = this.namespaces[edit.other % this.namespaces.length];
        const value = LABEL_VALUES[edit.other % LABEL_VALUES.length];
        const uri = pathToFileURL(path.join(this.root, `added-${this.added++}.yaml`)).href;
        const texts = [
          `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${ns}-new\n  labels:\n    team: ${value}\n`,
          `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${ns}\n  labels:\n    team: ${value}\n    env: prod\n`,
          `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: from-${value}\n  namespace: ${ns}\nspec:\n  podSelector:\n    matchLabels:\n      app: ${value}\n  policyTypes: [Ingress, Egress]\n  ingress:\n    - from:\n        - namespaceSelector:\n            matchLabels:\n              team: ${value}\n          podSelector:\n            matchLabels:\n              app: ${LABEL_VALUES[edit.kind % LABEL_VALUES.length]}\n      ports:\n        - port: http\n  egress:\n    - to:\n        - namespaceSelector: {}\n      ports:\n        - port: 8080\n`,
          `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ${value}\n  namespace: ${other}\nspec:\n  replicas: 2\n  template:\n    metadata:\n      labels:\n        app: ${value}\n        tier: backend\n    spec:\n      hostNetwork: ${edit.kind % 3 === 0}\n      containers:\n        - name: main\n          ports:\n            - name: http\n              containerPort: 8080\n`,
          `apiVersion: v1\nkind: Service\nmetadata:\n  name: ${value}\n  namespace: ${other}\nspec:\n  selector:\n    app: ${value}\n  ports:\n    - port: 80\n      targetPort: 9090\n`,
          `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: default-deny\n  namespace: ${ns}\nspec:\n  podSelector: {}\n  policyTypes: [Ingress, Egress]\n`,
          `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: coredns\n  namespace: kube-system\nspec:\n  template:\n    metadata:\n      labels:\n        k8s-app: kube-dns\n    spec:\n      containers:\n        - name: coredns\n          ports:\n            - name: dns\n              containerPort: 53\n              protocol: UDP\n`,
        ];
        set(uri, texts[edit.kind % texts.length]);
        return;
      }
      case 'config': {
        const uri = pathToFileURL(path.join(this.root, '.netpol.yaml')).href;
        const variants = [
          undefined,
          'rules:\n  namespace-without-default-deny: off\n',
          'defaultNamespace: apps\n',
          `dns:\n  namespace: ${this.namespaces[0]}\n`,
        ];
        const text = variants[edit.variant % variants.length];
        if (text === undefined) {
          this.files.delete(uri);
          ws.deleteFile(uri);
        } else set(uri, text);
        return;
      }
    }
  }
}

/** What a model says, in comparable form: its lists in order (with ids), its indexes and ownership. */
function modelShape(model: Model): unknown {
  const at = (o: K8sObject) => `${o.uri}#${o.range[0]}`;
  const workload = (w: Workload) => `${w.id} ${w.displayName} ${at(w.object)} ${JSON.stringify(w.podLabels)} ${JSON.stringify(w.containerPorts.map((p) => [p.name, p.containerPort, p.protocol]))}`;
  const byName = <T>(map: ReadonlyMap<string, readonly T[]>, show: (item: T) => string) =>
    Object.fromEntries([...map].filter(([, list]) => list.length > 0).sort(([a], [b]) => a.localeCompare(b)).map(([k, list]) => [k, list.map(show)]));
  const lists = listsByNamespace(model);
  return {
    workloads: model.workloads.map(workload),
    policies: model.policies.map((p) => `${p.namespace}/${p.name} ${at(p.object)}`),
    services: model.services.map((x) => `${x.namespace}/${x.name} ${at(x.object)}`),
    namespaces: [...model.namespaces.values()].map((n) => `${n.name} ${JSON.stringify(n.labels)} ${n.implicit} ${n.external}`).sort(),
    policiesByNamespace: byName(model.policiesByNamespace, (p) => at(p.object)),
    workloadsByNamespace: byName(lists.workloads, workload),
    servicesByNamespace: byName(lists.services, (x) => at(x.object)),
    ownWorkloads: lists.ownWorkloads,
    ownedBy: [...model.ownedBy].map(([o, w]) => `${at(o)} -> ${workload(w)}`).sort(),
    objects: model.objects.map(at),
  };
}

function freshWorkspace(files: Files): Workspace {
  const ws = new Workspace();
  for (const [uri, text] of files) ws.setFile(uri, text);
  return ws;
}

function load(root: string): Files {
  const files: Files = new Map();
  for (const f of yamlFiles(root)) files.set(pathToFileURL(f).href, fs.readFileSync(f, 'utf8'));
  return files;
}

function namespacesIn(files: Files): string[] {
  const out = new Set<string>(['default', 'kube-system']);
  for (const text of files.values()) for (const m of text.matchAll(/^\s+namespace: ([A-Za-z0-9-]+)\s*$/gm)) out.add(m[1]);
  return [...out].slice(0, 40);
}

function checkProperty(root: string, initial: Files, runs: number, seed: number): void {
  fc.assert(
    fc.property(fc.array(fc.array(editArbitrary, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 5 }), (batches) => {
      const files: Files = new Map(initial);
      const scenario = new Scenario(root, files, namespacesIn(initial));
      const ws = freshWorkspace(files);
      const runner = new IncrementalRuleRunner();
      runner.run(ws);
      for (const batch of batches) {
        for (const edit of batch) scenario.apply(edit, ws);
        // Hovers and lenses rebuild the models between rule runs: the runner must follow several updates.
        if (batch.length > 1) ws.scopes();
        const incremental = normalize(runner.run(ws));
        const fresh = freshWorkspace(files);
        const expected = normalize(runRules(fresh));
        assert.deepEqual(incremental, expected, `after ${JSON.stringify(batches)}`);
        // The updated models themselves equal models built from scratch (lists, ids, indexes, ownership).
        assert.deepEqual(ws.scopes().map((s) => modelShape(s.model)), fresh.scopes().map((s) => modelShape(s.model)), `models after ${JSON.stringify(batches)}`);
      }
    }),
    { seed, numRuns: runs, endOnFailure: true },
  );
}

describe('incremental rule runs equal full runs', () => {
  const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'netpol-incremental-'));
  after(() => fs.rmSync(temp, { recursive: true, force: true }));

  it('on the rule fixtures, after random edits (seeded)', () => {
    const root = path.join(repoRoot, 'test-fixtures', 'rules');
    checkProperty(root, load(root), 40, 4242);
  });

  it('on a small generated workspace, after random edits (seeded)', () => {
    const root = path.join(temp, 'small');
    execFileSync(process.execPath, [path.join(repoRoot, '..', 'shared', 'bench', 'gen-workspace.mjs'), root, '--preset', 'small', '--seed', '3'], { stdio: 'ignore' });
    checkProperty(root, load(root), 25, 1717);
  });

  it('updated models keep ownership right when a pod loses its owner or goes (ownerReferences)', () => {
    const uri = (name: string) => `file:///ws/${name}.yaml`;
    const pod = (owned: boolean) =>
      `apiVersion: v1\nkind: Pod\nmetadata:\n  name: web-1\n  namespace: a\n${owned ? '  ownerReferences:\n    - apiVersion: apps/v1\n      kind: Deployment\n      name: web\n      controller: true\n' : ''}  labels:\n    app: web\nspec:\n  containers:\n    - name: web\n`;
    const files: Files = new Map([
      [uri('deploy'), 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: a\nspec:\n  template:\n    metadata:\n      labels:\n        app: web\n    spec:\n      containers:\n        - name: web\n'],
      [uri('pod'), pod(true)],
      [uri('other'), 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: solo\n  namespace: b\nspec:\n  containers:\n    - name: solo\n'],
    ]);
    const ws = freshWorkspace(files);
    ws.scopes();
    const steps: [string, string | undefined][] = [
      [uri('pod'), pod(false)],
      [uri('pod'), pod(true)],
      [uri('pod'), undefined],
      [uri('pod'), pod(true)],
    ];
    for (const [changedUri, text] of steps) {
      if (text === undefined) {
        ws.deleteFile(changedUri);
        files.delete(changedUri);
      } else {
        ws.setFile(changedUri, text);
        files.set(changedUri, text);
      }
      assert.deepEqual(ws.scopes().map((s) => modelShape(s.model)), freshWorkspace(files).scopes().map((s) => modelShape(s.model)), String(text));
    }
  });

  it('a peer reaching another namespace through both selectors follows the pods of that namespace across edits', () => {
    const uri = (name: string) => `file:///ws/${name}.yaml`;
    const deployment = (app: string) =>
      `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: a\nspec:\n  template:\n    metadata:\n      labels:\n        app: ${app}\n    spec:\n      containers:\n        - name: web\n`;
    const files: Files = new Map([
      [uri('ns'), 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n  labels:\n    team: a\n---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: b\n'],
      [uri('web'), deployment('x')],
      [uri('other'), 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: other\n  namespace: b\nspec:\n  template:\n    metadata:\n      labels:\n        app: other\n    spec:\n      containers:\n        - name: o\n'],
      [
        uri('policy'),
        'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: from-a\n  namespace: b\nspec:\n  podSelector: {}\n  ingress:\n    - from:\n        - namespaceSelector:\n            matchLabels:\n              team: a\n          podSelector:\n            matchLabels:\n              app: x\n',
      ],
    ]);
    const ws = freshWorkspace(files);
    const runner = new IncrementalRuleRunner();
    const peerFindings = () => (runner.run(ws).get(uri('policy')) ?? []).filter((d) => d.ruleId === 'peer-matches-nothing').length;
    assert.equal(peerFindings(), 0);
    for (const [app, expected] of [['y', 1], ['x', 0], ['z', 1], ['x', 0]] as const) {
      ws.setFile(uri('web'), deployment(app));
      files.set(uri('web'), deployment(app));
      assert.equal(peerFindings(), expected, `app: ${app}`);
      assert.equal(runner.lastRunFull, false);
      assert.deepEqual(normalize(runner.run(ws)), normalize(runRules(freshWorkspace(files))));
    }
  });

  it('a peer without podSelector keeps its pods on a label edit, but the Service hint of port-not-exposed follows the labels', () => {
    const uri = (name: string) => `file:///ws/${name}.yaml`;
    const deployment = (app: string, port = 8080) =>
      `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: a\nspec:\n  template:\n    metadata:\n      labels:\n        app: ${app}\n    spec:\n      containers:\n        - name: web\n          ports:\n            - containerPort: ${port}\n`;
    const service = (name: string, targetPort: number) =>
      `apiVersion: v1\nkind: Service\nmetadata:\n  name: ${name}\n  namespace: a\nspec:\n  selector:\n    app: web\n  ports:\n    - port: 80\n      targetPort: ${targetPort}\n`;
    const files: Files = new Map([
      [uri('ns'), 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n  labels:\n    team: a\n'],
      [uri('web'), deployment('web')],
      [uri('svc'), `${service('first', 8080)}---\n${service('second', 9090)}`],
      [
        uri('policy'),
        'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: to-a\n  namespace: b\nspec:\n  podSelector: {}\n  policyTypes: [Egress]\n  egress:\n    - to:\n        - namespaceSelector:\n            matchLabels:\n              team: a\n      ports:\n        - port: 80\n',
      ],
    ]);
    const ws = freshWorkspace(files);
    const runner = new IncrementalRuleRunner();
    const portFindings = () => (runner.run(ws).get(uri('policy')) ?? []).filter((d) => d.ruleId === 'port-not-exposed').map((d) => `${d.severity} ${d.message}`);
    assert.match(portFindings().join(), /Service a\/first/);
    const steps: [string, string][] = [
      [uri('web'), deployment('api')],
      [uri('web'), deployment('web')],
      [uri('svc'), `${service('second', 9090)}---\n${service('first', 8080)}`],
      [uri('web'), deployment('web', 9090)],
      [uri('svc'), `${service('second', 9091)}---\n${service('first', 8080)}`],
    ];
    for (const [changedUri, text] of steps) {
      ws.setFile(changedUri, text);
      files.set(changedUri, text);
      const expected = (runRules(freshWorkspace(files)).get(uri('policy')) ?? []).filter((d) => d.ruleId === 'port-not-exposed').map((d) => `${d.severity} ${d.message}`);
      assert.deepEqual(portFindings(), expected, text);
      assert.equal(runner.lastRunFull, false);
    }
  });

  it('one-sided-allow follows the other side: an egress policy edit in the peer namespace re-runs the ingress policy that admits it', () => {
    const uri = (name: string) => `file:///ws/${name}.yaml`;
    const deployment = (name: string, namespace: string, labels: string) =>
      `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ${name}\n  namespace: ${namespace}\nspec:\n  template:\n    metadata:\n      labels:\n        ${labels}\n    spec:\n      containers:\n        - name: c\n`;
    const egress = (port: number) =>
      `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: scraper-egress\n  namespace: mon\nspec:\n  podSelector: {}\n  policyTypes: [Egress]\n  egress:\n    - ports:\n        - port: ${port}\n`;
    const files: Files = new Map([
      [uri('ns'), 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: mon\n  labels:\n    team: mon\n'],
      [uri('api'), deployment('api', 'shop', 'app: api')],
      [uri('scraper'), deployment('scraper', 'mon', 'app: scraper')],
      [
        uri('policy'),
        'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: api\n  namespace: shop\nspec:\n  podSelector: {}\n  ingress:\n    - from:\n        - namespaceSelector:\n            matchLabels:\n              team: mon\n          podSelector:\n            matchLabels:\n              app: scraper\n      ports:\n        - port: 9100\n',
      ],
      [uri('egress'), egress(9100)],
    ]);
    const ws = freshWorkspace(files);
    const runner = new IncrementalRuleRunner();
    const oneSided = () => (runner.run(ws).get(uri('policy')) ?? []).filter((d) => d.ruleId === 'one-sided-allow').length;
    assert.equal(oneSided(), 0);
    const steps: [string, string, number][] = [
      [uri('egress'), egress(53), 1],
      [uri('egress'), egress(9100), 0],
      [uri('egress'), egress(53), 1],
      // The peer no longer selects the scraper: nothing on the other side to speak of, whatever its egress.
      [uri('scraper'), deployment('scraper', 'mon', 'app: other'), 0],
      [uri('egress'), egress(80), 0],
      [uri('scraper'), deployment('scraper', 'mon', 'app: scraper'), 1],
      [uri('egress'), '', 0],
    ];
    for (const [changedUri, text, expected] of steps) {
      ws.setFile(changedUri, text);
      files.set(changedUri, text);
      assert.equal(oneSided(), expected, text);
      assert.equal(runner.lastRunFull, false);
      assert.deepEqual(normalize(runner.run(ws)), normalize(runRules(freshWorkspace(files))));
    }
  });

  it('metrics-scrape-blocked and api-server-egress-blocked follow edits of the namespaces they read (Prometheus, targets, bindings)', () => {
    const uri = (name: string) => `file:///ws/${name}.yaml`;
    const deployment = (name: string, namespace: string, labels: string, extra = '') =>
      `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ${name}\n  namespace: ${namespace}\nspec:\n  template:\n    metadata:\n      labels:\n        ${labels}\n    spec:\n${extra}      containers:\n        - name: c\n          ports:\n            - name: metrics\n              containerPort: 9100\n`;
    const monitor = (names: string) =>
      `apiVersion: monitoring.coreos.com/v1\nkind: PodMonitor\nmetadata:\n  name: api\n  namespace: mon\nspec:\n  namespaceSelector:\n    matchNames: [${names}]\n  selector:\n    matchLabels:\n      app: api\n  podMetricsEndpoints:\n    - port: metrics\n`;
    const binding = (namespace: string) =>
      `apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata:\n  name: api\nroleRef:\n  kind: ClusterRole\n  name: view\nsubjects:\n  - kind: ServiceAccount\n    name: api\n    namespace: ${namespace}\n`;
    const isolate = (namespace: string, port: number) =>
      `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: isolate\n  namespace: ${namespace}\nspec:\n  podSelector: {}\n  policyTypes: [Ingress, Egress]\n  ingress:\n    - ports:\n        - port: ${port}\n`;
    const files: Files = new Map([
      [uri('ns'), 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: mon\n---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: other\n'],
      [uri('api'), deployment('api', 'shop', 'app: api', '      serviceAccountName: api\n')],
      [uri('api2'), deployment('api', 'other', 'app: api', '      serviceAccountName: api\n')],
      [uri('prom'), deployment('prometheus', 'mon', 'app: prometheus')],
      [uri('monitor'), monitor('shop')],
      [uri('binding'), binding('shop')],
      [uri('policy'), isolate('shop', 8080)],
      [uri('policy2'), isolate('other', 8080)],
    ]);
    const ws = freshWorkspace(files);
    const runner = new IncrementalRuleRunner();
    const count = (id: string) => {
      let n = 0;
      for (const list of runner.run(ws).values()) n += list.filter((d) => d.ruleId === id).length;
      return n;
    };
    assert.equal(count('metrics-scrape-blocked'), 1);
    assert.equal(count('api-server-egress-blocked'), 1);
    const steps: [string, string, number, number][] = [
      // The Prometheus pods go (unknown: no rule admits the port from anyone, which the finding now says), then come back.
      [uri('prom'), deployment('prometheus', 'mon', 'app: grafana'), 1, 1],
      [uri('prom'), deployment('prometheus', 'mon', 'app: prometheus'), 1, 1],
      // The target namespace admits the port; then the monitor reaches the other namespace too.
      [uri('policy'), isolate('shop', 9100), 0, 1],
      [uri('monitor'), monitor('shop, other'), 1, 1],
      // The binding moves to the other namespace's ServiceAccount.
      [uri('binding'), binding('other'), 1, 1],
      [uri('policy2'), isolate('other', 9100), 0, 1],
      [uri('binding'), binding('nowhere'), 0, 0],
    ];
    for (const [changedUri, text, metrics, api] of steps) {
      ws.setFile(changedUri, text);
      files.set(changedUri, text);
      assert.equal(count('metrics-scrape-blocked'), metrics, text);
      assert.equal(count('api-server-egress-blocked'), api, text);
      assert.equal(runner.lastRunFull, false);
      assert.deepEqual(normalize(runner.run(ws)), normalize(runRules(freshWorkspace(files))));
    }
  });

  it('a label edit in one namespace does not re-run the policies elsewhere whose peers cannot see it', () => {
    const uri = (name: string) => `file:///ws/${name}.yaml`;
    const deployment = (app: string) =>
      `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: a\nspec:\n  template:\n    metadata:\n      labels:\n        app: ${app}\n    spec:\n      containers:\n        - name: web\n`;
    const policy = (name: string, peer: string) =>
      `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: ${name}\n  namespace: b\nspec:\n  podSelector: {}\n  policyTypes: [Egress]\n  egress:\n    - to:\n        - ${peer}\n`;
    const files: Files = new Map([
      [uri('ns'), 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: b\n'],
      [uri('web'), deployment('web')],
      [uri('all'), policy('to-all', 'namespaceSelector: {}')],
      [uri('db'), policy('to-db', 'namespaceSelector: {}\n          podSelector:\n            matchLabels:\n              app: db')],
      [uri('web-peer'), policy('to-web', 'namespaceSelector: {}\n          podSelector:\n            matchLabels:\n              app: web')],
    ]);
    const ws = freshWorkspace(files);
    const runner = new IncrementalRuleRunner();
    runner.run(ws);
    ws.setFile(uri('web'), deployment('api'));
    files.set(uri('web'), deployment('api'));
    assert.deepEqual(normalize(runner.run(ws)), normalize(runRules(freshWorkspace(files))));
    // The old labels were selected by to-web, which is re-run; to-all (every pod of a, whatever its labels) and
    // to-db (neither version) are not.
    assert.equal(runner.timings['#selected'], 1);
  });

  it('a typo suggestion for a peer in another namespace follows the pods it was drawn from', () => {
    const uri = (name: string) => `file:///ws/${name}.yaml`;
    const deployment = (app: string) =>
      `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: a\nspec:\n  template:\n    metadata:\n      labels:\n        app: ${app}\n    spec:\n      containers:\n        - name: web\n`;
    const files: Files = new Map([
      [uri('ns'), 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n  labels:\n    team: a\n'],
      [uri('web'), deployment('web')],
      [
        uri('policy'),
        'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: from-a\n  namespace: b\nspec:\n  podSelector: {}\n  ingress:\n    - from:\n        - namespaceSelector:\n            matchLabels:\n              team: a\n          podSelector:\n            matchLabels:\n              app: wev\n',
      ],
    ]);
    const ws = freshWorkspace(files);
    const runner = new IncrementalRuleRunner();
    const typos = () => (runner.run(ws).get(uri('policy')) ?? []).filter((d) => d.ruleId === 'label-typo').map((d) => d.message);
    const suggested = typos();
    assert.equal(suggested.length, 1, 'app: wev is a near miss of app: web');
    for (const app of ['api', 'web', 'wbx']) {
      ws.setFile(uri('web'), deployment(app));
      files.set(uri('web'), deployment(app));
      const expected = (runRules(freshWorkspace(files)).get(uri('policy')) ?? []).filter((d) => d.ruleId === 'label-typo').map((d) => d.message);
      assert.deepEqual(typos(), expected, `app: ${app}`);
    }
  });

  it('re-runs only part of the rules after a label edit, and nothing after an unrelated re-read', () => {
    const root = path.join(temp, 'small-partial');
    execFileSync(process.execPath, [path.join(repoRoot, '..', 'shared', 'bench', 'gen-workspace.mjs'), root, '--preset', 'small', '--seed', '5'], { stdio: 'ignore' });
    const files = load(root);
    const ws = freshWorkspace(files);
    const runner = new IncrementalRuleRunner();
    runner.run(ws);
    assert.equal(runner.lastRunFull, true);
    const [uri, text] = [...files].find(([, t]) => /kind: Deployment/.test(t) && /^\s+app: /m.test(t))!;
    ws.setFile(uri, text.replace(/^(\s+app: )(\S+)/m, '$1renamed'));
    const result = normalize(runner.run(ws));
    assert.equal(runner.lastRunFull, false);
    assert.ok(runner.changedUris.has(uri));
    assert.ok(runner.changedUris.size < files.size / 2, `recomputed ${runner.changedUris.size} of ${files.size} files`);
    assert.deepEqual(result, normalize(runRules(ws)));
    runner.run(ws);
    assert.equal(runner.changedUris.size, 0);
  });
});
