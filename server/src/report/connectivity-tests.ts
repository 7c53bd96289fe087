// Connectivity test results as text (for people), JSON (for scripts), JUnit XML (for CI test tabs) and SARIF 2.1.0
// (for code scanning). Positions are turned into lines and columns by the caller's `where`, so this stays pure.
import type { ExplainedVerdict } from '../engine/explain';
import type { ExpectationResult, Outcome, PairFailure, TestReport } from '../engine/assertions/check';
import type { SourceLocation } from '../engine/types';
import { explainText } from './explain';
import { sarifLog, type SarifLocation, type SarifResult } from './sarif';
import { escapeControls, xmlAttribute, xmlText } from './escape';

export interface Position {
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
}

export interface Locator {
  /** The file as shown to users (a relative path). */
  path(uri: string): string;
  position(uri: string, offset: number): Position;
}

export const TEST_FAILURE_RULE_ID = 'connectivity-test-failed';

export function totals(reports: readonly TestReport[]): Record<Outcome, number> {
  const out: Record<Outcome, number> = { pass: 0, fail: 0, skip: 0, todo: 0 };
  for (const r of reports) for (const k of Object.keys(out) as Outcome[]) out[k] += r.counts[k];
  return out;
}

function where(loc: SourceLocation, locator: Locator): string {
  const p = locator.position(loc.uri, loc.range[0]);
  return `${locator.path(loc.uri)}:${p.line}:${p.column}`;
}

function resultTitle(r: ExpectationResult, multiScope: boolean): string {
  return multiScope && r.scope ? `${r.expectation.name} [scope ${r.scope}]` : r.expectation.name;
}

function isMultiScope(report: TestReport): boolean {
  return new Set(report.results.map((r) => r.scope)).size > 1;
}

const LABEL: Record<Outcome, string> = { pass: 'PASS', fail: 'FAIL', skip: 'SKIP', todo: 'TODO' };

/** Every line explaining a failed result (without the title). */
export function failureDetails(r: ExpectationResult, locator: Locator): string[] {
  const lines: string[] = [];
  for (const p of r.problems) lines.push(`${p.message} (${where({ uri: r.test.uri, range: p.range }, locator)})`);
  for (const v of r.vacuous) lines.push(`${v.message} (${where(v.range, locator)})`);
  if (r.failures.length > 0) {
    if (r.failingPairs > 1 || r.expectation.quantifier === 'any') {
      lines.push(r.expectation.quantifier === 'any' ? `no pair of ${r.pairs} satisfies it` : `${r.failingPairs} of ${r.pairs} pairs fail`);
    }
    for (const f of r.failures) {
      lines.push(f.message);
      for (const l of explainText(f.explanation, (loc) => where(loc, locator)).trimEnd().split('\n')) lines.push(`  ${l}`);
    }
    if (r.failingPairs > r.failures.length) lines.push(`... and ${r.failingPairs - r.failures.length} more failing pairs`);
  }
  return lines;
}

export function formatText(reports: readonly TestReport[], locator: Locator): string {
  const out: string[] = [];
  for (const report of reports) {
    const multi = isMultiScope(report);
    out.push(`${report.test.name} (${where({ uri: report.test.uri, range: report.test.headerRange }, locator)})`);
    for (const p of report.test.problems) out.push(`  problem: ${p.message} (${where({ uri: report.test.uri, range: p.range }, locator)})`);
    for (const r of report.results) {
      const detail = r.outcome === 'pass' ? ` (${r.pairs} ${r.pairs === 1 ? 'pair' : 'pairs'})` : r.outcome === 'fail' ? ` (${where({ uri: r.test.uri, range: r.expectation.anchor }, locator)})` : '';
      out.push(`  ${LABEL[r.outcome]} ${resultTitle(r, multi)}${detail}`);
      if (r.outcome === 'fail') for (const l of failureDetails(r, locator)) out.push(`       ${l}`);
    }
  }
  const t = totals(reports);
  if (reports.length === 0) out.push('No connectivity tests found (files with apiVersion: netpol.dev/v1alpha1, kind: ConnectivityTest).');
  out.push('');
  out.push(`${t.pass} passed, ${t.fail} failed, ${t.skip} skipped, ${t.todo} todo`);
  // Names, messages and paths come from the workspace: one line each, no escape sequences.
  return `${out.map(escapeControls).join('\n')}\n`;
}

interface JsonLocation {
  file: string;
  line: number;
  column: number;
}

function jsonLocation(loc: SourceLocation, locator: Locator): JsonLocation {
  const p = locator.position(loc.uri, loc.range[0]);
  return { file: locator.path(loc.uri), line: p.line, column: p.column };
}

function jsonExplanation(e: ExplainedVerdict, locator: Locator): unknown {
  // Every {uri, range} inside becomes {file, line, column}.
  return JSON.parse(
    JSON.stringify(e, (_key, value) =>
      value && typeof value === 'object' && 'uri' in value && 'range' in value ? jsonLocation(value as SourceLocation, locator) : value,
    ),
  );
}

function jsonFailure(f: PairFailure, locator: Locator): unknown {
  return {
    from: f.explanation.from,
    to: f.explanation.to,
    wrongly: f.wrongly,
    ports: f.wrongPorts.toString(),
    allowed: f.allowed.toString(),
    message: f.message,
    causes: f.causes.map((c) => ({
      direction: c.direction,
      role: c.role,
      subject: c.subject,
      ...(c.ruleIndex !== undefined ? { rule: c.ruleIndex + 1 } : {}),
      message: c.message,
      location: jsonLocation(c.location, locator),
    })),
    explanation: jsonExplanation(f.explanation, locator),
  };
}

export function formatJson(reports: readonly TestReport[], locator: Locator): string {
  const data = {
    summary: totals(reports),
    tests: reports.map((report) => ({
      name: report.test.name,
      location: jsonLocation({ uri: report.test.uri, range: report.test.headerRange }, locator),
      counts: report.counts,
      problems: report.test.problems.map((p) => ({ message: p.message, location: jsonLocation({ uri: report.test.uri, range: p.range }, locator) })),
      results: report.results.map((r) => ({
        name: r.expectation.name,
        scope: r.scope,
        outcome: r.outcome,
        verdict: r.expectation.verdict,
        quantifier: r.expectation.quantifier,
        ...(r.expectation.ports ? { ports: r.expectation.ports.text } : {}),
        tags: r.expectation.tags,
        location: jsonLocation({ uri: r.test.uri, range: r.expectation.anchor }, locator),
        pairs: r.pairs,
        failingPairs: r.failingPairs,
        ...(r.outcome === 'fail' ? { message: r.message } : {}),
        problems: r.problems.map((p) => ({ message: p.message, location: jsonLocation({ uri: r.test.uri, range: p.range }, locator) })),
        vacuous: r.vacuous.map((v) => ({ side: v.side, reference: v.text, message: v.message, location: jsonLocation(v.range, locator) })),
        failures: r.failures.map((f) => jsonFailure(f, locator)),
      })),
    })),
  };
  return `${JSON.stringify(data, null, 2)}\n`;
}

/** Text for XML: markup escaped; what XML 1.0 cannot hold (C0 controls, U+FFFE, U+FFFF, lone surrogates) escaped visibly. */
function xml(text: string): string {
  return xmlAttribute(text);
}

export function formatJunit(reports: readonly TestReport[], locator: Locator): string {
  const t = totals(reports);
  const count = (c: Record<Outcome, number>) => c.pass + c.fail + c.skip + c.todo;
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
  out.push(`<testsuites name="netpol connectivity tests" tests="${count(t)}" failures="${t.fail}" errors="0" skipped="${t.skip + t.todo}">`);
  for (const report of reports) {
    const multi = isMultiScope(report);
    const file = locator.path(report.test.uri);
    out.push(
      `  <testsuite name="${xml(report.test.name)}" file="${xml(file)}" tests="${count(report.counts)}" failures="${report.counts.fail}" errors="0" skipped="${report.counts.skip + report.counts.todo}">`,
    );
    for (const r of report.results) {
      const line = locator.position(r.test.uri, r.expectation.anchor[0]).line;
      const open = `    <testcase classname="${xml(report.test.name)}" name="${xml(resultTitle(r, multi))}" file="${xml(file)}" line="${line}"`;
      if (r.outcome === 'pass') out.push(`${open}/>`);
      else if (r.outcome === 'fail') {
        out.push(`${open}>`);
        out.push(`      <failure message="${xml(r.message)}" type="${TEST_FAILURE_RULE_ID}">${xmlText(failureDetails(r, locator).join('\n'))}</failure>`);
        out.push('    </testcase>');
      } else {
        out.push(`${open}>`);
        out.push(`      <skipped message="${r.outcome === 'todo' ? 'todo' : 'skipped'}"/>`);
        out.push('    </testcase>');
      }
    }
    out.push('  </testsuite>');
  }
  out.push('</testsuites>');
  return `${out.join('\n')}\n`;
}

function sarifLocation(loc: SourceLocation, locator: Locator, message?: string): SarifLocation {
  const start = locator.position(loc.uri, loc.range[0]);
  const end = locator.position(loc.uri, loc.range[1]);
  return {
    physicalLocation: {
      artifactLocation: { uri: locator.path(loc.uri) },
      region: { startLine: start.line, startColumn: start.column, endLine: end.line, endColumn: end.column },
    },
    ...(message ? { message: { text: message } } : {}),
  };
}

export function formatSarif(reports: readonly TestReport[], locator: Locator, version: string): string {
  const results: SarifResult[] = [];
  for (const report of reports) {
    for (const r of report.results) {
      if (r.outcome !== 'fail') continue;
      const related: SarifLocation[] = [];
      for (const f of r.failures) for (const c of f.causes) related.push(sarifLocation(c.location, locator, c.message));
      for (const v of r.vacuous) related.push(sarifLocation(v.range, locator, v.message));
      results.push({
        ruleId: TEST_FAILURE_RULE_ID,
        level: 'error',
        message: { text: `${report.test.name}: ${r.expectation.name}: ${r.message}` },
        locations: [sarifLocation({ uri: r.test.uri, range: r.expectation.anchor }, locator)],
        ...(related.length ? { relatedLocations: related.map((l, i) => ({ id: i + 1, ...l })) } : {}),
      });
    }
  }
  const log = sarifLog({
    version,
    rules: [
      {
        id: TEST_FAILURE_RULE_ID,
        shortDescription: { text: 'A connectivity test expectation does not hold' },
        fullDescription: { text: 'An expectation of a ConnectivityTest (netpol.dev/v1alpha1) fails against the NetworkPolicies of the workspace, or names no endpoint.' },
        defaultConfiguration: { level: 'error' },
      },
    ],
    results,
  });
  return `${JSON.stringify(log, null, 2)}\n`;
}
