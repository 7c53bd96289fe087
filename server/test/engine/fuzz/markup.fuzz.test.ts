// Strings from the workspace in hover markdown (issue 7, "Security"): names, labels, namespaces and port names
// holding HTML, markdown links, backticks and line breaks must come out as text. Outside code spans no raw HTML
// tag and no link other than the editor's own file links may appear; code spans must not be broken out of.
// Seeded (see arbitraries.ts).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { completion } from '../../../src/engine/features/completion';
import { hover } from '../../../src/engine/features/hover';
import { codeLenses } from '../../../src/engine/features/lenses';
import { Workspace } from '../../../src/engine/workspace';
import { FUZZ_SEED, fuzzOptions } from './arbitraries';

const HOSTILE = [
  '<img src=x onerror=alert(1)>',
  '<script>alert(1)</script>',
  '[click](command:workbench.action.terminal.new)',
  '[x](javascript:alert(1))',
  '](https://evil.example)',
  '``',
  '`',
  '` <b>bold</b> `',
  '*a*_b_',
  'line\nbreak',
  '\\',
  '|table|',
  '# heading',
  '&lt;img&gt;',
  'app',
];

const hostileString = fc.oneof(
  fc.constantFrom(...HOSTILE),
  fc.array(fc.constantFrom(...HOSTILE), { minLength: 2, maxLength: 3 }).map((parts) => parts.join('')),
);

/** The markdown with code spans removed (their content is shown verbatim), and whether the spans were well formed. */
function outsideCode(markdown: string): string {
  let out = '';
  let i = 0;
  while (i < markdown.length) {
    if (markdown[i] === '\\') {
      out += markdown.slice(i, i + 2);
      i += 2;
      continue;
    }
    if (markdown[i] !== '`') {
      out += markdown[i++];
      continue;
    }
    let run = 0;
    while (markdown[i + run] === '`') run++;
    const fence = '`'.repeat(run);
    // A code span ends at the next backtick run of exactly the same length.
    let close = -1;
    for (let j = markdown.indexOf(fence, i + run); j >= 0; j = markdown.indexOf(fence, j + 1)) {
      if (markdown[j - 1] !== '`' && markdown[j + run] !== '`') {
        close = j;
        break;
      }
    }
    if (close < 0) {
      out += fence;
      i += run;
    } else i = close + run;
  }
  return out;
}

function assertSafe(markdown: string, where: string): void {
  const text = outsideCode(markdown);
  const html = /(^|[^\\])<\/?[A-Za-z]/.exec(text);
  assert.ok(!html, `${where}: raw HTML outside code: ${JSON.stringify(text.slice(Math.max(0, (html?.index ?? 0) - 20), (html?.index ?? 0) + 40))}\n${markdown}`);
  for (const m of text.matchAll(/(^|[^\\])\]\(([^)]*)\)/g)) {
    assert.ok(m[2].startsWith('file:///'), `${where}: a link to ${JSON.stringify(m[2])}\n${markdown}`);
  }
}

describe(`fuzz: workspace strings in hovers are text (seed ${FUZZ_SEED})`, () => {
  it('hostile names, labels, namespaces and port names', () => {
    fc.assert(
      fc.property(hostileString, hostileString, hostileString, hostileString, (name, labelValue, namespace, portName) => {
        const objects = [
          { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace, labels: { team: labelValue } } },
          {
            apiVersion: 'apps/v1',
            kind: 'Deployment',
            metadata: { name, namespace },
            spec: { template: { metadata: { labels: { app: labelValue, [labelValue]: 'x' } }, spec: { containers: [{ name, ports: [{ containerPort: 80, name: portName }] }] } } },
          },
          {
            apiVersion: 'networking.k8s.io/v1',
            kind: 'NetworkPolicy',
            metadata: { name, namespace },
            spec: {
              podSelector: { matchLabels: { app: labelValue } },
              ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: labelValue } }, podSelector: { matchExpressions: [{ key: labelValue, operator: 'In', values: [labelValue] }] } }], ports: [{ port: portName }] }],
              egress: [{ to: [{ podSelector: {} }] }],
            },
          },
        ];
        const text = objects.map((o) => stringify(o)).join('---\n');
        const uri = 'file:///repo/hostile.yaml';
        const workspace = new Workspace();
        workspace.setFile(uri, text);
        for (let offset = 0; offset <= text.length; offset += 3) {
          const h = hover(workspace, uri, offset);
          if (h) assertSafe(h.markdown, `hover at ${offset}`);
          // Completion documentation goes out as a plain string (plain text in LSP): asked only for not failing.
          completion(workspace, uri, offset, text);
        }
        for (const lens of codeLenses(workspace, uri)) assert.ok(!/[<>]/.test(lens.title) || lens.title.includes(name) || lens.title.includes(namespace), lens.title);
      }),
      fuzzOptions(40),
    );
  });

  it('the checker itself flags raw HTML, foreign links and broken code spans', () => {
    assert.throws(() => assertSafe('a <img src=x> b', 't'), /raw HTML/);
    assert.throws(() => assertSafe('[x](command:evil)', 't'), /link/);
    assert.throws(() => assertSafe('``a``<b>``', 't'), /raw HTML/);
    assertSafe('`<img src=x>` and \\<b\\> and [ns/a](file:///repo/a.yaml#L3) and ``a ` b``', 't');
  });
});
