// The what-if diff view ("Reachability Changes"), its code lenses and status bar count (issue 8). The test
// workbench runs with git disabled and the fixture workspace is no repository, so the base version is given
// through the command argument `{ base: { uri: text } }`; the git path is checked for its message.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ReachabilityChangesSnapshot } from '../../../src/diff';
import { GitBaseSource } from '../../../src/diff/baseSource';
import { NetpolServer } from '../../../src/server';
import { GitStatus, type GitApi, type GitChange, type GitExtension, type GitRepository } from '../../../src/diff/gitApi';
import type { RenderedNode } from '../../../src/diff/view';
import { closeAll, eventually, extensionApi, fixture, restoreFromDisk, revertAndClose, sleep, workspaceRoot } from './helpers';

/** The running language server's index, which tells a git source the files to read (as the extension's own). */
async function serverIndex(): Promise<NetpolServer> {
  const api = await extensionApi();
  return new NetpolServer(() => api.client());
}

const LABEL = 'test-base';

async function show(args: Record<string, unknown> = {}): Promise<ReachabilityChangesSnapshot> {
  const snapshot = await vscode.commands.executeCommand<ReachabilityChangesSnapshot>('netpol.showReachabilityChanges', args);
  assert.ok(snapshot, 'the command returns what the view shows');
  return snapshot;
}

/** Label and description of each entry, indented by depth: what a reader of the view sees. */
function outline(nodes: RenderedNode[], depth = 0): string[] {
  return nodes.flatMap((n) => [`${'  '.repeat(depth)}${n.label}${n.description ? ` [${n.description}]` : ''}`, ...outline(n.children, depth + 1)]);
}

function find(nodes: RenderedNode[], path: string[]): RenderedNode {
  let level = nodes;
  let found: RenderedNode | undefined;
  for (const label of path) {
    found = level.find((n) => n.label === label);
    assert.ok(found, `entry ${path.join(' > ')} (no "${label}" among ${level.map((n) => n.label).join(', ')})`);
    level = found.children;
  }
  return found!;
}

async function text(relative: string): Promise<string> {
  return new TextDecoder().decode(await vscode.workspace.fs.readFile(fixture(relative)));
}

/**
 * The base version: the workspace as on disk, except that in the base `api-from-web` also allowed 8443,
 * `db-from-api` did not exist, `web-from-monitoring` let prometheus reach web on 8080, and a Pod `legacy` existed.
 */
async function baseFiles(): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for (const uri of await vscode.workspace.findFiles('**/*.{yaml,yml}')) files[uri.toString()] = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
  const policies = await text('shop/policies.yaml');
  const documents = policies.split(/^---\n/m);
  const dbFromApi = documents.findIndex((d) => d.includes('name: db-from-api'));
  assert.ok(dbFromApi > 0, 'the fixture has db-from-api');
  documents.splice(dbFromApi, 1);
  const base = documents
    .join('---\n')
    .replace('          port: 9090\n', '          port: 9090\n        - protocol: TCP\n          port: 8443\n')
    .concat(
      [
        '---',
        'apiVersion: networking.k8s.io/v1',
        'kind: NetworkPolicy',
        'metadata:',
        '  name: web-from-monitoring',
        '  namespace: shop',
        'spec:',
        '  podSelector:',
        '    matchLabels:',
        '      app: web',
        '  ingress:',
        '    - from:',
        '        - namespaceSelector:',
        '            matchLabels:',
        '              kubernetes.io/metadata.name: monitoring',
        '      ports:',
        '        - protocol: TCP',
        '          port: 8080',
        '',
      ].join('\n'),
    );
  assert.ok(base.includes('port: 8443'));
  files[fixture('shop/policies.yaml').toString()] = base;
  files[fixture('shop/legacy.yaml').toString()] = ['apiVersion: v1', 'kind: Pod', 'metadata:', '  name: legacy', '  namespace: shop', '  labels:', '    app: legacy', 'spec:', '  containers:', '    - name: c', '      image: nginx', ''].join('\n');
  return files;
}

function lineOf(document: vscode.TextDocument, needle: string): number {
  const offset = document.getText().indexOf(needle);
  assert.ok(offset >= 0, `${needle} in ${document.uri.path}`);
  return document.positionAt(offset).line;
}

async function lensTitles(uri: vscode.Uri): Promise<{ line: number; title: string }[]> {
  const lenses = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri)) ?? [];
  return lenses.filter((l) => l.command?.title.startsWith('vs ')).map((l) => ({ line: l.range.start.line, title: l.command!.title }));
}

async function click(node: RenderedNode): Promise<vscode.TextEditor> {
  assert.ok(node.command, `"${node.label}" opens something when clicked`);
  await vscode.commands.executeCommand(node.command.command, ...(node.command.arguments ?? []));
  const editor = vscode.window.activeTextEditor;
  assert.ok(editor, 'an editor is active after the click');
  return editor;
}

describe('reachability changes view (what-if diff)', () => {
  before(extensionApi);

  after(async () => {
    await show({ base: 'git' });
  });

  it('says why there is nothing to compare with when git is not available (disabled here, no repository)', async () => {
    const snapshot = await show({ base: 'git' });
    assert.equal(snapshot.base, 'HEAD', 'netpol.diff.base defaults to HEAD');
    assert.match(snapshot.message ?? '', /git/i);
    assert.deepEqual(snapshot.tree, []);
    assert.deepEqual(snapshot.lenses, []);
    assert.equal(snapshot.status, undefined, 'no count in the status bar');
  });

  it('lists added, removed and changed connections by namespace and workload, and workloads that disappeared', async () => {
    const snapshot = await show({ base: await baseFiles(), label: LABEL });
    assert.equal(snapshot.message, undefined);
    assert.deepEqual(snapshot.counts, { added: 1, removed: 1, changed: 1, appeared: 0, disappeared: 1 });
    assert.equal(snapshot.status, `$(git-compare) vs ${LABEL}: +1 added, −1 removed, ~1 changed`);
    const shown = outline(snapshot.tree);
    // Entries sit under the workload whose (ingress) policies decide them; each names the policy that causes it.
    assert.deepEqual(shown.slice(0, 15), [
      'Added connections [1]',
      '  shop [1]',
      '    shop/db',
      '      ← shop/api [TCP 5432]',
      '        shop/db-from-api [added · ingress]',
      'Removed connections [1]',
      '  shop [1]',
      '    shop/web',
      '      ← monitoring/prometheus [TCP 8080]',
      '        shop/web-from-monitoring [deleted · ingress]',
      'Changed connections [1]',
      '  shop [1]',
      '    shop/api',
      '      ← shop/web [now only TCP 9090]',
      '        shop/api-from-web [modified · ingress]',
    ]);
    assert.deepEqual(shown.slice(15, 18), ['Workloads disappeared [1]', '  shop', '    shop/legacy [Pod]']);
  });

  it('reveals the YAML of the policy that causes a change', async () => {
    const snapshot = await show();
    const cause = find(snapshot.tree, ['Added connections', 'shop', 'shop/db', '← shop/api', 'shop/db-from-api']);
    const editor = await click(cause);
    assert.equal(editor.document.uri.toString(), fixture('shop/policies.yaml').toString());
    assert.equal(editor.document.getText(editor.selection), 'db-from-api', 'the policy name is selected');
  });

  it('shows a deleted policy in the base version, read-only', async () => {
    const snapshot = await show();
    const cause = find(snapshot.tree, ['Removed connections', 'shop', 'shop/web', '← monitoring/prometheus', 'shop/web-from-monitoring']);
    const editor = await click(cause);
    assert.equal(editor.document.uri.scheme, 'netpol-base');
    assert.equal(editor.document.getText(editor.selection), 'web-from-monitoring');
    assert.ok(!(await vscode.workspace.fs.stat(fixture('shop/legacy.yaml')).then(() => true, () => false)), 'nothing was written to the workspace');
    await revertAndClose();
  });

  it('puts a code lens with the counts on each changed policy, none on unchanged ones', async () => {
    const uri = fixture('shop/policies.yaml');
    const document = await vscode.workspace.openTextDocument(uri);
    // Code lenses are asked of documents the workbench holds: an open editor.
    await vscode.window.showTextDocument(document, { preview: false });
    await show();
    const lenses = await lensTitles(uri);
    assert.deepEqual(
      lenses.sort((a, b) => a.line - b.line),
      [
        { line: lineOf(document, 'name: api-from-web'), title: `vs ${LABEL}: +0 added, −0 removed, ~1 changed` },
        { line: lineOf(document, 'name: db-from-api'), title: `vs ${LABEL}: +1 added, −0 removed, ~0 changed` },
      ],
    );
    // Clicking a lens shows the policy's entry in the view.
    const lens = ((await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri)) ?? []).find((l) => l.command?.title.includes('+1 added'));
    assert.ok(lens?.command);
    const command = lens.command;
    // The tree view reports its selection asynchronously: the entry must become selected, soon.
    await eventually('the lens to select the policy entry', async () => {
      const revealed = await vscode.commands.executeCommand<ReachabilityChangesSnapshot>(command.command, ...(command.arguments ?? []));
      return JSON.stringify(revealed?.selection) === JSON.stringify(['shop/db-from-api']);
    });
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(fixture('shop/workloads.yaml')), { preview: false });
    assert.deepEqual(await lensTitles(fixture('shop/workloads.yaml')), []);
  });

  it('follows unsaved edits: the lens and the entry go once the policy matches the base again', async () => {
    const uri = fixture('shop/policies.yaml');
    const document = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(document, { preview: false });
    const edit = new vscode.WorkspaceEdit();
    const at = document.positionAt(document.getText().indexOf('          port: 9090\n') + '          port: 9090\n'.length);
    edit.insert(uri, at, '        - protocol: TCP\n          port: 8443\n');
    assert.ok(await vscode.workspace.applyEdit(edit));
    try {
      // No command in between: the refresh after the edit (debounced) brings the lenses up to date.
      await eventually('the api-from-web lens to go', async () => {
        const lenses = await lensTitles(uri);
        return lenses.length === 1 && lenses[0].title === `vs ${LABEL}: +1 added, −0 removed, ~0 changed`;
      });
      const snapshot = await show();
      assert.equal(snapshot.counts?.changed, 0);
      assert.ok(!outline(snapshot.tree).some((l) => l.includes('Changed connections')));
    } finally {
      await restoreFromDisk(document);
    }
    await eventually('the lens to come back', async () => (await lensTitles(uri)).length === 2);
  });

  it('while the view is hidden, leaves unsaved edits for when it shows again (a comparison occupies the server)', async () => {
    const uri = fixture('shop/policies.yaml');
    const document = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(document, { preview: false });
    await eventually('both lenses', async () => (await lensTitles(uri)).length === 2);
    await vscode.commands.executeCommand('workbench.action.closeSidebar');
    const edit = new vscode.WorkspaceEdit();
    const at = document.positionAt(document.getText().indexOf('          port: 9090\n') + '          port: 9090\n'.length);
    edit.insert(uri, at, '        - protocol: TCP\n          port: 8443\n');
    assert.ok(await vscode.workspace.applyEdit(edit));
    try {
      await sleep(2_500);
      assert.equal((await lensTitles(uri)).length, 2, 'not compared again while the view is hidden');
      await vscode.commands.executeCommand('netpol.reachabilityChanges.focus');
      await eventually('the api-from-web lens to go once the view shows', async () => (await lensTitles(uri)).length === 1);
    } finally {
      await restoreFromDisk(document);
    }
    await eventually('the lens to come back', async () => (await lensTitles(uri)).length === 2);
  });

  it('counts a workload typed into an unsaved editor as appeared', async () => {
    const document = await vscode.workspace.openTextDocument(fixture('scratch/empty.yaml'));
    const edit = new vscode.WorkspaceEdit();
    edit.insert(document.uri, new vscode.Position(0, 0), ['apiVersion: v1', 'kind: Pod', 'metadata:', '  name: newcomer', '  namespace: shop', 'spec:', '  containers:', '    - name: c', '      image: nginx', ''].join('\n'));
    assert.ok(await vscode.workspace.applyEdit(edit));
    try {
      const snapshot = await show();
      assert.equal(snapshot.counts?.appeared, 1);
      const entry = find(snapshot.tree, ['Workloads appeared', 'shop', 'shop/newcomer']);
      assert.equal(entry.description, 'Pod');
      const editor = await click(entry);
      assert.equal(editor.document.uri.toString(), document.uri.toString());
    } finally {
      await restoreFromDisk(document);
    }
  });
});

/**
 * A Git extension API over the fixture workspace, shaped as `vscode.git`'s `getAPI(1)` (the test workbench runs
 * with git disabled): HEAD is commit `c0ffee`, and `diffWith` lists what differs from it.
 */
function fakeGit(options: { changes: GitChange[]; untracked?: vscode.Uri[]; ignored?: vscode.Uri[]; atHead: Map<string, string>; enabled?: boolean; repositories?: 0 }) {
  const shown: string[] = [];
  const calls = { diffWith: 0 };
  const never = () => ({ dispose() {} });
  const root = vscode.Uri.joinPath(fixture('namespaces.yaml'), '..');
  const stateChanged = new vscode.EventEmitter<void>();
  const head = { name: 'main', commit: 'c0ffee' };
  const repository: GitRepository = {
    rootUri: root,
    state: {
      get HEAD() {
        return { ...head };
      },
      indexChanges: [],
      workingTreeChanges: (options.untracked ?? []).map((uri) => ({ uri, originalUri: uri, renameUri: undefined, status: GitStatus.UNTRACKED })),
      onDidChange: stateChanged.event,
    },
    async show(ref, path) {
      assert.equal(ref, 'c0ffee', 'texts are read at the commit the ref named when the read began');
      shown.push(vscode.Uri.file(path).toString());
      const text = options.atHead.get(vscode.Uri.file(path).toString());
      if (text === undefined) throw new Error(`fatal: path '${path}' does not exist in '${ref}'`);
      return text;
    },
    async getCommit(ref) {
      if (ref !== 'HEAD' && ref !== 'main') throw new Error(`fatal: bad revision '${ref}'`);
      return { hash: 'c0ffee' };
    },
    async diffWith() {
      calls.diffWith++;
      return options.changes;
    },
    async checkIgnore(paths) {
      const ignored = new Set((options.ignored ?? []).map((u) => u.fsPath));
      return new Set(paths.filter((p) => ignored.has(p)));
    },
  };
  const api: GitApi = {
    state: 'initialized',
    repositories: options.repositories === 0 ? [] : [repository],
    onDidOpenRepository: never,
    onDidCloseRepository: never,
    // As the real API does: a new wrapper object for the same repository on every call.
    getRepository: (uri) => (options.repositories !== 0 && uri.fsPath.startsWith(root.fsPath) ? (Object.create(repository) as GitRepository) : null),
  };
  const exports: GitExtension = { enabled: options.enabled ?? true, onDidChangeEnablement: never, getAPI: () => api };
  const extension = { id: 'vscode.git', isActive: true, exports, activate: async () => exports } as unknown as vscode.Extension<GitExtension>;
  return { extension, shown, stateChanged, head, calls };
}

const change = (status: number, uri: vscode.Uri, renameUri?: vscode.Uri): GitChange => ({ uri: renameUri ?? uri, originalUri: uri, renameUri, status });

describe('reachability changes: the base version from the Git extension API', () => {
  before(extensionApi);

  it('reads changed, deleted and renamed files at the commit, lists unchanged ones as on disk, and leaves out new, untracked and ignored files', async () => {
    const atHead = new Map([
      [fixture('shop/policies.yaml').toString(), '# policies at HEAD\n'],
      [fixture('shop/legacy.yaml').toString(), '# legacy at HEAD\n'],
      [fixture('monitoring/old-prometheus.yaml').toString(), '# prometheus before the rename\n'],
      [fixture('README.md').toString(), 'not a manifest'],
    ]);
    const git = fakeGit({
      atHead,
      changes: [
        change(GitStatus.MODIFIED, fixture('shop/policies.yaml')),
        change(GitStatus.DELETED, fixture('shop/legacy.yaml')),
        change(GitStatus.DELETED, fixture('README.md')),
        change(GitStatus.INDEX_RENAMED, fixture('monitoring/old-prometheus.yaml'), fixture('monitoring/prometheus.yaml')),
        change(GitStatus.INDEX_ADDED, fixture('scratch/shop-app.yaml')),
      ],
      untracked: [fixture('scratch/empty.yaml')],
      ignored: [fixture('namespaces.yaml')],
    });
    const source = new GitBaseSource(() => 'HEAD', await serverIndex(), () => git.extension);
    try {
      const read = await source.read();
      assert.ok(read.available, read.available ? '' : read.message);
      assert.equal(read.base.label, 'HEAD');
      const files = read.base.files;
      // The base: texts from git for what differs, URIs for what is the same on disk (the server reads those).
      assert.deepEqual([...files.keys(), ...read.base.filesOnDisk].sort(), [
        fixture('monitoring/old-prometheus.yaml').toString(),
        fixture('monitoring/prometheus-egress.yaml').toString(),
        fixture('shop/legacy.yaml').toString(),
        fixture('shop/policies.yaml').toString(),
        fixture('shop/workloads.yaml').toString(),
      ]);
      assert.deepEqual([...read.base.filesOnDisk].sort(), [fixture('monitoring/prometheus-egress.yaml').toString(), fixture('shop/workloads.yaml').toString()]);
      assert.equal(files.get(fixture('shop/policies.yaml').toString()), '# policies at HEAD\n');
      assert.equal(files.get(fixture('shop/workloads.yaml').toString()), undefined, 'an unchanged file is sent by URI, not as text');
      // Git is asked only for what differs (unchanged files are the same on disk) and never for other files.
      assert.deepEqual(git.shown.sort(), [...atHead.keys()].filter((k) => !k.endsWith('README.md')).sort());
      assert.equal(git.calls.diffWith, 1, 'one git diff per repository, not per file');
    } finally {
      source.dispose();
    }
  });

  it('asks for a new comparison when the repository state changes what the base is, not on every status refresh', async () => {
    const git = fakeGit({ atHead: new Map(), changes: [] });
    const source = new GitBaseSource(() => 'HEAD', await serverIndex(), () => git.extension);
    let fired = 0;
    const subscription = source.onDidChange(() => fired++);
    try {
      assert.ok((await source.read()).available);
      git.stateChanged.fire(); // a status refresh that found nothing new
      assert.equal(fired, 0);
      git.head.commit = 'beef01'; // a commit
      git.stateChanged.fire();
      assert.equal(fired, 1);
    } finally {
      subscription.dispose();
      source.dispose();
    }
  });

  it('says so when Git is disabled, when no repository is open and when the revision does not exist', async () => {
    const disabled = new GitBaseSource(() => 'HEAD', await serverIndex(), () => fakeGit({ atHead: new Map(), changes: [], enabled: false }).extension);
    const none = new GitBaseSource(() => 'HEAD', await serverIndex(), () => fakeGit({ atHead: new Map(), changes: [], repositories: 0 }).extension);
    const badRef = new GitBaseSource(() => 'release-9', await serverIndex(), () => fakeGit({ atHead: new Map(), changes: [] }).extension);
    const missing = new GitBaseSource(() => 'HEAD', await serverIndex(), () => undefined);
    try {
      const message = async (source: GitBaseSource) => {
        const read = await source.read();
        assert.ok(!read.available, 'no base');
        return read.message;
      };
      assert.match(await message(disabled), /Git is disabled/);
      assert.match(await message(none), /No git repository/);
      assert.match(await message(badRef), /release-9 is not a commit/);
      assert.match(await message(missing), /Git extension is not available/);
    } finally {
      for (const s of [disabled, none, badRef, missing]) s.dispose();
    }
  });

  it('refuses a base that git would read as an option', async () => {
    const config = vscode.workspace.getConfiguration('netpol');
    await config.update('diff.base', '--output=/tmp/x', vscode.ConfigurationTarget.Workspace);
    try {
      const snapshot = await show({ base: 'git' });
      assert.match(snapshot.message ?? '', /must name one git revision/);
    } finally {
      await config.update('diff.base', undefined, vscode.ConfigurationTarget.Workspace);
    }
  });
});

/**
 * The built-in Git extension for real: the test makes the workspace copy a repository (the test runs git; the
 * extension never does), enables Git, which the test workbench starts with disabled, and puts everything back.
 */
describe('reachability changes against HEAD through the built-in Git extension', function () {
  this.timeout(120_000);
  const root = () => workspaceRoot().fsPath;
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.email=e2e@netpol.test', '-c', 'user.name=netpol e2e', '-c', 'commit.gpgsign=false', ...args], { cwd: root(), stdio: 'pipe' }).toString();
  let policies = '';

  before(async function () {
    await extensionApi();
    try {
      execFileSync('git', ['--version'], { stdio: 'pipe' });
    } catch {
      this.skip(); // no git on this machine: nothing the Git extension could read
    }
    // Unsaved editor text is the working tree: earlier tests leave edited (restored, still dirty) documents.
    await closeAll();
    policies = await text('shop/policies.yaml');
    git('init', '-q', '-b', 'main');
    git('add', '-A');
    git('commit', '-q', '-m', 'e2e base');
    await vscode.workspace.getConfiguration('git').update('enabled', true, vscode.ConfigurationTarget.Global);
  });

  after(async () => {
    // Order matters: the Git extension runs git for open editors (quick diff) and file changes. A git process
    // started after .git is gone exits at once, and the extension's write to its stdin fails with an uncaught
    // EPIPE in the extension host. So: no editors, the repository closed (turning Git off does not close it until
    // a reload) and the processes already started done, then Git off.
    await closeAll();
    await vscode.commands.executeCommand('git.close', workspaceRoot());
    await eventually('the Git extension to close the repository', () => {
      const extension = vscode.extensions.getExtension<GitExtension>('vscode.git');
      return !extension?.isActive || !extension.exports.enabled || extension.exports.getAPI(1).repositories.length === 0;
    });
    await sleep(1000);
    await vscode.workspace.getConfiguration('git').update('enabled', undefined, vscode.ConfigurationTarget.Global);
    await vscode.workspace.fs.writeFile(fixture('shop/policies.yaml'), new TextEncoder().encode(policies));
    fs.rmSync(path.join(root(), 'scratch', 'newcomer.yaml'), { force: true });
    fs.rmSync(path.join(root(), '.git'), { recursive: true, force: true });
    await show({ base: 'git' });
  });

  it('compares the files on disk (tracked and untracked) with HEAD, and follows a commit made outside the editor', async () => {
    // On disk: db-from-api deleted, api-from-web opened to 8443; an untracked file with a new Pod.
    const documents = policies.split(/^---\n/m).filter((d) => !d.includes('name: db-from-api'));
    const edited = documents.join('---\n').replace('          port: 9090\n', '          port: 9090\n        - protocol: TCP\n          port: 8443\n');
    await vscode.workspace.fs.writeFile(fixture('shop/policies.yaml'), new TextEncoder().encode(edited));
    const pod = ['apiVersion: v1', 'kind: Pod', 'metadata:', '  name: newcomer', '  namespace: shop', 'spec:', '  containers:', '    - name: c', '      image: nginx', ''].join('\n');
    await vscode.workspace.fs.writeFile(fixture('scratch/newcomer.yaml'), new TextEncoder().encode(pod));

    let last: ReachabilityChangesSnapshot | undefined;
    const snapshot = await eventually(
      'the Git extension to open the repository and the comparison with HEAD',
      async () => {
        last = await show({ base: 'git' });
        return last.message === undefined && last.counts?.removed === 1 && last.counts.appeared === 1 ? last : undefined;
      },
      60_000,
    ).catch((error: Error) => {
      throw new Error(`${error.message}; the view showed ${JSON.stringify({ message: last?.message, counts: last?.counts })}`);
    });
    assert.equal(snapshot.base, 'HEAD');
    assert.deepEqual(snapshot.counts, { added: 0, removed: 1, changed: 1, appeared: 1, disappeared: 0 });
    assert.equal(snapshot.status, '$(git-compare) vs HEAD: +0 added, −1 removed, ~1 changed');
    const removed = find(snapshot.tree, ['Removed connections', 'shop', 'shop/db', '← shop/api', 'shop/db-from-api']);
    assert.equal(removed.description, 'deleted · ingress');
    assert.equal(find(snapshot.tree, ['Changed connections', 'shop', 'shop/api', '← shop/web']).description, 'now also TCP 8443');
    find(snapshot.tree, ['Workloads appeared', 'shop', 'shop/newcomer']);
    // The deleted policy opens as it is at HEAD.
    const editor = await click(removed);
    assert.equal(editor.document.uri.scheme, 'netpol-base');
    assert.equal(editor.document.getText(editor.selection), 'db-from-api');
    await revertAndClose();

    const uri = fixture('shop/policies.yaml');
    const document = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(document, { preview: false });
    await eventually('the lens on api-from-web', async () => (await lensTitles(uri)).some((l) => l.title === 'vs HEAD: +0 added, −0 removed, ~1 changed' && l.line === lineOf(document, 'name: api-from-web')));

    // A commit outside the editor: the Git extension sees it, the view and the lens follow without a command.
    git('add', '-A');
    git('commit', '-q', '-m', 'e2e change');
    await eventually('the lens to go after the commit', async () => (await lensTitles(uri)).length === 0, 60_000);
    // The Git extension's status may lag behind the commit for a moment; its update brings the view there.
    const after = await eventually('no changes after the commit', async () => {
      const s = await vscode.commands.executeCommand<ReachabilityChangesSnapshot>('netpol.refreshReachabilityChanges');
      return s && s.tree.length === 0 ? s : undefined;
    });
    assert.match(after.status ?? '', /no changes/);

    // An unsaved deletion in a file unchanged since HEAD: its base is the file on disk, which the language server
    // compares with and the read-only base document shows.
    const committed = document.getText();
    const withoutApiFromWeb = committed
      .split(/^---\n/m)
      .filter((d) => !d.includes('name: api-from-web'))
      .join('---\n');
    assert.notEqual(withoutApiFromWeb, committed, 'the committed file has api-from-web');
    const edit = new vscode.WorkspaceEdit();
    edit.replace(uri, new vscode.Range(document.positionAt(0), document.positionAt(committed.length)), withoutApiFromWeb);
    assert.ok(await vscode.workspace.applyEdit(edit));
    try {
      const unsaved = await eventually('the unsaved deletion compared with HEAD', async () => {
        const s = await vscode.commands.executeCommand<ReachabilityChangesSnapshot>('netpol.refreshReachabilityChanges');
        return s?.counts?.removed === 1 ? s : undefined;
      });
      const deleted = find(unsaved.tree, ['Removed connections', 'shop', 'shop/api', '← shop/web', 'shop/api-from-web']);
      assert.equal(deleted.description, 'deleted · ingress');
      const base = await click(deleted);
      assert.equal(base.document.uri.scheme, 'netpol-base');
      assert.equal(base.document.getText(), committed, 'the base document is the file on disk');
      assert.equal(base.document.getText(base.selection), 'api-from-web');
      await revertAndClose();
    } finally {
      await restoreFromDisk(document);
    }
  });
});
