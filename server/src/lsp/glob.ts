// Glob patterns as VS Code writes them in `files.exclude` and `netpol.exclude`: `**` (any number of path segments),
// `*` and `?` (within one segment), `{a,b}` alternatives and `[abc]` classes. A pattern matches a path relative to
// a workspace folder, or any folder above that path (excluding a folder excludes everything inside it).

function translate(glob: string): string {
  let re = '';
  let braceDepth = 0;
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*') {
      if (glob[i + 1] === '*') {
        i++;
        // `**/` matches zero or more whole segments; a trailing `**` matches anything.
        if (glob[i + 1] === '/') {
          i++;
          re += '(?:[^/]*/)*';
        } else re += '.*';
      } else re += '[^/]*';
    } else if (c === '?') re += '[^/]';
    else if (c === '{') {
      braceDepth++;
      re += '(?:';
    } else if (c === '}' && braceDepth > 0) {
      braceDepth--;
      re += ')';
    } else if (c === ',' && braceDepth > 0) re += '|';
    else if (c === '[') {
      const close = glob.indexOf(']', i + 1);
      if (close < 0) re += '\\[';
      else {
        const body = glob.slice(i + 1, close).replace(/^!/, '^').replace(/\\/g, '\\\\');
        re += `[${body}]`;
        i = close;
      }
    } else re += c.replace(/[.+^$()|\\\]]/g, '\\$&');
  }
  while (braceDepth-- > 0) re += ')';
  return re;
}

export function globToRegExp(glob: string): RegExp {
  const normalized = glob.replace(/\\/g, '/').replace(/^\.\//, '').replace(/\/+$/, '');
  return new RegExp(`^${translate(normalized)}(?:/.*)?$`);
}

export class GlobSet {
  private readonly patterns: RegExp[];
  constructor(globs: readonly string[]) {
    this.patterns = globs.filter((g) => g.trim() !== '').map(globToRegExp);
  }
  /** Whether a path relative to the workspace folder (with `/` separators) is excluded. */
  matches(relativePath: string): boolean {
    return this.patterns.some((re) => re.test(relativePath));
  }
  get size(): number {
    return this.patterns.length;
  }
}

/** The globs of a `files.exclude` setting whose value is true (`{ when: ... }` conditions are not evaluated). */
export function enabledGlobs(value: unknown): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [];
  return Object.entries(value as Record<string, unknown>).filter(([, v]) => v === true).map(([k]) => k);
}
