// Semantic tokens of manifests: what each marked word means to the analysis. Each token renders as
// `category[*] text` (`*` for a declaration).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { semanticTokens } from '../../../src/engine/features/semantic-tokens';
import { Workspace } from '../../../src/engine/workspace';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { FIXTURES, fixtureUri, fixtureWorkspace } from './helpers';

function tokensOf(text: string, workspace = new Workspace(), uri = 'file:///w/policy.yaml', indexed = true): string[] {
  if (indexed) workspace.setFile(uri, text);
  return semanticTokens(workspace, uri, indexed ? undefined : text).map((t) => `${t.category}${t.declaration ? '*' : ''} ${text.slice(t.range[0], t.range[1])}`);
}

describe('semantic tokens', () => {
  test('a NetworkPolicy: namespaces, selector labels, ports by number and name, policyTypes and protocols; not its keys', () => {
    const text = [
      'apiVersion: networking.k8s.io/v1',
      'kind: NetworkPolicy',
      'metadata:',
      '  name: api',
      '  namespace: shop',
      '  labels:',
      '    owner: team-a',
      'spec:',
      '  podSelector:',
      '    matchLabels:',
      '      app: api',
      '  policyTypes: [Ingress, Egress]',
      '  ingress:',
      '    - from:',
      '        - namespaceSelector:',
      '            matchLabels:',
      '              kubernetes.io/metadata.name: web',
      '          podSelector:',
      '            matchExpressions:',
      '              - key: tier',
      '                operator: In',
      '                values: [frontend, "edge"]',
      '      ports:',
      '        - protocol: TCP',
      '          port: 8080',
      '          endPort: 8090',
      '        - port: http',
      '  egress:',
      '    - to:',
      '        - ipBlock:',
      '            cidr: 10.0.0.0/8',
      '        - namespaceSelector:',
      '            matchExpressions:',
      '              - key: kubernetes.io/metadata.name',
      '                operator: NotIn',
      '                values: [kube-system]',
    ].join('\n');
    assert.deepEqual(tokensOf(text), [
      'namespace shop',
      'label-key app',
      'label-value api',
      'enum Ingress',
      'enum Egress',
      'label-key kubernetes.io/metadata.name',
      'namespace web',
      'label-key tier',
      'enum In',
      'label-value frontend',
      'label-value "edge"',
      'enum TCP',
      'port-number 8080',
      'port-number 8090',
      'port-name http',
      'label-key kubernetes.io/metadata.name',
      'enum NotIn',
      'namespace kube-system',
    ]);
  });

  test('workloads and namespaces declare what policies refer to: pod labels, container ports, namespace names and labels', () => {
    const workspace = fixtureWorkspace('shop');
    const render = (file: string) => {
      const uri = fixtureUri('shop', file);
      const text = workspace.getFile(uri)!.text;
      return semanticTokens(workspace, uri).map((t) => `${t.category}${t.declaration ? '*' : ''} ${text.slice(t.range[0], t.range[1])}`);
    };
    assert.deepEqual(render('namespaces.yaml'), [
      'namespace* production', 'label-key* team', 'label-value* shop', 'label-key* env', 'label-value* prod',
      'namespace* staging', 'label-key* team', 'label-value* shop', 'label-key* env', 'label-value* staging',
      'namespace* kube-system',
    ]);
    const workloads = render('workloads.yaml');
    // api-server: metadata.labels are the Deployment's own (not marked), spec.selector selects, the template's
    // labels are its pods'.
    assert.deepEqual(workloads.slice(0, 9), [
      'namespace production',
      'label-key app', 'label-value api-server',
      'label-key* app', 'label-value* api-server', 'label-key* tier', 'label-value* backend',
      'port-name* http', 'port-number* 8080',
    ]);
  });

  test('the cluster-wide, Calico and Cilium kinds: actions, ports, namespace labels', () => {
    assert.deepEqual(
      tokensOf(
        [
          'apiVersion: policy.networking.k8s.io/v1alpha1',
          'kind: AdminNetworkPolicy',
          'metadata:',
          '  name: a',
          'spec:',
          '  priority: 10',
          '  subject:',
          '    namespaces:',
          '      matchLabels:',
          '        kubernetes.io/metadata.name: shop',
          '  egress:',
          '    - action: Deny',
          '      to:',
          '        - pods:',
          '            namespaceSelector: {}',
          '            podSelector:',
          '              matchLabels:',
          '                app: db',
          '      ports:',
          '        - portNumber:',
          '            protocol: TCP',
          '            port: 5432',
          '        - namedPort: pg',
          '---',
          'apiVersion: projectcalico.org/v3',
          'kind: NetworkPolicy',
          'metadata:',
          '  name: c',
          '  namespace: shop',
          'spec:',
          '  types: [Ingress]',
          '  ingress:',
          '    - action: Allow',
          '      protocol: TCP',
          '      destination:',
          '        ports: [80, "8000:8080", http]',
          '---',
          'apiVersion: cilium.io/v2',
          'kind: CiliumNetworkPolicy',
          'metadata:',
          '  name: c',
          '  namespace: shop',
          'spec:',
          '  endpointSelector:',
          '    matchLabels:',
          '      app: api',
          '  egress:',
          '    - toEndpoints:',
          '        - matchLabels:',
          '            k8s:io.kubernetes.pod.namespace: kube-system',
          '      toPorts:',
          '        - ports:',
          '            - port: "53"',
          '              protocol: ANY',
        ].join('\n'),
      ),
      [
        'label-key kubernetes.io/metadata.name', 'namespace shop', 'enum Deny', 'label-key app', 'label-value db', 'enum TCP', 'port-number 5432', 'port-name pg',
        'namespace shop', 'enum Ingress', 'enum Allow', 'enum TCP', 'port-number 80', 'port-number "8000:8080"', 'port-name http',
        'namespace shop', 'label-key app', 'label-value api', 'label-key k8s:io.kubernetes.pod.namespace', 'namespace kube-system', 'port-number "53"', 'enum ANY',
      ],
    );
  });

  test('an untitled editor, and an editor text the index holds in another state, are read from the text given', () => {
    const text = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  namespace: shop\n';
    assert.deepEqual(tokensOf(text, new Workspace(), 'untitled:Untitled-1', false), ['namespace shop']);
    const workspace = new Workspace();
    workspace.setFile('file:///w/c.yaml', text);
    const edited = text.replace('namespace: shop', 'namespace: billing');
    assert.deepEqual(semanticTokens(workspace, 'file:///w/c.yaml', edited).map((t) => edited.slice(t.range[0], t.range[1])), ['billing']);
  });

  test('half-typed and broken YAML gives tokens for what can be read, never an error', () => {
    assert.deepEqual(tokensOf('apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  namespace: shop\nspec:\n  podSelector:\n    matchLabels:\n      app: [\n'), []);
    assert.deepEqual(tokensOf(': : :\n\t- {'), []);
  });

  test('over every YAML file of test-fixtures (policies of every kind): tokens in text order, apart, each on one line', () => {
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        if (entry.isDirectory()) walk(join(dir, entry.name));
        else if (/\.ya?ml$/.test(entry.name)) files.push(join(dir, entry.name));
      }
    };
    walk(resolve(FIXTURES, '..'));
    let count = 0;
    for (const file of files) {
      const workspace = new Workspace();
      const uri = `file://${file}`;
      const text = readFileSync(file, 'utf8');
      workspace.setFile(uri, text);
      const tokens = semanticTokens(workspace, uri);
      const stored = workspace.getFile(uri)?.text ?? text;
      tokens.forEach((t, i) => {
        assert.ok(t.range[0] < t.range[1] && t.range[1] <= stored.length, `${file} ${t.range}`);
        assert.ok(!stored.slice(t.range[0], t.range[1]).includes('\n'), `${file} ${t.range}`);
        if (i > 0) assert.ok(tokens[i - 1].range[1] <= t.range[0], `${file} ${t.range}`);
      });
      count += tokens.length;
    }
    assert.ok(files.length > 200 && count > 2000, `${files.length} files, ${count} tokens`);
  });
});
