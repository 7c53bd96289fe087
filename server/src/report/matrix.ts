// The all-pairs reachability matrix of a scope, per port.
import type { Analysis } from '../engine/evaluate';
import { workloadEndpoint } from '../engine/evaluate';
import type { Workload } from '../engine/model';
import type { Protocol } from '../engine/types';
import { describeUncertainty, hasNotAnalysed, uncertaintyBetween } from '../engine/not-analysed';
import { csvRow, escapeControls } from './escape';

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

/**
 * Above this many pairs of workloads the matrix is refused before anything is computed (each pair is evaluated, and
 * a grid that wide is read by nobody); `netpol list` streams every connection instead.
 */
export const MAX_MATRIX_PAIRS = 4_000_000;

/** The allowed bits of a matrix, port-major: bit (p * n + i) * n + j says whether pods[i] reaches pods[j] on ports[p]. */
export interface CompactMatrix {
  pods: string[];
  ports: string[];
  bits: Uint8Array;
}

export function compactHas(m: CompactMatrix, port: number, i: number, j: number): boolean {
  const n = m.pods.length;
  const bit = (port * n + i) * n + j;
  return (m.bits[bit >> 3] & (1 << (bit & 7))) !== 0;
}

/** The workloads and ports a matrix would have, and why it would be too large (undefined when it is not). */
export function matrixPlan(analysis: Analysis, ports?: PortKey[]): { workloads: Workload[]; portKeys: PortKey[]; tooLarge?: string } {
  const workloads = [...analysis.reportedWorkloads()].sort((a, b) => (a.displayName < b.displayName ? -1 : a.displayName > b.displayName ? 1 : 0));
  const portKeys = ports && ports.length > 0 ? ports : declaredPorts(workloads);
  const pairs = workloads.length * workloads.length;
  const tooLarge =
    pairs > MAX_MATRIX_PAIRS
      ? `the matrix would have ${workloads.length} × ${workloads.length} = ${pairs} pairs of workloads on ${portKeys.length} port(s), more than ${MAX_MATRIX_PAIRS}; ` +
        'narrow it to one scope of .netpol.yaml (--scope NAME) or a smaller folder, or use netpol list, which streams every allowed connection'
      : undefined;
  return { workloads, portKeys, ...(tooLarge ? { tooLarge } : {}) };
}

/** Every pair evaluated once, kept as bits (a boolean[][] costs 8 bytes per cell). */
export function computeCompactMatrix(analysis: Analysis, workloads: readonly Workload[], portKeys: readonly PortKey[]): CompactMatrix {
  const n = workloads.length;
  const bits = new Uint8Array(Math.ceil((portKeys.length * n * n) / 8));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const conn = analysis.connection(workloadEndpoint(workloads[i]), workloadEndpoint(workloads[j])).allowed;
      for (let p = 0; p < portKeys.length; p++) {
        if (!conn.has(portKeys[p].protocol, portKeys[p].port)) continue;
        const bit = (p * n + i) * n + j;
        bits[bit >> 3] |= 1 << (bit & 7);
      }
    }
  }
  return { pods: workloads.map((w) => w.displayName), ports: portKeys.map(formatPortKey), bits };
}

export function computeMatrix(analysis: Analysis, ports?: PortKey[]): Matrix {
  const { workloads, portKeys } = matrixPlan(analysis, ports);
  const compact = computeCompactMatrix(analysis, workloads, portKeys);
  const allowed: Record<string, boolean[][]> = {};
  compact.ports.forEach((port, p) => {
    allowed[port] = workloads.map((_, i) => workloads.map((__, j) => compactHas(compact, p, i, j)));
  });
  const matrix: Matrix = { pods: workloads.map((w) => w.displayName), ports: portKeys.map(formatPortKey), allowed };
  const notAnalysed = hasNotAnalysed(analysis.model);
  if (notAnalysed || analysis.tiered) {
    const objects = new Set<import('../engine/parse').K8sObject>();
    // Parts of analysed policies that are not analysed (Cilium's fromRequires and kin) mark the pairs they may change.
    const parts = new Set<string>();
    const uncertain = workloads.map((src) =>
      workloads.map((dst) => {
        const by = notAnalysed ? uncertaintyBetween(analysis.model, src, dst) : [];
        for (const o of by) objects.add(o);
        if (src === dst && !src.replicated) return by.length > 0;
        const c = analysis.connection(workloadEndpoint(src), workloadEndpoint(dst));
        for (const d of [c.egress, c.ingress]) for (const u of d.ciliumUnknowns ?? []) for (const f of u.fields) parts.add(f);
        return by.length > 0 || c.egress.uncertain === true || c.ingress.uncertain === true;
      }),
    );
    if (notAnalysed || uncertain.some((row) => row.some(Boolean))) {
      matrix.uncertain = uncertain;
      matrix.notAnalysed = [...[...objects].map((o) => describeUncertainty(analysis.model, [o])), ...[...parts].map((p) => `${p} (not analysed)`)];
    }
  }
  return matrix;
}

/** Writes in pieces of about this many characters: the output is never held whole. */
const CHUNK = 1 << 16;

function chunked(write: (text: string) => void): { line: (text: string) => void; end: () => void } {
  let buffer = '';
  return {
    line: (text) => {
      buffer += `${text}\n`;
      if (buffer.length >= CHUNK) {
        write(buffer);
        buffer = '';
      }
    },
    end: () => {
      if (buffer) write(buffer);
      buffer = '';
    },
  };
}

/** JSON as `matrixToJson` writes it, a row at a time. */
export function writeMatrixJson(m: CompactMatrix, write: (text: string) => void): void {
  const out = chunked(write);
  const n = m.pods.length;
  out.line(`{"pods":${JSON.stringify(m.pods)},"ports":${JSON.stringify(m.ports)},"allowed":{`);
  m.ports.forEach((port, p) => {
    out.line(`${JSON.stringify(port)}:[`);
    for (let i = 0; i < n; i++) {
      const row: string[] = [];
      for (let j = 0; j < n; j++) row.push(compactHas(m, p, i, j) ? 'true' : 'false');
      out.line(`[${row.join(',')}]${i < n - 1 ? ',' : ''}`);
    }
    out.line(`]${p < m.ports.length - 1 ? ',' : ''}`);
  });
  out.line('}}');
  out.end();
}

/** CSV, a row at a time; names as guarded cells (a spreadsheet must not run them as formulas). */
export function writeMatrixCsv(m: CompactMatrix, write: (text: string) => void): void {
  const out = chunked(write);
  const n = m.pods.length;
  out.line(csvRow(['port', 'from', ...m.pods]));
  m.ports.forEach((port, p) => {
    for (let i = 0; i < n; i++) {
      const cells = [port, m.pods[i]];
      for (let j = 0; j < n; j++) cells.push(compactHas(m, p, i, j) ? '1' : '0');
      out.line(csvRow(cells));
    }
  });
  out.end();
}

/** The text grids, a row at a time (see matrixToText); names with control characters escaped. */
export function writeMatrixText(m: CompactMatrix, write: (text: string) => void): void {
  const out = chunked(write);
  const n = m.pods.length;
  if (n === 0) out.line('No workloads found.');
  else if (m.ports.length === 0) out.line('No container ports declared; pass --port PORT/PROTO to choose ports.');
  else {
    const names = m.pods.map(escapeControls);
    const width = Math.max(...names.map((p) => p.length));
    const numWidth = String(n).length;
    out.line('Workloads:');
    names.forEach((p, i) => out.line(`  ${String(i + 1).padStart(numWidth)}  ${p}`));
    // Ports whose grids are identical share one grid: compared as slices of bits, not as strings.
    const gridBytes = (p: number) => {
      const start = p * n * n;
      const out: number[] = [];
      for (let bit = start; bit < start + n * n; bit++) out.push((m.bits[bit >> 3] >> (bit & 7)) & 1);
      return out;
    };
    const groups: { first: number; ports: string[] }[] = [];
    m.ports.forEach((port, p) => {
      const grid = gridBytes(p);
      const same = groups.find((g) => gridBytes(g.first).every((b, k) => b === grid[k]));
      if (same) same.ports.push(port);
      else groups.push({ first: p, ports: [port] });
    });
    for (const g of groups) {
      out.line('');
      out.line(`${g.ports.length > 1 ? 'Ports' : 'Port'} ${g.ports.join(', ')}   (rows: from, columns: to; ✓ allowed, · denied)`);
      out.line(`${''.padEnd(width + numWidth + 3)}${names.map((_, j) => String(j + 1).padStart(numWidth + 1)).join('')}`);
      for (let i = 0; i < n; i++) {
        let cells = '';
        for (let j = 0; j < n; j++) cells += (compactHas(m, g.first, i, j) ? '✓' : '·').padStart(numWidth + 1);
        out.line(`${String(i + 1).padStart(numWidth)}  ${names[i].padEnd(width)} ${cells}`);
      }
    }
  }
  out.end();
}

/** Every CLI format of a compact matrix, as one string (small matrices: the demo, tests). */
export function compactMatrixToString(m: CompactMatrix, format: 'text' | 'json' | 'csv'): string {
  let text = '';
  const write = (t: string) => (text += t);
  if (format === 'json') writeMatrixJson(m, write);
  else if (format === 'csv') writeMatrixCsv(m, write);
  else writeMatrixText(m, write);
  return text;
}

export function matrixToJson(m: Matrix): string {
  return `${JSON.stringify({ pods: m.pods, ports: m.ports, allowed: m.allowed, ...(m.uncertain ? { uncertain: m.uncertain, notAnalysed: m.notAnalysed } : {}) })}\n`;
}

export function matrixToCsv(m: Matrix): string {
  const lines = [csvRow(['port', 'from', ...m.pods])];
  for (const port of m.ports) {
    m.pods.forEach((from, i) => {
      lines.push(csvRow([port, from, ...m.allowed[port][i].map((a) => (a ? '1' : '0'))]));
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
  m = { ...m, pods: m.pods.map(escapeControls) };
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
