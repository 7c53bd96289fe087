// The injection grammar tokenized the way VS Code does it: VS Code's own TextMate engine (vscode-textmate with the
// Oniguruma regex engine) and its YAML grammar, both taken from the installed code-server (VS Code 1.139). The
// extension host cannot capture tokens in the web workbench, so this runs in Node against the same files.
import { spawnSync } from 'node:child_process';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { vscodeRoot } from '../e2e/paths.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const manifest = JSON.parse(fs.readFileSync(path.join(repo, 'package.json'), 'utf8'));
const injections = manifest.contributes.grammars.filter((g) => g.injectTo?.includes('source.yaml'));

let grammar;
let textmate;

before(async () => {
  // Installs code-server when missing (cached; shared with the VS Code e2e test through a lock).
  const install = spawnSync(process.execPath, [path.join(repo, 'client/test/e2e/run.mjs'), '--install-only'], { encoding: 'utf8', timeout: 25 * 60_000 });
  assert.equal(install.status, 0, `${install.stdout}${install.stderr}`);
  const root = vscodeRoot();
  const require = createRequire(path.join(root, 'package.json'));
  textmate = require('vscode-textmate');
  const oniguruma = require('vscode-oniguruma');
  await oniguruma.loadWASM(fs.readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm')).buffer);
  // Every grammar the built-in YAML extension contributes, by scope name, plus ours.
  const yamlExtension = path.join(root, 'extensions', 'yaml');
  const files = new Map(
    JSON.parse(fs.readFileSync(path.join(yamlExtension, 'package.json'), 'utf8')).contributes.grammars.map((g) => [g.scopeName, path.join(yamlExtension, g.path)]),
  );
  for (const injection of injections) files.set(injection.scopeName, path.join(repo, injection.path));
  const registry = new textmate.Registry({
    onigLib: Promise.resolve({ createOnigScanner: (p) => new oniguruma.OnigScanner(p), createOnigString: (s) => new oniguruma.OnigString(s) }),
    loadGrammar: async (scopeName) => {
      const file = files.get(scopeName);
      return file ? textmate.parseRawGrammar(fs.readFileSync(file, 'utf8'), file) : null;
    },
    // As VS Code does for contributions with injectTo: every injection grammar of ours, into YAML.
    getInjections: (scopeName) => (scopeName === 'source.yaml' ? injections.map((g) => g.scopeName) : undefined),
  });
  grammar = await registry.loadGrammar('source.yaml');
  assert.ok(grammar, 'the YAML grammar loads');
}, { timeout: 26 * 60_000 });

/** Every token of a text as `text -> scopes`. */
function tokenize(text) {
  let state = textmate.INITIAL;
  const tokens = [];
  text.split('\n').forEach((line, lineNumber) => {
    const result = grammar.tokenizeLine(line, state);
    for (const t of result.tokens) tokens.push({ line: lineNumber, text: line.slice(t.startIndex, t.endIndex), scopes: t.scopes });
    state = result.ruleStack;
  });
  return tokens;
}

const POLICY = [
  'apiVersion: networking.k8s.io/v1',
  'kind: NetworkPolicy',
  'spec:',
  '  podSelector: {}',
  '  policyTypes:',
  '    - Ingress',
  '    - Egress',
  '  egress:',
  '    # netpol-disable-next-line split-peer, allows-all',
  '    - to:',
  '        - namespaceSelector: {}',
  '          podSelector: {}',
  '        - ipBlock:',
  '            cidr: 10.0.0.0/8',
  '# netpol-disable missing-dns-egress',
  'data:',
  '  note: "# netpol-disable-next-line inside a string"',
].join('\n');

describe('injection grammar (VS Code TextMate engine, YAML grammar of VS Code 1.139)', () => {
  const has = (tokens, text, scope, line) => tokens.some((t) => t.text.trim() === text && (line === undefined || t.line === line) && t.scopes.includes(scope));

  it('highlights the suppression comment directive and its rule ids, still as a comment', () => {
    const tokens = tokenize(POLICY);
    assert.ok(has(tokens, 'netpol-disable-next-line', 'keyword.control.directive.suppression.netpol', 8), JSON.stringify(tokens.filter((t) => t.line === 8)));
    assert.ok(tokens.filter((t) => t.line === 8 && t.text.includes('split-peer')).every((t) => t.scopes.includes('variable.other.constant.rule-id.netpol') && t.scopes.includes('comment.line.number-sign.yaml')));
    assert.ok(has(tokens, 'netpol-disable', 'keyword.control.directive.suppression.netpol', 14));
  });

  it('leaves the same words inside a string alone', () => {
    const tokens = tokenize(POLICY);
    assert.ok(!tokens.some((t) => t.line === 16 && t.scopes.includes('keyword.control.directive.suppression.netpol')), JSON.stringify(tokens.filter((t) => t.line === 16)));
  });

  it('marks the policyTypes values, in block and flow lists', () => {
    const tokens = tokenize(POLICY);
    assert.ok(has(tokens, 'Ingress', 'keyword.other.policy-type.netpol', 5));
    assert.ok(has(tokens, 'Egress', 'keyword.other.policy-type.netpol', 6));
    const flow = tokenize('spec:\n  policyTypes: [Ingress, Egress]\n  note: Ingress rules');
    assert.ok(has(flow, 'Ingress', 'keyword.other.policy-type.netpol', 1) && has(flow, 'Egress', 'keyword.other.policy-type.netpol', 1));
    assert.ok(!flow.some((t) => t.line === 2 && t.scopes.includes('keyword.other.policy-type.netpol')), 'not in other text');
  });

  it('marks podSelector and namespaceSelector inside peers, not spec.podSelector', () => {
    const tokens = tokenize(POLICY);
    assert.ok(has(tokens, 'namespaceSelector', 'keyword.other.peer-selector.netpol', 10));
    assert.ok(has(tokens, 'podSelector', 'keyword.other.peer-selector.netpol', 11), 'the second selector of the same peer');
    assert.ok(has(tokens, 'ipBlock', 'keyword.other.peer-selector.netpol', 12));
    assert.ok(!has(tokens, 'podSelector', 'keyword.other.peer-selector.netpol', 3), 'spec.podSelector');
    // The rest of the line is still YAML.
    assert.ok(tokens.some((t) => t.line === 10 && t.text === '{' && t.scopes.some((s) => s.startsWith('punctuation'))), JSON.stringify(tokens.filter((t) => t.line === 10)));
  });
});
