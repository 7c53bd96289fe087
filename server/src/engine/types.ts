// Plain data shared across the engine. Positions are character offsets into the file text;
// the LSP edge converts them to line/character positions.

/** [start, end) character offsets into one file's text. */
export type OffsetRange = readonly [number, number];

export interface SourceLocation {
  uri: string;
  range: OffsetRange;
}

export type Severity = 'error' | 'warning' | 'information' | 'hint';

/** Something the engine noticed about its input: a document it skipped, an object it could not read. */
export interface InputFinding {
  code: string;
  severity: Severity;
  message: string;
  location: SourceLocation;
}

export type Protocol = 'TCP' | 'UDP' | 'SCTP';
export const PROTOCOLS: readonly Protocol[] = ['SCTP', 'TCP', 'UDP'];

export type Labels = Readonly<Record<string, string>>;
