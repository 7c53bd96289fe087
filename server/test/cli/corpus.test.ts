// The peer suite: every `netpol-only` case of np-guard/netpol-analyzer's test corpus (../shared/corpus/netpol-analyzer)
// must reproduce its expected connectivity list line for line through `netpol list --format netpol-analyzer`, and so
// must the AdminNetworkPolicy/BaselineAdminNetworkPolicy cases (categories anp, banp, anp,banp), but for those listed
// in KNOWN_DIFFERENCES with the reason.
// Upstream compares after removing every newline (FORMAT.md §0); comparing line lists is at least as strict.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import * as YAML from 'yaml';
import { runCaptured } from './helpers';

const CORPUS = path.resolve(__dirname, '..', '..', '..', '..', 'shared', 'corpus', 'netpol-analyzer');
const EXPECTED_NETPOL_ONLY_CASES = 42;
const EXPECTED_ADMIN_CASES = 54;
const ADMIN_CATEGORIES = new Set(['anp', 'banp', 'anp,banp']);

/**
 * Admin cases netpol deliberately answers differently, with the finding that says why. The analyzer accepts objects
 * the CRD's validation rejects; netpol reports them and leaves them out, as the API server would.
 */
const KNOWN_DIFFERENCES = new Map<string, RegExp>([
  // CRD XValidation on AdminNetworkPolicyEgressRule (network-policy-api apis/v1alpha1): "networks/nodes peer cannot
  // be set with namedPorts since there are no namedPorts for networks/nodes".
  ['anp_test_named_ports_multiple_peers', /invalid-cluster-policy.*named port cannot be used with networks/],
]);

/**
 * Cases whose `pods` subjects or peers lack a selector the CRD requires (config/crd/standard/
 * policy.networking.k8s.io_adminnetworkpolicies.yaml: `required: [namespaceSelector, podSelector]`): netpol reports
 * and leaves those objects out; netpol-analyzer reads the missing selector as {}. With `{}` written in (what the
 * analyzer assumed), each of them must reproduce line for line.
 */
const MISSING_POD_SELECTOR = new Set([
  'anp_demo',
  'anp_test_10',
  'anp_test_10_swapping_rules',
  'anp_test_11',
  'anp_test_11_swapping_rules',
  'anp_test_12',
  'anp_test_12_swapping_rules',
  'anp_test_3_pass_traffic',
  'anp_test_8',
  'anp_test_8_swapping_rules',
  'anp_test_9',
  'anp_test_9_swapping_rules',
  'anp_test_combining_test_6_and_test_10',
  'anp_test_multiple_anps',
  'example_pods_w_same_owner_and_labels_gap_anp_good',
  'example_pods_w_same_owner_and_labels_gap_banp_good',
]);

/** A copy of a case with `{}` added for the namespaceSelector or podSelector a `pods` selection of a cluster-wide policy lacks. */
function withPodSelectors(caseDir: string): string {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'netpol-corpus-'));
  for (const name of fs.readdirSync(caseDir, { recursive: true, encoding: 'utf8' })) {
    const from = path.join(caseDir, name);
    const to = path.join(out, name);
    if (fs.statSync(from).isDirectory()) {
      fs.mkdirSync(to, { recursive: true });
      continue;
    }
    let text = fs.readFileSync(from, 'utf8');
    if (/\.ya?ml$/.test(name) && /policy\.networking\.k8s\.io/.test(text)) {
      const docs = YAML.parseAllDocuments(text);
      const visit = (node: unknown): void => {
        if (YAML.isMap(node)) {
          for (const item of node.items) {
            if (YAML.isScalar(item.key) && item.key.value === 'pods' && YAML.isMap(item.value)) {
              for (const key of ['namespaceSelector', 'podSelector']) if (!item.value.has(key)) item.value.set(key, new YAML.YAMLMap());
            }
            visit(item.value);
          }
        } else if (YAML.isSeq(node)) node.items.forEach(visit);
      };
      for (const doc of docs) if (/AdminNetworkPolicy/.test(String(doc.get('kind')))) visit(doc.contents);
      text = docs.map((d) => d.toString()).join('---\n');
    }
    fs.writeFileSync(to, text);
  }
  return out;
}

interface CorpusCase {
  name: string;
  expected: string[];
}

function readCases(categories: (category: string) => boolean = (c) => c === 'netpol-only'): CorpusCase[] {
  const tsv = path.join(CORPUS, 'cases.tsv');
  // Fail loudly: a missing corpus must never turn into a silently green suite.
  if (!fs.existsSync(tsv)) throw new Error(`the peer corpus is missing: ${tsv} not found (expected ../shared next to the repository)`);
  const [header, ...rows] = fs.readFileSync(tsv, 'utf8').split('\n').filter((l) => l.trim() !== '');
  const columns = header.split('\t');
  const nameAt = columns.indexOf('case');
  const categoryAt = columns.indexOf('category');
  const expectedAt = columns.indexOf('expected');
  return rows
    .map((r) => r.split('\t'))
    .filter((cells) => categories(cells[categoryAt]))
    .map((cells) => ({ name: cells[nameAt], expected: cells[expectedAt].split(',') }));
}

const lines = (text: string) => text.split(/\r?\n/).filter((l) => l !== '');

/**
 * Cases whose policy the API server rejects: its metadata.name is not a DNS subdomain (ValidateNetworkPolicyName,
 * apimachinery NameIsDNSSubdomain), so `kubectl apply` cannot create it. netpol-analyzer does not validate names and
 * analyses it; netpol reports it and leaves it out (issue 18 item 5), so such a case must list exactly what the case's
 * pods without the policy list.
 */
const REJECTED_POLICY: Record<string, string> = {
  example_pods_w_same_owner_and_labels_gap_with_good_match_expression: 'use_common_labels_same_values',
  example_pods_w_same_owner_and_labels_gap_with_good_match_expression2: 'use_match_exp_with_all_gap_values_of_app',
  example_pods_w_same_owner_and_labels_gap_with_policy_selector_not_in_gap: 'use_common_labels_same_values',
};

const cases = readCases();

describe('peer suite: np-guard/netpol-analyzer netpol-only corpus', () => {
  test(`the corpus lists ${EXPECTED_NETPOL_ONLY_CASES} netpol-only cases`, () => {
    assert.equal(cases.length, EXPECTED_NETPOL_ONLY_CASES);
  });

  for (const c of cases) {
    const rejected = REJECTED_POLICY[c.name];
    if (rejected) {
      test(`${c.name}: the API server rejects policy ${rejected} (not a DNS subdomain): reported, and the list is that of the pods alone`, async () => {
        const dir = path.join(CORPUS, 'cases', c.name);
        const run = await runCaptured(['list', '--format', 'netpol-analyzer', dir]);
        assert.equal(run.code, 0, run.stderr);
        const podsOnly = await runCaptured(['list', '--format', 'netpol-analyzer', path.join(dir, 'pods.yaml')]);
        assert.deepEqual(lines(run.stdout), lines(podsOnly.stdout));
        assert.notDeepEqual(lines(run.stdout), lines(fs.readFileSync(path.join(CORPUS, 'expected', `${c.name}_connlist_output.txt`), 'utf8')), 'netpol-analyzer analyses the policy');
        const check = await runCaptured(['check', '--format', 'compact', dir]);
        assert.match(check.stdout + check.stderr, new RegExp(`invalid-object.*"${rejected}" is not a valid name`));
      });
      continue;
    }
    test(`${c.name}: list --format netpol-analyzer matches ${c.name}_connlist_output.txt`, async () => {
      const expected = fs.readFileSync(path.join(CORPUS, 'expected', `${c.name}_connlist_output.txt`), 'utf8');
      const run = await runCaptured(['list', '--format', 'netpol-analyzer', path.join(CORPUS, 'cases', c.name)]);
      assert.equal(run.code, 0, run.stderr);
      assert.deepEqual(lines(run.stdout), lines(expected));
    });

    if (c.expected.includes('connlist_output.json')) {
      test(`${c.name}: list --format netpol-analyzer-json matches ${c.name}_connlist_output.json`, async () => {
        const expected = JSON.parse(fs.readFileSync(path.join(CORPUS, 'expected', `${c.name}_connlist_output.json`), 'utf8'));
        const run = await runCaptured(['list', '--format', 'netpol-analyzer-json', path.join(CORPUS, 'cases', c.name)]);
        assert.equal(run.code, 0, run.stderr);
        assert.deepEqual(JSON.parse(run.stdout), expected);
      });
    }
  }
});

const adminCases = readCases((c) => ADMIN_CATEGORIES.has(c));

describe('peer suite: np-guard/netpol-analyzer AdminNetworkPolicy and BaselineAdminNetworkPolicy corpus', () => {
  test(`the corpus lists ${EXPECTED_ADMIN_CASES} anp/banp cases`, () => {
    assert.equal(adminCases.length, EXPECTED_ADMIN_CASES);
  });

  for (const c of adminCases) {
    const difference = KNOWN_DIFFERENCES.get(c.name);
    if (difference) {
      test(`${c.name}: differs from ${c.name}_connlist_output.txt for a reason netpol reports`, async () => {
        const expected = fs.readFileSync(path.join(CORPUS, 'expected', `${c.name}_connlist_output.txt`), 'utf8');
        const run = await runCaptured(['list', '--format', 'netpol-analyzer', path.join(CORPUS, 'cases', c.name)]);
        assert.equal(run.code, 0, run.stderr);
        assert.notDeepEqual(lines(run.stdout), lines(expected));
        const check = await runCaptured(['check', '--format', 'compact', path.join(CORPUS, 'cases', c.name)]);
        assert.match(check.stdout + check.stderr, difference);
      });
      continue;
    }
    if (MISSING_POD_SELECTOR.has(c.name)) {
      test(`${c.name}: a pods selection without a selector the CRD requires is reported and left out; with {} written in, matches ${c.name}_connlist_output.txt`, async () => {
        const dir = path.join(CORPUS, 'cases', c.name);
        const check = await runCaptured(['check', '--format', 'compact', dir]);
        assert.match(check.stdout + check.stderr, /invalid-cluster-policy pods needs a (pod|namespace)Selector/);
        const expected = fs.readFileSync(path.join(CORPUS, 'expected', `${c.name}_connlist_output.txt`), 'utf8');
        const patched = withPodSelectors(dir);
        try {
          const run = await runCaptured(['list', '--format', 'netpol-analyzer', patched]);
          assert.equal(run.code, 0, run.stderr);
          assert.deepEqual(lines(run.stdout), lines(expected));
          assert.doesNotMatch((await runCaptured(['check', '--format', 'compact', patched])).stdout, /invalid-cluster-policy/);
        } finally {
          fs.rmSync(patched, { recursive: true, force: true });
        }
      });
      continue;
    }
    test(`${c.name}: list --format netpol-analyzer matches ${c.name}_connlist_output.txt`, async () => {
      const expected = fs.readFileSync(path.join(CORPUS, 'expected', `${c.name}_connlist_output.txt`), 'utf8');
      const run = await runCaptured(['list', '--format', 'netpol-analyzer', path.join(CORPUS, 'cases', c.name)]);
      assert.equal(run.code, 0, run.stderr);
      assert.deepEqual(lines(run.stdout), lines(expected));
    });
  }
});
