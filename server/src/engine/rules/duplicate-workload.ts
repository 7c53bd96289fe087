// The same workload kind, namespace and name defined more than once in one scope: applying the files keeps only the
// last definition, so the analysis (which reads both) describes pods that will not all exist.
import type { Workload } from '../model';
import { inWorkspace, locate, nameRange } from './common';
import type { Rule, RuleContext } from './types';

/** `file.yaml:12`, the line of the workload's name. */
function place(context: RuleContext, w: Workload): string {
  const uri = w.object.uri;
  const name = uri.slice(uri.lastIndexOf('/') + 1);
  const file = context.file(uri);
  return file ? `${name}:${file.lineCounter.linePos(nameRange(w.object)[0]).line}` : name;
}

export const duplicateWorkload: Rule = {
  id: 'duplicate-workload',
  defaultSeverity: 'warning',
  description: 'The same workload kind, namespace and name is defined more than once.',
  run(context) {
    const byKey = new Map<string, Workload[]>();
    for (const w of context.model.workloads) {
      if (w.assumed || !w.name || !inWorkspace(context, w.object)) continue;
      const key = `${w.kind} ${w.namespace}/${w.name}`;
      const list = byKey.get(key);
      if (list) list.push(w);
      else byKey.set(key, [w]);
    }
    for (const [key, list] of byKey) {
      if (list.length < 2) continue;
      for (const w of list) {
        const others = list.filter((x) => x !== w);
        context.report({
          message: `${key} is defined ${list.length} times in this workspace (also at ${others.map((x) => place(context, x)).join(', ')}); applying them keeps only the last one, so the analysis counts pods that will not all exist.`,
          location: locate(w.object, ['metadata', 'name']),
          related: others.map((x) => ({ location: { uri: x.object.uri, range: nameRange(x.object) }, message: `another definition of ${key}` })),
        });
      }
    }
  },
};
