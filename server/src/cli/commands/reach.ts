import type { Command } from '../command';
import { workloadWithPodIp } from '../../engine/pod-ips';
import { oneOf } from '../args';
import { displayPath, UsageError } from '../io';
import { workloadEndpoint, type Endpoint } from '../../engine/evaluate';
import { parseIpEndpoint } from '../../engine/cidr';
import type { Scope } from '../../engine/workspace';
import { parsePortKey } from '../../report/matrix';
import { explainText, explainVerdict } from '../../report/explain';
import { lineCol, load, parseWithCommon, singleScope, RENDER_USAGE } from './common';

/** Resolves `ns/name`, `ns/Kind/name`, `ns/name[Kind]`, or an IP address/CIDR. */
export function resolveEndpoint(scope: Scope, text: string): Endpoint {
  const ip = parseIpEndpoint(text);
  // Keep the address as the user wrote it (10.0.0.1 rather than 10.0.0.1/32).
  if (ip) {
    const pod = workloadWithPodIp(scope.model, ip);
    return pod ? workloadEndpoint(pod) : { type: 'ip', range: ip, label: text };
  }
  const workloads = scope.model.workloads;
  const m = /^([^/]+)\/(?:([A-Za-z]+)\/)?([^/[\]]+)(?:\[([A-Za-z]+)\])?$/.exec(text);
  if (!m) throw new UsageError(`"${text}" is neither NAMESPACE/NAME nor an IP address or CIDR`);
  const [, ns, kind1, name, kind2] = m;
  const kind = kind1 ?? kind2;
  const found = workloads.filter((w) => w.namespace === ns && w.name === name && (!kind || w.kind.toLowerCase() === kind.toLowerCase()));
  if (found.length === 1) return workloadEndpoint(found[0]);
  if (found.length > 1) throw new UsageError(`"${text}" is ambiguous: ${found.map((w) => `${w.namespace}/${w.kind}/${w.name}`).join(', ')}`);
  throw new UsageError(`no workload ${text} in the input`);
}

export const reachCommand: Command = {
  name: 'reach',
  summary: 'whether one endpoint may connect to another on a port, and why',
  usage: `netpol reach --from NS/NAME|IP --to NS/NAME|IP --port PORT/PROTO [--format text|json] [--scope NAME] ${RENDER_USAGE} PATH...`,
  async run(argv, io) {
    const args = parseWithCommon(argv, { values: ['from', 'to', 'port', 'format'] });
    const format = oneOf(args.values.get('format')?.[0], ['text', 'json'] as const, 'format', 'text');
    const from = args.values.get('from')?.[0];
    const to = args.values.get('to')?.[0];
    const portText = args.values.get('port')?.[0];
    if (!from || !to || !portText) throw new UsageError('--from, --to and --port are required');
    const port = parsePortKey(portText);
    if (!port) throw new UsageError(`--port must look like 80/TCP, 53/UDP or 8080 (got ${portText})`);
    const workspace = await load(args, io);
    const scope = singleScope(workspace, args);
    const source = resolveEndpoint(scope, from);
    const destination = resolveEndpoint(scope, to);
    if (source.type === 'ip' && destination.type === 'ip') throw new UsageError('at least one side must be a workload');
    const explained = explainVerdict(scope.analysis.verdict(source, destination, port.protocol, port.port), scope.model);
    if (format === 'json') {
      const withLines = JSON.parse(JSON.stringify(explained, (key, value) => {
        if (value && typeof value === 'object' && 'uri' in value && 'range' in value) {
          const { line, col } = lineCol(workspace, value.uri, value.range[0]);
          return { file: displayPath(value.uri), line, column: col };
        }
        return value;
      }));
      io.stdout(`${JSON.stringify(withLines, null, 2)}\n`);
    } else {
      io.stdout(explainText(explained, (loc) => {
        const { line, col } = lineCol(workspace, loc.uri, loc.range[0]);
        return `${displayPath(loc.uri)}:${line}:${col}`;
      }));
    }
    return 0;
  },
};
