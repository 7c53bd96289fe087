// Bad input never crashes an editor feature: every offset of every fixture file, and every prefix of a policy
// being typed (the state of the text after each keystroke), through every feature.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { completion } from '../../../src/engine/features/completion';
import { hover } from '../../../src/engine/features/hover';
import { codeLenses } from '../../../src/engine/features/lenses';
import { definition, references } from '../../../src/engine/features/navigation';
import { semanticTokens } from '../../../src/engine/features/semantic-tokens';
import { documentSymbols } from '../../../src/engine/features/symbols';
import type { Workspace } from '../../../src/engine/workspace';
import { fixtureUri, fixtureWorkspace } from './helpers';

function everyFeatureAt(workspace: Workspace, uri: string, offset: number): void {
  hover(workspace, uri, offset);
  definition(workspace, uri, offset);
  references(workspace, uri, offset, true);
  completion(workspace, uri, offset);
}

describe('editor features on any input', () => {
  test('every offset of every fixture file', () => {
    const workspace = fixtureWorkspace('shop');
    let calls = 0;
    for (const uri of workspace.fileUris()) {
      const length = workspace.getFile(uri)!.text.length;
      codeLenses(workspace, uri);
      documentSymbols(workspace, uri);
      semanticTokens(workspace, uri);
      for (let offset = 0; offset <= length; offset++, calls++) everyFeatureAt(workspace, uri, offset);
    }
    assert.ok(calls > 3000, `${calls} offsets`);
  });

  test('every prefix of a policy as it is typed, with the cursor at its end', () => {
    const workspace = fixtureWorkspace('shop');
    const full = workspace.getFile(fixtureUri('shop', 'policies.yaml'))!.text;
    const uri = fixtureUri('shop', 'typing.yaml');
    for (let end = 0; end <= full.length; end += 7) {
      workspace.setFile(uri, full.slice(0, end));
      everyFeatureAt(workspace, uri, end);
      codeLenses(workspace, uri);
      documentSymbols(workspace, uri);
      semanticTokens(workspace, uri);
    }
  });

  test('odd shapes: flow style, lists, anchors, tabs, CRLF, JSON, non-Kubernetes YAML, an unknown file', () => {
    const texts = [
      '{"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "j"}, "spec": {"podSelector": {"matchLabels": {"app": "x"}}}}',
      'apiVersion: v1\nkind: List\nitems:\n- apiVersion: networking.k8s.io/v1\n  kind: NetworkPolicy\n  metadata: {name: l}\n  spec: {podSelector: {}, ingress: [{from: [{podSelector: {}}]}]}\n',
      'a: &x {b: 1}\nc: *x\n',
      'apiVersion: networking.k8s.io/v1\r\nkind: NetworkPolicy\r\nmetadata:\r\n  name: crlf\r\nspec:\r\n  podSelector:\r\n    matchLabels:\r\n      app: \r\n',
      'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nspec:\n\tpodSelector: {}\n',
      'kind: NetworkPolicy\nspec:\n  ingress:\n    - from:\n        - podSelector: [1, 2]\n          namespaceSelector: 7\n      ports: [{port: [x]}, 3]\n',
      '- - - -\n:\n---\n...\n',
      '',
    ];
    texts.forEach((text, i) => {
      const workspace = fixtureWorkspace('shop', { [`odd-${i}.yaml`]: text });
      const uri = fixtureUri('shop', `odd-${i}.yaml`);
      for (let offset = 0; offset <= text.length; offset++) everyFeatureAt(workspace, uri, offset);
      semanticTokens(workspace, uri);
      codeLenses(workspace, uri);
      documentSymbols(workspace, uri);
    });
    const workspace = fixtureWorkspace('shop');
    assert.equal(hover(workspace, 'file:///nowhere.yaml', 3), undefined);
    assert.deepEqual(completion(workspace, 'file:///nowhere.yaml', 3), []);
    assert.deepEqual(codeLenses(workspace, 'file:///nowhere.yaml'), []);
  });
});

describe('deeply nested documents', () => {
  test('features answer (or stay silent) beside a document nested thousands of levels deep', () => {
    const depth = 5000;
    const deep = `${'['.repeat(depth)}${']'.repeat(depth)}\n`;
    const blockDeep = Array.from({ length: 2000 }, (_, i) => `${' '.repeat(i)}k${i}:`).join('\n') + ' x\n';
    const policy = 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: beside\n  namespace: production\nspec:\n  podSelector: {}\n';
    const workspace = fixtureWorkspace('shop', { 'deep.yaml': `${deep}---\n${blockDeep}\n---\n${policy}` });
    const uri = fixtureUri('shop', 'deep.yaml');
    const text = workspace.getFile(uri)!.text;
    for (const offset of [0, depth, depth * 2 - 1, text.indexOf('k1000'), text.length - 3]) everyFeatureAt(workspace, uri, offset);
    const name = hover(workspace, uri, text.indexOf('beside') + 2);
    assert.match(name?.markdown ?? '', /^\*\*NetworkPolicy production\/beside\*\*/);
  });
});
