// Refactorings offered on a policy object (not tied to a finding): a Kubernetes NetworkPolicy converted into the
// equivalent Calico NetworkPolicy, or followed by its equivalent CiliumNetworkPolicy (convert-action.ts), and a
// Calico NetworkPolicy back into a Kubernetes one, where exact (calico-convert.ts). The object's text is replaced whole; comments inside it do not survive a change of kind.
import { stringify } from 'yaml';
import { calicoToNetworkPolicy, networkPolicyToCalico, type Conversion } from '../calico-convert';
import { detectEol, looksLikeJson } from '../edits';
import type { K8sObject } from '../parse';
import type { QuickFix } from '../rules/types';
import type { Workspace } from '../workspace';
import { ciliumPolicies } from '../cilium-evaluate';
import { effectiveCni } from '../cni';
import type { Model } from '../model';
import { ciliumConversionAction } from './convert-action';
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
  if (policy) {
    // Cilium's equivalent only where Cilium is in use (its CNI, or its policies in the files): not on every policy.
    const cilium = ciliumInUse(model) ? ciliumConversionAction(workspace, uri, offset) : undefined;
    return [...replace(policy.object, networkPolicyToCalico(model, policy), 'Convert to the equivalent Calico NetworkPolicy (tier default, order 1000)'), ...(cilium ? [cilium] : [])];
  }
  const calico = model.calico.policies.find((p) => at(p.object));
  if (calico) return replace(calico.object, calicoToNetworkPolicy(model, calico), 'Convert to the equivalent Kubernetes NetworkPolicy');
  return [];
}

function ciliumInUse(model: Model): boolean {
  const cni = effectiveCni(model.cni, model)?.cni;
  return cni === 'cilium' || cni === 'gke-dataplane-v2' || (cni === undefined && ciliumPolicies(model).length > 0);
}
