// Label values (and selector values) that YAML reads as something other than a string. kubectl decodes YAML as
// YAML 1.1, where `yes`, `no`, `on`, `off`, `y`, `n`, `true`, `false` are booleans and `8080`, `1.10`, `0777`,
// `1_000` numbers; labels are strings, so the API server rejects the object (or, through other tools, sees
// another value: `1.10` becomes 1.1). The fix quotes the value as written.
import { isScalar, type Node as YamlNode, type Scalar } from 'yaml';
import { quoteScalar, yaml11Type } from '../edits';
import { isPlainObject, nodeAt, type K8sObject } from '../parse';
import type { NetworkPolicy, Path } from '../policy';
import { rejectionNote } from './common';
import type { Rule } from './types';

/** Why a scalar is not a string for kubectl, or undefined when it is one. */
function nonStringReading(node: Scalar, source: string): string | undefined {
  if (typeof node.value === 'number') return 'a number';
  if (typeof node.value === 'boolean') return 'a boolean';
  if (typeof node.value === 'string' && node.type === 'PLAIN') {
    const type = yaml11Type(source);
    if (type === 'boolean') return 'a boolean in YAML 1.1 (which kubectl uses)';
    if (type === 'number') return 'a number in YAML 1.1 (which kubectl uses)';
  }
  return undefined;
}

export const unquotedLabelValue: Rule = {
  id: 'unquoted-label-value',
  defaultSeverity: 'error',
  unit: 'namespace',
  description: 'A label or selector value that YAML 1.1 reads as a boolean or a number; it must be quoted.',
  run(context) {
    const policyOf = new Map<K8sObject, NetworkPolicy>(context.model.policies.map((p) => [p.object, p]));
    for (const object of context.model.objects) {
      const file = object.uri ? context.file(object.uri) : undefined;
      if (!file) continue;
      // The plain data finds the candidates; the YAML nodes (built on demand) are touched only for those.
      // Nearly every object has none: a walk that allocates nothing rules those out before the one that records paths.
      if (!holdsSuspicious(object, object.value, undefined, 0)) continue;
      const candidates: { path: Path; what: string }[] = [];
      collect(object, object.value, [], candidates);
      for (const { path, what } of candidates) {
        const node = nodeAt(object.node, path);
        if (!isScalar(node) || !node.range) continue;
        const source = file.text.slice(node.range[0], node.range[1]);
        const reading = nonStringReading(node, source);
        if (!reading) continue;
        const edit = context.wantFixes ? quoteScalar(file.text, node as YamlNode) : undefined;
        const policy = policyOf.get(object);
        context.report({
          message: `${what} ${source} is read as ${reading}, but label values are strings: the API server rejects the ${object.kind}. Quote it: "${source}".${policy ? rejectionNote(policy) : ''}`,
          location: { uri: object.uri, range: [node.range[0], node.range[1]] },
          ...(edit ? { fixes: [{ title: `Quote "${source}"`, edits: [{ uri: object.uri, ...edit }], preferred: true }] } : {}),
        });
      }
    }
  },
};

/** Keys on the way to labels and selectors (containers, volumes and the like hold none). */
const DESCEND = new Set(['metadata', 'spec', 'template', 'jobTemplate', 'selector', 'podSelector', 'namespaceSelector', 'ingress', 'egress', 'from', 'to', 'items']);

/** Whether a decoded value may have been written as something other than a quoted string. */
function suspicious(value: unknown): boolean {
  return typeof value === 'number' || typeof value === 'boolean' || (typeof value === 'string' && mayReadAsNonString(value) && yaml11Type(value) !== undefined);
}

/** The YAML 1.1 booleans and nulls: the only plain scalars not starting with a digit, sign or dot that `yaml11Type` reads as other than a string. */
const YAML11_WORDS = new Set(['y', 'Y', 'yes', 'Yes', 'YES', 'n', 'N', 'no', 'No', 'NO', 'true', 'True', 'TRUE', 'false', 'False', 'FALSE', 'on', 'On', 'ON', 'off', 'Off', 'OFF', '~', 'null', 'Null', 'NULL']);

/**
 * Whether `yaml11Type` may read a string as other than a string: numbers (and .inf, .nan) start with a digit, a
 * sign or a dot; anything else must be one of the words. Most label values are names, and skip its six patterns.
 */
export function mayReadAsNonString(value: string): boolean {
  const c = value.charCodeAt(0);
  return (c >= 48 && c <= 57) || c === 43 || c === 45 || c === 46 || YAML11_WORDS.has(value); // 0-9 + - .
}

/** Whether a label value is suspicious (as `suspicious`, for the values of a label map). */
function labelMapHoldsSuspicious(labels: Record<string, unknown>): boolean {
  for (const label in labels) if (suspicious(labels[label])) return true;
  return false;
}

/**
 * Whether `collect` finds anything below `value` (same walk, same tests, in no particular order): `parent` is the
 * last step of the path (a key, or undefined below a list item or at the top) and `depth` its length.
 */
function holdsSuspicious(object: K8sObject, value: unknown, parent: string | undefined, depth: number): boolean {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (holdsSuspicious(object, value[i], undefined, depth + 1)) return true;
    return false;
  }
  if (!isPlainObject(value)) return false;
  for (const key in value) {
    const child = value[key];
    const isLabelMap =
      (key === 'labels' && parent === 'metadata') ||
      key === 'matchLabels' ||
      (key === 'selector' && parent === 'spec' && depth === 1 && (object.kind === 'Service' || object.kind === 'ReplicationController'));
    if (isLabelMap && isPlainObject(child)) {
      if (labelMapHoldsSuspicious(child)) return true;
    } else if (key === 'matchExpressions' && Array.isArray(child)) {
      for (const expr of child) {
        if (!isPlainObject(expr) || !Array.isArray(expr.values)) continue;
        for (const v of expr.values) if (suspicious(v)) return true;
      }
    } else if (DESCEND.has(key) && holdsSuspicious(object, child, key, depth + 1)) return true;
  }
  return false;
}

/**
 * Paths of suspicious values in label maps (metadata.labels, matchLabels, Service/RC selectors) and matchExpressions
 * values. `path` is the way down, extended and restored in place (it runs over every object at the start); a found
 * value gets its own copy.
 */
function collect(object: K8sObject, value: unknown, path: (string | number)[], out: { path: Path; what: string }[]): void {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      path.push(i);
      collect(object, value[i], path, out);
      path.pop();
    }
    return;
  }
  if (!isPlainObject(value)) return;
  const parent = path[path.length - 1];
  for (const key of Object.keys(value)) {
    const child = value[key];
    const isLabelMap =
      (key === 'labels' && parent === 'metadata') ||
      key === 'matchLabels' ||
      (key === 'selector' && parent === 'spec' && path.length === 1 && (object.kind === 'Service' || object.kind === 'ReplicationController'));
    if (isLabelMap && isPlainObject(child)) {
      for (const label of Object.keys(child)) if (suspicious(child[label])) out.push({ path: [...path, key, label], what: `The value of label ${label}:` });
    } else if (key === 'matchExpressions' && Array.isArray(child)) {
      child.forEach((expr, i) => {
        if (!isPlainObject(expr) || !Array.isArray(expr.values)) return;
        expr.values.forEach((v, j) => {
          if (suspicious(v)) out.push({ path: [...path, key, i, 'values', j], what: 'The selector value' });
        });
      });
    } else if (DESCEND.has(key)) {
      path.push(key);
      collect(object, child, path, out);
      path.pop();
    }
  }
}
