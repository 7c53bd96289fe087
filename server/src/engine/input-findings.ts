// Findings that the input readers report, not the rules: each has an id, a default severity and docs in
// docs/rules/<id>.md like a rule, so the SARIF report describes it and the editor links its documentation. The
// registry test checks that docs and ids agree.
import type { Severity } from './types';
import { FILE_UNREADABLE } from './workspace';

export interface InputFindingInfo {
  id: string;
  defaultSeverity: Severity;
  /** One line for listings; the full docs live in docs/rules/<id>.md. */
  description: string;
}

export const INPUT_FINDINGS: readonly InputFindingInfo[] = [
  {
    id: FILE_UNREADABLE,
    defaultSeverity: 'warning',
    description: 'A file of the input cannot be read (no permission, a FIFO, a device or a symbolic link to one): it is not analysed, the rest is.',
  },
];
