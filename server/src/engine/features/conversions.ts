// Refactorings offered on a policy object (not tied to a finding): a Kubernetes NetworkPolicy converted into the
// equivalent Calico NetworkPolicy, and a Calico NetworkPolicy back into a Kubernetes one, where exact
// (calico-convert.ts). The object's text is replaced whole; comments inside it do not survive a change of kind.
import { stringify } from 'yaml';
import { calicoToNetworkPolicy, networkPolicyToCalico, type Conversion } from '../calico-convert';
import { detectEol, looksLikeJson } from '../edits';
import type { K8sObject } from '../parse';
import type { QuickFix } from '../rules/types';
import type { Workspace } from '../workspace';
import { featureIndex } from './index';

/** The conversions offered for the policy object at `offset` of `uri` (none where inexact or not a policy). */
export function conversionActions(workspace: Workspace, uri: string, offset: number): QuickFix[] {
  const file = workspace.getFile(uri);
  const index = featureIndex(workspace).scopeFor(uri);
  if (!file || !index || looksLikeJson(file.text)) return [];
  const at = (o: K8sObject) => o.uri === uri && o.listPath === undefined && o.range[0] <= offset && offset <= o.range[1];
  const replace = (object: K8sObject, conversion: Conversion, title: string): QuickFix[] => {
    if (!conversion.ok) return [];
    const eol = detectEol(file.text);
    const text = stringify(conversion.value, { lineWidth: 0 }).replace(/\n$/, '').replace(/\n/g, eol);
    return [{ title, edits: [{ uri, range: object.range, newText: text }] }];
  };
  const model = index.model;
  const policy = model.policies.find((p) => at(p.object));
  if (policy) return replace(policy.object, networkPolicyToCalico(model, policy), 'Convert to the equivalent Calico NetworkPolicy (tier default, order 1000)');
  const calico = model.calico.policies.find((p) => at(p.object));
  if (calico) return replace(calico.object, calicoToNetworkPolicy(model, calico), 'Convert to the equivalent Kubernetes NetworkPolicy');
  return [];
}
