// `netpol.showLocations` (arguments: uri, position, locations as sent by the server): the references peek view,
// used by code lenses and hovers that list the pods or policies behind a number.
import * as vscode from 'vscode';

interface LspPosition {
  line: number;
  character: number;
}
interface LspLocation {
  uri: string;
  range: { start: LspPosition; end: LspPosition };
}

const isPosition = (p: unknown): p is LspPosition =>
  !!p && typeof (p as LspPosition).line === 'number' && typeof (p as LspPosition).character === 'number';

export async function showLocations(uri: unknown, position: unknown, locations: unknown): Promise<void> {
  if (typeof uri !== 'string' || !isPosition(position) || !Array.isArray(locations)) return;
  const converted = locations
    .filter((l): l is LspLocation => !!l && typeof (l as LspLocation).uri === 'string' && isPosition((l as LspLocation).range?.start) && isPosition((l as LspLocation).range?.end))
    .map((l) => new vscode.Location(vscode.Uri.parse(l.uri), new vscode.Range(l.range.start.line, l.range.start.character, l.range.end.line, l.range.end.character)));
  await vscode.commands.executeCommand('editor.action.showReferences', vscode.Uri.parse(uri), new vscode.Position(position.line, position.character), converted);
}
