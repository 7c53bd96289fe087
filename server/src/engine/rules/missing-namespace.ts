// A NetworkPolicy without metadata.namespace lands in whatever namespace kubectl is pointed at, which is rarely
// the namespace of the pods it was written for. Namespaces set by a kustomization count as set.
import { isMap } from 'yaml';
import { addMapEntry, type Edit } from '../edits';
import { keyRangeAt, nodeAt, type K8sObject, type ParsedFile } from '../parse';
import { inWorkspace, isInstallBundle, locate } from './common';
import type { Rule } from './types';

export const missingNamespace: Rule = {
  id: 'missing-namespace',
  defaultSeverity: 'warning',
  unit: 'namespace',
  description: 'A NetworkPolicy has no metadata.namespace.',
  run(context) {
    // Namespace-less workloads and policies together are an install bundle: `kubectl apply -n` puts them all into
    // the one namespace chosen then, so the policies land beside their pods whatever it is.
    if (isInstallBundle(context)) return;
    for (const policy of context.model.policies) {
      const object = policy.object;
      if (!inWorkspace(context, object) || object.namespace !== undefined) continue;
      // A kustomization's `namespace:` already decided (the model applied it).
      if (policy.namespace !== context.model.defaultNamespace) continue;
      // A chart's objects go to the release's namespace, chosen at install time (`helm install -n`).
      if (context.file(object.uri)?.rendering === 'helm') continue;
      const edits = context.wantFixes ? addNamespaceEdits(context.file(object.uri), object, policy.namespace) : undefined;
      context.report({
        message: `NetworkPolicy ${policy.name || '(unnamed)'} has no metadata.namespace: kubectl creates it in the current context's namespace. The analysis assumes "${policy.namespace}".`,
        location: locate(object, ['metadata', 'name']),
        ...(edits
          ? { fixes: [{ title: `Add namespace: ${policy.namespace} to metadata`, edits: edits.map((e) => ({ uri: object.uri, ...e })) }] }
          : {}),
      });
    }
  },
};

function addNamespaceEdits(file: ParsedFile | undefined, object: K8sObject, namespace: string): Edit[] | undefined {
  const metadata = nodeAt(object.node, ['metadata']);
  return file && isMap(metadata) ? addMapEntry(file.text, metadata, 'namespace', namespace, keyRangeAt(object.node, ['metadata'])?.[0]) : undefined;
}
