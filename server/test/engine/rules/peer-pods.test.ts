// `podsOfPeer` (rules/common.ts) answers a peer with both selectors from the pods of each matched namespace, or,
// when those hold a large part of the model's pods, from the label index of all of them; after an edit it redoes
// only the changed namespaces. Whichever way, the pods must be those a plain filter finds, in the same order: the
// namespaces' order, then each namespace's own, then the assumed DNS pod. Messages list them in that order.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Model, Workload } from '../../../src/engine/model';
import type { PodPeer } from '../../../src/engine/policy';
import { matchesSelector } from '../../../src/engine/selectors';
import { dnsEndpoints, namespacesMatching, podsOfPeer } from '../../../src/engine/rules/common';
import type { RuleContext } from '../../../src/engine/rules/types';
import type { Workspace } from '../../../src/engine/workspace';
import { randomEdit, randomFiles, seeded, workspaceOf } from '../random-cluster';

function contextOf(workspace: Workspace, model: Model): RuleContext {
  return { scopeName: 'default', model, analysis: undefined as never, config: workspace.config, file: (uri) => workspace.getFile(uri), report: () => {} };
}

/** The pods a peer with both selectors selects, by a filter over every pod of each matched namespace. */
function expectedPods(context: RuleContext, peer: PodPeer): Workload[] {
  const dns = dnsEndpoints(context);
  const out: Workload[] = [];
  for (const ns of namespacesMatching(context, peer.namespaceSelector!)) {
    const candidates = context.model.workloads.filter((w) => w.namespace === ns.name);
    if (!dns.declared && dns.pods[0].namespace === ns.name) candidates.push(...dns.pods);
    for (const w of candidates) if (matchesSelector(peer.podSelector!, w.podLabels)) out.push(w);
  }
  return out;
}

const names = (pods: readonly Workload[]) => pods.map((w) => `${w.namespace}/${w.name}`);

describe('pods of a peer with both selectors', () => {
  it('equal a filter over each matched namespace, in order, on seeded clusters large enough for the label index, across edits', () => {
    let peers = 0;
    let widePeers = 0;
    for (let seed = 1; seed <= 80; seed++) {
      const random = seeded(seed);
      const files = randomFiles(random, { workloads: 24 });
      const workspace = workspaceOf(files);
      for (let step = 0; step < 4; step++) {
        for (const scope of workspace.scopes()) {
          const context = contextOf(workspace, scope.model);
          for (const policy of scope.model.policies) {
            for (const rule of [...policy.ingress, ...policy.egress]) {
              for (const peer of rule.peers ?? []) {
                if (peer.type !== 'pods' || !peer.namespaceSelector || !peer.podSelector) continue;
                const expected = expectedPods(context, peer);
                assert.deepEqual(names(podsOfPeer(context, policy, peer)), names(expected), `seed ${seed}, step ${step}, ${policy.namespace}/${policy.name}`);
                peers++;
                const inMatched = namespacesMatching(context, peer.namespaceSelector).reduce((n, ns) => n + scope.model.workloads.filter((w) => w.namespace === ns.name).length, 0);
                if (inMatched >= 48 && inMatched * 4 >= scope.model.workloads.length) widePeers++;
              }
            }
          }
        }
        // Edits in place, so that the next round's peers carry over from this round's models.
        for (let i = 0; i < 3; i++) randomEdit(random, files);
        for (const [uri, text] of files) if (workspace.getFile(uri)?.text !== text) workspace.setFile(uri, text);
        for (const uri of workspace.fileUris()) if (!files.has(uri)) workspace.deleteFile(uri);
      }
    }
    // Both ways are taken often enough for the comparison to mean something.
    assert.ok(widePeers >= 80, `peers answered from the model-wide index: ${widePeers}`);
    assert.ok(peers - widePeers >= 80, `peers answered namespace by namespace: ${peers - widePeers}`);
  });
});
