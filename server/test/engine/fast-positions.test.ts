// Positions from the text (fast-positions.ts) against positions from the yaml package's nodes: for every object of
// every text the fast reader accepts, at every path of its value (and paths that are not there), `locate`,
// `nameRange` and the scalar ranges found in the text equal those the nodes give, wherever the text walk answers;
// on plain generated manifests it answers everywhere, without the file's yaml documents ever being built.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { Composer, isMap, isPair, isScalar } from 'yaml';
import { locateInText, nameRangeInText, scalarRangeInText } from '../../src/engine/fast-positions';
import { readSimpleYaml } from '../../src/engine/fast-yaml';
import { isPlainObject, nodeAt, parseFile, parseFileWithYamlPackage, type K8sObject } from '../../src/engine/parse';
import type { Path } from '../../src/engine/policy';
import { locate, nameRange } from '../../src/engine/rules/common';

const REPO = path.resolve(__dirname, '../../..');

/** Every path of a value (map keys and list indices), plus a missing key or index below each. */
function pathsOf(value: unknown, prefix: (string | number)[] = [], out: Path[] = []): Path[] {
  out.push(prefix);
  if (Array.isArray(value)) {
    value.forEach((item, i) => pathsOf(item, [...prefix, i], out));
    out.push([...prefix, value.length], [...prefix, 'missing']);
  } else if (isPlainObject(value)) {
    for (const [key, child] of Object.entries(value)) pathsOf(child, [...prefix, key], out);
    out.push([...prefix, 'missing'], [...prefix, 0]);
  } else out.push([...prefix, 'below-a-scalar']);
  return out;
}

/** The key or value scalar's range at a path, from the nodes (label-typo's `scalarAt`). */
function scalarRangeByNodes(object: K8sObject, p: Path, mapKey: boolean): readonly [number, number] | null {
  if (!mapKey) {
    const n = nodeAt(object.node, p);
    return isScalar(n) && n.range ? [n.range[0], n.range[1]] : null;
  }
  const parent = nodeAt(object.node, p.slice(0, -1));
  if (!isMap(parent)) return null;
  for (const pair of parent.items) if (isPair(pair) && isScalar(pair.key) && pair.key.value === p[p.length - 1] && pair.key.range) return [pair.key.range[0], pair.key.range[1]];
  return null;
}

interface Counts {
  asked: number;
  answered: number;
}

/** Compares text and node positions for every object of `text`; returns how often the text walk answered. */
function compare(text: string, label: string, counts: Counts): void {
  if (!readSimpleYaml(text)) return;
  const uri = 'file:///positions/x.yaml';
  const fast = parseFile(uri, text).documents.flatMap((d) => d.objects);
  const reference = parseFileWithYamlPackage(uri, text).documents.flatMap((d) => d.objects);
  assert.equal(fast.length, reference.length, label);
  fast.forEach((object, i) => {
    const other = reference[i];
    assert.equal(locateInText(other, ['metadata']), undefined, 'objects of the full parse are left to their nodes');
    const name = nameRangeInText(object);
    counts.asked++;
    if (name) {
      counts.answered++;
      assert.deepEqual(name, nameRange(other), `${label}: nameRange of ${object.kind}`);
    }
    for (const p of pathsOf(object.value)) {
      for (const key of [false, true]) {
        // The rules ask for keys of mapping entries; the key of a list item is its whole node (which for a block
        // mapping the text walk leaves to the nodes).
        const counted = !key || typeof p[p.length - 1] === 'string';
        if (counted) counts.asked++;
        const range = locateInText(object, p, { key });
        if (!range) continue;
        if (counted) counts.answered++;
        assert.deepEqual(range, locate(other, p, { key }).range, `${label}: locate ${JSON.stringify(p)}${key ? ' (key)' : ''} in:\n${text}`);
      }
      for (const mapKey of [false, true]) {
        const range = scalarRangeInText(object, p, mapKey);
        if (range === undefined) continue;
        assert.deepEqual(range, scalarRangeByNodes(other, p, mapKey), `${label}: scalar ${JSON.stringify(p)}${mapKey ? ' (map key)' : ''} in:\n${text}`);
      }
    }
  });
}

function yamlFilesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...yamlFilesUnder(full));
    else if (/\.ya?ml$/i.test(e.name)) out.push(full);
  }
  return out.sort();
}

function generatedWorkspace(seed: string): { dir: string; files: string[] } | undefined {
  const generator = path.join(REPO, '..', 'shared', 'bench', 'gen-workspace.mjs');
  if (!fs.existsSync(generator)) return undefined;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netpol-positions-'));
  execFileSync(process.execPath, [generator, path.join(dir, 'ws'), '--namespaces', '8', '--workloads', '60', '--policies', '30', '--seed', seed], { stdio: 'ignore' });
  return { dir, files: yamlFilesUnder(path.join(dir, 'ws')) };
}

// ------------------------------------------------------------------ random manifests of the fast subset and beyond
const KEYS = ['metadata', 'name', 'labels', 'app', 'spec', 'podSelector', 'matchLabels', 'ingress', 'from', 'ports', 'port', 'a.b/c', '80', 'true', 'null', '"quoted"', "'single'", '"a: b"', 'k:v', '-x', '_y'];
const SCALARS = ['web', 'a b', '"q"', "'it''s'", '""', '8080', '-1', '1.5', 'true', 'null', '~', 'x #c', 'trail  ', '[]', '[ ]', '{}', '{ }', '[a, b]', '[ "x" , \'y\' ]', '[1, true]', '{a: 1}', '[a, [b]]', '[{a: 1}]', 'http://x:80'];

interface Tree {
  map?: [string, Tree][];
  seq?: Tree[];
  scalar?: string;
}

const tree: fc.Arbitrary<Tree> = fc.letrec<{ node: Tree; map: Tree }>((tie) => ({
  node: fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...SCALARS).map((scalar) => ({ scalar })) },
    { weight: 2, arbitrary: tie('map') },
    { weight: 1, arbitrary: fc.array(tie('node'), { minLength: 1, maxLength: 3 }).map((seq) => ({ seq })) },
  ),
  map: fc.uniqueArray(fc.tuple(fc.constantFrom(...KEYS), tie('node')), { minLength: 1, maxLength: 4, selector: ([k]) => k }).map((map) => ({ map })),
})).map;

function renderMap(t: Tree, pad: string, indent: number, seqIndented: boolean, comments: boolean): string[] {
  const lines: string[] = [];
  for (const [key, value] of t.map ?? []) {
    if (comments && key.length % 3 === 0) lines.push(`${pad}# about ${key}`);
    if (value.scalar !== undefined) lines.push(`${pad}${key}: ${value.scalar}`);
    else if (value.map) lines.push(`${pad}${key}:${comments ? ' # block' : ''}`, ...renderMap(value, pad + ' '.repeat(indent), indent, seqIndented, comments));
    else lines.push(`${pad}${key}:`, ...renderSeq(value.seq!, seqIndented ? pad + ' '.repeat(indent) : pad, indent, seqIndented, comments));
  }
  return lines;
}

function renderSeq(items: Tree[], pad: string, indent: number, seqIndented: boolean, comments: boolean): string[] {
  const lines: string[] = [];
  for (const item of items) {
    if (item.scalar !== undefined) lines.push(`${pad}- ${item.scalar}`);
    else if (item.map) {
      const inner = renderMap(item, `${pad}  `, indent, seqIndented, false);
      inner[0] = `${pad}- ${inner[0].slice(pad.length + 2)}`;
      lines.push(...inner);
    } else lines.push(`${pad}- x`);
  }
  return lines;
}

const manifest = fc
  .record({
    objects: fc.array(fc.tuple(tree, fc.boolean()), { minLength: 1, maxLength: 3 }),
    indent: fc.constantFrom(2, 4),
    seqIndented: fc.boolean(),
    comments: fc.boolean(),
    list: fc.boolean(),
  })
  .map(({ objects, indent, seqIndented, comments, list }) => {
    const bodies = objects.map(([t, named]) => {
      const withName: Tree = named ? { map: [['metadata', { map: [['name', { scalar: 'obj' }]] }], ...(t.map ?? []).filter(([k]) => k !== 'metadata')] } : t;
      return { map: [['apiVersion', { scalar: 'v1' }], ['kind', { scalar: 'Thing' }], ...(withName.map ?? [])] } as Tree;
    });
    if (list) return renderMap({ map: [['apiVersion', { scalar: 'v1' }], ['kind', { scalar: 'List' }], ['items', { seq: bodies }]] }, '', indent, seqIndented, comments).join('\n') + '\n';
    return bodies.map((b) => renderMap(b, '', indent, seqIndented, comments).join('\n')).join('\n---\n') + '\n';
  });

describe('positions from the text equal positions from the yaml nodes', () => {
  it('on every YAML file of the fixtures and the shared corpus', () => {
    const files = [...yamlFilesUnder(path.join(REPO, 'test-fixtures')), ...yamlFilesUnder(path.join(REPO, '..', 'shared', 'corpus'))];
    assert.ok(files.length > 50, 'fixtures found');
    const counts = { asked: 0, answered: 0 };
    for (const file of files) compare(fs.readFileSync(file, 'utf8'), path.relative(REPO, file), counts);
    assert.ok(counts.answered > counts.asked / 2, `the text answers most questions (${counts.answered}/${counts.asked})`);
  });

  it('on seeded random manifests (Lists, flow collections, quoted and number-like keys, comments)', () => {
    const counts = { asked: 0, answered: 0 };
    let accepted = 0;
    fc.assert(
      fc.property(manifest, (text) => {
        if (readSimpleYaml(text)) accepted++;
        compare(text, 'random', counts);
      }),
      { seed: 20261127, numRuns: 800 },
    );
    assert.ok(accepted > 200, `most random manifests take the fast path (${accepted})`);
    assert.ok(counts.answered > counts.asked / 2, `the text answers most questions (${counts.answered}/${counts.asked})`);
  });

  it('on a generated workspace: every position from the text, no yaml document built', (t) => {
    const generated = generatedWorkspace('positions');
    if (!generated) return t.skip('generator not available');
    let composes = 0;
    const compose = Composer.prototype.compose;
    try {
      const counts = { asked: 0, answered: 0 };
      for (const file of generated.files) compare(fs.readFileSync(file, 'utf8'), path.basename(file), counts);
      assert.equal(counts.answered, counts.asked, 'the text answers every question the rules ask on plain manifests');
      // `locate` and `nameRange` themselves: no file's yaml documents are built.
      Composer.prototype.compose = function (this: Composer, ...args: Parameters<typeof compose>) {
        composes++;
        return compose.apply(this, args);
      } as typeof compose;
      for (const file of generated.files) {
        const parsed = parseFile(`file://${file}`, fs.readFileSync(file, 'utf8'));
        for (const object of parsed.documents.flatMap((d) => d.objects)) {
          nameRange(object);
          for (const p of pathsOf(object.value)) locate(object, p, { key: typeof p[p.length - 1] === 'string' && p.length % 2 === 0 });
        }
      }
      assert.equal(composes, 0, 'no yaml parse');
    } finally {
      Composer.prototype.compose = compose;
      fs.rmSync(generated.dir, { recursive: true, force: true });
    }
  });
});
