// Bad and hostile input through the whole engine (parseFile, Workspace, buildModel, Analysis, every rule): each
// input gets a finding at its position or is skipped, nothing throws, and the other documents and files of the
// workspace are still analysed (issue 7, "Bad and hostile input").
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_NESTING, parseFile } from '../../../src/engine/parse';
import { BINARY_FILE, FILE_TOO_LARGE, Workspace } from '../../../src/engine/workspace';
import { analyse, assertHealthy, assertRangesInside, diagnosticsOf, ROOT, textAt, WITNESS } from './harness';

const POLICY = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: api-ingress # comment
  namespace: shop
spec:
  podSelector:
    matchLabels:
      app: api
  policyTypes: [Ingress, Egress]
  ingress:
    - from:
        - namespaceSelector:
            matchLabels: {team: web}
          podSelector:
            matchExpressions:
              - {key: tier, operator: In, values: [frontend]}
        - ipBlock: {cidr: 10.0.0.0/8, except: [10.1.0.0/16]}
      ports:
        - {protocol: TCP, port: 8080, endPort: 8090}
        - port: http
  egress:
    - to: [{podSelector: {}}]
`;
const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: shop
spec:
  replicas: 2
  template:
    metadata:
      labels: {app: api, tier: frontend}
    spec:
      containers:
        - name: api
          ports: [{containerPort: 8080, name: http}]
`;
const file = (name: string) => `${ROOT}/${name}`;

function codes(list: { ruleId: string }[]): string[] {
  return list.map((d) => d.ruleId);
}

describe('hostile input: YAML syntax', () => {
  it('a document that does not parse gets parse errors inside it; the next document of the file is analysed', () => {
    const broken = 'apiVersion: v1\nkind: Namespace\nmetadata: {name: [unclosed\n';
    const run = analyse({ [file('mixed.yaml')]: `${broken}---\n${DEPLOYMENT}` });
    assertHealthy(run);
    assertRangesInside(run);
    const errors = diagnosticsOf(run, file('mixed.yaml')).filter((d) => d.ruleId === 'parse-error');
    assert.ok(errors.length > 0, 'a parse-error diagnostic');
    for (const e of errors) assert.ok(e.location.range[0] <= broken.length, 'the error sits in the broken document');
    assert.ok(run.workspace.scopes()[0].model.workloads.some((w) => w.name === 'api'), 'the good document is still read');
  });

  it('every prefix of a policy and a deployment (a half-typed document) is analysed without a failure', () => {
    const text = `${DEPLOYMENT}---\n${POLICY}`;
    // Every third prefix keeps the run short; the next loop covers every single prefix of the policy through the parser.
    for (let end = 0; end <= text.length; end += 3) {
      const run = analyse({ [file('typing.yaml')]: text.slice(0, end) });
      assertHealthy(run);
      assertRangesInside(run);
    }
  });

  it('every prefix also parses on its own without throwing (the editor re-parses on each keystroke)', () => {
    for (let end = 0; end <= POLICY.length; end += 1) parseFile(file('p.yaml'), POLICY.slice(0, end));
  });

  it('duplicate keys are an error at the repeated key, not a silent last-one-wins', () => {
    const text = 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n  name: b\n';
    const run = analyse({ [file('dup.yaml')]: text });
    assertHealthy(run);
    const error = diagnosticsOf(run, file('dup.yaml')).find((d) => d.ruleId === 'parse-error');
    assert.ok(error, 'a parse-error diagnostic');
    assert.match(error.message, /unique/i);
    assert.equal(error.location.range[0], text.lastIndexOf('name'), 'at the second `name` key');
  });

  it('tabs used as indentation are an error on their line', () => {
    const text = 'apiVersion: v1\nkind: Namespace\nmetadata:\n\tname: a\n';
    const run = analyse({ [file('tabs.yaml')]: text });
    assertHealthy(run);
    const error = diagnosticsOf(run, file('tabs.yaml')).find((d) => d.ruleId === 'parse-error');
    assert.ok(error, 'a parse-error diagnostic');
    const line = text.slice(0, error.location.range[0]).split('\n').length;
    assert.equal(line, 4, 'on the line with the tab');
  });

  it('tabs inside values and after the indentation are fine', () => {
    const run = analyse({ [file('tab-values.yaml')]: 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name:\tshop\t# tabbed\n' });
    assertHealthy(run);
    assert.deepEqual(codes(diagnosticsOf(run, file('tab-values.yaml'))).filter((c) => c === 'parse-error'), []);
    assert.ok(run.workspace.scopes()[0].model.namespaces.get('shop')?.implicit === false);
  });

  it('CRLF line endings read the same objects as LF, with positions on the same text', () => {
    const lf = `${DEPLOYMENT}---\n${POLICY}`;
    const crlf = lf.replace(/\n/g, '\r\n');
    const a = analyse({ [file('lf.yaml')]: lf });
    const b = analyse({ [file('lf.yaml')]: crlf });
    assertHealthy(b);
    assertRangesInside(b);
    const values = (run: typeof a) => run.workspace.scopes()[0].model.objects.map((o) => o.value);
    assert.deepEqual(values(b), values(a));
    const policy = b.workspace.scopes()[0].model.policies.find((p) => p.name === 'api-ingress');
    assert.ok(policy?.valid, 'the CRLF policy is valid');
    const range = policy.object.node?.range;
    assert.ok(range);
    assert.ok(crlf.slice(range[0], range[1]).startsWith('apiVersion: networking.k8s.io/v1\r\n'));
    const texts = (run: typeof a) => [...run.diagnostics.values()].flat().map((d) => `${d.ruleId}:${textAt(run, d).replace(/\r/g, '')}`);
    assert.deepEqual(texts(b).sort(), texts(a).sort(), 'the same diagnostics on the same text');
  });

  it('a byte order mark is not content: the object is read and positions still point at the right text', () => {
    const text = `\uFEFF${POLICY}`;
    const parsed = parseFile(file('bom.yaml'), text);
    const object = parsed.documents[0]?.objects[0];
    assert.equal(object?.kind, 'NetworkPolicy');
    const run = analyse({ [file('bom.yaml')]: text });
    assertHealthy(run);
    assertRangesInside(run);
    const policy = run.workspace.scopes()[0].model.policies.find((p) => p.name === 'api-ingress');
    assert.ok(policy?.valid);
    const node = policy.object.node;
    assert.ok(node?.range);
    assert.equal(text.slice(node.range[0], node.range[0] + 'apiVersion'.length), 'apiVersion');
  });

  it('invalid UTF-8 (decoded with U+FFFD) gives findings, never a failure', () => {
    const bytes = Buffer.concat([
      Buffer.from('apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: bad-bytes\n  namespace: shop\nspec:\n  podSelector:\n    matchLabels:\n      app: a'),
      Buffer.from([0xc3, 0x28, 0xff, 0xfe, 0xed, 0xa0, 0x80]),
      Buffer.from('\n  ingress:\n    - from: [{podSelector: {matchLabels: {k'),
      Buffer.from([0xf0, 0x28, 0x8c, 0x28]),
      Buffer.from(': v}}}]\n'),
    ]);
    const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
    assert.ok(text.includes('\uFFFD'));
    const run = analyse({ [file('bytes.yaml')]: text });
    assertHealthy(run);
    assertRangesInside(run);
    const policy = run.workspace.scopes()[0].model.policies.find((p) => p.name === 'bad-bytes');
    assert.ok(policy, 'the policy is read');
    assert.equal(policy.valid, false, 'U+FFFD is not allowed in label values or keys: the API server rejects it');
    assert.ok(policy.problems.some((p) => p.code === 'invalid-label-selector' && p.path.join('.') === 'spec.podSelector.matchLabels.app'));
  });

  it('a binary file named .yaml is skipped with one finding', () => {
    const bytes = Buffer.alloc(4096);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7919 + 13) % 256;
    const text = bytes.toString('utf8');
    const run = analyse({ [file('image.yaml')]: text });
    assertHealthy(run);
    assertRangesInside(run);
    assert.deepEqual(codes(diagnosticsOf(run, file('image.yaml'))), [BINARY_FILE]);
    assert.deepEqual(run.workspace.getFile(file('image.yaml'))?.documents, []);
    assert.deepEqual(run.workspace.getFile(file('image.yaml'))?.lineCounter.linePos(0), { line: 1, col: 1 }, 'the finding is on line 1');
  });

  it('binary-looking text without NUL characters is parsed and does not fail', () => {
    let text = '';
    for (let i = 0; i < 4096; i++) text += String.fromCharCode(1 + ((i * 7919) % 0x2fff));
    const run = analyse({ [file('noise.yaml')]: text });
    assertHealthy(run);
    assertRangesInside(run);
  });

  it('empty files, comments only, separators only, scalars and top-level lists are not objects and get no diagnostics', () => {
    const inputs = ['', '\n\n', '# only a comment\n', '---\n---\n...\n', 'just a string', '42', 'null', '- a\n- b\n', '[1, 2]', '{}'];
    const files = Object.fromEntries(inputs.map((text, i) => [file(`odd-${i}.yaml`), text]));
    const run = analyse(files);
    assertHealthy(run);
    for (const uri of Object.keys(files)) assert.deepEqual(diagnosticsOf(run, uri), [], uri);
  });

  it('__proto__, constructor and other Object.prototype names as keys and labels do not leak into other objects', () => {
    const text = `apiVersion: apps/v1
kind: Deployment
metadata: {name: proto, namespace: shop, labels: {__proto__: x}}
spec:
  template:
    metadata:
      labels: {constructor: c, toString: t, __proto__: {polluted: yes}}
    spec: {containers: [{name: c}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: proto-policy, namespace: shop}
spec:
  podSelector:
    matchLabels: {hasOwnProperty: x, __proto__: y}
  ingress:
    - from: [{podSelector: {matchLabels: {constructor: c}}}]
`;
    const run = analyse({ [file('proto.yaml')]: text });
    assertHealthy(run);
    assert.equal(({} as Record<string, unknown>).polluted, undefined, 'Object.prototype is untouched');
    const scope = run.workspace.scopes()[0];
    const policy = scope.model.policies.find((p) => p.name === 'proto-policy');
    const witness = scope.model.workloads.find((w) => w.name === 'witness');
    assert.ok(policy && witness);
    assert.equal(scope.analysis.selectingPolicies(witness).includes(policy), false, 'inherited names are not labels');
  });
});

describe('hostile input: nothing on standard error', () => {
  it('collection keys (stringified by the yaml package) and other odd YAML print no warnings: the server\'s stderr is the editor\'s log', () => {
    const warnings: unknown[] = [];
    const emitWarning = process.emitWarning;
    const warn = console.warn;
    process.emitWarning = ((warning: unknown) => void warnings.push(warning)) as typeof process.emitWarning;
    console.warn = (...args: unknown[]) => void warnings.push(args);
    try {
      const text = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: keys\n  namespace: shop\ndata:\n  ? [a, b]\n  : 1\n  ? {c: d}\n  : 2\n';
      const run = analyse({ [file('keys.yaml')]: text, [file('.netpol.yaml')]: '? [x]\n: 1\n' });
      assertHealthy(run);
      for (const object of run.workspace.scopes()[0].model.objects) void object.node;
    } finally {
      process.emitWarning = emitWarning;
      console.warn = warn;
    }
    assert.deepEqual(warnings, []);
  });
});

describe('hostile input: other formats', () => {
  it('JSON files that hold no Kubernetes object (package.json, tsconfig.json with comments, tool metadata) are not read as YAML, so not reported', () => {
    const tsconfig = '{\n  // comments are fine in tsconfig.json; "kinds" are not a kind\n  "compilerOptions": { "strict": true, },\n}\n';
    // Valid JSON with kind keys below its root (tool metadata) holds no object either.
    const metadata = JSON.stringify({ generator: 'x', defects: [{ kind: 'Deployment', name: 'a' }] });
    const run = analyse({ [file('tsconfig.json')]: tsconfig, [file('package.json')]: '{"name": "x", "kinds": [], "version": ', [file('meta.json')]: metadata });
    assertHealthy(run);
    assert.deepEqual(diagnosticsOf(run, file('tsconfig.json')), []);
    assert.deepEqual(diagnosticsOf(run, file('package.json')), []);
    assert.deepEqual(run.workspace.getFile(file('meta.json'))?.documents, []);
    assert.deepEqual(run.workspace.getFile(file('tsconfig.json'))?.documents, []);
    // The same broken text in a YAML file is still read, and its syntax reported.
    assert.ok(codes(diagnosticsOf(analyse({ [file('package.yaml')]: '{"name": "x", "version": ' }), file('package.yaml'))).includes('parse-error'));
  });

  it('JSON manifests are read like YAML; broken JSON gets a parse error', () => {
    const json = JSON.stringify({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'from-json', namespace: 'shop' },
      spec: { podSelector: { matchLabels: { app: 'api' } }, ingress: [{ ports: [{ port: 8080 }] }] },
    }, null, 2);
    const run = analyse({ [file('policy.json')]: json, [file('broken.json')]: '{"apiVersion": "v1", "kind": ' });
    assertHealthy(run);
    assertRangesInside(run);
    assert.ok(run.workspace.scopes()[0].model.policies.some((p) => p.name === 'from-json' && p.valid));
    assert.ok(codes(diagnosticsOf(run, file('broken.json'))).includes('parse-error'));
  });

  it('Helm templates are skipped with one information at the first {{ }}; plain documents of the file are read', () => {
    const template = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: {{ include "chart.fullname" . }}
spec:
  podSelector:
    matchLabels: {{- toYaml .Values.selector | nindent 6 }}
{{- if .Values.egress }}
  egress: {{ .Values.egress }}
{{- end }}
`;
    const run = analyse({ [file('templates/policy.yaml')]: `${template}---\n${DEPLOYMENT}` });
    assertHealthy(run);
    assertRangesInside(run);
    const list = diagnosticsOf(run, file('templates/policy.yaml'));
    const skipped = list.filter((d) => d.ruleId === 'template-skipped');
    assert.equal(skipped.length, 1);
    assert.equal(textAt(run, skipped[0]), '{{ include "chart.fullname" . }}');
    assert.deepEqual(codes(list).filter((c) => c === 'parse-error'), [], 'no YAML errors for template syntax');
    assert.ok(run.workspace.scopes()[0].model.workloads.some((w) => w.name === 'api'));
  });

  it('kustomize patches (partial objects) are not analysed as objects', () => {
    const run = analyse({
      [file('overlay/kustomization.yaml')]: 'resources: [../base]\nnamespace: prod\npatches:\n  - path: patch.yaml\npatchesStrategicMerge: [sm.yaml]\n',
      [file('overlay/patch.yaml')]: 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: api-ingress\nspec:\n  ingress: null\n',
      [file('overlay/sm.yaml')]: 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  replicas: 5\n',
      [file('base/kustomization.yaml')]: 'resources: [deployment.yaml]\n',
      [file('base/deployment.yaml')]: DEPLOYMENT,
    });
    assertHealthy(run);
    assertRangesInside(run);
    for (const uri of [file('overlay/patch.yaml'), file('overlay/sm.yaml')]) assert.deepEqual(diagnosticsOf(run, uri), [], uri);
    const workloads = run.workspace.scopes().flatMap((s) => s.model.workloads.filter((w) => w.name === 'api'));
    assert.ok(workloads.length > 0 && workloads.every((w) => w.replicated), 'the base deployment, not the patch');
  });

  it('kustomization cycles, self-references and wrong shapes terminate and keep the manifests', () => {
    const run = analyse({
      [`${ROOT}/.netpol.yaml`]: 'scopes:\n  - {name: a, paths: [a]}\n  - {name: b, paths: [b]}\n',
      [file('a/kustomization.yaml')]: 'namespace: ns-a\nresources: [../b, ., ./, ../a, deployment.yaml, /etc/passwd, "https://example.com/x", ../../../../..]\n',
      [file('b/kustomization.yaml')]: 'namespace: ns-b\nresources: [../a]\nbases: [../b]\npatches: [{path: 7}, 5, null, {path: ../a/deployment.yaml}]\n',
      [file('a/deployment.yaml')]: DEPLOYMENT,
      [file('c/kustomization.yaml')]: 'resources: 5\nnamespace: [x]\npatchesStrategicMerge: {a: 1}\n',
      [file('d/kustomization.yaml')]: '{{ broken',
      [file('c/deployment.yaml')]: DEPLOYMENT.replace('name: api', 'name: api-c'),
    });
    assertHealthy(run);
    assertRangesInside(run);
    assert.ok(run.workspace.scopes().some((s) => s.model.workloads.some((w) => w.name === 'api-c')));
  });

  it('a partial object outside any kustomization gets a warning, not a failure', () => {
    const run = analyse({ [file('partial.yaml')]: 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  replicas: 5\n' });
    assertHealthy(run);
    const list = diagnosticsOf(run, file('partial.yaml'));
    assert.ok(list.some((d) => d.ruleId === 'invalid-object' && /no pod template/.test(d.message)));
  });
});

describe('hostile input: resource exhaustion', () => {
  it('an alias bomb ("billion laughs") is refused by the alias limit at its document, in bounded time', (t) => {
    const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 12; i++) {
      const name = String.fromCharCode(97 + i);
      const prev = String.fromCharCode(96 + i);
      levels.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(',')}]`);
    }
    const bomb = `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: lol}\ndata:\n${levels.map((l) => `  ${l}`).join('\n')}\n`;
    const started = performance.now();
    const run = analyse({ [file('bomb.yaml')]: `${bomb}---\n${DEPLOYMENT}` });
    t.diagnostic(`alias bomb (9^12 nodes when expanded): ${(performance.now() - started).toFixed(0)} ms`);
    assertHealthy(run);
    assertRangesInside(run);
    const errors = diagnosticsOf(run, file('bomb.yaml')).filter((d) => d.ruleId === 'parse-error');
    assert.equal(errors.length, 1);
    assert.ok(errors[0].location.range[1] <= bomb.length, 'on the bomb document');
    assert.match(errors[0].message, /alias/i);
    assert.ok(run.workspace.scopes()[0].model.workloads.some((w) => w.name === 'api'), 'the next document is read');
  });

  it('a few aliases within a manifest are fine (anchors are legitimate YAML)', () => {
    const text = `apiVersion: apps/v1
kind: Deployment
metadata: {name: anchored, namespace: shop, labels: &labels {app: anchored}}
spec:
  template:
    metadata: {labels: *labels}
    spec: {containers: [{name: c}]}
`;
    const run = analyse({ [file('anchors.yaml')]: text });
    assertHealthy(run);
    const w = run.workspace.scopes()[0].model.workloads.find((x) => x.name === 'anchored');
    assert.deepEqual(w?.podLabels, { app: 'anchored' });
  });

  // Block maps need an indentation per level: 3,000 levels already take 4.5 million characters (below the 5 MB limit).
  for (const [shape, depth, make] of [
    ['flow sequences', 10_000, (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`],
    ['flow maps', 10_000, (n: number) => `${'{a: '.repeat(n)}1${'}'.repeat(n)}`],
    ['compact block sequences', 10_000, (n: number) => `\n  ${'- '.repeat(n)}x`],
    ['block maps', 3_000, (n: number) => `\n${Array.from({ length: n }, (_, i) => `${' '.repeat(i + 1)}k:`).join('\n')} x`],
  ] as const) {
    it(`a document nested ${depth} levels deep (${shape}) is refused at its document; the others are read`, (t) => {
      const deep = `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: deep}\ndata: ${make(depth)}\n`;
      const started = performance.now();
      const run = analyse({ [file('deep.yaml')]: `${deep}---\n${DEPLOYMENT}` });
      t.diagnostic(`${depth} levels of ${shape} (${deep.length} characters): ${(performance.now() - started).toFixed(0)} ms`);
      assertHealthy(run);
      assertRangesInside(run);
      const errors = diagnosticsOf(run, file('deep.yaml')).filter((d) => d.ruleId === 'parse-error');
      assert.ok(errors.length >= 1, 'a parse error');
      for (const e of errors) assert.ok(e.location.range[0] <= deep.length, 'in the deep document');
      const api = run.workspace.scopes()[0].model.workloads.find((w) => w.name === 'api');
      assert.ok(api, 'the next document is read');
      const text = run.workspace.getFile(file('deep.yaml'))!.text;
      assert.equal(text.slice(api.object.range[0], api.object.range[1]), DEPLOYMENT, 'with positions in the whole file');
      assert.ok(errors.every((e) => /nested (too deeply|more than)/.test(e.message)), errors.map((e) => e.message).join('; '));
    });
  }

  it('text full of {{ without }} and nesting that once aborted the process (a V8 fatal error) is read quickly', (t) => {
    // `a: {{{{...` 20,000 deep after a smaller one: the yaml parser recursed to the stack limit and V8 aborted with
    // "RegExpCompiler Allocation failed"; the template search was quadratic on it.
    for (const n of [5_000, 20_000, 200_000]) {
      const text = `a: ${'{{'.repeat(n)}\n---\n${DEPLOYMENT}`;
      const started = performance.now();
      const run = analyse({ [file('braces.yaml')]: text });
      t.diagnostic(`${2 * n} braces: ${(performance.now() - started).toFixed(0)} ms`);
      assertHealthy(run);
      const errors = diagnosticsOf(run, file('braces.yaml')).filter((d) => d.ruleId === 'parse-error');
      assert.ok(errors.some((e) => /nested more than/.test(e.message)));
      assert.ok(run.workspace.scopes()[0].model.workloads.some((w) => w.name === 'api'), 'the next document is read');
    }
  });

  it('nesting up to the limit goes through the whole engine', () => {
    for (const depth of [100, 300, MAX_NESTING - 20]) {
      const policy = `${POLICY}  # deep annotation\n`.replace('metadata:\n', `metadata:\n  annotations: {x: "y"}\n  labels: {}\n  extra: ${'['.repeat(depth)}${']'.repeat(depth)}\n`);
      const run = analyse({ [file('nested.yaml')]: policy });
      assertHealthy(run);
    }
  });

  it('a 100 MB file is refused by the size limit without being parsed, in bounded time', (t) => {
    const chunk = `${DEPLOYMENT}---\n`;
    const text = chunk.repeat(Math.ceil((100 * 1024 * 1024) / chunk.length));
    const workspace = new Workspace();
    const started = performance.now();
    const parsed = workspace.setFile(file('huge.yaml'), text);
    workspace.setFile(file('witness.yaml'), WITNESS);
    const scopes = workspace.scopes();
    t.diagnostic(`100 MB file refused in ${(performance.now() - started).toFixed(0)} ms`);
    assert.ok(parsed);
    assert.deepEqual(parsed.documents, []);
    assert.deepEqual(parsed.findings.map((f) => f.code), [FILE_TOO_LARGE]);
    assert.ok(scopes[0].model.workloads.some((w) => w.name === 'witness'));
  });

  it('the size limit follows .netpol.yaml: a file refused under a small limit is read once the limit grows, and back', () => {
    const workspace = new Workspace();
    workspace.setFile(`${ROOT}/.netpol.yaml`, 'maxFileSize: 100\n');
    workspace.setFile(file('deployment.yaml'), DEPLOYMENT);
    assert.deepEqual(workspace.getFile(file('deployment.yaml'))?.findings.map((f) => f.code), [FILE_TOO_LARGE]);
    assert.equal(workspace.scopes()[0].model.workloads.length, 0);
    workspace.setFile(`${ROOT}/.netpol.yaml`, 'maxFileSize: 100000\n');
    assert.deepEqual(workspace.getFile(file('deployment.yaml'))?.findings, []);
    assert.equal(workspace.scopes()[0].model.workloads.length, 1);
    workspace.setFile(`${ROOT}/.netpol.yaml`, 'maxFileSize: 10\n');
    assert.equal(workspace.scopes()[0].model.workloads.length, 0);
    workspace.deleteFile(`${ROOT}/.netpol.yaml`);
    assert.equal(workspace.scopes()[0].model.workloads.length, 1, 'back to the default limit');
  });

  it('a hostile .netpol.yaml (deep nesting, an alias bomb, several documents, 7 MB) gives a finding; manifests are still read', () => {
    const levels = ['a: &a [x,x,x,x,x,x,x,x,x]', ...Array.from({ length: 10 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(9).fill(`*${String.fromCharCode(97 + i)}`).join(',')}]`)];
    const huge = `defaultNamespace: x\nexclude:\n${'  - "**/never/*.yaml"\n'.repeat(300_000)}`;
    for (const config of [`scopes: ${'['.repeat(20_000)}\n`, `${levels.join('\n')}\n`, 'defaultNamespace: a\n---\ndefaultNamespace: b\n', huge]) {
      const run = analyse({ [`${ROOT}/.netpol.yaml`]: config, [file('deployment.yaml')]: DEPLOYMENT });
      assertHealthy(run);
      assert.ok(run.workspace.config.findings.some((f) => f.code === 'invalid-config'), config.slice(0, 40));
      assert.ok(run.workspace.scopes()[0].model.workloads.some((w) => w.name === 'api'));
    }
  });

  it('a single very long line (a 2 MB scalar) is read', () => {
    const text = `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: long}\ndata:\n  blob: ${'x'.repeat(2 * 1024 * 1024)}\n---\n${DEPLOYMENT}`;
    const run = analyse({ [file('long.yaml')]: text });
    assertHealthy(run);
    assert.ok(run.workspace.scopes()[0].model.workloads.some((w) => w.name === 'api'));
  });
});
