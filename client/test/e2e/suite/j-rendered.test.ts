// Show Rendered Manifest in the real workbench: a Helm chart in a trusted workspace (the session turns Workspace
// Trust off, so the workspace is trusted) is rendered by the real helm (installed by run.mjs from the npm registry,
// set as the workspace's netpol.helm.path); the finding of the rendered policy lands on the template line, and the command opens the
// rendered manifest as a read-only virtual document.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { closeAll, diagnosticCode, eventually, extensionApi, fixture, netpolDiagnostics } from './helpers';

const CHART = 'rendered-chart';
const FILES: Record<string, string> = {
  'Chart.yaml': 'apiVersion: v2\nname: shop\nversion: 0.1.0\n',
  'values.yaml': 'web:\n  port: 8080\npolicy:\n  # The pods the policy protects (the typo is the point of the test).\n  target: webb\n',
  'templates/deployment.yaml': [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    '  name: {{ .Release.Name }}-web',
    '  namespace: rendered',
    'spec:',
    '  selector:',
    '    matchLabels:',
    '      app: web',
    '  template:',
    '    metadata:',
    '      labels:',
    '        app: web',
    '    spec:',
    '      containers:',
    '        - name: web',
    '          image: nginx:1.27',
    '          ports:',
    '            - containerPort: {{ .Values.web.port }}',
    '',
  ].join('\n'),
  'templates/networkpolicy.yaml': [
    'apiVersion: networking.k8s.io/v1',
    'kind: NetworkPolicy',
    'metadata:',
    '  name: {{ .Release.Name }}-web-ingress',
    '  namespace: rendered',
    'spec:',
    '  podSelector:',
    '    matchLabels:',
    '      app: {{ .Values.policy.target }}',
    '  policyTypes:',
    '    - Ingress',
    '',
  ].join('\n'),
};

describe('Show Rendered Manifest (Helm, trusted workspace, real helm)', () => {
  const template = () => fixture(`${CHART}/templates/networkpolicy.yaml`);

  /** The workspace's settings file, if this test creates it: removed again, so later tests see the fixture as it was. */
  let createdSettings: vscode.Uri | undefined;

  before(async () => {
    await extensionApi();
    const settings = fixture('.vscode/settings.json');
    createdSettings = await vscode.workspace.fs.stat(settings).then(
      () => undefined,
      () => settings,
    );
    // netpol.helm.path is machine-overridable: a workspace setting, as a user would set it for one repository.
    const helm = process.env.NETPOL_E2E_HELM;
    assert.ok(helm, 'the session names the real helm (NETPOL_E2E_HELM)');
    await vscode.workspace.getConfiguration('netpol').update('helm.path', helm, vscode.ConfigurationTarget.Workspace);
    for (const [name, text] of Object.entries(FILES)) await vscode.workspace.fs.writeFile(fixture(`${CHART}/${name}`), new TextEncoder().encode(text));
  });

  after(async () => {
    await closeAll();
    await vscode.workspace.getConfiguration('netpol').update('helm.path', undefined, vscode.ConfigurationTarget.Workspace);
    await vscode.workspace.fs.delete(fixture(CHART), { recursive: true, useTrash: false });
    if (createdSettings) await vscode.workspace.fs.delete(createdSettings, { useTrash: false });
  });

  it('the chart is rendered: the selector typo from values.yaml is a finding on the template line', async function () {
    this.timeout(90_000);
    const state = () =>
      JSON.stringify(
        [template(), fixture(`${CHART}/Chart.yaml`)].map((u) => [u.path, netpolDiagnostics(u).map((d) => `${d.range.start.line}: ${diagnosticCode(d)}: ${d.message}`)]),
      );
    const found = await eventually(
      'selector-matches-nothing on the rendered template',
      () => netpolDiagnostics(template()).find((d) => diagnosticCode(d) === 'selector-matches-nothing'),
      40_000,
    ).catch((error: Error) => {
      throw new Error(`${error.message}; diagnostics: ${state()}`);
    });
    assert.equal(found.range.start.line, 6, 'on podSelector: (line 7)');
    assert.match(found.message, /app=webb/);
    assert.ok(!netpolDiagnostics(template()).some((d) => diagnosticCode(d) === 'template-skipped'), 'the template is not read raw');
  });

  it('the command opens the rendered manifest (a virtual document) with helm\'s # Source: comments and the values applied', async () => {
    const editor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(template()));
    const uri = await vscode.commands.executeCommand<string>('netpol.showRenderedManifest');
    assert.ok(uri, 'the command names the rendered document');
    // VS Code may write the virtual URI as netpol-rendered:/path: compare scheme and path.
    const wanted = vscode.Uri.parse(uri);
    const active = await eventually('the rendered document in the active editor', () => {
      const e = vscode.window.activeTextEditor;
      return e && e !== editor && e.document.uri.scheme === wanted.scheme && e.document.uri.path === wanted.path ? e : undefined;
    }).catch((error: Error) => {
      throw new Error(`${error.message}; asked for ${uri}, active: ${vscode.window.activeTextEditor?.document.uri.toString()}`);
    });
    assert.equal(active.document.uri.scheme, 'netpol-rendered');
    assert.equal(active.document.languageId, 'yaml');
    const text = active.document.getText();
    assert.match(text, /# Source: shop\/templates\/networkpolicy\.yaml/);
    assert.match(text, /app: webb/);
    assert.match(text, /containerPort: 8080/);
  });
});
