// Misspelled or misplaced fields and wrong value types in a NetworkPolicy. kubectl validates fields strictly
// (unknown fields are errors since Kubernetes 1.27), and a misspelled `ingres` silently means "no ingress rules"
// to anyone applying with validation off. Wrong shapes the policy reader finds (a string where a list belongs)
// come from its `unknown-field` problems; this rule adds unknown keys, with a did-you-mean fix.
import { distance } from 'fastest-levenshtein';
import { isMap, isPair, isScalar, type Node as YamlNode } from 'yaml';
import { replaceScalar } from '../edits';
import { scalarRangeInText } from '../fast-positions';
import { isPlainObject, nodeAt } from '../parse';
import type { NetworkPolicy, Path } from '../policy';
import { inWorkspace, policyProblemRule } from './common';
import type { Rule, RuleContext } from './types';

type Schema =
  | { type: 'map'; name: string; fields: Record<string, Schema> }
  | { type: 'list'; item: Schema }
  | { type: 'scalar' }
  | { type: 'any' };

const scalar: Schema = { type: 'scalar' };
const any: Schema = { type: 'any' };
const list = (item: Schema): Schema => ({ type: 'list', item });
const map = (name: string, fields: Record<string, Schema>): Schema => ({ type: 'map', name, fields });

// Field names of networking.k8s.io/v1 NetworkPolicy and metav1.ObjectMeta (Kubernetes API reference).
const selector = map('a label selector', { matchLabels: any, matchExpressions: list(map('a match expression', { key: scalar, operator: scalar, values: list(scalar) })) });
const peer = map('a peer', { podSelector: selector, namespaceSelector: selector, ipBlock: map('an ipBlock', { cidr: scalar, except: list(scalar) }) });
const port = map('a port', { protocol: scalar, port: scalar, endPort: scalar });
const metadata = map('metadata', Object.fromEntries(
  ['name', 'namespace', 'labels', 'annotations', 'generateName', 'uid', 'resourceVersion', 'generation', 'creationTimestamp',
    'deletionTimestamp', 'deletionGracePeriodSeconds', 'ownerReferences', 'finalizers', 'managedFields', 'selfLink'].map((f) => [f, any]),
));
const NETWORK_POLICY = map('a NetworkPolicy', {
  apiVersion: scalar,
  kind: scalar,
  metadata,
  spec: map('spec', {
    podSelector: selector,
    policyTypes: list(scalar),
    ingress: list(map('an ingress rule', { from: list(peer), ports: list(port) })),
    egress: list(map('an egress rule', { to: list(peer), ports: list(port) })),
  }),
  status: any,
});

/** Where each field of the NetworkPolicy schema belongs, for misplaced fields. */
const HOMES: Record<string, string> = {
  podSelector: 'spec (the pods the policy applies to) or a from/to peer',
  namespaceSelector: 'a from/to peer (`- namespaceSelector: ...`)',
  ipBlock: 'a from/to peer (`- ipBlock: {cidr: ...}`)',
  from: 'ingress rules',
  to: 'egress rules',
  ports: 'ingress and egress rules',
  ingress: 'spec',
  egress: 'spec',
  policyTypes: 'spec',
  matchLabels: 'a label selector (podSelector or namespaceSelector)',
  matchExpressions: 'a label selector (podSelector or namespaceSelector)',
  cidr: 'ipBlock',
  except: 'ipBlock',
  protocol: 'a ports entry',
  port: 'a ports entry',
  endPort: 'a ports entry',
  namespace: 'metadata',
  name: 'metadata',
  labels: 'metadata',
  annotations: 'metadata',
};

function suggestion(key: string, fields: string[]): string | undefined {
  const lower = key.toLowerCase();
  const exact = fields.find((f) => f.toLowerCase() === lower);
  if (exact) return exact;
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const f of fields) {
    const d = distance(lower, f.toLowerCase());
    if (d < bestDistance) {
      best = f;
      bestDistance = d;
    }
  }
  const allowed = key.length <= 4 ? 1 : key.length <= 8 ? 2 : 3;
  return bestDistance <= allowed ? best : undefined;
}

function checkUnknownFields(context: RuleContext, policy: NetworkPolicy): void {
  const uri = policy.object.uri;
  const object = policy.object;
  // Walk the plain data; the YAML nodes (built on demand) are touched only to report. `at` is the way down, extended
  // and restored in place (the walk runs over every policy at the start); a finding gets its own copy.
  const at: (string | number)[] = [];
  const visit = (value: unknown, schema: Schema): void => {
    if (schema.type === 'list') {
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
          at.push(i);
          visit(value[i], schema.item);
          at.pop();
        }
      }
      return;
    }
    if (schema.type !== 'map' || !isPlainObject(value)) return; // wrong shapes are the policy reader's problems
    for (const key of Object.keys(value)) {
      const field = schema.fields[key];
      if (field) {
        at.push(key);
        visit(value[key], field);
        at.pop();
        continue;
      }
      const path: Path = [...at];
      const fields = Object.keys(schema.fields);
      // Without a fix to build, the key's range comes from the text when the fast reader read the file (its keys are
      // unique strings there, so the key found is the one the nodes would give).
      const fromText = context.wantFixes ? undefined : scalarRangeInText(object, [...path, key], true);
      const keyNode = fromText ? undefined : mapKeyNode(object.node, path, key);
      const range = fromText ?? (keyNode?.range ? ([keyNode.range[0], keyNode.range[1]] as const) : undefined);
      if (!range) continue;
      const guess = suggestion(key, fields);
      if (guess) {
        const file = context.wantFixes ? context.file(uri) : undefined;
        const edit = file && keyNode ? replaceScalar(file.text, keyNode, guess) : undefined;
        const duplicate = Object.prototype.hasOwnProperty.call(value, guess);
        context.report({
          message: `Unknown field "${key}" in ${schema.name}; did you mean "${guess}"? kubectl rejects unknown fields, and the analysis ignores this one.`,
          location: { uri, range },
          ...(edit && !duplicate ? { fixes: [{ title: `Replace "${key}" with "${guess}"`, edits: [{ uri, ...edit }], preferred: true }] } : {}),
        });
      } else {
        const home = HOMES[key];
        context.report({
          message: home
            ? `"${key}" is not a field of ${schema.name}: it belongs in ${home}. kubectl rejects it here, and the analysis ignores it.`
            : `Unknown field "${key}" in ${schema.name} (fields: ${fields.join(', ')}). kubectl rejects unknown fields, and the analysis ignores it.`,
          location: { uri, range },
        });
      }
    }
  };
  visit(object.value, NETWORK_POLICY);
}

/** The key scalar of `key` in the map at `path`. */
function mapKeyNode(root: YamlNode | undefined, path: Path, key: string): YamlNode | undefined {
  const map = nodeAt(root, path);
  if (!isMap(map)) return undefined;
  for (const pair of map.items) if (isPair(pair) && isScalar(pair.key) && String(pair.key.value) === key) return pair.key as YamlNode;
  return undefined;
}

const shapeProblems = policyProblemRule('unknown-field', '');

export const unknownField: Rule = {
  id: 'unknown-field',
  defaultSeverity: 'error',
  unit: 'policy',
  description: 'Misspelled or misplaced fields and wrong value types in a NetworkPolicy.',
  run(context) {
    shapeProblems.run(context);
    for (const policy of context.model.policies) if (inWorkspace(context, policy.object)) checkUnknownFields(context, policy);
  },
};
