// What quick fixes and positions cost the first full rule run: CPU time of `runRules` on a workspace, and how many
// files the yaml package had to parse during it (the fast reader builds yaml documents only on first access).
//   node --import tsx bench/rule-fixes.ts DIR [--fixes] [--by-rule]
// --fixes runs the rules with quick fixes (as `netpol check` does); --by-rule also runs each rule alone on a fresh
// workspace and prints its CPU time and yaml parses.
import * as fs from 'node:fs';
import { pathToFileURL } from 'node:url';
import { Composer } from 'yaml';
import { ALL_RULES } from '../server/src/engine/rules/index';
import { runRules } from '../server/src/engine/rules/run';
import type { Rule } from '../server/src/engine/rules/types';
import { Workspace } from '../server/src/engine/workspace';
import { manifestPaths } from './manifests';


// Every yaml parse of a file goes through one Composer.compose (parse.ts `parseAllDocumentsBounded`).
let composes = 0;
const compose = Composer.prototype.compose;
Composer.prototype.compose = function (this: Composer, ...args: Parameters<typeof compose>) {
  composes++;
  return compose.apply(this, args);
} as typeof compose;

const args = process.argv.slice(2);
const root = args.find((a) => !a.startsWith('--'));
if (!root) throw new Error('usage: rule-fixes.ts DIR [--fixes] [--by-rule]');
const fixes = args.includes('--fixes');
const files = manifestPaths(root).map((f) => [pathToFileURL(f).href, fs.readFileSync(f, 'utf8')] as const);

function measure(rules: readonly Rule[]): { cpuMs: number; yamlParses: number; findings: number; withFixes: number } {
  const workspace = new Workspace();
  for (const [uri, text] of files) workspace.setFile(uri, text);
  workspace.scopes();
  // Warm nothing else: the first run is what a server start and `netpol check` pay.
  composes = 0;
  const start = process.cpuUsage();
  const result = runRules(workspace, { rules, fixes });
  const used = process.cpuUsage(start);
  let findings = 0;
  let withFixes = 0;
  for (const list of result.values()) {
    findings += list.length;
    for (const d of list) if (d.fixes?.length) withFixes++;
  }
  return { cpuMs: Math.round((used.user + used.system) / 1000), yamlParses: composes, findings, withFixes };
}

const all = measure(ALL_RULES);
const out: Record<string, unknown> = { files: files.length, fixes, all };
if (args.includes('--by-rule')) {
  const byRule: Record<string, unknown> = {};
  for (const rule of ALL_RULES) byRule[rule.id] = measure([rule]);
  out.byRule = byRule;
}
console.log(JSON.stringify(out, null, 1));
