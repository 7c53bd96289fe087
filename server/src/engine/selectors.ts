// Label selectors as metav1.LabelSelector defines them
// (https://kubernetes.io/docs/reference/kubernetes-api/common-definitions/label-selector/).
import type { Labels } from './types';
import { isPlainObject } from './parse';

export type SelectorOperator = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';

export interface SelectorRequirement {
  key: string;
  operator: SelectorOperator;
  values: readonly string[];
}

export interface LabelSelector {
  /** matchLabels turned into `In` requirements, followed by matchExpressions. */
  requirements: readonly SelectorRequirement[];
  matchLabels: Labels;
  /** Problems that make the API server reject the selector. */
  problems: readonly SelectorProblem[];
}

export interface SelectorProblem {
  /** Path below the selector node, for the position of the finding. */
  path: readonly (string | number)[];
  message: string;
}

export const EVERYTHING: LabelSelector = { requirements: [], matchLabels: {}, problems: [] };

const OPERATORS = new Set(['In', 'NotIn', 'Exists', 'DoesNotExist']);

// Label key: optional DNS-subdomain prefix and '/', then a name of at most 63 characters.
const LABEL_NAME = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

export function labelKeyProblem(key: string): string | undefined {
  const slash = key.indexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && (prefix.length === 0 || prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))) {
    return `invalid label key prefix "${prefix}": must be a DNS subdomain`;
  }
  if (name.length === 0 || name.length > 63 || !LABEL_NAME.test(name)) {
    return `invalid label key "${key}": the name part must be 1-63 characters of alphanumerics, '-', '_' or '.', starting and ending with an alphanumeric`;
  }
  return undefined;
}

export function labelValueProblem(value: string): string | undefined {
  if (value.length > 63 || !LABEL_VALUE.test(value)) {
    return `invalid label value "${value}": must be at most 63 characters of alphanumerics, '-', '_' or '.', starting and ending with an alphanumeric`;
  }
  return undefined;
}

/** Scalars as the API server would read them after YAML decoding (numbers and booleans are not strings). */
function asLabelString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** Reads a selector from plain data. `undefined` or `null` means "absent" and is handled by callers. */
export function readSelector(value: unknown): LabelSelector {
  const problems: SelectorProblem[] = [];
  const requirements: SelectorRequirement[] = [];
  const matchLabels: Record<string, string> = {};
  if (!isPlainObject(value)) {
    problems.push({ path: [], message: 'a label selector must be a map with matchLabels and/or matchExpressions' });
    return { requirements, matchLabels, problems };
  }
  const ml = value.matchLabels;
  if (ml !== undefined && ml !== null) {
    if (!isPlainObject(ml)) {
      problems.push({ path: ['matchLabels'], message: 'matchLabels must be a map of label keys to values' });
    } else {
      for (const [key, raw] of Object.entries(ml)) {
        const keyProblem = labelKeyProblem(key);
        if (keyProblem) problems.push({ path: ['matchLabels', key], message: keyProblem });
        const str = asLabelString(raw);
        if (str === undefined) {
          problems.push({ path: ['matchLabels', key], message: `the value of "${key}" must be a string, not ${describe(raw)}; quote it` });
          // Keep the author's intent for matching; the problem already marks the selector invalid.
          if (raw !== null && typeof raw !== 'object') requirements.push({ key, operator: 'In', values: [String(raw)] });
          continue;
        }
        const valueProblem = labelValueProblem(str);
        if (valueProblem) problems.push({ path: ['matchLabels', key], message: valueProblem });
        matchLabels[key] = str;
        requirements.push({ key, operator: 'In', values: [str] });
      }
    }
  }
  const me = value.matchExpressions;
  if (me !== undefined && me !== null) {
    if (!Array.isArray(me)) {
      problems.push({ path: ['matchExpressions'], message: 'matchExpressions must be a list' });
    } else {
      me.forEach((expr, i) => {
        const path = ['matchExpressions', i];
        if (!isPlainObject(expr)) {
          problems.push({ path, message: 'each match expression must be a map with key, operator and values' });
          return;
        }
        const key = expr.key;
        const operator = expr.operator;
        if (typeof key !== 'string') {
          problems.push({ path, message: 'a match expression needs a key' });
          return;
        }
        const keyProblem = labelKeyProblem(key);
        if (keyProblem) problems.push({ path: [...path, 'key'], message: keyProblem });
        if (typeof operator !== 'string' || !OPERATORS.has(operator)) {
          problems.push({
            path: [...path, 'operator'],
            message: `unknown operator ${JSON.stringify(operator)}: use In, NotIn, Exists or DoesNotExist`,
          });
          return;
        }
        const rawValues = expr.values;
        const values: string[] = [];
        if (rawValues !== undefined && rawValues !== null) {
          if (!Array.isArray(rawValues)) {
            problems.push({ path: [...path, 'values'], message: 'values must be a list of strings' });
          } else {
            rawValues.forEach((v, j) => {
              const s = asLabelString(v);
              if (s === undefined) {
                problems.push({ path: [...path, 'values', j], message: `values must be strings, not ${describe(v)}; quote it` });
              } else {
                const valueProblem = labelValueProblem(s);
                if (valueProblem) problems.push({ path: [...path, 'values', j], message: valueProblem });
                values.push(s);
              }
            });
          }
        }
        if ((operator === 'In' || operator === 'NotIn') && values.length === 0 && !(Array.isArray(rawValues) && rawValues.length > 0)) {
          problems.push({ path: [...path, 'operator'], message: `operator ${operator} needs a non-empty values list` });
        }
        if ((operator === 'Exists' || operator === 'DoesNotExist') && Array.isArray(rawValues) && rawValues.length > 0) {
          problems.push({ path: [...path, 'values'], message: `operator ${operator} must not have values` });
        }
        requirements.push({ key, operator: operator as SelectorOperator, values });
      });
    }
  }
  return { requirements, matchLabels, problems };
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  return `the ${typeof value} ${String(value)}`;
}

export function isEmptySelector(selector: LabelSelector): boolean {
  return selector.requirements.length === 0;
}

/** Whether `labels` satisfy every requirement. NotIn and DoesNotExist match objects that lack the key. */
export function matchesSelector(selector: LabelSelector, labels: Labels): boolean {
  for (const req of selector.requirements) {
    const has = Object.prototype.hasOwnProperty.call(labels, req.key);
    const value = has ? labels[req.key] : undefined;
    switch (req.operator) {
      case 'In':
        if (!has || !req.values.includes(value as string)) return false;
        break;
      case 'NotIn':
        if (has && req.values.includes(value as string)) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
    }
  }
  return true;
}

/** Human-readable form, as kubectl prints selectors: `app=db,tier in (a,b),!canary`. */
export function formatSelector(selector: LabelSelector): string {
  if (selector.requirements.length === 0) return '(all)';
  return selector.requirements
    .map((r) => {
      switch (r.operator) {
        case 'In':
          return r.values.length === 1 ? `${r.key}=${r.values[0]}` : `${r.key} in (${r.values.join(',')})`;
        case 'NotIn':
          return `${r.key} notin (${r.values.join(',')})`;
        case 'Exists':
          return r.key;
        case 'DoesNotExist':
          return `!${r.key}`;
      }
    })
    .join(',');
}

const keys = new WeakMap<LabelSelector, string>();

/** A text that equal selectors share and different ones never do (for caches of what a selector matches). */
export function selectorKey(selector: LabelSelector): string {
  let key = keys.get(selector);
  if (key === undefined) keys.set(selector, (key = JSON.stringify(selector.requirements.map((r) => [r.key, r.operator, r.values]))));
  return key;
}

/** Keys a selector reads: pods that agree on all such keys are indistinguishable to it. */
export function selectorKeys(selector: LabelSelector): string[] {
  return selector.requirements.map((r) => r.key);
}
