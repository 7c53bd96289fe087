// The all-pairs reachability matrix of a scope, per port.
import type { Analysis } from '../engine/evaluate';
import { workloadEndpoint } from '../engine/evaluate';
import type { Workload } from '../engine/model';
import type { Protocol } from '../engine/types';
import { describeUncertainty, hasNotAnalysed, uncertaintyBetween } from '../engine/not-analysed';

export interface PortKey {
  port: number;
  protocol: Protocol;
}

export interface Matrix {
  pods: string[];
  ports: string[];
  /** allowed[port][i][j]: whether pods[i] may connect to pods[j] on that port. */
  allowed: Record<string, boolean[][]>;
  /** uncertain[i][j]: policies of kinds netpol does not analyse may change the verdicts from pods[i] to pods[j]. */
  uncertain?: boolean[][];
  /** Those policies, named. */
  notAnalysed?: string[];
}

export function formatPortKey(p: PortKey): string {
  return `${p.port}/${p.protocol}`;
}

export function parsePortKey(text: string): PortKey | undefined {
  const m = /^(\d+)(?:\/(TCP|UDP|SCTP))?$/i.exec(text.trim());
  if (!m) return undefined;
  const port = Number(m[1]);
  if (port < 1 || port > 65535) return undefined;
  return { port, protocol: (m[2]?.toUpperCase() ?? 'TCP') as Protocol };
}

/** Every containerPort/protocol declared by the reported workloads, sorted by protocol then number. */
export function declaredPorts(workloads: readonly Workload[]): PortKey[] {
  const seen = new Map<string, PortKey>();
  for (const w of workloads) for (const cp of w.containerPorts) seen.set(`${cp.containerPort}/${cp.protocol}`, { port: cp.containerPort, protocol: cp.protocol });
  const order: Record<Protocol, number> = { TCP: 0, UDP: 1, SCTP: 2 };
  return [...seen.values()].sort((a, b) => order[a.protocol] - order[b.protocol] || a.port - b.port);
}

export function computeMatrix(analysis: Analysis, ports?: PortKey[]): Matrix {
  const workloads = [...analysis.reportedWorkloads()].sort((a, b) => (a.displayName < b.displayName ? -1 : a.displayName > b.displayName ? 1 : 0));
  const portKeys = ports && ports.length > 0 ? ports : declaredPorts(workloads);
  const allowed: Record<string, boolean[][]> = {};
  for (const p of portKeys) allowed[formatPortKey(p)] = workloads.map(() => new Array<boolean>(workloads.length).fill(false));
  workloads.forEach((src, i) => {
    workloads.forEach((dst, j) => {
      const conn = analysis.connection(workloadEndpoint(src), workloadEndpoint(dst)).allowed;
      for (const p of portKeys) allowed[formatPortKey(p)][i][j] = conn.has(p.protocol, p.port);
    });
  });
  const matrix: Matrix = { pods: workloads.map((w) => w.displayName), ports: portKeys.map(formatPortKey), allowed };
  if (hasNotAnalysed(analysis.model)) {
    const objects = new Set<import('../engine/parse').K8sObject>();
    matrix.uncertain = workloads.map((src) =>
      workloads.map((dst) => {
        const by = uncertaintyBetween(analysis.model, src, dst);
        for (const o of by) objects.add(o);
        return by.length > 0;
      }),
    );
    matrix.notAnalysed = [...objects].map((o) => describeUncertainty(analysis.model, [o]));
  }
  return matrix;
}

export function matrixToJson(m: Matrix): string {
  return `${JSON.stringify({ pods: m.pods, ports: m.ports, allowed: m.allowed, ...(m.uncertain ? { uncertain: m.uncertain, notAnalysed: m.notAnalysed } : {}) })}\n`;
}

export function matrixToCsv(m: Matrix): string {
  const quote = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const lines = [['port', 'from', ...m.pods].map(quote).join(',')];
  for (const port of m.ports) {
    m.pods.forEach((from, i) => {
      lines.push([port, from, ...m.allowed[port][i].map((a) => (a ? '1' : '0'))].map(quote).join(','));
    });
  }
  return `${lines.join('\n')}\n`;
}

/**
 * A readable grid per port: rows are sources, columns destinations (numbered, with a legend). Ports whose grids are
 * identical share one grid, so a workspace with many ports stays short.
 */
export function matrixToText(m: Matrix): string {
  if (m.pods.length === 0) return 'No workloads found.\n';
  if (m.ports.length === 0) return 'No container ports declared; pass --port PORT/PROTO to choose ports.\n';
  const out: string[] = [];
  const width = Math.max(...m.pods.map((p) => p.length));
  const numWidth = String(m.pods.length).length;
  out.push('Workloads:');
  m.pods.forEach((p, i) => out.push(`  ${String(i + 1).padStart(numWidth)}  ${p}`));
  const groups = new Map<string, string[]>();
  for (const port of m.ports) {
    const key = m.allowed[port].map((row) => row.map((a) => (a ? '1' : '0')).join('')).join('|');
    groups.set(key, [...(groups.get(key) ?? []), port]);
  }
  for (const ports of groups.values()) {
    const grid = m.allowed[ports[0]];
    out.push('');
    const uncertain = m.uncertain;
    const cell = uncertain ? numWidth + 2 : numWidth + 1;
    out.push(`${ports.length > 1 ? 'Ports' : 'Port'} ${ports.join(', ')}   (rows: from, columns: to; ✓ allowed, · denied${uncertain ? ', ? uncertain' : ''})`);
    out.push(`${''.padEnd(width + numWidth + 3)}${m.pods.map((_, j) => String(j + 1).padStart(cell)).join('')}`);
    m.pods.forEach((p, i) => {
      const cells = grid[i].map((a, j) => `${a ? '✓' : '·'}${uncertain?.[i][j] ? '?' : ''}`.padStart(cell)).join('');
      out.push(`${String(i + 1).padStart(numWidth)}  ${p.padEnd(width)} ${cells}`);
    });
  }
  if (m.uncertain && m.uncertain.some((row) => row.some(Boolean))) {
    out.push('', `? Uncertain: not analysed, and may change these verdicts: ${m.notAnalysed!.join(', ')}.`);
  }
  return `${out.join('\n')}\n`;
}
