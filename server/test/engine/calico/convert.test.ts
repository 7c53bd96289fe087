// Converting Kubernetes NetworkPolicies into Calico NetworkPolicies and back (calico-convert.ts) must not change a
// single verdict: Calico's own mapping of Kubernetes policies (Calico docs: "Kubernetes network policy" in
// network-policy/get-started/kubernetes-policy and reference/resources/networkpolicy: Kubernetes policies sit in
// tier default at order 1000; libcalico-go k8s conversion), checked on every ordered pair of seeded random clusters
// and of the shop fixture, before and after.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { stringify } from 'yaml';
import { calicoSelectorOf, calicoToNetworkPolicy, networkPolicyToCalico } from '../../../src/engine/calico-convert';
import { workloadEndpoint } from '../../../src/engine/evaluate';
import type { Workspace } from '../../../src/engine/workspace';
import { randomFiles, seeded, workspaceOf } from '../random-cluster';

/** Every ordered pair's allowed ports, by display names. */
function verdicts(workspace: Workspace): Map<string, string> {
  const out = new Map<string, string>();
  for (const scope of workspace.scopes()) {
    for (const a of scope.model.workloads) {
      for (const b of scope.model.workloads) {
        out.set(`${a.displayName} -> ${b.displayName}`, scope.analysis.connection(workloadEndpoint(a), workloadEndpoint(b)).allowed.toString());
      }
    }
  }
  return out;
}

function differences(before: Map<string, string>, after: Map<string, string>): string[] {
  const out: string[] = [];
  for (const [pair, ports] of before) if (after.get(pair) !== ports) out.push(`${pair}: ${ports} before, ${after.get(pair)} after`);
  return out;
}

/** The files with every convertible policy of `kind` replaced by its conversion (documents split on `---`). */
function convertAll(files: Map<string, string>, kind: 'to-calico' | 'to-kubernetes'): { files: Map<string, string>; converted: number } {
  const workspace = workspaceOf(files);
  const model = workspace.scopes()[0].model;
  const out = new Map<string, string>();
  let converted = 0;
  for (const [uri, text] of files) {
    const docs = text.split(/^---\n/m).map((doc) => {
      const name = /^ {2}name: (\S+)$/m.exec(doc)?.[1] ?? /name: ([\w-]+)/.exec(doc)?.[1];
      if (kind === 'to-calico' && /^kind: NetworkPolicy$/m.test(doc) && /^apiVersion: networking\.k8s\.io\/v1$/m.test(doc)) {
        const policy = model.policies.find((p) => p.object.uri === uri && p.name === name);
        const c = policy && networkPolicyToCalico(model, policy);
        if (c?.ok) {
          converted++;
          return stringify(c.value);
        }
      }
      if (kind === 'to-kubernetes' && /^apiVersion: projectcalico\.org\/v3$/m.test(doc)) {
        const policy = model.calico.policies.find((p) => p.object.uri === uri && p.name === name);
        const c = policy && calicoToNetworkPolicy(model, policy);
        if (c?.ok) {
          converted++;
          return stringify(c.value);
        }
      }
      return doc;
    });
    out.set(uri, docs.join('---\n'));
  }
  return { files: out, converted };
}

describe('Kubernetes NetworkPolicy ⇄ Calico NetworkPolicy (Calico docs: kubernetes-policy, reference/resources/networkpolicy; tier default, order 1000)', () => {
  test('label selectors become Calico selectors (Calico docs: selectors; NotIn matches pods without the label, as not in)', () => {
    const selector = { requirements: [
      { key: 'app', operator: 'In' as const, values: ['web'] },
      { key: 'tier', operator: 'NotIn' as const, values: ['a', 'b'] },
      { key: 'team', operator: 'Exists' as const, values: [] },
      { key: 'legacy', operator: 'DoesNotExist' as const, values: [] },
    ], matchLabels: {}, problems: [] };
    assert.equal(calicoSelectorOf(selector), "app == 'web' && tier not in {'a', 'b'} && has(team) && !has(legacy)");
    assert.equal(calicoSelectorOf({ requirements: [], matchLabels: {}, problems: [] }), 'all()');
  });

  test('every NetworkPolicy of seeded random clusters converted to Calico: the same verdict on every pair', () => {
    let converted = 0;
    let pairs = 0;
    for (let seed = 1; seed <= 60; seed++) {
      const files = randomFiles(seeded(5000 + seed), { workloads: 4 });
      const before = verdicts(workspaceOf(files));
      const calico = convertAll(files, 'to-calico');
      converted += calico.converted;
      pairs += before.size;
      assert.deepEqual(differences(before, verdicts(workspaceOf(calico.files))), [], `seed ${5000 + seed}`);
    }
    assert.ok(converted > 60, `enough policies converted (${converted})`);
    assert.ok(pairs > 1000, `enough pairs (${pairs})`);
  });

  test('and back to Kubernetes NetworkPolicies: every converted policy returns, with the same verdicts', () => {
    let back = 0;
    for (let seed = 1; seed <= 40; seed++) {
      const files = randomFiles(seeded(5000 + seed), { workloads: 4 });
      const before = verdicts(workspaceOf(files));
      const calico = convertAll(files, 'to-calico');
      const kubernetes = convertAll(calico.files, 'to-kubernetes');
      assert.equal(kubernetes.converted, calico.converted, `seed ${5000 + seed}: every converted policy converts back`);
      back += kubernetes.converted;
      assert.deepEqual(differences(before, verdicts(workspaceOf(kubernetes.files))), [], `seed ${5000 + seed}`);
    }
    assert.ok(back > 40, `enough round trips (${back})`);
  });

  test('what has no Kubernetes equivalent is refused with the reason (Deny, other tiers, || selectors, own-side selectors)', () => {
    const reason = (spec: string) => {
      const files = new Map([['file:///w/p.yaml', `apiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata: {name: p, namespace: shop}\nspec:\n${spec}`]]);
      const model = workspaceOf(files).scopes()[0].model;
      const c = calicoToNetworkPolicy(model, model.calico.policies[0]);
      return c.ok ? 'converted' : c.reason;
    };
    assert.match(reason("  order: 1000\n  selector: app == 'web'\n  ingress: [{action: Deny}]\n"), /Deny; Kubernetes policies only allow/);
    assert.match(reason("  tier: platform\n  order: 1000\n  selector: app == 'web'\n  ingress: [{action: Allow}]\n"), /tier platform/);
    assert.match(reason("  order: 1000\n  selector: app == 'web' || app == 'api'\n  ingress: [{action: Allow}]\n"), /\|\| .*no Kubernetes equivalent/);
    assert.match(reason("  order: 1000\n  selector: all()\n  ingress: [{action: Allow, destination: {selector: app == 'web'}}]\n"), /constrains the policy's own pods/);
    assert.match(reason("  order: 500\n  selector: all()\n  ingress: [{action: Allow}]\n"), /order 500/);
    assert.equal(reason("  order: 1000\n  selector: app == 'web'\n  types: [Ingress]\n  ingress: [{action: Allow, protocol: TCP, source: {selector: app == 'api'}, destination: {ports: [80, '8000:8100', http]}}]\n"), 'converted');
  });
});

describe('the conversion as an editor action (features/conversions.ts)', () => {
  test('offered on a Kubernetes NetworkPolicy, it replaces the object and keeps the rest of the file (CRLF kept)', async () => {
    const { conversionActions } = await import('../../../src/engine/features/conversions');
    const { applyEdits } = await import('../../../src/engine/edits');
    const pod = 'apiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: shop, labels: {app: web}}\nspec: {containers: [{name: c, image: x}]}\n';
    const np = '# keep me\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: shop}\nspec:\n  podSelector: {matchLabels: {app: web}}\n  ingress: [{ports: [{port: 80}]}]\n';
    for (const eol of ['\n', '\r\n']) {
      const text = `${pod}---\n${np}`.replace(/\n/g, eol);
      const workspace = workspaceOf(new Map([['file:///w/a.yaml', text]]));
      const fixes = conversionActions(workspace, 'file:///w/a.yaml', text.indexOf('kind: NetworkPolicy'));
      assert.equal(fixes.length, 1);
      const converted = applyEdits(text, fixes[0].edits);
      assert.ok(converted.startsWith(`${pod}---\n# keep me\n`.replace(/\n/g, eol)), converted);
      assert.match(converted, /kind: NetworkPolicy\r?\n/);
      assert.match(converted, /apiVersion: projectcalico\.org\/v3/);
      assert.equal(converted.includes('\r\n'), eol === '\r\n');
      assert.ok(!/[^\r]\n/.test(converted) || eol === '\n', 'no bare line feeds in a CRLF file');
      // And back.
      const again = workspaceOf(new Map([['file:///w/a.yaml', converted]]));
      const back = conversionActions(again, 'file:///w/a.yaml', converted.indexOf('projectcalico'));
      assert.equal(back.length, 1);
      assert.match(back[0].title, /Kubernetes NetworkPolicy/);
    }
  });
});
