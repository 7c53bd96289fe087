// Rendered manifests in the engine: a rendering stands for the files it covers, its objects take the release's
// namespace, and its findings move to the source files at the best matching line (rendered.ts). The incremental
// runner gives what a full run gives when renderings come, change and go.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { locateInSource, renderedUri, type Rendering } from '../../src/engine/rendered';
import { quickFixesFor } from '../../src/engine/rules/fixes';
import { IncrementalRuleRunner, runRules } from '../../src/engine/rules/run';
import type { Diagnostic } from '../../src/engine/rules/types';
import { Workspace } from '../../src/engine/workspace';

const CHART = 'file:///repo/chart';
const TEMPLATE = `${CHART}/templates/policy.yaml`;
const DEPLOYMENT = `${CHART}/templates/deployment.yaml`;
const TEMPLATE_TEXT = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: {{ .Release.Name }}-policy
spec:
  podSelector:
    matchLabels:
      app: {{ .Values.target }}
  policyTypes: [Ingress]
`;
const DEPLOYMENT_TEXT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}-web
spec:
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
`;

/** What helm template prints for the chart with `target` as the value. */
function helmOutput(target: string): string {
  return `---
# Source: chart/templates/deployment.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: rel-web
spec:
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
---
# Source: chart/templates/policy.yaml
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: rel-policy
spec:
  podSelector:
    matchLabels:
      app: ${target}
  policyTypes: [Ingress]
`;
}

function rendering(text: string, namespace?: string): Rendering {
  const second = text.indexOf('# Source: chart/templates/policy.yaml');
  return {
    tool: 'helm',
    rootUri: CHART,
    anchorUri: `${CHART}/Chart.yaml`,
    segments: [
      { start: text.indexOf('# Source:'), end: second - 4, uri: DEPLOYMENT },
      { start: second, end: text.length, uri: TEMPLATE },
    ],
    coveredUris: [],
    coversFolder: true,
    defaultNamespace: namespace,
  };
}

function chartWorkspace(): Workspace {
  const ws = new Workspace();
  ws.setFile(`${CHART}/Chart.yaml`, 'apiVersion: v2\nname: chart\nversion: 0.1.0\n');
  ws.setFile(TEMPLATE, TEMPLATE_TEXT);
  ws.setFile(DEPLOYMENT, DEPLOYMENT_TEXT);
  return ws;
}

const RENDERED = renderedUri(CHART, 'helm-template.yaml');
const lineOf = (text: string, offset: number) => text.slice(0, offset).split('\n').length;
const normalize = (byUri: Map<string, Diagnostic[]>) =>
  Object.fromEntries([...byUri].filter(([, l]) => l.length > 0).sort(([a], [b]) => a.localeCompare(b)).map(([u, l]) => [u, l.map((d) => JSON.stringify(d)).sort()]));

describe('rendered manifests', () => {
  test('a rendered range maps to the template line with the same key path (the value differs: a template expression)', () => {
    const text = helmOutput('webb');
    const at = text.indexOf('app: webb');
    const located = locateInSource(text, rendering(text), [at, at + 'app: webb'.length], (u) => (u === TEMPLATE ? TEMPLATE_TEXT : undefined));
    assert.equal(located.uri, TEMPLATE);
    assert.equal(lineOf(TEMPLATE_TEXT, located.range[0]), 8);
    assert.equal(TEMPLATE_TEXT.slice(located.range[0], located.range[1]), 'app: {{ .Values.target }}');
  });

  test('an identical line maps column for column; the selector and the template labels are told apart by their path', () => {
    const text = helmOutput('webb');
    const templateLabels = text.lastIndexOf('app: web\n', text.indexOf('# Source: chart/templates/policy.yaml'));
    const located = locateInSource(text, rendering(text), [templateLabels + 5, templateLabels + 8], (u) => (u === DEPLOYMENT ? DEPLOYMENT_TEXT : undefined));
    assert.equal(lineOf(DEPLOYMENT_TEXT, located.range[0]), 12);
    assert.equal(DEPLOYMENT_TEXT.slice(located.range[0], located.range[1]), 'web');
    const selector = text.indexOf('app: web');
    assert.equal(lineOf(DEPLOYMENT_TEXT, locateInSource(text, rendering(text), [selector, selector + 3], () => DEPLOYMENT_TEXT).range[0]), 8);
  });

  test('without the source text, findings land on the chart', () => {
    const text = helmOutput('webb');
    assert.deepEqual(locateInSource(text, rendering(text), [text.indexOf('app: webb'), text.indexOf('app: webb') + 3], () => undefined), {
      uri: `${CHART}/Chart.yaml`,
      range: [0, 0],
    });
  });

  test('the rendering replaces the templates, takes the release namespace, and its findings land in the templates', () => {
    const ws = chartWorkspace();
    const text = helmOutput('webb');
    ws.setRendered(RENDERED, text, rendering(text, 'shop'));
    const [scope] = ws.scopes();
    assert.ok(scope.uris.includes(RENDERED));
    assert.ok(!scope.uris.includes(TEMPLATE) && !scope.uris.includes(DEPLOYMENT), 'the templates are not read as manifests');
    assert.equal(ws.isCovered(TEMPLATE), true);
    assert.deepEqual(scope.model.policies.map((p) => `${p.namespace}/${p.name}`), ['shop/rel-policy']);
    const byUri = runRules(ws);
    assert.equal(byUri.has(RENDERED), false, 'nothing is reported on the rendered text itself');
    const onTemplate = byUri.get(TEMPLATE) ?? [];
    const nothing = onTemplate.find((d) => d.ruleId === 'selector-matches-nothing');
    assert.ok(nothing, JSON.stringify(onTemplate));
    assert.match(nothing.message, /output of helm template/);
    assert.equal(lineOf(TEMPLATE_TEXT, nothing.location.range[0]), 6);
    assert.ok(!onTemplate.some((d) => d.ruleId === 'template-skipped' || d.ruleId === 'missing-namespace'));
  });

  test('a quick fix of a placed finding edits the source where the text is the same; a template expression gets none', () => {
    const ws = new Workspace();
    const base = 'file:///repo/base';
    const policyUri = `${base}/policy.yaml`;
    const policyText = 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: web\nspec:\n  podSelector:\n    matchLabels:\n      app: webb\n';
    const podText = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n  labels:\n    app: web\n';
    ws.setFile(policyUri, policyText);
    ws.setFile(`${base}/pod.yaml`, podText);
    ws.setFile(`${base}/kustomization.yaml`, 'namespace: shop\nresources: [policy.yaml, pod.yaml]\n');
    const text = `${policyText.replace('  name: web\n', '  name: web\n  namespace: shop\n')}---\n${podText.replace('  name: web\n', '  name: web\n  namespace: shop\n')}`;
    const split = text.indexOf('---\n');
    const uri = renderedUri(base, 'kustomize-build.yaml');
    ws.setRendered(uri, text, {
      tool: 'kustomize',
      rootUri: base,
      anchorUri: `${base}/kustomization.yaml`,
      segments: [
        { start: 0, end: split, uri: policyUri },
        { start: split + 4, end: text.length, uri: `${base}/pod.yaml` },
      ],
      coveredUris: [policyUri, `${base}/pod.yaml`, `${base}/kustomization.yaml`],
      coversFolder: false,
    });
    const typo = runRules(ws).get(policyUri)?.find((d) => d.ruleId === 'label-typo');
    assert.ok(typo, JSON.stringify(runRules(ws).get(policyUri)));
    const fixes = quickFixesFor(ws, typo);
    assert.ok(fixes.length > 0);
    for (const edit of fixes[0].edits) assert.equal(edit.uri, policyUri);
    const edit = fixes[0].edits[0];
    assert.equal(policyText.slice(0, edit.range[0]) + edit.newText + policyText.slice(edit.range[1]), policyText.replace('app: webb', 'app: web'));

    const chart = chartWorkspace();
    const helm = helmOutput('webb');
    chart.setRendered(RENDERED, helm, rendering(helm));
    const inTemplate = runRules(chart).get(TEMPLATE)?.find((d) => d.ruleId === 'label-typo');
    assert.ok(inTemplate);
    assert.deepEqual(quickFixesFor(chart, inTemplate), [], 'the template line holds an expression, not the value');
  });

  test('the incremental runner equals a full run as a rendering comes, changes, and goes', () => {
    const ws = chartWorkspace();
    const runner = new IncrementalRuleRunner();
    const same = (what: string) => assert.deepEqual(normalize(runner.run(ws)), normalize(runRules(ws)), what);
    same('before rendering');
    let text = helmOutput('webb');
    ws.setRendered(RENDERED, text, rendering(text));
    same('rendered');
    ws.setFile(TEMPLATE, TEMPLATE_TEXT.replace('policyTypes', '# a comment\n  policyTypes'));
    same('a template edited, not rendered again yet');
    text = helmOutput('web');
    ws.setRendered(RENDERED, text, rendering(text));
    same('rendered again with the fix');
    ws.setFile('file:///repo/other.yaml', 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: other\n');
    same('an unrelated file added');
    ws.deleteFile(RENDERED);
    same('the rendering removed');
  });
});
