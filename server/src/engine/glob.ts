// The one glob matcher of netpol: `files.exclude`, `netpol.exclude` and `.netpol.yaml` `exclude` and scope paths.
// Syntax as VS Code writes globs: `**` (any number of path segments), `*` and `?` (within one segment), `{a,b}`
// alternatives and `[abc]`/`[!abc]` classes; no extglobs, comments or `!` negation. A pattern matches a path relative
// to its folder, or any folder above that path (excluding a folder excludes everything inside it).
//
// Patterns come from the repository (a cloned one is untrusted), so matching must stay polynomial whatever they are:
// minimatch (11+) matches each path segment without backtracking and collapses repeated `**`; what it cannot bound
// (brace expansions that multiply) is refused here as a problem with the pattern, like a reversed range `[z-a]`.
import { Minimatch } from 'minimatch';

const OPTIONS = { dot: true, noext: true, nonegate: true, nocomment: true, optimizationLevel: 2 } as const;

/** More alternatives than this in one pattern (`{a,b}{c,d}` has 4) are refused: expanding them costs their number. */
export const MAX_GLOB_ALTERNATIVES = 256;
/** Longer patterns are refused. */
export const MAX_GLOB_LENGTH = 1024;

/** What is wrong with a pattern, or undefined when netpol can use it. */
export function globProblem(pattern: string): string | undefined {
  if (pattern.length > MAX_GLOB_LENGTH) return `the pattern is longer than ${MAX_GLOB_LENGTH} characters`;
  // Character classes: a reversed range is an error in every glob dialect (VS Code's regular expression rejects it).
  for (const m of pattern.matchAll(/\[!?\]?[^\]]*\]/g)) {
    for (const r of m[0].matchAll(/(.)-([^\]])/gu)) {
      if (r[1] !== '[' && r[1] !== '!' && r[1].codePointAt(0)! > r[2].codePointAt(0)!) return `the character range ${r[1]}-${r[2]} is out of order`;
    }
  }
  let alternatives = 1;
  // Top-level brace groups multiply; nested ones add at most their own count, bounded by the same product.
  for (const group of pattern.matchAll(/\{([^{}]*)\}/g)) {
    alternatives *= group[1].split(',').length;
    if (alternatives > MAX_GLOB_ALTERNATIVES) return `the pattern has more than ${MAX_GLOB_ALTERNATIVES} {a,b} alternatives`;
  }
  return undefined;
}

function normalize(pattern: string): string {
  return pattern.replace(/\\/g, '/').replace(/^\.\//, '').replace(/\/+$/, '');
}

/**
 * Literal runs every matching path contains (outside braces, before any class): `**\/.git` needs `.git`. A path
 * without one is rejected by `includes`, which is most paths against most exclusions, before minimatch runs.
 */
function requiredLiterals(pattern: string): string[] {
  const out: string[] = [];
  let current = '';
  let depth = 0;
  const push = () => {
    if (current) out.push(current);
    current = '';
  };
  for (const c of pattern) {
    if (c === '[') break;
    if (c === '{' || c === '}') {
      depth = Math.max(0, depth + (c === '{' ? 1 : -1));
      push();
    } else if (depth > 0) continue;
    else if (c === '*' || c === '?' || c === '/') push();
    else current += c;
  }
  push();
  return out;
}

/** One compiled pattern. */
class Glob {
  private readonly self: Minimatch;
  private readonly inside: Minimatch;
  private readonly literals: string[];
  constructor(pattern: string) {
    const p = normalize(pattern);
    this.self = new Minimatch(p, OPTIONS);
    // `p/**` makes a folder pattern exclude what is inside; minimatch decides per segment, so this stays linear.
    this.inside = new Minimatch(`${p}/**`, OPTIONS);
    this.literals = requiredLiterals(p);
  }
  matches(relativePath: string): boolean {
    for (const literal of this.literals) if (!relativePath.includes(literal)) return false;
    return this.self.match(relativePath) || this.inside.match(relativePath);
  }
}

export interface GlobRejection {
  pattern: string;
  /** Position of the pattern in the list it came from. */
  index: number;
  message: string;
}

/** A list of patterns; the ones netpol cannot use are left out and listed in `rejected`, nothing throws. */
export class GlobSet {
  private readonly globs: Glob[] = [];
  readonly rejected: GlobRejection[] = [];
  constructor(patterns: readonly string[]) {
    patterns.forEach((pattern, index) => {
      if (pattern.trim() === '') return;
      const problem = globProblem(pattern);
      if (problem) {
        this.rejected.push({ pattern, index, message: problem });
        return;
      }
      try {
        this.globs.push(new Glob(pattern));
      } catch (error) {
        this.rejected.push({ pattern, index, message: (error as Error).message });
      }
    });
  }
  /** Whether a path relative to the patterns' folder (with `/` separators) matches a pattern. */
  matches(relativePath: string): boolean {
    for (const g of this.globs) if (g.matches(relativePath)) return true;
    return false;
  }
  get size(): number {
    return this.globs.length;
  }
}

/** A single pattern as a matcher (a pattern with a problem matches nothing). */
export function globMatcher(pattern: string): (relativePath: string) => boolean {
  const set = new GlobSet([pattern]);
  return (path) => set.matches(path);
}
