// Code lenses, go to definition, find references and symbols on the shop fixture (test-fixtures/features/shop).
// Locations are rendered as `file:line:column text-at-the-location` (first line) so a whole answer compares at once.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { codeLenses } from '../../../src/engine/features/lenses';
import { definition, references } from '../../../src/engine/features/navigation';
import { documentSymbols, workspaceSymbols, type DocumentSymbol } from '../../../src/engine/features/symbols';
import type { SourceLocation } from '../../../src/engine/types';
import { at, fixtureUri, fixtureWorkspace } from './helpers';

const shop = fixtureWorkspace('shop');

function where(location: SourceLocation): string {
  const file = shop.getFile(location.uri)!;
  const position = file.lineCounter.linePos(location.range[0]);
  const text = file.text.slice(location.range[0], location.range[1]).split('\n')[0];
  return `${location.uri.slice(location.uri.lastIndexOf('/') + 1)}:${position.line}:${position.col} ${text}`;
}

function lenses(file: string): string[] {
  const uri = fixtureUri('shop', file);
  return codeLenses(shop, uri).map(
    (lens) => `${shop.getFile(uri)!.lineCounter.linePos(lens.range[0]).line}: ${lens.title} -> ${lens.locations.map(where).join(' | ')}`,
  );
}

function definitionsAt(file: string, snippet: string): string[] {
  const uri = fixtureUri('shop', file);
  return definition(shop, uri, at(shop, uri, snippet)).map(where);
}

function referencesAt(file: string, snippet: string, includeDeclaration = true): string[] {
  const uri = fixtureUri('shop', file);
  return references(shop, uri, at(shop, uri, snippet), includeDeclaration).map(where);
}

function symbolTree(symbol: DocumentSymbol, depth = 0): string[] {
  return [`${'  '.repeat(depth)}${symbol.category} ${symbol.name} (${symbol.detail})`, ...symbol.children.flatMap((c) => symbolTree(c, depth + 1))];
}

describe('code lenses', () => {
  test('above every NetworkPolicy: selected pods, ingress sources, egress destinations; clicking lists the pods', () => {
    assert.deepEqual(lenses('policies.yaml'), [
      '1: selects 4 pods · ingress from none · egress to none -> workloads.yaml:4:9 api-server | workloads.yaml:29:9 postgresql | workloads.yaml:51:9 postgresql-replica | workloads.yaml:78:9 frontend',
      '12: selects 2 pods · ingress from 1 pod -> workloads.yaml:29:9 postgresql | workloads.yaml:51:9 postgresql-replica',
      '30: selects 1 pod · ingress from 1 pod · egress to 3 pods -> workloads.yaml:4:9 api-server',
      '69: selects 1 pod · ingress from 1 CIDR · egress to 1 pod -> workloads.yaml:78:9 frontend',
      '97: selects 0 pods · ingress from 0 pods -> ',
    ]);
  });

  test('above every workload: isolation and the number of policies; clicking lists the policies', () => {
    assert.deepEqual(lenses('workloads.yaml'), [
      '1: isolated: ingress, egress · 2 policies -> policies.yaml:4:9 default-deny | policies.yaml:33:9 api-allow',
      '26: isolated: ingress, egress · 2 policies -> policies.yaml:4:9 default-deny | policies.yaml:15:9 db-allow',
      '48: isolated: ingress, egress · 2 policies -> policies.yaml:4:9 default-deny | policies.yaml:15:9 db-allow',
      '75: isolated: ingress, egress · 2 policies -> policies.yaml:4:9 default-deny | policies.yaml:72:9 frontend-allow',
    ]);
  });

  test('workloads no policy selects are not isolated', () => {
    assert.deepEqual(lenses('other-namespaces.yaml'), [
      '1: not isolated -> ',
      '22: not isolated -> ',
    ]);
  });

  test('no lenses on other objects', () => {
    assert.deepEqual(lenses('namespaces.yaml'), [
    ]);
  });

});

describe('go to definition', () => {
  test('spec.podSelector -> the workloads it matches', () => {
    assert.deepEqual(definitionsAt('policies.yaml', 'app: postgr‸esql'), [
      'workloads.yaml:29:9 postgresql',
      'workloads.yaml:51:9 postgresql-replica',
    ]);
  });

  test('podSelector: {} -> every workload of the namespace', () => {
    assert.deepEqual(definitionsAt('policies.yaml', 'podSelector: {‸}'), [
      'workloads.yaml:4:9 api-server',
      'workloads.yaml:29:9 postgresql',
      'workloads.yaml:51:9 postgresql-replica',
      'workloads.yaml:78:9 frontend',
    ]);
  });

  test('peer namespaceSelector -> the pods the whole peer matches', () => {
    assert.deepEqual(definitionsAt('policies.yaml', '- namespaceSel‸ector:\n            matchLabels:\n              kubernetes.io'), [
      'other-namespaces.yaml:25:9 coredns',
    ]);
  });

  test('a namespace name (metadata.namespace, kubernetes.io/metadata.name) -> its Namespace object', () => {
    assert.deepEqual(definitionsAt('policies.yaml', 'kubernetes.io/metadata.name: kube-sy‸stem'), ['namespaces.yaml:20:9 kube-system']);
    assert.deepEqual(definitionsAt('workloads.yaml', 'namespace: produ‸ction'), ['namespaces.yaml:4:9 production']);
    // staging/api-server's namespace has a Namespace object; a name no Namespace declares has no definition.
    assert.deepEqual(definitionsAt('other-namespaces.yaml', 'namespace: stag‸ing'), ['namespaces.yaml:12:9 staging']);
  });

  test('matchExpressions values on kubernetes.io/metadata.name are namespace names too', () => {
    const workspace = fixtureWorkspace('shop', {
      'expr.yaml': [
        'apiVersion: networking.k8s.io/v1',
        'kind: NetworkPolicy',
        'metadata: {name: expr, namespace: production}',
        'spec:',
        '  podSelector: {}',
        '  ingress:',
        '    - from:',
        '        - namespaceSelector:',
        '            matchExpressions:',
        '              - {key: kubernetes.io/metadata.name, operator: In, values: [staging, nowhere]}',
      ].join('\n'),
    });
    const uri = fixtureUri('shop', 'expr.yaml');
    const found = (snippet: string) => definition(workspace, uri, at(workspace, uri, snippet)).map((l) => `${l.uri.slice(l.uri.lastIndexOf('/') + 1)} ${workspace.getFile(l.uri)!.text.slice(l.range[0], l.range[1])}`);
    assert.deepEqual(found('[stag‸ing'), ['namespaces.yaml staging']);
    assert.deepEqual(found('nowh‸ere'), []);
  });

  test('named port -> the container port that declares the name', () => {
    assert.deepEqual(definitionsAt('policies.yaml', 'port: ht‸tp\n  egress'), [
      'workloads.yaml:23:21 http',
    ]);
  });

  test('numeric port and policy name: no definition', () => {
    assert.deepEqual(definitionsAt('policies.yaml', 'port: 54‸32\n---'), [
    ]);
    assert.deepEqual(definitionsAt('policies.yaml', 'name: db-al‸low'), []);
  });

});

describe('find references', () => {
  test('workload name -> its declaration, the policies selecting it (podSelector) and the peers matching it', () => {
    assert.deepEqual(referencesAt('workloads.yaml', 'name: api-se‸rver'), [
      'workloads.yaml:4:9 api-server',
      'policies.yaml:7:3 podSelector',
      'policies.yaml:36:3 podSelector',
      'policies.yaml:23:11 podSelector:',
      'policies.yaml:91:11 podSelector:',
    ]);
  });

  test('a pod template label works like the name', () => {
    assert.deepEqual(referencesAt('workloads.yaml', 'role: rep‸lica'), [
      'workloads.yaml:51:9 postgresql-replica',
      'policies.yaml:7:3 podSelector',
      'policies.yaml:18:3 podSelector',
      'policies.yaml:51:11 podSelector:',
    ]);
  });

  test('a pod in another namespace matched by a namespaceSelector peer', () => {
    assert.deepEqual(referencesAt('other-namespaces.yaml', 'name: core‸dns'), [
      'other-namespaces.yaml:25:9 coredns',
      'policies.yaml:57:11 namespaceSelector:',
    ]);
  });

  test('without the declaration, and nothing off a workload name or label', () => {
    assert.deepEqual(referencesAt('other-namespaces.yaml', 'name: core‸dns', false), ['policies.yaml:57:11 namespaceSelector:']);
    assert.deepEqual(referencesAt('workloads.yaml', 'image: shop/a‸pi'), []);
  });
});

describe('symbols', () => {
  test('document symbols of policies.yaml: every object by kind and name, with its rules or containers', () => {
    assert.deepEqual(documentSymbols(shop, fixtureUri('shop', 'policies.yaml')).flatMap((s) => symbolTree(s)), [
      'policy default-deny (NetworkPolicy · production)',
      '  selector podSelector ()',
      'policy db-allow (NetworkPolicy · production)',
      '  selector podSelector ()',
      '  rule ingress[0] (TCP 5432 from pods labelled app=api-server in production)',
      'policy api-allow (NetworkPolicy · production)',
      '  selector podSelector ()',
      '  rule ingress[0] (TCP port http from pods labelled app=frontend in production)',
      '  rule egress[0] (TCP 5432 to pods labelled app=postgresql in production)',
      '  rule egress[1] (UDP 53 and TCP 53 to pods labelled k8s-app=kube-dns in kube-system)',
      'policy frontend-allow (NetworkPolicy · production)',
      '  selector podSelector ()',
      '  rule ingress[0] (TCP port web from 0.0.0.0/0 except 10.0.0.0/8)',
      '  rule egress[0] (TCP port http to pods labelled app=api-server in production)',
      'policy metrics-typo (NetworkPolicy · production)',
      '  selector podSelector ()',
      '  rule ingress[0] (TCP port metrics from all pods in namespaces labelled team=monitoring)',
    ]);
  });

  test('document symbols of workloads.yaml: every object by kind and name, with its rules or containers', () => {
    assert.deepEqual(documentSymbols(shop, fixtureUri('shop', 'workloads.yaml')).flatMap((s) => symbolTree(s)), [
      'workload api-server (Deployment · production)',
      '  container api (container)',
      'workload postgresql (StatefulSet · production)',
      '  container postgres (container)',
      'workload postgresql-replica (StatefulSet · production)',
      '  container postgres (container)',
      '  container exporter (container)',
      'workload frontend (Deployment · production)',
      '  container nginx (container)',
    ]);
  });

  test('workspace symbols: fuzzy match on name and namespace/name, best first', () => {
    const search = (query: string) => workspaceSymbols(shop, query).map((s) => `${s.category} ${s.name} (${s.containerName}) ${where(s.location)}`);
    assert.deepEqual(search('pg'), [
      'workload postgresql (StatefulSet · production) workloads.yaml:29:9 postgresql',
      'workload postgresql-replica (StatefulSet · production) workloads.yaml:51:9 postgresql-replica',
    ]);
    assert.deepEqual(search('api'), [
      'policy api-allow (NetworkPolicy · production) policies.yaml:33:9 api-allow',
      'workload api-server (Deployment · production) workloads.yaml:4:9 api-server',
      'workload api-server (Deployment · staging) other-namespaces.yaml:4:9 api-server',
    ]);
    assert.deepEqual(search('prod/allow'), [
      'policy db-allow (NetworkPolicy · production) policies.yaml:15:9 db-allow',
      'policy api-allow (NetworkPolicy · production) policies.yaml:33:9 api-allow',
      'policy frontend-allow (NetworkPolicy · production) policies.yaml:72:9 frontend-allow',
    ]);
    assert.deepEqual(search('xyz'), [
    ]);
    assert.equal(search('').length, 11);
  });
});

describe('navigation from Namespaces and Services', () => {
  test('references of a Namespace: the namespaceSelector peers that select it', () => {
    assert.deepEqual(referencesAt('namespaces.yaml', 'name: kube-sys‸tem'), ['namespaces.yaml:20:9 kube-system', 'policies.yaml:57:11 namespaceSelector']);
    // team=monitoring matches no namespace: production is referenced by nothing but itself.
    assert.deepEqual(referencesAt('namespaces.yaml', 'name: produc‸tion', false), []);
  });

  test('definition from a Service selector: the workloads behind it (equality on every key)', () => {
    const workspace = fixtureWorkspace('shop', {
      'svc.yaml': 'apiVersion: v1\nkind: Service\nmetadata:\n  name: db\n  namespace: production\nspec:\n  selector:\n    app: postgresql\n    role: primary\n',
    });
    const uri = fixtureUri('shop', 'svc.yaml');
    const found = definition(workspace, uri, at(workspace, uri, 'app: postgr‸esql')).map((l) => `${l.uri.slice(l.uri.lastIndexOf('/') + 1)} ${workspace.getFile(l.uri)!.text.slice(l.range[0], l.range[1])}`);
    assert.deepEqual(found, ['workloads.yaml postgresql']);
  });
});
