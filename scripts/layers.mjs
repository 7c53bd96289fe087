// The layers of the code and what each may import, checked on every import of every source file as the TypeScript
// compiler resolves it (type-only imports included), and no cycle of value imports between files. `node scripts/build.mjs`, `npm run typecheck` and
// server/test/architecture/layers.test.ts run the check; any violation fails them. ARCHITECTURE.md describes the
// layers.
//
// Usage: node scripts/layers.mjs   (prints the violations, exits 1 when there are any)
import { builtinModules } from 'node:module';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const PURE_PACKAGES = ['yaml', 'ipaddr.js', 'fastest-levenshtein', 'minimatch'];
const NODE = 'node builtins';

/**
 * Each layer: the files it holds (folders, or single files, relative to the repository; the most specific entry
 * wins), the layers it may import from, and the packages it may import. `typeOnly` layers may import the listed
 * layers only with `import type` (nothing of them reaches the bundle).
 */
export const LAYERS = {
  engine: { holds: ['server/src/engine'], imports: ['engine'], packages: PURE_PACKAGES },
  // wrap-ansi: the check report's wrapping to the terminal's width (pure text).
  report: { holds: ['server/src/report'], imports: ['engine', 'report'], packages: [...PURE_PACKAGES, 'wrap-ansi'] },
  protocol: { holds: ['server/src/lsp/protocol.ts'], imports: [], packages: ['vscode-languageserver-protocol'] },
  lsp: {
    holds: ['server/src/lsp'],
    imports: ['engine', 'report', 'protocol', 'lsp', 'io', 'render'],
    packages: [...PURE_PACKAGES, 'vscode-languageserver', 'vscode-languageserver-protocol', 'vscode-languageserver-textdocument', 'vscode-uri', NODE],
  },
  /** Reading files of an untrusted workspace, shared by the two edges. */
  io: { holds: ['server/src/io'], imports: [], packages: [NODE] },
  /** Rendering Helm charts and kustomizations with the user's tools, shared by the two edges. */
  render: { holds: ['server/src/render'], imports: ['engine', 'io', 'render'], packages: [...PURE_PACKAGES, NODE] },
  cli: { holds: ['server/src/cli'], imports: ['engine', 'report', 'io', 'render', 'cli', 'cli lsp command'], packages: [...PURE_PACKAGES, NODE] },
  /** `netpol lsp` starts the language server: the one command above the lsp layer. */
  'cli lsp command': { holds: ['server/src/cli/commands/lsp.ts'], imports: ['cli', 'lsp'], packages: [] },
  boot: { holds: ['server/src/boot'], imports: ['boot'], packages: [NODE] },
  client: { holds: ['client/src'], imports: ['protocol', 'client'], packages: ['vscode', 'vscode-languageclient', 'vscode-languageserver-protocol', NODE] },
  webview: { holds: ['client/webview'], imports: ['webview'], typeOnly: ['protocol'], packages: [] },
  /** The webview's layout engine, its own bundle (dist/webview-elk.js); the view reaches it through a global. */
  'webview layout engine': { holds: ['client/webview/elk.ts'], imports: [], packages: ['elkjs'] },
};

/** The folders whose TypeScript files must all belong to a layer. */
const ROOTS = ['server/src', 'client/src', 'client/webview'];

function layerOf(relative) {
  let best;
  let bestLength = -1;
  for (const [name, layer] of Object.entries(LAYERS)) {
    for (const held of layer.holds) {
      const inside = relative === held || relative.startsWith(`${held}/`);
      if (inside && held.length > bestLength) {
        best = name;
        bestLength = held.length;
      }
    }
  }
  return best;
}

function sourceFiles(dir) {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(full);
    return /\.tsx?$/.test(e.name) && !e.name.endsWith('.d.ts') ? [full] : [];
  });
}

/** Every module specifier of a file: static imports and exports, `import x = require()`, require() and import(). */
export function importsOf(fileName, text) {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.ES2022, true);
  const found = [];
  const visit = (node) => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      const typeOnly = !!clause && (clause.isTypeOnly || (!clause.name && !!clause.namedBindings && ts.isNamedImports(clause.namedBindings) && clause.namedBindings.elements.length > 0 && clause.namedBindings.elements.every((e) => e.isTypeOnly)));
      found.push({ specifier: node.moduleSpecifier.text, typeOnly, line: line(source, node) });
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      found.push({ specifier: node.moduleSpecifier.text, typeOnly: node.isTypeOnly, line: line(source, node) });
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference) && ts.isStringLiteral(node.moduleReference.expression)) {
      found.push({ specifier: node.moduleReference.expression.text, typeOnly: node.isTypeOnly, line: line(source, node) });
    } else if (ts.isCallExpression(node) && node.arguments.length >= 1 && ts.isStringLiteralLike(node.arguments[0])) {
      const callee = node.expression;
      if (callee.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(callee) && callee.text === 'require')) {
        found.push({ specifier: node.arguments[0].text, typeOnly: false, line: line(source, node) });
      }
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      found.push({ specifier: node.argument.literal.text, typeOnly: true, line: line(source, node) });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

function line(source, node) {
  return source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
}

function packageName(specifier) {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

const COMPILER_OPTIONS = { module: ts.ModuleKind.CommonJS, moduleResolution: ts.ModuleResolutionKind.Node10, resolveJsonModule: true, allowJs: true };

/**
 * The violations of the layer rules, as `file:line: message` lines. `files` (absolute paths) defaults to every
 * TypeScript file under the roots; `read` to the file system (tests pass their own to show that it fails).
 */
export function checkLayers({ repo = REPO, files, read = (f) => fs.readFileSync(f, 'utf8') } = {}) {
  const list = files ?? ROOTS.flatMap((r) => sourceFiles(path.join(repo, r)));
  const violations = [];
  /** Value imports between files, by relative path, for the cycle check. */
  const edges = new Map();
  const host = { ...ts.sys, fileExists: (f) => ts.sys.fileExists(f) || (files?.includes(f) ?? false), readFile: (f) => (files?.includes(f) ? read(f) : ts.sys.readFile(f)) };
  for (const file of list) {
    const relative = path.relative(repo, file).split(path.sep).join('/');
    const from = layerOf(relative);
    if (!from) {
      violations.push(`${relative}: belongs to no layer (scripts/layers.mjs)`);
      continue;
    }
    const layer = LAYERS[from];
    for (const { specifier, typeOnly, line: at } of importsOf(file, read(file))) {
      const where = `${relative}:${at}`;
      if (!specifier.startsWith('.') && !path.isAbsolute(specifier)) {
        const isBuiltin = specifier.startsWith('node:') || builtinModules.includes(packageName(specifier));
        const name = isBuiltin ? NODE : packageName(specifier);
        if (!layer.packages.includes(name)) violations.push(`${where}: ${from} imports ${isBuiltin ? `${specifier} (a Node.js builtin)` : `the package ${specifier}`}; it may import ${layer.packages.length ? layer.packages.join(', ') : 'no package'}`);
        continue;
      }
      const resolved = ts.resolveModuleName(specifier, file, COMPILER_OPTIONS, host).resolvedModule;
      if (!resolved) {
        violations.push(`${where}: ${specifier} does not resolve`);
        continue;
      }
      const target = path.relative(repo, resolved.resolvedFileName).split(path.sep).join('/');
      // Type-only imports leave no trace at run time: only value imports make a cycle.
      if (!typeOnly) {
        if (!edges.has(relative)) edges.set(relative, new Set());
        edges.get(relative).add(target);
      }
      const to = layerOf(target);
      const allowed = to !== undefined && (layer.imports.includes(to) || (typeOnly && (layer.typeOnly ?? []).includes(to)));
      if (!allowed) {
        const may = [...layer.imports, ...(layer.typeOnly ?? []).map((l) => `${l} (import type only)`)].join(', ');
        violations.push(`${where}: ${from} imports ${target} (${to ?? 'no layer'}${typeOnly ? ', type only' : ''}); ${from} may import ${may}`);
      }
    }
  }
  for (const cycle of cycles(edges)) violations.push(`${cycle[0]}: import cycle: ${[...cycle, cycle[0]].join(' -> ')}`);
  return violations;
}

/** The strongly connected components of more than one file (Tarjan), each as one cycle through it, sorted. */
export function cycles(edges) {
  const index = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const components = [];
  let next = 0;
  const connect = (v) => {
    index.set(v, next);
    low.set(v, next);
    next++;
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!index.has(w)) {
        connect(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v), index.get(w)));
    }
    if (low.get(v) === index.get(v)) {
      const component = [];
      let w;
      do {
        w = stack.pop();
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) components.push(component);
    }
  };
  for (const v of [...edges.keys()].sort()) if (!index.has(v)) connect(v);
  return components.map((component) => cycleThrough(component, edges));
}

/** A shortest cycle through the first (sorted) file of a component, to name in a message. */
function cycleThrough(component, edges) {
  const members = new Set(component);
  const start = [...component].sort()[0];
  const previous = new Map([[start, undefined]]);
  const queue = [start];
  while (queue.length > 0) {
    const v = queue.shift();
    for (const w of [...(edges.get(v) ?? [])].sort()) {
      if (!members.has(w)) continue;
      if (w === start) {
        const path = [];
        for (let at = v; at !== undefined; at = previous.get(at)) path.unshift(at);
        return path;
      }
      if (!previous.has(w)) {
        previous.set(w, v);
        queue.push(w);
      }
    }
  }
  return [start];
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const violations = checkLayers();
  for (const v of violations) console.error(v);
  if (violations.length > 0) {
    console.error(`layers: ${violations.length} import(s) break the layers (scripts/layers.mjs, ARCHITECTURE.md)`);
    process.exit(1);
  }
}
