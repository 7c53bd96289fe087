// `net.beta.kubernetes.io/network-policy` on a Namespace was the isolation switch of the beta NetworkPolicy API
// (extensions/v1beta1, Kubernetes 1.3-1.6). Kubernetes 1.7 removed it: today it isolates nothing, and a namespace
// that relies on it accepts all traffic to every pod no policy selects.
import { removeMapEntry } from '../edits';
import { keyRangeAt, nodeAt } from '../parse';
import { isMap } from 'yaml';
import { inWorkspace, locate } from './common';
import type { QuickFix, Rule } from './types';

export const DEPRECATED_ISOLATION_ANNOTATION = 'net.beta.kubernetes.io/network-policy';

export const deprecatedIsolationAnnotation: Rule = {
  id: 'deprecated-isolation-annotation',
  defaultSeverity: 'warning',
  unit: 'namespace',
  description: 'A Namespace uses the removed net.beta.kubernetes.io/network-policy isolation annotation.',
  run(context) {
    for (const object of context.model.objects) {
      if (object.kind !== 'Namespace' || !inWorkspace(context, object)) continue;
      const ns = context.model.namespaces.get(object.name);
      if (!ns) continue;
      const metadata = object.value.metadata as { annotations?: unknown } | undefined;
      const annotations = metadata?.annotations;
      if (!annotations || typeof annotations !== 'object' || !(DEPRECATED_ISOLATION_ANNOTATION in annotations)) continue;
      const value = String((annotations as Record<string, unknown>)[DEPRECATED_ISOLATION_ANNOTATION] ?? '');
      const denies = /DefaultDeny/.test(value);
      const policies = (context.model.policiesByNamespace.get(ns.name) ?? []).filter((p) => p.valid && p.types.ingress && p.podSelector.requirements.length === 0);
      let message = `The annotation ${DEPRECATED_ISOLATION_ANNOTATION} on Namespace ${ns.name} has had no effect since Kubernetes 1.7`;
      if (denies && policies.length === 0) message += `: the ingress isolation it asks for (DefaultDeny) does not happen, and no policy with an empty podSelector isolates the namespace instead.`;
      else if (policies.length > 0) message += `; ${policies.map((p) => p.name).join(', ')} isolates the namespace instead, so the annotation only misleads readers.`;
      else message += '.';
      let fixes: QuickFix[] | undefined;
      if (context.wantFixes && policies.length > 0) {
        // Removing the annotation changes nothing in the cluster only when a policy already does its work.
        const file = context.file(object.uri);
        const map = nodeAt(object.node, ['metadata', 'annotations']);
        const edits = file && isMap(map) ? removeMapEntry(file.text, map, DEPRECATED_ISOLATION_ANNOTATION, keyRangeAt(object.node, ['metadata', 'annotations'])?.[0]) : undefined;
        if (edits) fixes = [{ title: `Remove the ineffective ${DEPRECATED_ISOLATION_ANNOTATION} annotation`, edits: edits.map((e) => ({ uri: object.uri, ...e })), preferred: true }];
      }
      context.report({
        message,
        location: locate(object, ['metadata', 'annotations', DEPRECATED_ISOLATION_ANNOTATION], { key: true }),
        tags: ['deprecated'],
        ...(fixes ? { fixes } : {}),
      });
    }
  },
};
