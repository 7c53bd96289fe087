// Findings as text lines (`line:column rule message`) by file relative to a workspace, from the server's published
// diagnostics and from a fresh `netpol check` of the files on disk, for tests that compare the two.
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { URI } from 'vscode-uri';
import { runCaptured } from '../cli/helpers';
import type { LspTestClient } from './client';

export function publishedFindings(client: LspTestClient, dir: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [uri, params] of client.diagnostics) {
    const file = path.relative(dir, URI.parse(uri).fsPath);
    const list = params.diagnostics.map((d) => `${d.range.start.line + 1}:${d.range.start.character + 1} ${d.code} ${d.message}`).sort();
    if (list.length > 0) out.set(file, list);
  }
  return out;
}

export async function checkFindings(dir: string): Promise<Map<string, string[]>> {
  const r = await runCaptured(['check', '--format', 'json', '--severity', 'hint', dir]);
  assert.ok(r.code === 0 || r.code === 1, r.stderr);
  const out = new Map<string, string[]>();
  for (const row of JSON.parse(r.stdout) as { file: string; line: number; column: number; rule: string; message: string }[]) {
    const file = path.relative(dir, path.resolve(row.file));
    out.set(file, [...(out.get(file) ?? []), `${row.line}:${row.column} ${row.rule} ${row.message}`].sort());
  }
  return out;
}

/**
 * The server's count of rule runs once it stays the same over two polls and is above zero: after a start from the
 * findings cache, the rules run only when the server is idle.
 */
export async function ruleRunsWhenIdle(client: LspTestClient): Promise<number> {
  let analyses = -1;
  for (let polls = 0; polls < 200; polls++) {
    const now = (await client.request<{ analyses: number }>('netpol/status')).analyses;
    if (now > 0 && now === analyses) return now;
    analyses = now;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`the rules did not run: ${client.logs.join('\n')}`);
}
