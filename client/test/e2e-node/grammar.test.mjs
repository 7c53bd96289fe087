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
/** VS Code's YAML grammar alone, without our injection. */
let plainGrammar;
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
  const registry = (inject) =>
    new textmate.Registry({
      onigLib: Promise.resolve({ createOnigScanner: (p) => new oniguruma.OnigScanner(p), createOnigString: (s) => new oniguruma.OnigString(s) }),
      loadGrammar: async (scopeName) => {
        const file = files.get(scopeName);
        return file ? textmate.parseRawGrammar(fs.readFileSync(file, 'utf8'), file) : null;
      },
      // As VS Code does for contributions with injectTo: every injection grammar of ours, into YAML.
      getInjections: (scopeName) => (inject && scopeName === 'source.yaml' ? injections.map((g) => g.scopeName) : undefined),
    });
  grammar = await registry(true).loadGrammar('source.yaml');
  plainGrammar = await registry(false).loadGrammar('source.yaml');
  assert.ok(grammar && plainGrammar, 'the YAML grammar loads');
}, { timeout: 26 * 60_000 });

/** Every token of a text as `text -> scopes`. */
function tokenize(text, withGrammar = grammar) {
  let state = textmate.INITIAL;
  const tokens = [];
  text.split('\n').forEach((line, lineNumber) => {
    const result = withGrammar.tokenizeLine(line, state);
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

  it('contributes one injection grammar, for the suppression comments only', () => {
    assert.deepEqual(injections.map((g) => g.scopeName), ['netpol.yaml.injection']);
  });

  // Keys and values keep the YAML grammar's scopes, so every theme colours them as its YAML: the keyword scopes
  // this grammar once put on peer selector keys and policyTypes painted them red in light themes that colour
  // keywords red (VS Code's 2026 Light: keyword #cf222e, keys entity.name.tag #116329). Their meaning comes as
  // semantic tokens from the language server instead.
  it('leaves every key and value outside comments exactly as VS Code\'s YAML grammar scopes it', () => {
    const flow = 'spec:\n  policyTypes: [Ingress, Egress]\n  ingress:\n    - from:\n        - podSelector: {}\n          namespaceSelector: {}';
    for (const text of [POLICY, flow]) {
      const injected = tokenize(text).filter((t) => !t.scopes.some((s) => s.startsWith('comment')));
      const plain = tokenize(text, plainGrammar).filter((t) => !t.scopes.some((s) => s.startsWith('comment')));
      assert.deepEqual(injected, plain);
      assert.ok(!injected.some((t) => t.scopes.some((s) => s.endsWith('.netpol'))), JSON.stringify(injected.filter((t) => t.scopes.some((s) => s.endsWith('.netpol')))));
    }
    // The keys are the YAML grammar's keys (entity.name.tag), as every other key of the file.
    const tokens = tokenize(POLICY);
    assert.ok(['podSelector', 'namespaceSelector', 'ipBlock', 'policyTypes'].every((key) => tokens.some((t) => t.text === key && t.scopes.includes('entity.name.tag.yaml'))));
  });
});
