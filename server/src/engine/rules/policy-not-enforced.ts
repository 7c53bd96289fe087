// Policies nothing enforces: with Flannel alone or no CNI, every policy (one warning each); with another CNI, the
// policy kinds it does not implement (Cilium objects under Calico, Calico objects under Cilium). The CNI comes from
// `cni:` in .netpol.yaml or, when not set, from the node-agent DaemonSets of the workspace (cni.ts).
import { effectiveCni, enforcesNothing, implementsKind } from '../cni';
import { isCiliumPolicyObject } from '../cilium';
import { ciliumPolicies } from '../cilium-evaluate';
import { isClusterPolicyObject } from '../cluster-policy';
import { inWorkspace, locate } from './common';
import type { Rule, RuleContext } from './types';

const POLICY_KINDS = /NetworkPolicy$/;

export const policyNotEnforced: Rule = {
  id: 'policy-not-enforced',
  defaultSeverity: 'warning',
  unit: 'scope',
  description: 'A policy that the CNI does not enforce (Flannel alone or no CNI enforces none; a kind of another CNI).',
  run(context) {
    const setting = effectiveCni(context.config.cni, context.model);
    if (!setting) {
      reportUnchosenDialect(context);
      return;
    }
    const from = setting.source === 'config' ? 'cni in .netpol.yaml' : `detected from DaemonSet ${setting.source.namespace}/${setting.source.daemonSet}`;
    for (const o of context.model.objects) {
      if (!inWorkspace(context, o)) continue;
      const isPolicy = (o.kind === 'NetworkPolicy' && o.apiVersion.startsWith('networking.k8s.io/')) || isClusterPolicyObject(o) || isCiliumPolicyObject(o) || (/projectcalico\.org\//.test(o.apiVersion) && POLICY_KINDS.test(o.kind));
      if (!isPolicy) continue;
      if (enforcesNothing(setting.cni)) {
        const what = setting.cni === 'none' ? 'no CNI enforces policies' : 'Flannel alone implements no network policy';
        context.report({ message: `nothing enforces this ${o.kind}: ${what} (${from}); the API server accepts it and traffic stays open`, location: locate(o, ['kind']) });
      } else if (implementsKind(setting.cni, o.apiVersion, o.kind) === false) {
        context.report({ message: `${setting.cni} does not implement ${o.kind} (${from}): this policy is stored and not enforced`, location: locate(o, ['kind']) });
      }
    }
  },
};

/**
 * With no CNI known and both Calico and Cilium policies in the files, the verdicts follow Calico's (a cluster runs
 * one of them): the Cilium policies are left out of every verdict, which is said on each instead of silently.
 */
function reportUnchosenDialect(context: RuleContext): void {
  if (!context.analysis.calico) return;
  for (const policy of ciliumPolicies(context.model)) {
    if (!policy.valid || !inWorkspace(context, policy.object)) continue;
    context.report({
      severity: 'information',
      message: `the files hold Calico and Cilium policies and no CNI is known: verdicts follow Calico's policies, and this ${policy.object.kind} is left out of them; set \`cni: cilium\` (or \`cni: calico\`) in .netpol.yaml`,
      location: locate(policy.object, ['kind']),
    });
  }
}
