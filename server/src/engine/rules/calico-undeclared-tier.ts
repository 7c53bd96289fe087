// A Calico policy whose `spec.tier` names a tier that the workspace does not declare, in a workspace that declares
// its tiers (at least one Tier object): Calico refuses to create a policy in a tier that does not exist
// ("resource does not exist: Tier(name=…)", libcalico-go#185; the API server checks the tier before the policy), so
// the policy is most likely a typo or a tier left out of the repository. Without any Tier object the workspace says
// nothing about the cluster's tiers (they may be created elsewhere), and the rule stays silent: a false warning
// costs more than a missed hint. The built-in tiers (default, the Kubernetes admin and baseline tiers, the
// operator's calico-system / allow-tigera) always exist.
import { distance } from 'fastest-levenshtein';
import type { CalicoPolicy } from '../calico-policy';
import { inWorkspace, locate } from './common';
import { calicoPolicyName } from './calico-common';
import type { QuickFix, Rule, RuleContext, TextEdit } from './types';

/** Tiers Calico (or its operator) creates itself. */
export const BUILT_IN_TIERS = new Set(['default', 'kube-admin', 'kube-baseline', 'adminnetworkpolicy', 'baselineadminnetworkpolicy', 'calico-system', 'allow-tigera']);

export const calicoUndeclaredTier: Rule = {
  id: 'calico-undeclared-tier',
  defaultSeverity: 'warning',
  unit: 'scope',
  description: 'A Calico policy names a tier the workspace does not declare, though it declares its tiers: Calico refuses such a policy.',
  run(context) {
    const { model } = context;
    const declared = [...new Set(model.calico.tiers.map((t) => t.name))];
    if (declared.length === 0) return;
    const known = new Set([...declared, ...BUILT_IN_TIERS]);
    for (const policy of model.calico.policies) {
      if (known.has(policy.tier) || !inWorkspace(context, policy.object)) continue;
      const closest = closestTier(policy.tier, declared);
      context.report({
        message:
          `${calicoPolicyName(policy)} is in tier ${policy.tier}, which the workspace does not declare (it declares ${declared.slice(0, 5).join(', ')}${declared.length > 5 ? ', …' : ''}): ` +
          `Calico refuses a policy whose tier does not exist.${closest ? ` Did you mean ${closest}?` : ' Declare the tier, or move the policy to a declared one.'}`,
        location: locate(policy.object, ['spec', 'tier']),
        ...(context.wantFixes && closest ? optionalFix(renameTierFix(context, policy, closest)) : {}),
      });
    }
  },
};

/** The declared tier nearest to a misspelt name (at most two edits, and nearer than any other). */
function closestTier(name: string, declared: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  let tie = false;
  for (const candidate of declared) {
    const d = distance(name, candidate);
    if (d < bestDistance) [best, bestDistance, tie] = [candidate, d, false];
    else if (d === bestDistance) tie = true;
  }
  return tie ? undefined : best;
}

function optionalFix(fix: QuickFix | undefined): { fixes?: QuickFix[] } {
  return fix ? { fixes: [fix] } : {};
}

/** Replaces the tier's value, and the `<tier>.` prefix of the policy's name where older data has one. */
function renameTierFix(context: RuleContext, policy: CalicoPolicy, tier: string): QuickFix | undefined {
  const text = context.file(policy.object.uri)?.text;
  if (!text) return undefined;
  const edits: TextEdit[] = [];
  const value = locate(policy.object, ['spec', 'tier']).range;
  const source = text.slice(value[0], value[1]);
  const quote = source.startsWith('"') || source.startsWith("'") ? source[0] : '';
  if (source !== `${quote}${policy.tier}${quote}`) return undefined;
  edits.push({ uri: policy.object.uri, range: [value[0] + quote.length, value[1] - quote.length], newText: tier });
  const nameRange = locate(policy.object, ['metadata', 'name']).range;
  const nameSource = text.slice(nameRange[0], nameRange[1]);
  const nameQuote = nameSource.startsWith('"') || nameSource.startsWith("'") ? nameSource[0] : '';
  if (nameSource.startsWith(`${nameQuote}${policy.tier}.`)) {
    const start = nameRange[0] + nameQuote.length;
    edits.push({ uri: policy.object.uri, range: [start, start + policy.tier.length], newText: tier });
  }
  edits.sort((a, b) => a.range[0] - b.range[0]);
  return { title: `Use the declared tier ${tier}`, edits, preferred: true };
}
