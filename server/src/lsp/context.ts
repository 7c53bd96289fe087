// What the language server hands to the editor features (hover, lenses, completion, ...) and to the connectivity
// assertions: the current workspace, the open documents, position conversion and a way to add diagnostics.
// Owned by the language server; the handlers in handlers/ build on it (parts.ts makes it).
import type { Disposable, Position, Range, ServerCapabilities } from 'vscode-languageserver';
import type { TextDocuments } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { Diagnostic } from '../engine/rules/types';
import type { OffsetRange } from '../engine/types';
import type { Workspace } from '../engine/workspace';
import type { FileFilter } from './files';
import type { Scheduler } from './scheduler';
import type { NetpolSettings } from './settings';

/** Extra diagnostics computed from the workspace (for example failing connectivity expectations), by file URI. */
/** Diagnostics by file from outside the rules, computed in steps (the server runs a few at a time between requests). */
export type DiagnosticSource = (workspace: Workspace) => Generator<void, Map<string, Diagnostic[]>>;

export interface FeatureContext {
  /**
   * The workspace with every edit received so far applied (pending edits are applied on access, so a request
   * right after a change sees the new text). Do not keep it across requests: settings changes replace it.
   */
  workspace(): Workspace;
  /** The documents open in the editor (their text is the editor's, possibly unsaved). */
  readonly documents: TextDocuments<TextDocument>;
  /** The current text of a file: the open document's, else the indexed file's. */
  text(uri: string): string | undefined;
  /** A file's text on disk, read as the index reads it (within the size limit), or undefined when it cannot be. */
  diskText(uri: string): string | undefined;
  /** Engine offset (UTF-16 string index) -> LSP position, using the file's current text. */
  offsetToPosition(uri: string, offset: number): Position;
  /** LSP position -> engine offset; clamped to the text. */
  positionToOffset(uri: string, position: Position): number;
  /** Engine offset range -> LSP range. */
  rangeToLsp(uri: string, range: OffsetRange): Range;
  /** Settings in force (VS Code settings merged over defaults). */
  settings(): NetpolSettings;
  /** The index's file rules in force: workspace folders, `files.exclude` and `netpol.exclude`. */
  fileFilter(): FileFilter;
  /** Indexed files larger than this many bytes are skipped (root configuration files are read whole). */
  maxFileSize(): number;
  /** Resolves when the initial indexing of the workspace folders has finished. */
  whenIndexed(): Promise<void>;
  /** Called after the workspace changed (debounced, after diagnostics were published). */
  onDidChangeWorkspace(listener: (workspace: Workspace) => void): Disposable;
  /** Adds diagnostics to the ones the rules produce; they are published with them and refreshed on every change. */
  addDiagnosticSource(source: DiagnosticSource): Disposable;
  /** Asks the server to recompute and publish diagnostics (for example after a source's input changed). */
  refreshDiagnostics(): void;
  /** Notes that an editor request is being answered: background work (runSources) gives way for a moment. */
  requestStarted(): void;
  /** The server's one scheduler of deferred work (features run their idle work as named jobs). */
  readonly scheduler: Scheduler;
  /** Writes to the server log (the client's output channel). */
  log(message: string): void;
  /**
   * The capabilities announced in the initialize result. Hover, code lens, definition, references, completion and
   * symbols are declared already; registrations (which run before initialize) may adjust them, for example
   * completion trigger characters or executeCommandProvider commands.
   */
  readonly capabilities: ServerCapabilities;
}
