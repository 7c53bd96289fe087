// Generated policies (insert commands, Explain Traffic's change, least privilege) go through the engine's check
// before a command offers them (engine/edit-check.ts): appended to their target file, or as a new file, in a copy
// of the workspace that is analysed again. The commands say what the check found before they insert anything.
import { checkEdit, isolationText, type EditCheck, type NewFile } from '../engine/edit-check';
import type { RunOptions } from '../engine/rules/run';
import type { TextEdit } from '../engine/rules/types';
import type { Workspace } from '../engine/workspace';
import { TEMPLATE_IDS, type GeneratedCheck } from './protocol';

/** A new document at the end of a file, after a `---` where the file has content (the insert commands' layout). */
export function appendDocumentEdit(text: string, uri: string, yaml: string): TextEdit {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const body = yaml.replace(/\r?\n/g, eol);
  if (text.trim() === '') return { uri, range: [0, text.length], newText: body };
  const prefix = (text.endsWith('\n') ? '' : eol) + (/(^|\n)---\s*$/.test(text.trimEnd()) ? '' : `---${eol}`);
  return { uri, range: [text.length, text.length], newText: prefix + body };
}

/** Where generated documents are analysed when they go into no file the workspace holds. */
export const GENERATED_URI = 'netpol-generated:/policy.yaml';

/** The edits that add `documents` (YAML, one per entry) to `uri` when the workspace holds it, else as a new file. */
export function additions(workspace: Workspace, documents: readonly { yaml: string; uri?: string }[]): { edits: TextEdit[]; newFiles: NewFile[] } {
  const byFile = new Map<string, string[]>();
  const loose: string[] = [];
  for (const d of documents) {
    if (d.uri && workspace.getFile(d.uri)) byFile.set(d.uri, [...(byFile.get(d.uri) ?? []), d.yaml]);
    else loose.push(d.yaml);
  }
  const edits = [...byFile].map(([uri, yamls]) => appendDocumentEdit(workspace.getFile(uri)!.text, uri, yamls.join('---\n')));
  const newFiles = loose.length ? [{ uri: GENERATED_URI, text: loose.join('---\n') }] : [];
  return { edits, newFiles };
}

export function toGeneratedCheck(check: EditCheck): GeneratedCheck {
  const newlyIsolated = check.newlyIsolated.map((i) => ({
    workload: i.workload,
    direction: i.direction,
    loses: i.loses.map((l) => (l.ports.includes('any') ? l.peer : `${l.peer} ${l.ports.join(', ')}`)),
  }));
  const parts: string[] = [];
  if (check.newlyIsolated.length) parts.push(`Newly isolates ${isolationText(check.newlyIsolated, 5)}.`);
  if (check.newFindings.length) parts.push(`Adds ${check.newFindings.length === 1 ? 'a finding' : `${check.newFindings.length} findings`}: ${check.newFindings.slice(0, 3).map((d) => d.message).join(' ')}`);
  return { newFindings: check.newFindings.map((d) => `${d.ruleId}: ${d.message}`), newlyIsolated, summary: parts.join(' ') };
}

/** Checks generated documents as they would be added (see `additions`). */
export function checkGenerated(workspace: Workspace, documents: readonly { yaml: string; uri?: string }[], severities?: RunOptions['severities']): EditCheck {
  const { edits, newFiles } = additions(workspace, documents);
  return checkEdit(workspace, edits, { newFiles, severities });
}

/** A snippet's text with every tab stop at its default (the first choice), as inserted when the user tabs through. */
export function snippetDefaults(snippet: string): string {
  let out = '';
  for (let i = 0; i < snippet.length; i++) {
    const c = snippet[i];
    if (c === '\\' && i + 1 < snippet.length) {
      out += snippet[++i];
      continue;
    }
    if (c === '$') {
      const rest = snippet.slice(i);
      const choice = /^\$\{\d+\|((?:[^|\\]|\\.)*?)(?:,(?:[^|\\]|\\.)*)*\|\}/.exec(rest);
      if (choice) {
        out += choice[1].replace(/\\(.)/g, '$1');
        i += choice[0].length - 1;
        continue;
      }
      const placeholder = /^\$\{\d+:((?:[^}\\]|\\.)*)\}/.exec(rest);
      if (placeholder) {
        out += placeholder[1].replace(/\\(.)/g, '$1');
        i += placeholder[0].length - 1;
        continue;
      }
      const stop = /^\$\{?\d+\}?/.exec(rest);
      if (stop) {
        i += stop[0].length - 1;
        continue;
      }
    }
    out += c;
  }
  return out;
}

/**
 * Every generator of a policy that a command offers. Each goes through `checkGenerated` before it is offered, and
 * `server/test/lsp/generators-checked.test.ts` runs each one's output back through the engine: a generator added
 * here without a case there fails that test.
 */
export const GENERATORS = ['default-deny', 'allow-dns', ...TEMPLATE_IDS.map((t) => `template:${t}`), 'least-privilege', 'allow-connection'] as const;
