// The same workload kind, namespace and name defined more than once in one scope: applying the files keeps only the
// last definition (the one the analysis uses), so the earlier ones describe pods that will not exist.
import { objectNamespace, WORKLOAD_KINDS } from '../model';
import type { K8sObject } from '../parse';
import { baseModel, inWorkspace, locate, nameRange } from './common';
import type { Rule, RuleContext } from './types';

const WORKLOAD_KIND_SET = new Set<string>(WORKLOAD_KINDS);

/** `file.yaml:12`, the line of the object's name. */
function place(context: RuleContext, object: K8sObject): string {
  const uri = object.uri;
  const name = uri.slice(uri.lastIndexOf('/') + 1);
  const file = context.file(uri);
  return file ? `${name}:${file.lineCounter.linePos(nameRange(object)[0]).line}` : name;
}

export const duplicateWorkload: Rule = {
  id: 'duplicate-workload',
  defaultSeverity: 'warning',
  unit: 'namespace',
  description: 'The same workload kind, namespace and name is defined more than once.',
  run(context) {
    const byKey = new Map<string, K8sObject[]>();
    for (const object of context.model.objects) {
      if (!WORKLOAD_KIND_SET.has(object.kind) || !object.name || !inWorkspace(context, object)) continue;
      const key = `${object.kind} ${objectNamespace(baseModel(context.model), object)}/${object.name}`;
      const list = byKey.get(key);
      if (list) list.push(object);
      else byKey.set(key, [object]);
    }
    for (const [key, list] of byKey) {
      if (list.length < 2) continue;
      const last = list[list.length - 1];
      for (const object of list) {
        const others = list.filter((x) => x !== object);
        const effect =
          object === last
            ? 'applying them keeps only this last one, which the analysis uses'
            : `applying them keeps only the last one (${place(context, last)}), which the analysis uses: this definition's pods will not exist`;
        context.report({
          message: `${key} is defined ${list.length} times in this workspace (also at ${others.map((x) => place(context, x)).join(', ')}); ${effect}.`,
          location: locate(object, ['metadata', 'name']),
          related: others.map((x) => ({ location: { uri: x.uri, range: nameRange(x) }, message: `another definition of ${key}` })),
        });
      }
    }
  },
};
