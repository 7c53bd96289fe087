// A Calico policy, network set or tier that Calico's validator rejects (an invalid selector, an unknown action,
// a bad CIDR or port, a field the kind does not have): reported where the problem is, invalid selectors at the
// exact offset inside the string, and the object is left out of the analysis. Ports without a protocol have their
// own rule (calico-ports-without-protocol).
import { inWorkspace, locate } from './common';
import { locateInString } from './calico-common';
import type { Rule } from './types';
import type { CalicoProblem } from '../calico-policy';
import type { K8sObject } from '../parse';

export const PORTS_WITHOUT_PROTOCOL = 'need protocol TCP, UDP or SCTP';

export const invalidCalicoPolicy: Rule = {
  id: 'invalid-calico-policy',
  defaultSeverity: 'error',
  unit: 'scope',
  description: 'A Calico policy, network set or tier that Calico rejects (invalid selector, action, CIDR, port or field).',
  run(context) {
    const { calico } = context.model;
    const all: { object?: K8sObject; problems: CalicoProblem[] }[] = [...calico.policies, ...calico.networkSets, ...calico.tiers];
    for (const item of all) {
      if (!item.object || !inWorkspace(context, item.object)) continue;
      const object = item.object;
      for (const problem of item.problems) {
        if (problem.message.includes(PORTS_WITHOUT_PROTOCOL)) continue;
        const note = problem.rejected ? ' Calico rejects this object, so the analysis leaves it out.' : '';
        let location = locate(object, problem.path);
        if (problem.inner) {
          let value: unknown = object.value;
          for (const k of problem.path) value = value && typeof value === 'object' ? (value as Record<string | number, unknown>)[k] : undefined;
          if (typeof value === 'string') location = locateInString(context, object, problem.path, value, problem.inner.start, problem.inner.end);
        }
        context.report({ message: `${problem.message}.${note}`.replace(/\.\./g, '.'), location, severity: problem.rejected ? undefined : problem.severity });
      }
    }
  },
};
