// The same NetworkPolicy namespace/name defined more than once in one scope: applying the files keeps only the
// last valid one (kubectl apply replaces the object), so the other definitions are silently replaced; the analysis
// does the same (model.ts marks them superseded).
import type { NetworkPolicy } from '../policy';
import { inWorkspace, locate, nameRange } from './common';
import type { Rule, RuleContext } from './types';

/** `file.yaml:12`, the line of the policy's name. */
function place(context: RuleContext, policy: NetworkPolicy): string {
  const uri = policy.object.uri;
  const name = uri.slice(uri.lastIndexOf('/') + 1);
  const file = context.file(uri);
  return file ? `${name}:${file.lineCounter.linePos(nameRange(policy.object)[0]).line}` : name;
}

export const duplicatePolicy: Rule = {
  id: 'duplicate-policy',
  defaultSeverity: 'warning',
  unit: 'namespace',
  description: 'The same NetworkPolicy namespace/name is defined more than once.',
  run(context) {
    const byKey = new Map<string, NetworkPolicy[]>();
    for (const policy of context.model.policies) {
      if (!inWorkspace(context, policy.object) || !policy.name) continue;
      const key = `${policy.namespace}/${policy.name}`;
      if (!byKey.has(key)) byKey.set(key, []);
      byKey.get(key)!.push(policy);
    }
    for (const [key, list] of byKey) {
      if (list.length < 2) continue;
      // The definition in effect: the last one the API server accepts (the model marks the others superseded).
      const inEffect = list.find((p) => p.valid);
      for (const policy of list) {
        const others = list.filter((p) => p !== policy);
        const effect =
          policy === inEffect
            ? 'applying them keeps only the last valid one, this one'
            : !inEffect
              ? 'the API server rejects every one of them'
              : policy.supersededBy
                ? `applying them keeps only the last valid one (${place(context, inEffect)}), so this one has no effect`
                : `the API server rejects this one, and ${place(context, inEffect)} stays in effect`;
        context.report({
          message: `NetworkPolicy ${key} is defined ${list.length} times in this workspace (also at ${others.map((p) => place(context, p)).join(', ')}); ${effect}.`,
          location: locate(policy.object, ['metadata', 'name']),
          related: others.map((p) => ({ location: { uri: p.object.uri, range: nameRange(p.object) }, message: `another definition of ${key}` })),
        });
      }
    }
  },
};
