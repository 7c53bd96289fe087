// A small argument parser: `--flag value`, `--flag=value`, repeated flags, booleans, positionals.
import { UsageError } from './io';

export interface ArgSpec {
  /** Flags that take a value. */
  values?: string[];
  /** Flags that may repeat (also listed in values). */
  repeated?: string[];
  /** Flags without a value. */
  booleans?: string[];
}

export interface ParsedArgs {
  values: Map<string, string[]>;
  booleans: Set<string>;
  positionals: string[];
}

export function parseArgs(argv: string[], spec: ArgSpec): ParsedArgs {
  const values = new Map<string, string[]>();
  const booleans = new Set<string>();
  const positionals: string[] = [];
  const valueFlags = new Set(spec.values ?? []);
  const boolFlags = new Set(spec.booleans ?? []);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = arg.slice(2, eq >= 0 ? eq : undefined);
      if (boolFlags.has(name)) {
        booleans.add(name);
        continue;
      }
      if (!valueFlags.has(name)) throw new UsageError(`unknown option --${name}`);
      const value = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
      if (value === undefined) throw new UsageError(`option --${name} needs a value`);
      const list = values.get(name) ?? [];
      if (list.length > 0 && !(spec.repeated ?? []).includes(name)) throw new UsageError(`option --${name} given twice`);
      list.push(value);
      values.set(name, list);
    } else positionals.push(arg);
  }
  return { values, booleans, positionals };
}

export function oneOf<T extends string>(value: string | undefined, allowed: readonly T[], flag: string, fallback: T): T {
  if (value === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(value)) throw new UsageError(`--${flag} must be one of ${allowed.join(', ')} (got ${value})`);
  return value as T;
}
