// Exclusion globs of the language server: `files.exclude` and `netpol.exclude`, matched by the engine's one glob
// matcher (`engine/glob.ts`), so that every glob in netpol has the same syntax and the same bounded cost.
export { GlobSet, globProblem, type GlobRejection } from '../engine/glob';

/** The globs of a `files.exclude` setting whose value is true (`{ when: ... }` conditions are not evaluated). */
export function enabledGlobs(value: unknown): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [];
  return Object.entries(value as Record<string, unknown>).filter(([, v]) => v === true).map(([k]) => k);
}
