// The same NetworkPolicy namespace/name defined more than once in one scope: applying the files keeps only the
// last one, so the other definitions are silently replaced.
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
      for (const policy of list) {
        const others = list.filter((p) => p !== policy);
        context.report({
          message: `NetworkPolicy ${key} is defined ${list.length} times in this workspace (also at ${others.map((p) => place(context, p)).join(', ')}); applying them keeps only the last one.`,
          location: locate(policy.object, ['metadata', 'name']),
          related: others.map((p) => ({ location: { uri: p.object.uri, range: nameRange(p.object) }, message: `another definition of ${key}` })),
        });
      }
    }
  },
};
