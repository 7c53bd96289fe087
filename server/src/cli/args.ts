// Command-line arguments: each command declares its options once (name, value, default, example, description);
// node:util's parseArgs parses them, and `netpol help CMD` / `netpol CMD --help` print them.
import { parseArgs as parseNodeArgs } from 'node:util';
import { closest, distance } from 'fastest-levenshtein';
import { UsageError } from './io';
import { wrapText } from '../report/findings-text';

/** Help is wrapped for a 100-column terminal, wider ones keep it. */
const HELP_WIDTH = 100;

export interface OptionSpec {
  /** The long name, without `--`. */
  name: string;
  /** A placeholder for the value (`FILE`, `NS`); absent for a flag without a value. */
  value?: string;
  /** The allowed values, checked by `oneOf` and listed in the help. */
  choices?: readonly string[];
  /** May be given more than once. */
  repeated?: boolean;
  /** What applies without the option, as the help shows it. */
  default?: string;
  description: string;
  /** An example use, as typed: `--severity warning`. */
  example: string;
}

export interface ParsedArgs {
  values: Map<string, string[]>;
  booleans: Set<string>;
  positionals: string[];
}

/** The options every command that reads manifests takes. */
export const INPUT_OPTIONS: OptionSpec[] = [
  {
    name: 'config',
    value: 'FILE',
    default: 'the .netpol.yaml found from each PATH (and the current folder) upwards to the repository root',
    description: 'the workspace configuration to use; its folder is the root for scopes',
    example: '--config ci/netpol.yaml',
  },
  {
    name: 'scope',
    value: 'NAME',
    default: 'every scope (commands that print one result need one: the only one, or this)',
    description: 'the scope (a kustomize overlay or a `scopes` entry of .netpol.yaml) to analyse',
    example: '--scope staging',
  },
  {
    name: 'default-namespace',
    value: 'NS',
    default: 'the defaultNamespace of .netpol.yaml, else default',
    description: 'the namespace of objects without metadata.namespace (what kubectl apply -n would use)',
    example: '--default-namespace shop',
  },
  {
    name: 'max-file-size',
    value: 'BYTES',
    default: "no limit (maxFileSize of .netpol.yaml is the editor's)",
    description: 'skip files (and standard input) larger than this, with a file-too-large finding; k, M, G suffixes',
    example: '--max-file-size 5M',
  },
];

export const HELP_OPTION: OptionSpec = { name: 'help', default: 'off', description: 'show this help (also: netpol help COMMAND)', example: '--help' };

/** Parses `argv` against the options; throws UsageError that names the problem and points to `--help`. */
export function parseArgs(argv: string[], options: readonly OptionSpec[], command: string): ParsedArgs {
  const config: Record<string, { type: 'string' | 'boolean'; multiple?: boolean; short?: string }> = {};
  for (const o of [...options, HELP_OPTION]) config[o.name] = o.value ? { type: 'string', multiple: true } : { type: 'boolean' };
  config.help.short = 'h';
  let parsed: ReturnType<typeof parseNodeArgs>;
  try {
    parsed = parseNodeArgs({ args: argv, options: config, allowPositionals: true, strict: true, tokens: true });
  } catch (error) {
    throw new UsageError(describeParseError(error as Error & { code?: string }, argv, options, command));
  }
  const values = new Map<string, string[]>();
  const booleans = new Set<string>();
  for (const o of options) {
    const v = parsed.values[o.name];
    if (v === undefined) continue;
    if (!o.value) {
      booleans.add(o.name);
      continue;
    }
    const list = v as string[];
    if (list.length > 1 && !o.repeated) throw new UsageError(`--${o.name} given twice (${list.join(', ')}); give it once`);
    for (const item of list) {
      if (item.startsWith('--') && options.some((other) => item.startsWith(`--${other.name}`))) {
        throw new UsageError(`--${o.name} needs a value (got the option ${item}); for example ${o.example}`);
      }
    }
    values.set(o.name, list);
  }
  if (parsed.values.help) booleans.add('help');
  return { values, booleans, positionals: parsed.positionals };
}

function describeParseError(error: Error & { code?: string }, argv: string[], options: readonly OptionSpec[], command: string): string {
  const help = `run netpol ${command} --help for the options`;
  const quoted = /'(-[^']*)'/.exec(error.message)?.[1];
  if (error.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const given = (quoted ?? '').replace(/=.*$/, '');
    const name = given.replace(/^-+/, '');
    const names = options.map((o) => o.name);
    const near = names.length > 0 && name ? closest(name, names) : undefined;
    const suggestion = near && distance(name, near) <= Math.max(2, Math.floor(name.length / 3)) ? ` (did you mean --${near}?)` : '';
    return `unknown option ${given || argv.join(' ')}${suggestion}; ${help}`;
  }
  if (error.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    const name = (quoted ?? '').replace(/^-+/, '').replace(/^\w\s*,\s*--/, '').split(/\s/)[0];
    const option = options.find((o) => o.name === name || `--${o.name}` === quoted || quoted?.endsWith(`--${o.name}`));
    if (option?.value) return `--${option.name} needs a value (${option.choices ? option.choices.join(', ') : option.value}); for example ${option.example}`;
    if (option) return `--${option.name} takes no value; ${help}`;
  }
  if (error.code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') return `unexpected argument: ${error.message}; ${help}`;
  return `${error.message}; ${help}`;
}

/** The value of a `choices` option: one of them, or its default. */
export function oneOf<T extends string>(value: string | undefined, allowed: readonly T[], flag: string, fallback: T): T {
  if (value === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(value)) {
    const near = closest(value, [...allowed]);
    const hint = distance(value, near) <= 2 ? ` (did you mean ${near}?)` : '';
    throw new UsageError(`--${flag} must be one of ${allowed.join(', ')}, not ${value}${hint}`);
  }
  return value as T;
}

/** A port argument, `80/TCP`, `53/UDP` or `8080` (TCP), with a message that says which part is wrong. */
export function parsePort(text: string, flag: string): { port: number; protocol: 'TCP' | 'UDP' | 'SCTP' } {
  const m = /^([^/]*)(?:\/(.*))?$/.exec(text.trim())!;
  const [, numberText, protocolText] = m;
  if (!/^\d+$/.test(numberText)) throw new UsageError(`--${flag} ${text}: the port must be a number from 1 to 65535, as in 80/TCP, 53/UDP or 8080 (got "${numberText}")`);
  const port = Number(numberText);
  if (port < 1 || port > 65535) throw new UsageError(`--${flag} ${text}: port ${numberText} is out of range; ports go from 1 to 65535`);
  const protocol = (protocolText ?? 'TCP').toUpperCase();
  if (protocol !== 'TCP' && protocol !== 'UDP' && protocol !== 'SCTP') throw new UsageError(`--${flag} ${text}: the protocol must be TCP, UDP or SCTP (got "${protocolText}")`);
  return { port, protocol };
}

/** A size in bytes: `1000`, `512k`, `5M`, `1G` (powers of 1024). */
export function parseSize(text: string, flag: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kKmMgG])?i?[bB]?$/.exec(text.trim());
  if (!m) throw new UsageError(`--${flag} must be a number of bytes, optionally with k, M or G (for example 5M), not ${text}`);
  const factor = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[(m[2] ?? '').toLowerCase() as '' | 'k' | 'm' | 'g'];
  const bytes = Math.floor(Number(m[1]) * factor);
  if (bytes < 1) throw new UsageError(`--${flag} must be at least 1 byte (got ${text})`);
  return bytes;
}

interface HelpSubject {
  name: string;
  summary: string;
  arguments: string;
  options: readonly OptionSpec[];
  examples: readonly string[];
  details?: string;
}

/** The options of the commands that render Helm charts and kustomizations before the analysis. */
export const RENDER_OPTIONS: OptionSpec[] = [
  { name: 'helm', default: 'render charts when helm is found (NETPOL_HELM, else PATH)', description: 'render Helm charts with `helm template`; fail when helm is not found', example: '--helm' },
  { name: 'no-helm', default: 'off', description: 'leave Helm charts unrendered (each chart says so)', example: '--no-helm' },
  { name: 'helm-values', value: 'FILE', repeated: true, default: "the chart's values.yaml and the values files of the helm section of .netpol.yaml", description: 'a values file for `helm template` (as helm -f), applied after those of .netpol.yaml', example: '--helm-values values-prod.yaml' },
  { name: 'helm-release', value: 'NAME', default: "the helm section of .netpol.yaml, else the chart's folder name", description: 'the release name for `helm template`', example: '--helm-release shop' },
  { name: 'helm-namespace', value: 'NS', default: 'the helm section of .netpol.yaml, else none (objects without a namespace get the default namespace)', description: 'the release namespace for `helm template`', example: '--helm-namespace shop' },
  { name: 'kustomize', default: 'render kustomizations when kubectl or kustomize is found (NETPOL_KUBECTL, else PATH)', description: 'render kustomizations with `kubectl kustomize`; fail when neither tool is found', example: '--kustomize' },
  { name: 'no-kustomize', default: 'off', description: 'read kustomizations without the tool', example: '--no-kustomize' },
];

const INPUT_NAMES = new Set(INPUT_OPTIONS.map((o) => o.name));
const RENDER_NAMES = new Set(RENDER_OPTIONS.map((o) => o.name));

function optionSyntax(o: OptionSpec): string {
  return `--${o.name}${o.value ? ` ${o.choices ? o.choices.join('|') : o.value}` : ''}`;
}

/** The usage line (as README's CLI table shows it too): the command's own options, `[input options]`, arguments. */
export function usageLine(command: HelpSubject): string {
  const own = command.options.filter((o) => !INPUT_NAMES.has(o.name) && !RENDER_NAMES.has(o.name));
  const parts = [`netpol ${command.name}`];
  for (const o of own) {
    const syntax = `${optionSyntax(o)}${o.repeated ? '...' : ''}`;
    parts.push(o.default === 'required' ? syntax : `[${syntax}]`);
  }
  if (command.options.some((o) => INPUT_NAMES.has(o.name))) parts.push('[input options]');
  if (command.options.some((o) => RENDER_NAMES.has(o.name))) parts.push('[render options]');
  if (command.arguments) parts.push(command.arguments);
  return parts.join(' ');
}

/** The help of one command: usage, what it does, every option with its default and an example, examples. */
export function commandHelp(command: HelpSubject): string {
  const lines = [`usage: ${usageLine(command)}`, '', `${command.summary[0].toUpperCase()}${command.summary.slice(1)}.`];
  if (command.details) lines.push('', ...command.details.split('\n').map((l) => wrapText(l, HELP_WIDTH)));
  const describe = (list: readonly OptionSpec[]) => {
    for (const o of list) {
      lines.push(`  ${optionSyntax(o)}${o.repeated ? ' (repeatable)' : ''}`);
      for (const line of wrapText(o.description, HELP_WIDTH - 6).split('\n')) lines.push(`      ${line}`);
      if (o.default !== undefined) for (const line of wrapText(`default: ${o.default}`, HELP_WIDTH - 6).split('\n')) lines.push(`      ${line}`);
      lines.push(`      example: ${o.example}`);
    }
  };
  lines.push('', 'Options:');
  describe([...command.options.filter((o) => !INPUT_NAMES.has(o.name) && !RENDER_NAMES.has(o.name)), HELP_OPTION]);
  const input = command.options.filter((o) => INPUT_NAMES.has(o.name));
  if (input.length > 0) {
    lines.push('', 'Input options:');
    describe(input);
  }
  const render = command.options.filter((o) => RENDER_NAMES.has(o.name));
  if (render.length > 0) {
    lines.push('', 'Render options (Helm charts and kustomizations, before the analysis):');
    describe(render);
  }
  if (command.examples.length > 0) {
    lines.push('', 'Examples:');
    for (const e of command.examples) lines.push(`  ${e}`);
  }
  return `${lines.join('\n')}\n`;
}
