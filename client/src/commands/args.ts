// Reading command arguments: every command accepts one plain object (from keybindings, other extensions and
// tests), and context menus pass a Uri. Anything malformed is ignored and asked for interactively instead.
import * as vscode from 'vscode';

export type ArgObject = Record<string, unknown>;

/** The argument object of a command call; a Uri (from a context menu) becomes `{ uri }`. */
export function argObject(arg: unknown): ArgObject {
  if (arg instanceof vscode.Uri) return { uri: arg };
  if (arg && typeof arg === 'object' && !Array.isArray(arg)) return arg as ArgObject;
  return {};
}

export function stringArg(args: ArgObject, key: string): string | undefined {
  const v = args[key];
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
}

export function booleanArg(args: ArgObject, key: string): boolean | undefined {
  const v = args[key];
  return typeof v === 'boolean' ? v : undefined;
}

export function numberArg(args: ArgObject, key: string): number | undefined {
  const v = args[key];
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && /^\d+$/.test(v.trim())) return Number(v);
  return undefined;
}

export function oneOfArg<T extends string>(args: ArgObject, key: string, values: readonly T[]): T | undefined {
  const v = stringArg(args, key);
  return v !== undefined && (values as readonly string[]).includes(v) ? (v as T) : undefined;
}

export function uriArg(args: ArgObject, key = 'uri'): vscode.Uri | undefined {
  const v = args[key];
  if (v instanceof vscode.Uri) return v;
  if (typeof v === 'string' && v !== '') {
    try {
      return v.includes(':') && !/^[a-zA-Z]:[\\/]/.test(v) ? vscode.Uri.parse(v, true) : vscode.Uri.file(v);
    } catch {
      return undefined;
    }
  }
  return undefined;
}

export function positionArg(args: ArgObject, key = 'position'): vscode.Position | undefined {
  const v = args[key];
  if (v instanceof vscode.Position) return v;
  if (v && typeof v === 'object') {
    const { line, character } = v as { line?: unknown; character?: unknown };
    if (typeof line === 'number' && typeof character === 'number' && line >= 0 && character >= 0) return new vscode.Position(line, character);
  }
  return undefined;
}

/** The editor a command works in: the document named by `uri` (opened if needed), else the active editor. */
export async function targetEditor(args: ArgObject): Promise<vscode.TextEditor | undefined> {
  const uri = uriArg(args);
  if (uri) {
    const document = await vscode.workspace.openTextDocument(uri);
    return vscode.window.showTextDocument(document, { preview: false });
  }
  return vscode.window.activeTextEditor;
}
