// Plain scalars as numbers the way kubectl reads them. kubectl decodes manifests with sigs.k8s.io/yaml, which reads
// YAML with go-yaml v2 (YAML 1.1 rules, resolve.go) and hands the result on as JSON: `05432` is octal 2842, `8_0`
// is 80, `0b1010000` is 80, `0X50` is 80, where the YAML 1.2 core schema reads 5432 and strings. Every YAML reading
// of the engine (the yaml package through YAML_READ_OPTIONS, and the fast reader) resolves numbers with these rules;
// booleans and nulls stay YAML 1.2's (the unquoted-label-value rule reports the YAML 1.1 words).
import type { ScalarTag, Tags } from 'yaml';

/**
 * Go's strconv.ParseInt(s, 0, 64), and ParseUint(s, 0, 64) after it, as go-yaml v2 calls them on a plain scalar
 * with its underscores removed: `0x`, `0o`, `0b` prefixes (either case), a leading `0` for octal, a sign.
 */
function goParseInt(s: string): number | undefined {
  const negative = s.startsWith('-');
  const signed = negative || s.startsWith('+');
  const body = signed ? s.slice(1) : s;
  let digits: string;
  let radix: number;
  let valid: RegExp;
  const prefixed = body.length >= 3 && body[0] === '0';
  if (prefixed && /[xX]/.test(body[1])) [digits, radix, valid] = [body.slice(2), 16, /^[0-9a-fA-F]+$/];
  else if (prefixed && /[oO]/.test(body[1])) [digits, radix, valid] = [body.slice(2), 8, /^[0-7]+$/];
  else if (prefixed && /[bB]/.test(body[1])) [digits, radix, valid] = [body.slice(2), 2, /^[01]+$/];
  else if (body[0] === '0') [digits, radix, valid] = [body.slice(1) || '0', 8, /^[0-7]+$/];
  else [digits, radix, valid] = [body, 10, /^[0-9]+$/];
  if (!valid.test(digits)) return undefined;
  const prefix = radix === 16 ? '0x' : radix === 8 ? '0o' : radix === 2 ? '0b' : '';
  const magnitude = BigInt(prefix + digits);
  // ParseInt's int64 range; a larger unsigned value passes through ParseUint (which takes no sign).
  if (negative ? magnitude > 2n ** 63n : magnitude > (signed ? 2n ** 63n - 1n : 2n ** 64n - 1n)) return undefined;
  return negative ? -Number(magnitude) : Number(magnitude);
}

/** go-yaml's yamlStyleFloat, which gates strconv.ParseFloat for scalars starting with a digit or a sign. */
const YAML_STYLE_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
/** Scalars starting with `.` go to ParseFloat as they are (`.inf` and `.nan` are looked up before). */
const DOT_FLOAT = /^\.[0-9]+([eE][-+]?[0-9]+)?$/;

export interface KubectlNumber {
  value: number;
  type: 'int' | 'float';
}

/**
 * The number go-yaml v2 (kubectl) reads a plain scalar as, or undefined when it reads something else (a string,
 * a boolean, null, a timestamp, `.inf`/`.nan`). Follows resolve.go: the first character hints at a number (digit,
 * sign or dot); underscores are dropped; then ParseInt with base prefixes, else a YAML-style float.
 */
export function kubectlNumber(plain: string): KubectlNumber | undefined {
  const c = plain.charCodeAt(0);
  if (c === 46 /* . */) {
    if (!DOT_FLOAT.test(plain)) return undefined;
    return finiteFloat(Number(plain));
  }
  if (!((c >= 48 && c <= 57) || c === 43 || c === 45)) return undefined;
  // A timestamp (YYYY-...) is tried first; what is left of it is never a number anyway.
  const digitsOnly = plain.replace(/_/g, '');
  if (digitsOnly === '' || digitsOnly === '+' || digitsOnly === '-') return undefined;
  const int = goParseInt(digitsOnly);
  if (int !== undefined) return { value: int, type: 'int' };
  if (YAML_STYLE_FLOAT.test(digitsOnly)) return finiteFloat(Number(digitsOnly));
  return undefined;
}

/** ParseFloat fails with a range error beyond float64 (go-yaml then keeps the scalar a string). */
function finiteFloat(value: number): KubectlNumber | undefined {
  return Number.isFinite(value) ? { value, type: 'float' } : undefined;
}

/** The YAML 1.2 core schema's numbers (the yaml package's default, and most editors' reading). */
const CORE_INT = /^[-+]?[0-9]+$/;
const CORE_OCT = /^0o[0-7]+$/;
const CORE_HEX = /^0x[0-9a-fA-F]+$/;
const CORE_FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/;

/** The number the YAML 1.2 core schema reads a plain scalar as, or undefined (a string, or .inf/.nan). */
export function yaml12Number(plain: string): number | undefined {
  if (CORE_INT.test(plain) || CORE_FLOAT.test(plain)) return Number(plain);
  if (CORE_OCT.test(plain)) return parseInt(plain.slice(2), 8);
  if (CORE_HEX.test(plain)) return parseInt(plain.slice(2), 16);
  return undefined;
}

/**
 * Why a plain scalar that kubectl reads as a number may surprise: another YAML reader (YAML 1.2: editors,
 * yaml-language-server, most libraries) reads it differently, or a leading zero makes it look octal to some and
 * decimal to others. Undefined for an ordinary number (or no number).
 */
export function surprisingNumberForm(plain: string): string | undefined {
  const kubectl = kubectlNumber(plain);
  if (!kubectl) return undefined;
  const other = yaml12Number(plain);
  const body = plain.replace(/^[-+]/, '').replace(/_/g, '');
  if (plain.includes('_')) return 'underscores are dropped by YAML 1.1';
  if (/^0[bB]/.test(body)) return 'a binary number in YAML 1.1';
  if (/^0[0-7]+$/.test(body)) return `a leading 0 makes it octal in YAML 1.1; YAML 1.2 reads ${other}`;
  if (/^0[0-9]/.test(body)) return 'a leading 0 reads as octal in some YAML readers and as decimal in others';
  if (other === undefined) return 'YAML 1.2 reads it as a string';
  if (other !== kubectl.value) return `YAML 1.2 reads ${other}`;
  return undefined;
}

/** A RegExp whose test() asks a predicate: the yaml package picks a scalar's tag by `tag.test.test(source)`. */
class PredicateRegExp extends RegExp {
  constructor(private readonly predicate: (source: string) => boolean) {
    super('(?:)');
  }

  override test(source: string): boolean {
    return this.predicate(source);
  }
}

/**
 * The schema's tags with the core schema's number tags replaced by kubectl's: `.inf` and `.nan` (the same in
 * both) stay, every other int and float resolves as go-yaml v2 resolves it.
 */
function withKubectlNumbers(tags: Tags): Tags {
  const isNumberTag = (t: Tags[number]) => typeof t === 'object' && (t.tag === 'tag:yaml.org,2002:int' || t.tag === 'tag:yaml.org,2002:float');
  const core = tags.filter((t) => isNumberTag(t)) as ScalarTag[];
  const coreInt = core.find((t) => t.tag === 'tag:yaml.org,2002:int' && t.format === undefined);
  const coreFloat = core.find((t) => t.tag === 'tag:yaml.org,2002:float' && t.format === undefined && !t.test?.test('.nan'));
  const infNan = core.filter((t) => t.test?.test('.nan') || t.test?.test('.inf'));
  const int: ScalarTag = {
    ...coreInt,
    identify: coreInt?.identify ?? ((v) => Number.isInteger(v)),
    default: true,
    tag: 'tag:yaml.org,2002:int',
    format: undefined,
    test: new PredicateRegExp((s) => kubectlNumber(s)?.type === 'int'),
    resolve: (s) => kubectlNumber(s)!.value,
  };
  const float: ScalarTag = {
    ...coreFloat,
    identify: coreFloat?.identify ?? ((v) => typeof v === 'number'),
    default: true,
    tag: 'tag:yaml.org,2002:float',
    format: undefined,
    test: new PredicateRegExp((s) => kubectlNumber(s)?.type === 'float'),
    resolve: (s) => kubectlNumber(s)!.value,
  };
  return [...tags.filter((t) => !isNumberTag(t)), ...infNan, int, float];
}

/** Options for every YAML reading of manifests: numbers as kubectl reads them. */
export const KUBECTL_SCHEMA_OPTIONS = { customTags: withKubectlNumbers } as const;
