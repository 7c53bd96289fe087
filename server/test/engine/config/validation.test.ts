// Issue 19 item 12: every value of `.netpol.yaml` is checked, and a bad one is reported on the file at the value
// (as VS Code reports bad settings), with what applies instead; the good values still apply.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConfig } from '../../../src/engine/config';

function findingsOf(text: string) {
  const config = parseConfig('file:///w/.netpol.yaml', text);
  const inOrder = [...config.findings].sort((a, b) => a.location.range[0] - b.location.range[0]);
  return { config, at: inOrder.map((f) => ({ text: text.slice(f.location.range[0], f.location.range[1]), message: f.message, severity: f.severity })) };
}

test('maxFileSize of 0, negative or a string: reported at the value, the default applies', () => {
  for (const value of ['0', '-5', '"big"', '.nan']) {
    const { config, at } = findingsOf(`maxFileSize: ${value}\n`);
    assert.equal(config.maxFileSize, 5 * 1024 * 1024, value);
    assert.equal(at.length, 1, value);
    assert.equal(at[0].text, value);
    assert.match(at[0].message, /maxFileSize must be a positive number of bytes/);
  }
  assert.equal(findingsOf('maxFileSize: 1000\n').config.maxFileSize, 1000);
});

test('dns.ports and dns.cidrs: each bad item reported at itself, the good ones kept', () => {
  const { config, at } = findingsOf('dns:\n  ports: [53, 0, 70000, "x", 5353]\n  cidrs: [169.254.20.10/32, nope, 10/8]\n');
  assert.deepEqual(config.dns.ports, [53, 5353]);
  assert.deepEqual(config.dns.cidrs, ['169.254.20.10/32']);
  assert.deepEqual(at.map((a) => a.text), ['0', '70000', '"x"', 'nope', '10/8']);
  assert.match(at[0].message, /dns\.ports must hold port numbers from 1 to 65535/);
});

test('exclude and scope paths: a bad glob is reported at the pattern, the others apply; unknown keys are warnings', () => {
  const { config, at } = findingsOf('exclude: ["[z-a]", vendor/**, 3]\nscopes:\n  - name: prod\n    paths: [prod, "{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}"]\nexlcude: [x]\n');
  assert.deepEqual(config.exclude, ['vendor/**']);
  assert.deepEqual(config.scopes, [{ name: 'prod', paths: ['prod'] }]);
  assert.deepEqual(
    at.map((a) => [a.text, a.severity]),
    [
      ['"[z-a]"', 'error'],
      ['3', 'error'],
      ['"{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}"', 'error'],
      ['exlcude', 'warning'],
    ],
  );
  assert.match(at[0].message, /character range z-a is out of order/);
});

test('wrong shapes are reported at the value: scopes, rules, dns, objects, defaultNamespace', () => {
  const { at } = findingsOf('defaultNamespace: 5\nscopes: prod\nrules: [a]\ndns: 53\nobjects: {a: b}\n');
  assert.deepEqual(at.map((a) => a.text), ['5', 'prod', '[a]', '53', '{a: b}']);
});

test('a YAML error is reported where it is', () => {
  const text = 'rules:\n  a: [\n';
  const { at } = findingsOf(text);
  assert.equal(at.length, 1);
  assert.notEqual(parseConfig('file:///w/.netpol.yaml', text).findings[0].location.range[0], 0);
});
