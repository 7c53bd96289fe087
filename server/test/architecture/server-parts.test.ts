// Architecture invariants (ARCHITECTURE.md, `server/src/lsp/`): the language server is wired in server.ts from its
// parts and its handlers, and does not grow back into one class that does everything.
// - server.ts stays short (MAX_SERVER_LINES) and registers no handler itself: it calls no `on...` method, sends
//   nothing, and every `register...` function it uses comes from handlers/.
// - No file of server/src/lsp outside handlers/ registers a handler on the connection or the documents.
// - Deferred work goes through the scheduler (scheduler.ts): no other file of server/src/lsp starts a timer
//   (setTimeout, setInterval, setImmediate) except the listed waits that only bound or yield an await.
// Each check is also run on a small monolith below, to show that it fails.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import ts from 'typescript';

const LSP = path.resolve(__dirname, '..', '..', 'src', 'lsp');
const MAX_SERVER_LINES = 160;

/** Receivers whose `on...` methods register protocol or document handlers. */
const HANDLER_RECEIVER = /(^|\.)(connection|documents)(\.(workspace|window|client|languages|console))?$/;

/** Files outside scheduler.ts that may call a timer function, with why: each only bounds or yields an await. */
const TIMER_EXCEPTIONS: Record<string, string> = {
  'indexer.ts': 'yields between index slices, and bounds the wait for the worker',
  'files.ts': 'yields between slices of the folder walk',
  'handlers/watched-files.ts': 'yields between slices of a large batch of file events',
  'render.ts': 'bounds the wait for the first rendering (startAndWait)',
  'index-reader.ts': "the worker's watchdog: a worker silent for too long is given up",
};

function sourceFiles(dir: string, prefix = ''): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const relative = prefix + entry.name;
    if (entry.isDirectory()) return sourceFiles(path.join(dir, entry.name), `${relative}/`);
    return entry.name.endsWith('.ts') ? [relative] : [];
  });
}

function parse(name: string, text: string): ts.SourceFile {
  return ts.createSourceFile(name, text, ts.ScriptTarget.Latest, true);
}

function calls(source: ts.SourceFile): ts.CallExpression[] {
  const out: ts.CallExpression[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node)) out.push(node);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return out;
}

/** `receiver.onSomething(...)` calls on the connection or the documents, as "line: text". */
function handlerRegistrations(source: ts.SourceFile): string[] {
  return calls(source)
    .filter((call) => ts.isPropertyAccessExpression(call.expression) && /^on[A-Z]/.test(call.expression.name.text) && HANDLER_RECEIVER.test(call.expression.expression.getText(source)))
    .map((call) => `${source.getLineAndCharacterOfPosition(call.getStart(source)).line + 1}: ${(call.expression as ts.PropertyAccessExpression).getText(source)}`);
}

function timerCalls(source: ts.SourceFile): string[] {
  return calls(source)
    .filter((call) => ts.isIdentifier(call.expression) && /^(setTimeout|setInterval|setImmediate)$/.test(call.expression.text))
    .map((call) => `${source.getLineAndCharacterOfPosition(call.getStart(source)).line + 1}: ${call.expression.getText(source)}`);
}

/** What is wrong with a server.ts of this text (empty: nothing). */
function serverViolations(text: string): string[] {
  const source = parse('server.ts', text);
  const violations: string[] = [];
  const lines = text.split('\n').length;
  if (lines > MAX_SERVER_LINES) violations.push(`server.ts has ${lines} lines, more than ${MAX_SERVER_LINES}: move the logic into a part or a handler`);
  for (const registration of handlerRegistrations(source)) violations.push(`server.ts registers a handler itself (${registration}): give it a file in handlers/`);
  for (const call of calls(source)) {
    if (ts.isPropertyAccessExpression(call.expression) && /^send[A-Z]/.test(call.expression.name.text)) {
      violations.push(`server.ts sends a message itself (${call.expression.getText(source)}): that belongs to a part or a handler`);
    }
  }
  for (const statement of source.statements) {
    if (!ts.isImportDeclaration(statement) || !statement.importClause?.namedBindings || !ts.isNamedImports(statement.importClause.namedBindings)) continue;
    const from = (statement.moduleSpecifier as ts.StringLiteral).text;
    for (const element of statement.importClause.namedBindings.elements) {
      if (/^register[A-Z]/.test(element.name.text) && !from.startsWith('./handlers/')) {
        violations.push(`server.ts registers ${element.name.text} from ${from}: handlers live in handlers/`);
      }
    }
  }
  return violations;
}

/** Handler registrations and timers in the files of server/src/lsp outside their places (path -> text). */
function lspViolations(files: Map<string, string>): string[] {
  const violations: string[] = [];
  for (const [relative, text] of files) {
    const source = parse(relative, text);
    if (!relative.startsWith('handlers/') && relative !== 'server.ts') {
      for (const registration of handlerRegistrations(source)) violations.push(`${relative}:${registration}: a handler outside handlers/`);
    }
    if (relative !== 'scheduler.ts' && !(relative in TIMER_EXCEPTIONS)) {
      for (const timer of timerCalls(source)) violations.push(`${relative}:${timer}: deferred work outside the scheduler`);
    }
  }
  return violations;
}

function realLspFiles(): Map<string, string> {
  return new Map(sourceFiles(LSP).map((relative) => [relative, fs.readFileSync(path.join(LSP, relative), 'utf8')]));
}

test('server.ts only wires the parts: short, no handler of its own, every register function from handlers/', () => {
  assert.deepEqual(serverViolations(fs.readFileSync(path.join(LSP, 'server.ts'), 'utf8')), []);
});

test('no file of server/src/lsp outside handlers/ registers a handler, and deferred work goes through the scheduler', () => {
  const files = realLspFiles();
  assert.ok(files.has('scheduler.ts') && [...files.keys()].filter((f) => f.startsWith('handlers/')).length >= 10, 'the lsp folder was read');
  assert.deepEqual(lspViolations(files), []);
});

test('every listed timer exception is still a file that calls a timer (an exception without a reason goes)', () => {
  const files = realLspFiles();
  for (const relative of Object.keys(TIMER_EXCEPTIONS)) {
    assert.ok(files.has(relative), `${relative} exists`);
    assert.ok(timerCalls(parse(relative, files.get(relative)!)).length > 0, `${relative} still calls a timer`);
  }
});

test('the checks fail on a server.ts that grows back into a monolith', () => {
  const monolith = [
    "import { registerFeatureHandlers } from './features';",
    "import { registerCodeAction } from './handlers/code-action';",
    'export class NetpolServer {',
    '  constructor(readonly connection: Connection) {',
    '    connection.onRequest(StatusRequest, () => this.status());',
    '    this.documents.onDidChangeContent((event) => this.changed(event));',
    '    void connection.sendNotification(IndexCompleteNotification, {});',
    ...Array.from({ length: MAX_SERVER_LINES }, (_, i) => `    const field${i} = ${i};`),
    '  }',
    '}',
  ].join('\n');
  assert.deepEqual(
    serverViolations(monolith).map((v) => v.replace(/:.*/, '')),
    [
      `server.ts has ${MAX_SERVER_LINES + 9} lines, more than ${MAX_SERVER_LINES}`,
      'server.ts registers a handler itself (5',
      'server.ts registers a handler itself (6',
      'server.ts sends a message itself (connection.sendNotification)',
      'server.ts registers registerFeatureHandlers from ./features',
    ].map((v) => v.replace(/:.*/, '')),
  );
});

test('the checks fail on a handler or a timer outside their places', () => {
  const files = realLspFiles();
  files.set('features.ts', 'export function register(connection: Connection) {\n  connection.onHover(() => null);\n  ctx.documents.onDidOpen(() => undefined);\n}');
  files.set('diagnostics.ts', `${files.get('diagnostics.ts')}\nconst later = setTimeout(() => undefined, 10);`);
  const violations = lspViolations(files);
  assert.equal(violations.length, 3, violations.join('\n'));
  assert.match(violations[0], /^diagnostics\.ts:\d+: setTimeout: deferred work outside the scheduler$/);
  assert.deepEqual(violations.slice(1), ['features.ts:2: connection.onHover: a handler outside handlers/', 'features.ts:3: ctx.documents.onDidOpen: a handler outside handlers/']);
});
