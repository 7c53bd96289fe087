// The benchmark's table: one row per workspace, ratios against the naive parse and yaml-language-server, the
// targets of issue 6 marked as met or missed. Rendered for the terminal and for README.md's Performance section.
import fs from 'node:fs';

const s = (ms) => (ms === null || ms === undefined ? '–' : ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`);
const ratio = (a, b) => (a && b ? (a / b).toFixed(2) : '–');
const mark = (ok) => (ok === undefined ? '' : ok ? ' ✓' : ' ✗');

const p = (x) => (x?.n ? `${x.p50} / ${x.p95}` : '–');
const failed = (x) => (x?.error ? `– (${String(x.error).split('\n')[0].slice(0, 60)})` : '–');

/** One row per measurement, one column per workspace, and the target of issue 6. */
function table(results) {
  const ws = results.workspaces;
  const cell = (fn) => ws.map((w) => fn(w, w.netpol ?? {}, w.yls, w.naiveParse?.ms));
  const rows = [
    ['files, size', cell((w) => `${w.files} files, ${(w.bytes / 1e6).toFixed(1)} MB`), ''],
    ['naive parse (yaml `parseAllDocuments`)', cell((w, n, y, parse) => s(parse)), ''],
    ['netpol start → every diagnostic (caches of an earlier start; median of the starts)', cell((w, n, y, parse) => (n.startMs ? `${s(n.startMs)} = ${ratio(n.startMs, parse)}× parse${w.name === 'large' ? mark(n.startMs <= parse) : ''}` : failed(n))), 'large ≤ 1.0× parse'],
    ['… first start (no code, readings or findings cache)', cell((w, n, y, parse) => { const c = w.netpolNoCodeCache; return c?.start ? `${s(c.start)} = ${ratio(c.start, parse)}× parse${y?.startMs ? `; ${(y.startMs / c.start).toFixed(1)}× yaml-language-server` : ''}` : '–'; }), ''],
    ['CPU time: netpol server at start / naive parse', cell((w, n) => (n.startCpuMs ? `${s(n.startCpuMs)} / ${s(w.naiveParse?.cpuMs)} = ${ratio(n.startCpuMs, w.naiveParse?.cpuMs)}×` : '–')), ''],
    ['yaml-language-server open all → every diagnostic (median of the starts)', cell((w, n, y) => (!y ? 'not run' : y.startMs ? `${s(y.startMs)}: netpol ${n.startMs ? (y.startMs / n.startMs).toFixed(1) : '–'}× faster${w.name === 'medium' && n.startMs ? mark(y.startMs / n.startMs >= 20) : ''}` : failed(y))), 'medium ≥ 20× faster'],
    ['edit → diagnostics p50 / p95 (ms)', cell((w, n) => `${p(n.edit)}${w.name === 'large' && n.edit?.n ? mark(n.edit.p95 <= 50) : ''}`), 'large p95 ≤ 50'],
    ['yaml-language-server edit p50 / p95 (ms)', cell((w, n, y) => (y ? p(y.edit) : 'not run')), ''],
    ['hover on selectors p50 / p95 (ms)', cell((w, n) => `${p(n.hoverSelector)}${w.name === 'large' && n.hoverSelector?.n ? mark(n.hoverSelector.p95 <= 10) : ''}`), 'large p95 ≤ 10'],
    ['hover on workloads p50 / p95 (ms)', cell((w, n) => `${p(n.hoverWorkload)}${w.name === 'large' && n.hoverWorkload?.n ? mark(n.hoverWorkload.p95 <= 10) : ''}`), 'large p95 ≤ 10'],
    ['yaml-language-server hover p50 / p95 (ms)', cell((w, n, y) => (y ? p(y.hoverSelector) : 'not run')), ''],
    ['code lens p50 / p95 (ms)', cell((w, n) => `${p(n.codeLens)}${w.name === 'large' && n.codeLens?.n ? mark(n.codeLens.p95 <= 10) : ''}`), 'large p95 ≤ 10'],
    ['completion p50 / p95 (ms)', cell((w, n) => `${p(n.completion)}${w.name === 'large' && n.completion?.n ? mark(n.completion.p95 <= 10) : ''}`), 'large p95 ≤ 10'],
    ['peak RSS, netpol (yaml-language-server)', cell((w, n, y) => `${n.peakRssMB ? `${n.peakRssMB} MB` : '–'}${w.name === 'large' && n.peakRssMB ? mark(n.peakRssMB <= 500) : ''}${y?.peakRssMB ? ` (${y.peakRssMB} MB)` : ''}`), 'large ≤ 500 MB'],
    ['`netpol check`', cell((w, n, y, parse) => (w.check?.ok ? `${s(w.check.ms)} = ${ratio(w.check.ms, parse)}× parse${w.name === 'large' ? mark(w.check.ms <= parse) : ''}` : failed(w.check))), 'large ≤ 1.0× parse'],
    ['`netpol list`', cell((w) => (w.list?.ok ? `${s(w.list.ms)}${w.name === 'medium' ? mark(w.list.ms < 10_000) : ''}` : w.list ? '– (failed)' : 'not run')), 'medium < 10 s'],
  ];
  return { header: ['', ...ws.map((w) => w.name), 'target'], rows: rows.map(([title, cells, target]) => [title, ...cells, target]) };
}

export function renderMarkdown(results) {
  const m = results.machine;
  const { header, rows } = table(results);
  const lines = [
    `Measured by \`npm run bench\` on ${results.date.slice(0, 10)}: ${m.cores} × ${m.cpu}, ${m.memoryGB} GB, Node.js ${m.node}, load average ${m.loadAtStart} at start and ${m.loadAtEnd ?? '?'} at the end${m.stealPercent !== undefined ? `, ${m.stealPercent}% of the CPU time stolen by the host during the run` : ''} (the machine was shared with other work, so single figures are noisy; ratios come from one run${results.options?.starts > 1 ? `, starts are the medians of ${results.options.starts} per server, made in turns` : ''}). ✓/✗: target of issue 6 met or missed. Details, profiles and before/after figures: \`bench/NOTES.md\`; raw figures: \`bench/results.json\`.`,
    '',
    `| ${header.join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${r.map((c) => String(c).replace(/\|/g, '\\|')).join(' | ')} |`),
    '',
    'A start after the first reuses three caches that the earlier start wrote: V8\'s compiled code of the server, what the YAML reader made of every file that has not changed since, and, when no file has changed, the rules\' findings, which it publishes before running the rules once it is idle ([docs/language-server.md](docs/language-server.md#caches)). The first start has none of them.',
    '',
  ];
  return lines.join('\n');
}

export function renderTerminal(results) {
  const { header, rows } = table(results);
  const widths = header.map((_, i) => Math.max(...[header, ...rows].map((r) => String(r[i]).length)));
  const line = (r) => r.map((c, i) => String(c).padEnd(widths[i])).join('  ');
  return `\n${[line(header), ...rows.map(line)].join('\n')}\n`;
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
