// The pieces of the language server that need no process: reading settings, laying them over `.netpol.yaml`, and
// the exclusion globs of `files.exclude` / `netpol.exclude`.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseConfig } from '../../src/engine/config';
import { enabledGlobs, GlobSet } from '../../src/lsp/glob';
import { defaultSettings, readSettings } from '../../src/lsp/settings';
import { mergeSettings, ServerWorkspace } from '../../src/lsp/workspace';

describe('readSettings', () => {
  test('missing or mistyped settings fall back to the defaults', () => {
    for (const value of [undefined, null, 42, 'x', [], { rules: 'error', defaultNamespace: 7, exclude: 'a', maxFileSize: -1, dns: [] }]) {
      assert.deepEqual(readSettings(value), defaultSettings(), JSON.stringify(value));
    }
  });

  test('rule severities accept the four severities, off, and the short forms info and warn', () => {
    const s = readSettings({ rules: { a: 'error', b: 'off', c: 'info', d: 'warn', e: 'fatal', f: 3, g: 'hint' } });
    assert.deepEqual(s.rules, { a: 'error', b: 'off', c: 'information', d: 'warning', g: 'hint' });
  });

  test('an empty default namespace means unset; exclude keeps strings only', () => {
    assert.equal(readSettings({ defaultNamespace: '  ' }).defaultNamespace, undefined);
    assert.equal(readSettings({ defaultNamespace: ' prod ' }).defaultNamespace, 'prod');
    assert.deepEqual(readSettings({ exclude: ['charts/**', 3, '', null] }).exclude, ['charts/**']);
  });

  test('DNS values equal to the declared defaults do not count as set (VS Code sends defaults too)', () => {
    const defaults = readSettings({ dns: { namespace: 'kube-system', podLabels: { 'k8s-app': 'kube-dns' }, ports: [], cidrs: [] } });
    assert.deepEqual(defaults.dns, {});
    const openshift = readSettings({ dns: { namespace: 'openshift-dns', podLabels: { 'dns.operator.openshift.io/daemonset-dns': 'default' }, ports: [5353, 0, 70000, 'x'], cidrs: ['169.254.20.10/32', 5] } });
    assert.deepEqual(openshift.dns, {
      namespace: 'openshift-dns',
      podLabels: { 'dns.operator.openshift.io/daemonset-dns': 'default' },
      ports: [5353],
      cidrs: ['169.254.20.10/32'],
    });
  });
});

describe('settings over .netpol.yaml', () => {
  const config = parseConfig('file:///w/.netpol.yaml', 'defaultNamespace: team\nmaxFileSize: 1000\ndns:\n  namespace: openshift-dns\n  ports: [5353]\n');

  test('unset settings keep the configuration file; set ones win field by field', () => {
    assert.deepEqual(mergeSettings(config, defaultSettings()), config);
    const merged = mergeSettings(config, { ...defaultSettings(), defaultNamespace: 'prod', dns: { cidrs: ['169.254.20.10/32'] } });
    assert.equal(merged.defaultNamespace, 'prod');
    assert.equal(merged.maxFileSize, 1000);
    assert.deepEqual(merged.dns, { namespace: 'openshift-dns', podLabels: { 'k8s-app': 'kube-dns' }, ports: [5353], cidrs: ['169.254.20.10/32'] });
  });

  test('the server workspace applies them to its models', () => {
    const ws = new ServerWorkspace({ ...defaultSettings(), defaultNamespace: 'prod' });
    ws.setFile('file:///w/.netpol.yaml', 'defaultNamespace: team\n');
    ws.setFile('file:///w/p.yaml', 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: p\nspec:\n  podSelector: {}\n');
    assert.equal(ws.scopes()[0].model.policies[0].namespace, 'prod');
    const plain = new ServerWorkspace(defaultSettings());
    plain.setFile('file:///w/.netpol.yaml', 'defaultNamespace: team\n');
    plain.setFile('file:///w/p.yaml', 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: p\nspec:\n  podSelector: {}\n');
    assert.equal(plain.scopes()[0].model.policies[0].namespace, 'team');
  });
});

describe('exclusion globs (VS Code glob syntax)', () => {
  const cases: [string, string, boolean][] = [
    ['**/.git', '.git', true],
    ['**/.git', 'a/b/.git/config', true],
    ['**/.git', 'a/foo.git', false],
    ['charts/**', 'charts/app/templates/np.yaml', true],
    ['charts', 'charts/np.yaml', true],
    ['charts', 'mycharts/np.yaml', false],
    ['*.json', 'package.json', true],
    ['*.json', 'sub/package.json', false],
    ['**/*.{yaml,yml}', 'a/b.yml', true],
    ['**/*.{yaml,yml}', 'a/b.json', false],
    ['**/test-?/**', 'x/test-1/y.yaml', true],
    ['[ab]*.yaml', 'b1.yaml', true],
    ['[ab]*.yaml', 'c1.yaml', false],
    ['./build/', 'build/out.yaml', true],
    ['a.b', 'aXb', false],
  ];
  for (const [glob, path, expected] of cases) {
    test(`${glob} ${expected ? 'matches' : 'does not match'} ${path}`, () => assert.equal(new GlobSet([glob]).matches(path), expected));
  }

  test('files.exclude keeps the patterns whose value is true', () => {
    assert.deepEqual(enabledGlobs({ '**/.git': true, '**/x': false, '**/y': { when: '$(basename).ts' } }), ['**/.git']);
    assert.deepEqual(enabledGlobs(null), []);
    assert.deepEqual(enabledGlobs(['a']), []);
    const set = new GlobSet(['', 'vendor/**']);
    assert.equal(set.size, 1);
    assert.equal(set.matches('vendor/a.yaml'), true);
  });
});
