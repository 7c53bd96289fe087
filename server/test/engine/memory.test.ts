// Memory across edits: the engine keeps the current model (and the one the rule runner compares with), not every
// model since the start. A chain of models kept alive by closures or caches grew the language server by megabytes
// per edit on a large workspace (bench/NOTES.md, "Peak RSS"). Also: how a model changed since an earlier one is
// known from the earlier model's lineage even after that model and the ones between were collected.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { changesSince, lineageOf, type Model } from '../../src/engine/model';
import { IncrementalRuleRunner } from '../../src/engine/rules/run';
import { Workspace, type Scope } from '../../src/engine/workspace';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** WeakRef targets stay alive until the current job ends: let it end, then collect. */
async function collect(): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve));
  gc();
  gc();
}

function namespaceFile(ns: string, app: string): string {
  return `apiVersion: v1
kind: Namespace
metadata:
  name: ${ns}
  labels:
    team: ${ns}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${app}
  namespace: ${ns}
spec:
  selector:
    matchLabels:
      app: ${app}
  template:
    metadata:
      labels:
        app: ${app}
    spec:
      containers:
        - name: main
          image: nginx
          ports:
            - containerPort: 8080
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: from-everywhere
  namespace: ${ns}
spec:
  podSelector:
    matchLabels:
      app: ${app}
  policyTypes: [Ingress, Egress]
  ingress:
    - from:
        - namespaceSelector: {}
          podSelector:
            matchLabels:
              app: web
        - namespaceSelector:
            matchLabels:
              team: a
      ports:
        - port: 8080
  egress:
    - to:
        - namespaceSelector: {}
          podSelector:
            matchLabels:
              app: api
`;
}

const uriOf = (ns: string) => `file:///ws/${ns}.yaml`;
const scopeModel = (ws: Workspace): Scope => ws.scopes()[0];

describe('memory across edits', () => {
  it('an edited workspace keeps its current models, not every earlier one (rules run after each edit)', async () => {
    const ws = new Workspace();
    for (const ns of ['a', 'b', 'c']) ws.setFile(uriOf(ns), namespaceFile(ns, ns === 'a' ? 'web' : 'api'));
    const runner = new IncrementalRuleRunner();
    runner.run(ws);
    const models: WeakRef<Model>[] = [];
    const analyses: WeakRef<object>[] = [];
    for (let i = 0; i < 12; i++) {
      // A label edit and its revert, in turn in each namespace: every step updates the model incrementally.
      const ns = ['a', 'b', 'c'][i % 3];
      ws.setFile(uriOf(ns), namespaceFile(ns, i % 2 ? 'web' : `app-${i}`));
      runner.run(ws);
      models.push(new WeakRef(scopeModel(ws).model));
      analyses.push(new WeakRef(scopeModel(ws).analysis));
      await collect();
    }
    await collect();
    const aliveModels = models.filter((m) => m.deref() !== undefined).length;
    const aliveAnalyses = analyses.filter((a) => a.deref() !== undefined).length;
    // The current one, and at most the one before it (the rule runner compares the next model with it).
    assert.ok(aliveModels <= 2, `${aliveModels} of 12 models still alive`);
    assert.ok(aliveAnalyses <= 2, `${aliveAnalyses} of 12 analyses still alive`);
    assert.equal(models[models.length - 1].deref(), scopeModel(ws).model);
  });

  it('changes since an earlier lineage are known after the models between were collected', async () => {
    const ws = new Workspace();
    for (const ns of ['a', 'b', 'c']) ws.setFile(uriOf(ns), namespaceFile(ns, 'api'));
    const start = lineageOf(scopeModel(ws).model);
    ws.setFile(uriOf('a'), namespaceFile('a', 'web'));
    scopeModel(ws);
    ws.setFile(uriOf('b'), namespaceFile('b', 'web'));
    const middle = lineageOf(scopeModel(ws).model);
    await collect();
    const now = scopeModel(ws).model;
    assert.deepEqual([...(changesSince(start, now)?.namespaces ?? ['(unrelated)'])].sort(), ['a', 'b']);
    assert.deepEqual([...(changesSince(middle, now)?.namespaces ?? ['(unrelated)'])], []);
    assert.equal(changesSince(start, now)?.sameNamespaces, true);
    assert.equal(changesSince(start, now)?.workloadsKept, true);
    // A namespace's labels changed: not the same namespaces any more.
    ws.setFile(uriOf('c'), namespaceFile('c', 'api').replace('team: c', 'team: z'));
    assert.equal(changesSince(start, scopeModel(ws).model)?.sameNamespaces, false);
    // A model built anew is related to nothing before it.
    const fresh = new Workspace();
    fresh.setFile(uriOf('a'), namespaceFile('a', 'web'));
    assert.equal(changesSince(start, scopeModel(fresh).model), undefined);
  });
});
