// The language server renders a Helm chart with the real helm (installed by renderTools) in a trusted workspace,
// places the findings in the templates, renders again after a change of the chart's files, and serves the
// rendered manifest; an untrusted workspace gets one information finding on Chart.yaml instead.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { FileChangeType, type Diagnostic } from 'vscode-languageserver-protocol';
import { renderTools, type RenderTools } from '../render-tools';
import { LspTestClient, REPO_ROOT } from './client';

const CHART = path.join(REPO_ROOT, 'test-fixtures', 'render', 'helm', 'shop');

function copyChart(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netpol-lsp-render-'));
  fs.cpSync(CHART, path.join(dir, 'shop'), { recursive: true });
  return dir;
}

const lineOf = (text: string, needle: string) => text.split('\n').findIndex((l) => l.includes(needle));
const codes = (list: Diagnostic[]) => list.map((d) => String(d.code)).sort();

describe('language server: Helm charts', () => {
  let tools: RenderTools;
  const dirs: string[] = [];
  before(async () => {
    tools = await renderTools();
  });
  after(() => {
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
  });

  test('trusted workspace: the chart is rendered, findings land on template lines, a change renders again, the rendered manifest is served', async () => {
    const dir = copyChart();
    dirs.push(dir);
    const client = await LspTestClient.start(dir, {
      initializationOptions: { workspaceTrusted: true },
      settings: { netpol: { helm: { path: tools.helm } } },
    });
    try {
      const template = client.uri('shop/templates/networkpolicy.yaml');
      const templateText = client.read('shop/templates/networkpolicy.yaml');
      const found = await client.waitForDiagnostics(template, (d) => d.some((x) => x.code === 'selector-matches-nothing'));
      const nothing = found.find((d) => d.code === 'selector-matches-nothing')!;
      assert.equal(nothing.range.start.line, lineOf(templateText, 'podSelector:'));
      assert.match(nothing.message, /app=webb/);
      assert.ok(!found.some((d) => d.code === 'template-skipped'), JSON.stringify(found));

      const rendered = await client.request<{ uri: string; tool: string; text: string } | null>('netpol/renderedManifest', { uri: template });
      assert.ok(rendered);
      assert.equal(rendered.tool, 'helm');
      assert.match(rendered.uri, /^netpol-rendered:/);
      assert.match(rendered.text, /# Source: shop\/templates\/networkpolicy\.yaml/);
      assert.match(rendered.text, /app: webb/);

      // The typo fixed in values.yaml (not a template): the chart is rendered again and the finding goes.
      const mark = client.mark();
      fs.writeFileSync(path.join(dir, 'shop', 'values.yaml'), 'web:\n  port: 8080\npolicy:\n  target: web\n');
      client.filesChanged([{ uri: client.uri('shop/values.yaml'), type: FileChangeType.Changed }]);
      await client.waitForDiagnostics(template, (d) => !d.some((x) => x.code === 'selector-matches-nothing'), { since: mark });
      const again = await client.request<{ text: string } | null>('netpol/renderedManifest', { uri: client.uri('shop/values.yaml') });
      assert.match(again!.text, /app: web\n/);

      // .netpol.yaml names the release namespace: the chart is rendered again and its objects live there.
      const configMark = client.mark();
      fs.writeFileSync(path.join(dir, '.netpol.yaml'), 'helm:\n  namespace: retail\n');
      client.filesChanged([{ uri: client.uri('.netpol.yaml'), type: FileChangeType.Created }]);
      await client.waitForDiagnostics(client.uri('shop/templates/deployment.yaml'), (d) => d.some((x) => /Namespace retail/.test(x.message)), { since: configMark });
    } finally {
      await client.shutdown();
    }
  });

  test('trusted workspace: a kustomize overlay is built with kubectl; findings land in the overlay and the base', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netpol-lsp-render-'));
    dirs.push(dir);
    fs.cpSync(path.join(REPO_ROOT, 'test-fixtures', 'render', 'kustomize'), dir, { recursive: true });
    const client = await LspTestClient.start(dir, {
      initializationOptions: { workspaceTrusted: true },
      settings: { netpol: { kustomize: { path: tools.kubectl } } },
    });
    try {
      const policy = client.uri('overlays/prod/policy.yaml');
      // Published once the overlay is built (the first analysis waits for it).
      const found = await client.waitForDiagnostics(policy, (d) => d.some((x) => x.code === 'selector-matches-nothing' && /output of kustomize/.test(x.message)));
      assert.match(found.find((d) => d.code === 'selector-matches-nothing')!.message, /app=api,tier=front/);
      // A hover on the base's labels shows the pods as built: prod-web in namespace shop.
      const base = client.uri('base/deployment.yaml');
      client.open(base);
      const hover = await client.request<{ contents: { value: string } } | null>('textDocument/hover', { textDocument: { uri: base }, position: { line: 3, character: 9 } });
      assert.match(hover?.contents.value ?? '', /prod-web/);
      // Its code lenses are those of the built Deployment, on the base's lines.
      const lenses = await client.request<{ range: { start: { line: number } }; command?: { title: string } }[]>('textDocument/codeLens', { textDocument: { uri: base } });
      assert.ok(lenses.length > 0, 'lenses on the base file');
      assert.ok(lenses.every((l) => l.range.start.line < 18), JSON.stringify(lenses));
      const rendered = await client.request<{ tool: string; text: string } | null>('netpol/renderedManifest', { uri: client.uri('base/deployment.yaml') });
      assert.equal(rendered?.tool, 'kustomize');
      assert.match(rendered!.text, /name: prod-web/);
      assert.match(rendered!.text, /config\.kubernetes\.io\/origin/);
    } finally {
      await client.shutdown();
    }
  });

  test('untrusted workspace: helm is not run; Chart.yaml gets one information finding, the templates none', async () => {
    const dir = copyChart();
    dirs.push(dir);
    const client = await LspTestClient.start(dir, { settings: { netpol: { helm: { path: tools.helm } } } });
    try {
      const chart = await client.waitForDiagnostics(client.uri('shop/Chart.yaml'), (d) => d.length > 0);
      assert.deepEqual(codes(chart), ['helm-not-rendered']);
      assert.equal(chart[0].severity, 3);
      assert.match(chart[0].message, /not trusted/);
      // Rendering is idle now: nothing else was published for the templates.
      const rendered = await client.request<{ text: string } | null>('netpol/renderedManifest', { uri: client.uri('shop/Chart.yaml') });
      assert.equal(rendered?.text, '');
      // The first analysis waited for the chart's rendering: the templates never got a finding (no template-skipped).
      for (const name of ['networkpolicy', 'deployment', 'service']) {
        const uri = client.uri(`shop/templates/${name}.yaml`);
        assert.deepEqual(client.diagnostics.get(uri)?.diagnostics ?? [], [], `${name}.yaml`);
      }
      // Trust granted while running: the chart is rendered.
      client.notify('netpol/workspaceTrusted', { trusted: true });
      await client.waitForDiagnostics(client.uri('shop/templates/networkpolicy.yaml'), (d) => d.some((x) => x.code === 'selector-matches-nothing'));
      await client.waitForDiagnostics(client.uri('shop/Chart.yaml'), (d) => d.length === 0);
    } finally {
      await client.shutdown();
    }
  });
});
