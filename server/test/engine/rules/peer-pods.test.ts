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
  return { scopeName: 'default', model, analysis: undefined as never, config: workspace.config, store: workspace.store, file: (uri) => workspace.getFile(uri), report: () => {} };
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

/**
 * Checks every pod peer with both selectors of 80 seeded clusters, across edits; the number of peers checked and how
 * the workspaces' stores searched them (`wideScansBeforeIndex`: the stores' tuning, when given).
 */
function checkSeededClusters(wideScansBeforeIndex?: number): { peers: number; byIndex: number; byScan: number } {
  let peers = 0;
  const searches = { byIndex: 0, byScan: 0 };
  for (let seed = 1; seed <= 80; seed++) {
    const random = seeded(seed);
    const files = randomFiles(random, { workloads: 24 });
    const workspace = workspaceOf(files);
    if (wideScansBeforeIndex !== undefined) workspace.store.tuning.wideScansBeforeIndex = wideScansBeforeIndex;
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
            }
          }
        }
      }
      // Edits in place, so that the next round's peers carry over from this round's models.
      for (let i = 0; i < 3; i++) randomEdit(random, files);
      for (const [uri, text] of files) if (workspace.getFile(uri)?.text !== text) workspace.setFile(uri, text);
      for (const uri of workspace.fileUris()) if (!files.has(uri)) workspace.deleteFile(uri);
    }
    searches.byIndex += workspace.store.podSearches.byIndex;
    searches.byScan += workspace.store.podSearches.byScan;
  }
  return { peers, ...searches };
}

describe('pods of a peer with both selectors', () => {
  it('equal a filter over each matched namespace, in order, on seeded clusters, across edits: searched namespace by namespace', () => {
    const { peers, byScan } = checkSeededClusters();
    assert.ok(byScan >= 400, `searches namespace by namespace: ${byScan} (of ${peers} peers)`);
  });

  it('the same through the label index of all the model\'s pods, built at the first wide search', () => {
    const { peers, byIndex } = checkSeededClusters(0);
    assert.ok(byIndex >= 80, `searches through the model-wide index: ${byIndex} (of ${peers} peers)`);
  });
});
