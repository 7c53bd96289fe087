// Port numbers written in a form that YAML readers disagree on. kubectl reads manifests with YAML 1.1 rules
// (go-yaml v2 through sigs.k8s.io/yaml): `05432` is octal 2842, `8_0` is 80, `0b1010000` is 80, where YAML 1.2
// readers (editors, yaml-language-server, most libraries) see 5432 and strings. The analysis reads them as kubectl
// does (kubectl-numbers.ts); this rule says so where the spelling invites another reading.
import { WORKLOAD_KINDS, templatePathOf, type WorkloadKind } from '../model';
import { kubectlNumber, surprisingNumberForm, yaml12Number } from '../kubectl-numbers';
import { isPlainObject, type K8sObject } from '../parse';
import type { Path } from '../policy';
import { locate } from './common';
import type { QuickFix, Rule } from './types';

const WORKLOAD_KIND_SET = new Set<string>(WORKLOAD_KINDS);

/**
 * A number spelled with a leading zero, an underscore or a base prefix somewhere in the text: objects without one
 * are skipped without locating anything.
 */
const CANDIDATE = /(?:^|[\s:[,{-])[-+]?(?:0[0-9_bBoOxX]|[0-9]+_)/;

/** Paths of the port numbers the API reads in an object: policy ports, container ports, Service ports. */
function portPaths(object: K8sObject): Path[] {
  const out: Path[] = [];
  const numbersIn = (list: unknown, base: Path, keys: readonly string[]) => {
    if (!Array.isArray(list)) return;
    list.forEach((entry, i) => {
      if (!isPlainObject(entry)) return;
      for (const key of keys) if (typeof entry[key] === 'number') out.push([...base, i, key]);
    });
  };
  const spec = object.value.spec;
  if (object.kind === 'NetworkPolicy' && isPlainObject(spec)) {
    for (const direction of ['ingress', 'egress']) {
      const rules = spec[direction];
      if (!Array.isArray(rules)) continue;
      rules.forEach((rule, r) => {
        if (isPlainObject(rule)) numbersIn(rule.ports, ['spec', direction, r, 'ports'], ['port', 'endPort']);
      });
    }
  } else if (object.kind === 'Service' && isPlainObject(spec)) {
    numbersIn(spec.ports, ['spec', 'ports'], ['port', 'targetPort', 'nodePort']);
  } else if (WORKLOAD_KIND_SET.has(object.kind)) {
    const templatePath = templatePathOf(object.kind as WorkloadKind);
    let podSpec: unknown = object.value;
    for (const key of [...templatePath, 'spec']) podSpec = isPlainObject(podSpec) ? podSpec[key] : undefined;
    if (!isPlainObject(podSpec)) return out;
    for (const listKey of ['containers', 'initContainers']) {
      const containers = podSpec[listKey];
      if (!Array.isArray(containers)) continue;
      containers.forEach((c, ci) => {
        if (isPlainObject(c)) numbersIn(c.ports, [...templatePath, 'spec', listKey, ci, 'ports'], ['containerPort', 'hostPort']);
      });
    }
  }
  return out;
}

export const ambiguousNumber: Rule = {
  id: 'ambiguous-number',
  defaultSeverity: 'warning',
  description: 'A port number written with a leading zero, underscores or a binary prefix, which kubectl (YAML 1.1) and YAML 1.2 readers read differently.',
  unit: 'namespace',
  run(context) {
    for (const object of context.model.objects) {
      const file = object.uri ? context.file(object.uri) : undefined;
      if (!file || !CANDIDATE.test(file.text.slice(object.range[0], object.range[1]))) continue;
      for (const path of portPaths(object)) {
        const location = locate(object, path);
        const [start, end] = location.range;
        const source = file.text.slice(start, end);
        const why = surprisingNumberForm(source);
        const kubectl = kubectlNumber(source);
        if (!why || !kubectl) continue;
        const other = yaml12Number(source);
        const key = path[path.length - 1];
        const fixes: QuickFix[] = [{ title: `Write ${kubectl.value} (what kubectl applies)`, edits: [{ uri: object.uri, range: [start, end], newText: String(kubectl.value) }] }];
        if (other !== undefined && other !== kubectl.value && Number.isInteger(other)) {
          fixes.push({ title: `Write ${other} (what YAML 1.2 reads)`, edits: [{ uri: object.uri, range: [start, end], newText: String(other) }] });
        }
        context.report({
          message: `${key}: ${source} is read by kubectl as ${kubectl.value} (${why}). Write the number in decimal so that every reader agrees.`,
          location,
          ...(context.wantFixes ? { fixes } : {}),
        });
      }
    }
  },
};
