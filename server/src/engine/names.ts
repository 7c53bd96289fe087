// The names the API server validates, with its rules (k8s.io/apimachinery/pkg/util/validation: IsDNS1123Subdomain,
// IsDNS1123Label, IsDNS1035Label, IsQualifiedName, IsValidLabelValue, IsValidPortName; ValidateObjectMeta checks an
// object's name, namespace and labels). An object that breaks one is rejected, so the analysis leaves it out.
import { isPlainObject } from './parse';
import { labelKeyProblem, labelValueProblem } from './selectors';

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

/** IsDNS1123Subdomain: at most 253 characters of lowercase alphanumerics, '-' and '.', alphanumeric at both ends. */
export function dnsSubdomainProblem(name: string): string | undefined {
  if (name.length <= 253 && DNS1123_SUBDOMAIN.test(name)) return undefined;
  return `"${name}" is not a valid name: at most 253 lowercase letters, digits, '-' and '.', starting and ending with a letter or digit (RFC 1123 subdomain)`;
}

/** IsDNS1123Label: at most 63 characters of lowercase alphanumerics and '-', alphanumeric at both ends. */
export function dnsLabelProblem(name: string): string | undefined {
  if (name.length <= 63 && DNS1123_LABEL.test(name)) return undefined;
  return `"${name}" is not a valid name: at most 63 lowercase letters, digits and '-', starting and ending with a letter or digit (RFC 1123 label)`;
}

/** IsDNS1035Label (Service names): as a DNS label, but starting with a letter. */
export function dns1035LabelProblem(name: string): string | undefined {
  if (name.length <= 63 && DNS1035_LABEL.test(name)) return undefined;
  return `"${name}" is not a valid name: at most 63 lowercase letters, digits and '-', starting with a letter and ending with a letter or digit (RFC 1035 label)`;
}

/** IsValidPortName (IANA_SVC_NAME): at most 15 of [-a-z0-9], a letter among them, no '--', no '-' at either end. */
export function portNameProblem(name: string): string | undefined {
  if (name.length >= 1 && name.length <= 15 && /^[-a-z0-9]+$/.test(name) && /[a-z]/.test(name) && !name.includes('--') && !name.startsWith('-') && !name.endsWith('-')) {
    return undefined;
  }
  return `"${name}" is not a valid port name: at most 15 lowercase letters, digits and '-', with at least one letter, no '--' and no '-' at either end`;
}

export type NameRule = (name: string) => string | undefined;

export interface NameProblem {
  /** Path below the object. */
  path: readonly (string | number)[];
  message: string;
}

/**
 * What ValidateObjectMeta rejects in an object's metadata: its name under the kind's rule (a generateName may end in
 * '-': the API appends a suffix), label keys and values. Label values that are not strings are the
 * unquoted-label-value rule's findings: they are left out here. The namespace is checked by the caller (the one the
 * object ends up in: a kustomization may override what the file says) with `namespaceProblem`.
 */
export function metadataProblems(value: Record<string, unknown>, nameRule: NameRule, base: readonly (string | number)[] = []): NameProblem[] {
  const problems: NameProblem[] = [];
  const metadata = value.metadata;
  if (!isPlainObject(metadata)) return problems;
  if (typeof metadata.name === 'string' && metadata.name !== '') {
    const problem = nameRule(metadata.name);
    if (problem) problems.push({ path: [...base, 'metadata', 'name'], message: problem });
  } else if (typeof metadata.generateName === 'string' && metadata.generateName !== '') {
    const prefix = metadata.generateName.replace(/-$/, 'a');
    if (nameRule(prefix)) problems.push({ path: [...base, 'metadata', 'generateName'], message: `${nameRule(metadata.generateName)} (generateName)` });
  }
  const labels = metadata.labels;
  if (isPlainObject(labels)) {
    for (const key of Object.keys(labels)) {
      const keyProblem = labelKeyProblem(key);
      if (keyProblem) problems.push({ path: [...base, 'metadata', 'labels', key], message: keyProblem });
      const labelValue = labels[key];
      if (typeof labelValue === 'string') {
        const valueProblem = labelValueProblem(labelValue);
        if (valueProblem) problems.push({ path: [...base, 'metadata', 'labels', key], message: valueProblem });
      }
    }
  }
  return problems;
}

/** Whether an object's labels hold a value that is not a string (the API server rejects the object). */
export function hasNonStringLabel(metadata: unknown): boolean {
  if (!isPlainObject(metadata) || !isPlainObject(metadata.labels)) return false;
  return Object.values(metadata.labels).some((v) => v !== null && typeof v !== 'string');
}

/** ValidateObjectMeta's namespace check (ValidateNamespaceName: a DNS label). */
export function namespaceProblem(namespace: string): string | undefined {
  const problem = dnsLabelProblem(namespace);
  return problem && `namespace ${problem}`;
}
