import { closest, distance } from 'fastest-levenshtein';
import type { Command } from '../command';
import { workloadWithPodIp } from '../../engine/pod-ips';
import { INPUT_OPTIONS, RENDER_OPTIONS, oneOf, parsePort } from '../args';
import { displayPath, UsageError } from '../io';
import { workloadEndpoint, type Endpoint } from '../../engine/evaluate';
import { parseIpEndpoint } from '../../engine/cidr';
import type { Workload } from '../../engine/model';
import type { Scope } from '../../engine/workspace';
import { explainVerdict } from '../../engine/explain';
import { explainText } from '../../report/explain';
import { escapeControls } from '../../report/escape';
import { lineCol, load, parseCommand, singleScope } from './common';

/** How a workload is named unambiguously on the command line, with where it is defined. */
function candidate(w: Workload, where: (w: Workload) => string): string {
  return `${w.namespace}/${w.kind}/${w.name} (${where(w)})`;
}

/**
 * Resolves `ns/name`, `ns/Kind/name`, `ns/name[Kind]`, or an IP address/CIDR. A name that matches nothing gets the
 * nearest names; one that matches several workloads lists them with kind and file. `where` names a workload's file.
 */
export function resolveEndpoint(scope: Scope, text: string, where: (w: Workload) => string = () => '?'): Endpoint {
  const ip = parseIpEndpoint(text);
  // Keep the address as the user wrote it (10.0.0.1 rather than 10.0.0.1/32).
  if (ip) {
    const pod = workloadWithPodIp(scope.model, ip);
    return pod ? workloadEndpoint(pod) : { type: 'ip', range: ip, label: text };
  }
  const workloads = scope.model.workloads;
  const m = /^([^/]+)\/(?:([A-Za-z]+)\/)?([^/[\]]+)(?:\[([A-Za-z]+)\])?$/.exec(text);
  if (!m) throw new UsageError(`"${text}" is neither NAMESPACE/NAME (or NAMESPACE/KIND/NAME) nor an IP address or CIDR`);
  const [, ns, kind1, name, kind2] = m;
  const kind = kind1 ?? kind2;
  const found = workloads.filter((w) => w.namespace === ns && w.name === name && (!kind || w.kind.toLowerCase() === kind.toLowerCase()));
  if (found.length === 1) return workloadEndpoint(found[0]);
  if (found.length > 1) {
    throw new UsageError(`"${text}" is ambiguous; name one as NAMESPACE/KIND/NAME:\n${found.map((w) => `  ${candidate(w, where)}`).join('\n')}`);
  }
  const sameName = workloads.filter((w) => w.name === name && (!kind || w.kind.toLowerCase() === kind.toLowerCase()));
  if (sameName.length > 0) {
    throw new UsageError(`no workload ${text}; ${name} is in ${sameName.map((w) => candidate(w, where)).join(', ')}`);
  }
  const names = [...new Set(workloads.map((w) => `${w.namespace}/${w.name}`))];
  const wanted = `${ns}/${name}`;
  const near = names.length > 0 ? closest(wanted, names) : undefined;
  if (near && distance(wanted, near) <= Math.max(2, Math.floor(wanted.length / 4))) {
    const matches = workloads.filter((w) => `${w.namespace}/${w.name}` === near);
    throw new UsageError(`no workload ${text}; did you mean ${near}? (${matches.map((w) => candidate(w, where)).join(', ')})`);
  }
  const inNamespace = workloads.filter((w) => w.namespace === ns).map((w) => w.name);
  const hint = inNamespace.length > 0 ? `workloads of ${ns}: ${[...new Set(inNamespace)].sort().slice(0, 10).join(', ')}${inNamespace.length > 10 ? ', ...' : ''}` : `no workload in namespace ${ns}; netpol list shows what the input holds`;
  throw new UsageError(`no workload ${text} in the input (${hint})`);
}

const FORMATS = ['text', 'json'] as const;
const VERDICTS = ['allow', 'deny'] as const;

export const reachCommand: Command = {
  name: 'reach',
  summary: 'whether one endpoint may connect to another on a port, and why',
  arguments: 'PATH...',
  details:
    'An endpoint is NAMESPACE/NAME, NAMESPACE/KIND/NAME (when two kinds share a name) or an IP address or CIDR.\n' +
    'Exit codes: 0 answered (or the verdict is the one --expect names), 1 the verdict differs from --expect, 2 bad arguments.',
  options: [
    { name: 'from', value: 'ENDPOINT', default: 'required', description: 'the client: NAMESPACE/NAME, NAMESPACE/KIND/NAME, or an IP address or CIDR', example: '--from shop/frontend' },
    { name: 'to', value: 'ENDPOINT', default: 'required', description: 'the server, in the same forms', example: '--to shop/Deployment/postgres' },
    { name: 'port', value: 'PORT/PROTO', default: 'required', description: 'the destination port (TCP when no protocol is given)', example: '--port 5432/TCP' },
    { name: 'expect', value: 'VERDICT', choices: VERDICTS, default: 'none (exit 0 whatever the verdict)', description: 'the verdict a CI gate requires; exit 1 when it differs', example: '--expect deny' },
    { name: 'format', value: 'FORMAT', choices: FORMATS, default: 'text', description: 'output format', example: '--format json' },
    ...INPUT_OPTIONS,
    ...RENDER_OPTIONS,
  ],
  examples: ['netpol reach --from shop/frontend --to shop/postgres --port 5432/TCP k8s/', 'netpol reach --from 0.0.0.0/0 --to shop/api --port 443 --expect deny k8s/'],
  async run(argv, io) {
    const args = parseCommand(argv, this);
    const format = oneOf(args.values.get('format')?.[0], FORMATS, 'format', 'text');
    const expectText = args.values.get('expect')?.[0];
    const expected = expectText === undefined ? undefined : oneOf(expectText, VERDICTS, 'expect', 'allow');
    const from = args.values.get('from')?.[0];
    const to = args.values.get('to')?.[0];
    const portText = args.values.get('port')?.[0];
    const missing = [!from && '--from', !to && '--to', !portText && '--port'].filter(Boolean);
    if (missing.length > 0) throw new UsageError(`${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} required; for example --from shop/frontend --to shop/postgres --port 5432/TCP`);
    const port = parsePort(portText!, 'port');
    const workspace = await load(args, io);
    const scope = singleScope(workspace, args);
    const where = (w: Workload) => {
      const { line, col } = lineCol(workspace, w.object.uri, w.object.range[0]);
      return `${displayPath(w.object.uri)}:${line}:${col}`;
    };
    const source = resolveEndpoint(scope, from!, where);
    const destination = resolveEndpoint(scope, to!, where);
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
      const text = explainText(explained, (loc) => {
        const { line, col } = lineCol(workspace, loc.uri, loc.range[0]);
        return `${displayPath(loc.uri)}:${line}:${col}`;
      });
      io.stdout(text.split('\n').map(escapeControls).join('\n'));
    }
    if (expected !== undefined && (expected === 'allow') !== explained.allowed) {
      io.stderr(`netpol reach: expected ${expected}, but the connection is ${explained.allowed ? 'allowed' : 'denied'}\n`);
      return 1;
    }
    return 0;
  },
};
