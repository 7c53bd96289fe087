// Insert commands driven through their arguments: each produces the expected document.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { InsertResult } from '../../../src/commands/insert';
import { closeAll, extensionApi, lines, open, revertAndClose } from './helpers';

const SHOP_APP = lines(
  'apiVersion: v1',
  'kind: ConfigMap',
  'metadata:',
  '  name: shop-settings',
  '  namespace: shop',
  'data:',
  '  LOG_LEVEL: info',
);

const DNS_RULE = [
  '  egress:',
  '    - to:',
  '        - namespaceSelector:',
  '            matchLabels:',
  '              kubernetes.io/metadata.name: kube-system',
  '          podSelector:',
  '            matchLabels:',
  '              k8s-app: kube-dns',
  '      ports:',
  '        - protocol: UDP',
  '          port: 53',
  '        - protocol: TCP',
  '          port: 53',
];

async function run(command: string, args: Record<string, unknown>): Promise<{ result: InsertResult; text: string }> {
  const result = await vscode.commands.executeCommand<InsertResult | undefined>(command, args);
  assert.ok(result, `${command} returned a result`);
  const text = vscode.window.activeTextEditor!.document.getText();
  return { result, text };
}

describe('insert commands', () => {
  before(extensionApi);
  afterEach(revertAndClose);
  after(closeAll);

  it('default-deny ingress goes after the last document, in the document namespace', async () => {
    await open('scratch/shop-app.yaml');
    const { result, text } = await run('netpol.insertDefaultDeny', { direction: 'ingress' });
    assert.equal(result.namespace, 'shop');
    assert.equal(
      text,
      SHOP_APP +
        lines(
          '---',
          'apiVersion: networking.k8s.io/v1',
          'kind: NetworkPolicy',
          'metadata:',
          '  name: default-deny-ingress',
          '  namespace: shop',
          'spec:',
          '  podSelector: {}',
          '  policyTypes:',
          '    - Ingress',
        ),
    );
  });

  it('default-deny egress with DNS keeps DNS to the cluster DNS pods open', async () => {
    await open('scratch/shop-app.yaml');
    const { text } = await run('netpol.insertDefaultDeny', { direction: 'egress', includeDns: true });
    assert.equal(
      text,
      SHOP_APP +
        lines(
          '---',
          'apiVersion: networking.k8s.io/v1',
          'kind: NetworkPolicy',
          'metadata:',
          '  name: default-deny-egress',
          '  namespace: shop',
          'spec:',
          '  podSelector: {}',
          '  policyTypes:',
          '    - Egress',
          ...DNS_RULE,
        ),
    );
  });

  it('default-deny for both directions without DNS, at a blank line between documents', async () => {
    const editor = await open('scratch/shop-app.yaml');
    // Make a blank line after a separator at the top: the policy goes there, before the ConfigMap.
    await editor.edit((b) => b.insert(new vscode.Position(0, 0), '---\n\n---\n'));
    const { text } = await run('netpol.insertDefaultDeny', { direction: 'both', includeDns: false, namespace: 'monitoring', position: { line: 1, character: 0 } });
    assert.equal(
      text,
      lines(
        '---',
        'apiVersion: networking.k8s.io/v1',
        'kind: NetworkPolicy',
        'metadata:',
        '  name: default-deny-all',
        '  namespace: monitoring',
        'spec:',
        '  podSelector: {}',
        '  policyTypes:',
        '    - Ingress',
        '    - Egress',
        '',
        '---',
      ) + SHOP_APP,
    );
  });

  it('allow-DNS egress policy', async () => {
    await open('scratch/empty.yaml');
    const { text } = await run('netpol.insertAllowDns', { namespace: 'shop' });
    assert.equal(
      text,
      lines(
        'apiVersion: networking.k8s.io/v1',
        'kind: NetworkPolicy',
        'metadata:',
        '  name: allow-dns-egress',
        '  namespace: shop',
        'spec:',
        '  podSelector: {}',
        '  policyTypes:',
        '    - Egress',
        ...DNS_RULE,
      ),
    );
  });

  it('template "allow from a namespace" is pre-filled from the workspace', async () => {
    await open('scratch/empty.yaml');
    const { text } = await run('netpol.insertFromTemplate', { template: 'allow-from-namespace', namespace: 'shop' });
    // Namespaces, labels and ports are choices; the first ones are inserted.
    assert.equal(
      text,
      lines(
        'apiVersion: networking.k8s.io/v1',
        'kind: NetworkPolicy',
        'metadata:',
        '  name: allow-from-monitoring',
        '  namespace: shop',
        'spec:',
        '  podSelector:',
        '    matchLabels:',
        '      app: api',
        '  policyTypes:',
        '    - Ingress',
        '  ingress:',
        '    - from:',
        '        - namespaceSelector:',
        '            matchLabels:',
        '              kubernetes.io/metadata.name: monitoring',
        '      ports:',
        '        - protocol: TCP',
        '          port: 9090',
      ),
    );
  });

  it('template "allow from pods"', async () => {
    await open('scratch/empty.yaml');
    const { text } = await run('netpol.insertFromTemplate', { template: 'allow-from-pods', namespace: 'shop' });
    assert.equal(
      text,
      lines(
        'apiVersion: networking.k8s.io/v1',
        'kind: NetworkPolicy',
        'metadata:',
        '  name: allow-from-pods',
        '  namespace: shop',
        'spec:',
        '  podSelector:',
        '    matchLabels:',
        '      app: api',
        '  policyTypes:',
        '    - Ingress',
        '  ingress:',
        '    - from:',
        '        - podSelector:',
        '            matchLabels:',
        '              app: web',
        '      ports:',
        '        - protocol: TCP',
        '          port: 9090',
      ),
    );
  });

  it('template "allow to a port"', async () => {
    await open('scratch/empty.yaml');
    const { text } = await run('netpol.insertFromTemplate', { template: 'allow-to-port', namespace: 'monitoring' });
    assert.equal(
      text,
      lines(
        'apiVersion: networking.k8s.io/v1',
        'kind: NetworkPolicy',
        'metadata:',
        '  name: allow-port-9090',
        '  namespace: monitoring',
        'spec:',
        '  podSelector:',
        '    matchLabels:',
        '      app.kubernetes.io/name: prometheus',
        '  policyTypes:',
        '    - Ingress',
        '  ingress:',
        '    - ports:',
        '        - protocol: TCP',
        '          port: 9090',
      ),
    );
  });

  it('template "deny all egress except DNS"', async () => {
    await open('scratch/empty.yaml');
    const { text } = await run('netpol.insertFromTemplate', { template: 'deny-egress-except-dns', namespace: 'shop' });
    assert.equal(
      text,
      lines(
        'apiVersion: networking.k8s.io/v1',
        'kind: NetworkPolicy',
        'metadata:',
        '  name: deny-egress-except-dns',
        '  namespace: shop',
        'spec:',
        '  podSelector: {}',
        '  policyTypes:',
        '    - Egress',
        ...DNS_RULE,
      ),
    );
  });
});
