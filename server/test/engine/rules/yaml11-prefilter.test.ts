// The unquoted-label-value rule skips the YAML 1.1 patterns for strings that cannot match them
// (`mayReadAsNonString`): the skip must never hide a value `yaml11Type` reads as a boolean, null or number.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { yaml11Type } from '../../../src/engine/edits';
import { mayReadAsNonString } from '../../../src/engine/rules/unquoted-label-value';

const ALPHABET = ['0', '1', '7', '9', 'x', 'b', 'e', 'E', '_', ':', '.', '+', '-', '~', 'y', 'Y', 'n', 'N', 'o', 'O', 't', 'f', 'a', 'i', 'l', 'u', 's', 'r', 'F', 'T', 'S', 'A', 'L', 'U', 'R', 'I', 'z', ' '];

function* stringsUpTo(length: number, prefix = ''): Generator<string> {
  yield prefix;
  if (prefix.length === length) return;
  for (const c of ALPHABET) yield* stringsUpTo(length, prefix + c);
}

test('mayReadAsNonString holds for every string of up to 3 characters that yaml11Type reads as a non-string', () => {
  let nonStrings = 0;
  for (const s of stringsUpTo(3)) {
    if (yaml11Type(s) === undefined) continue;
    nonStrings++;
    assert.ok(mayReadAsNonString(s), JSON.stringify(s));
  }
  assert.ok(nonStrings > 100);
});

test('mayReadAsNonString holds for the YAML 1.1 words and longer numbers (yaml.org/type/bool, int, float, null)', () => {
  const samples = ['yes', 'Yes', 'YES', 'no', 'NO', 'true', 'True', 'TRUE', 'false', 'False', 'FALSE', 'on', 'ON', 'off', 'Off', 'OFF', 'null', 'Null', 'NULL', '~',
    '8080', '1.10', '0777', '1_000', '0x1F', '0b1010', '190:20:30', '-12', '+3.5e+10', '1e3', '.inf', '-.Inf', '.NaN', '6.8523015e+5', '685.230_15e+03', '1230.15'];
  for (const s of samples) {
    assert.notEqual(yaml11Type(s), undefined, s);
    assert.ok(mayReadAsNonString(s), s);
  }
});

test('mayReadAsNonString skips ordinary label values', () => {
  for (const s of ['web', 'frontend', 'nginx', 'offline', 'yesterday', 'tr', 'api-v2', 'kube-dns', '']) {
    assert.equal(yaml11Type(s), undefined, s);
    assert.equal(mayReadAsNonString(s), false, s);
  }
});
