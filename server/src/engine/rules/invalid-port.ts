// A port entry the API server rejects: unknown protocol, port out of 1-65535, a numeric string, a bad port name.
import { policyProblemRule } from './common';

export const invalidPort = policyProblemRule(
  'invalid-port',
  'A port entry has an unknown protocol, a port outside 1-65535, a quoted number or an invalid port name.',
);
