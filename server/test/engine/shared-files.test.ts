// Workspace.setFile with `parsed`: a workspace built from another's parsed files (the server's reachability diff
// builds the base version this way) answers exactly like one that parsed every text itself.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { IncrementalRuleRunner } from '../../src/engine/rules/run';
import { Workspace } from '../../src/engine/workspace';
import { diffReachability } from '../../src/report/diff';
import { randomEdit, randomFiles, seeded, workspaceOf } from './random-cluster';

function findings(workspace: Workspace): string[] {
  const out: string[] = [];
  for (const [uri, list] of new IncrementalRuleRunner().run(workspace)) for (const d of list) out.push(`${uri} ${d.ruleId} ${d.location.range} ${d.message}`);
  return out.sort();
}

describe('a workspace built from the parsed files of another', () => {
  test('takes the files whose text is the same, parses the rest, and answers like a fresh workspace', () => {
    let reused = 0;
    let parsed = 0;
    for (let seed = 1; seed <= 30; seed++) {
      const random = seeded(seed);
      const headFiles = randomFiles(random);
      const head = workspaceOf(headFiles);
      const baseFiles = new Map(headFiles);
      for (let i = 0; i < 3; i++) randomEdit(random, baseFiles);
      const shared = new Workspace();
      for (const [uri, text] of baseFiles) shared.setFile(uri, text, { parsed: head.getFile(uri) });
      const fresh = workspaceOf(baseFiles);
      for (const [uri, text] of baseFiles) {
        const same = headFiles.get(uri) === text;
        if (uri.endsWith('.netpol.yaml')) continue;
        assert.equal(shared.getFile(uri) === head.getFile(uri), same, `seed ${seed}: ${uri} taken only when its text is the same`);
        if (same) reused++;
        else parsed++;
      }
      assert.deepEqual(findings(shared), findings(fresh), `seed ${seed}: findings`);
      assert.deepEqual(diffReachability(shared.scopes(), head.scopes(), 'base'), diffReachability(fresh.scopes(), head.scopes(), 'base'), `seed ${seed}: diff`);
    }
    assert.ok(reused > 50 && parsed > 10, `both cases met (${reused} taken, ${parsed} parsed)`);
  });

  test('a file the other workspace skipped (over its size limit) is parsed here', () => {
    const text = 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n  labels: {team: a}\n';
    const small = new Workspace();
    small.setFile('file:///ws/.netpol.yaml', 'maxFileSize: 10\n');
    const skipped = small.setFile('file:///ws/ns.yaml', text)!;
    assert.equal(skipped.documents.length, 0, 'skipped for size there');
    const here = new Workspace();
    const file = here.setFile('file:///ws/ns.yaml', text, { parsed: skipped })!;
    assert.notEqual(file, skipped);
    assert.equal(file.documents.length, 1);
    assert.equal(here.scopes()[0].model.namespaces.get('shop')?.labels.team, 'a');
    // And the other way: a file parsed there but over this workspace's limit is skipped here.
    const parsedThere = here.getFile('file:///ws/ns.yaml')!;
    const limited = new Workspace();
    limited.setFile('file:///ws/.netpol.yaml', 'maxFileSize: 10\n');
    assert.equal(limited.setFile('file:///ws/ns.yaml', text, { parsed: parsedThere })!.documents.length, 0);
  });
});
