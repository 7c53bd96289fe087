// The benchmark's table: one row per workspace, ratios against the naive parse and yaml-language-server, the
// targets of issue 6 marked as met or missed. Rendered for the terminal and for README.md's Performance section.
import fs from 'node:fs';

const s = (ms) => (ms === null || ms === undefined ? '–' : ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`);
const ms1 = (x) => (x === null || x === undefined ? '–' : `${x}`);
const ratio = (a, b) => (a && b ? (a / b).toFixed(2) : '–');
const mark = (ok) => (ok === undefined ? '' : ok ? ' ✓' : ' ✗');

function rows(results) {
  return results.workspaces.map((w) => {
    const n = w.netpol ?? {};
    const y = w.yls;
    const parseMs = w.naiveParse?.ms;
    const large = w.name === 'large';
    const p95 = (x) => x?.p95;
    const interactive = [p95(n.hoverSelector), p95(n.hoverWorkload), p95(n.codeLens), p95(n.completion)];
    return {
      workspace: `${w.name} (${w.files} files, ${(w.bytes / 1e6).toFixed(1)} MB)`,
      parse: s(parseMs),
      start: n.startMs ? `${s(n.startMs)} (${ratio(n.startMs, parseMs)}× parse)${large ? mark(n.startMs <= parseMs) : ''}` : `– ${n.error ?? n.notes?.join('; ') ?? ''}`.slice(0, 80),
      ylsStart: y ? (y.startMs ? `${s(y.startMs)} (netpol ${y.startMs && n.startMs ? (y.startMs / n.startMs).toFixed(0) : '–'}× faster)` : `– ${y.error ?? ''}`.slice(0, 60)) : 'not run',
      edit: n.edit?.n ? `${ms1(n.edit.p50)} / ${ms1(n.edit.p95)}${large ? mark(n.edit.p95 <= 50) : ''}` : '–',
      ylsEdit: y?.edit?.n ? `${ms1(y.edit.p50)} / ${ms1(y.edit.p95)}` : '–',
      hover: n.hoverSelector?.n ? `${ms1(n.hoverSelector.p50)}/${ms1(n.hoverSelector.p95)} · ${ms1(n.hoverWorkload?.p50)}/${ms1(n.hoverWorkload?.p95)}` : '–',
      ylsHover: y?.hoverSelector?.n ? `${ms1(y.hoverSelector.p50)}/${ms1(y.hoverSelector.p95)}` : '–',
      lensCompletion: `${ms1(n.codeLens?.p95)} · ${ms1(n.completion?.p95)}${large && interactive.every((x) => x !== undefined) ? mark(interactive.every((x) => x <= 10)) : ''}`,
      rss: `${n.peakRssMB ? `${n.peakRssMB} MB` : '–'}${large && n.peakRssMB ? mark(n.peakRssMB <= 500) : ''}${y?.peakRssMB ? ` (yls ${y.peakRssMB} MB)` : ''}`,
      check: w.check?.ok ? `${s(w.check.ms)} (${ratio(w.check.ms, parseMs)}× parse)${large ? mark(w.check.ms <= parseMs) : ''}` : `– (${(w.check?.error ?? '').split('\n').filter(Boolean).pop()?.slice(0, 50) ?? ''})`,
      list: w.list?.ok ? `${s(w.list.ms)}${w.name === 'medium' ? mark(w.list.ms < 10_000) : ''}` : w.list ? '– (failed)' : 'not run',
    };
  });
}

const COLUMNS = [
  ['workspace', 'workspace'],
  ['parse', 'naive parse'],
  ['start', 'netpol start → all diagnostics'],
  ['ylsStart', 'yaml-language-server start'],
  ['edit', 'edit → diagnostics p50 / p95 (ms)'],
  ['ylsEdit', 'yls edit p50 / p95'],
  ['hover', 'hover selector · workload p50/p95 (ms)'],
  ['ylsHover', 'yls hover p50/p95'],
  ['lensCompletion', 'code lens · completion p95 (ms)'],
  ['rss', 'peak RSS'],
  ['check', '`netpol check`'],
  ['list', '`netpol list`'],
];

export function renderMarkdown(results) {
  const m = results.machine;
  const lines = [
    `Measured by \`npm run bench\` on ${results.date.slice(0, 10)}: ${m.cores} × ${m.cpu}, ${m.memoryGB} GB, Node.js ${m.node}, load average ${m.loadAtStart} at start (other work on the machine makes single figures noisy; ratios come from one run). Targets (issue 6) on the large workspace: ✓ met, ✗ missed. Details and profiles: \`bench/NOTES.md\`; raw figures: \`bench/results.json\`.`,
    '',
    `| ${COLUMNS.map((c) => c[1]).join(' | ')} |`,
    `|${COLUMNS.map(() => '---').join('|')}|`,
    ...rows(results).map((r) => `| ${COLUMNS.map((c) => String(r[c[0]]).replace(/\|/g, '\\|')).join(' | ')} |`),
    '',
  ];
  return lines.join('\n');
}

export function renderTerminal(results) {
  const out = [];
  for (const r of rows(results)) {
    out.push(`\n${r.workspace}`);
    for (const [key, title] of COLUMNS.slice(1)) out.push(`  ${title.padEnd(42)} ${r[key]}`);
  }
  out.push('');
  return out.join('\n');
}

/** Replaces the body of README.md's "## Performance" section (created at the end when absent). */
export function updateReadme(file, body) {
  const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  const heading = /^## Performance[ \t]*$/m.exec(text);
  const section = `## Performance\n\n${body}`;
  if (!heading) {
    fs.writeFileSync(file, `${text.replace(/\n*$/, '\n\n')}${section}`);
    return;
  }
  const after = text.slice(heading.index + heading[0].length);
  const next = /^## /m.exec(after);
  const rest = next ? `\n${after.slice(next.index)}` : '';
  fs.writeFileSync(file, `${text.slice(0, heading.index)}${section}${rest}`);
}
