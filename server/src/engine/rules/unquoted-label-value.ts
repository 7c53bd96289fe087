// Label values (and selector values) that YAML reads as something other than a string. kubectl decodes YAML as
// YAML 1.1, where `yes`, `no`, `on`, `off`, `y`, `n`, `true`, `false` are booleans and `8080`, `1.10`, `0777`,
// `1_000` numbers; labels are strings, so the API server rejects the object (or, through other tools, sees
// another value: `1.10` becomes 1.1). The fix quotes the value as written.
import { isMap, isPair, isScalar, isSeq, type Node as YamlNode, type Scalar } from 'yaml';
import { quoteScalar, yaml11Type } from '../edits';
import type { K8sObject } from '../parse';
import type { NetworkPolicy } from '../policy';
import { rejectionNote } from './common';
import type { Rule, RuleContext } from './types';

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
  description: 'A label or selector value that YAML 1.1 reads as a boolean or a number; it must be quoted.',
  run(context) {
    const policyOf = new Map<K8sObject, NetworkPolicy>(context.model.policies.map((p) => [p.object, p]));
    for (const object of context.model.objects) {
      const file = object.uri ? context.file(object.uri) : undefined;
      if (!file || !object.node) continue;
      const check = (node: unknown, what: string) => {
        if (!isScalar(node) || !node.range) return;
        const source = file.text.slice(node.range[0], node.range[1]);
        const reading = nonStringReading(node, source);
        if (!reading) return;
        const edit = quoteScalar(file.text, node as YamlNode);
        const policy = policyOf.get(object);
        context.report({
          message: `${what} ${source} is read as ${reading}, but label values are strings: the API server rejects the ${object.kind}. Quote it: "${source}".${policy ? rejectionNote(policy) : ''}`,
          location: { uri: object.uri, range: [node.range[0], node.range[1]] },
          ...(edit ? { fixes: [{ title: `Quote "${source}"`, edits: [{ uri: object.uri, ...edit }], preferred: true }] } : {}),
        });
      };
      walk(context, object, object.node, [], check);
    }
  },
};

/** Visits the label maps and selector values of an object: metadata.labels anywhere, matchLabels, matchExpressions values, Service/RC selectors. */
function walk(context: RuleContext, object: K8sObject, node: YamlNode, path: string[], check: (node: unknown, what: string) => void): void {
  void context;
  if (isMap(node)) {
    for (const pair of node.items) {
      if (!isPair(pair) || !isScalar(pair.key)) continue;
      const key = String(pair.key.value);
      const value = pair.value as YamlNode | null;
      if (!value) continue;
      const parent = path[path.length - 1];
      const isLabelMap =
        (key === 'labels' && parent === 'metadata') ||
        key === 'matchLabels' ||
        (key === 'selector' && parent === 'spec' && path.length === 1 && (object.kind === 'Service' || object.kind === 'ReplicationController'));
      if (isLabelMap && isMap(value)) {
        for (const p of value.items) if (isPair(p) && isScalar(p.key)) check(p.value, `The value of label ${String(p.key.value)}:`);
        continue;
      }
      if (key === 'matchExpressions' && isSeq(value)) {
        for (const expr of value.items) {
          const values = isMap(expr) ? expr.get('values', true) : undefined;
          if (isSeq(values)) for (const v of values.items) check(v, 'The selector value');
        }
        continue;
      }
      walk(context, object, value, [...path, key], check);
    }
  } else if (isSeq(node)) {
    for (const item of node.items) if (item) walk(context, object, item as YamlNode, path, check);
  }
}
