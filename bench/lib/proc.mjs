// Process measurements from /proc (Linux): peak resident memory of a process and its children, and timing of
// child commands with their peak memory.
import { spawn } from 'node:child_process';
import fs from 'node:fs';

function childrenOf(pid) {
  const out = [];
  try {
    for (const task of fs.readdirSync(`/proc/${pid}/task`)) {
      const text = fs.readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim();
      if (text) for (const c of text.split(/\s+/)) out.push(Number(c));
    }
  } catch { /* the process is gone */ }
  return out;
}

/** Sum of VmHWM (peak resident set) over a process and its descendants, in MB; 0 when unavailable. */
export function peakRssOfTree(pid) {
  const pids = [pid];
  for (let i = 0; i < pids.length; i++) pids.push(...childrenOf(pids[i]));
  let kb = 0;
  for (const p of pids) {
    try {
      const status = fs.readFileSync(`/proc/${p}/status`, 'utf8');
      kb += Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
    } catch { /* gone */ }
  }
  return kb / 1024;
}

/** CPU time (user + system) used so far by a process and its descendants, in ms; 0 when unavailable. */
export function cpuMsOfTree(pid) {
  const pids = [pid];
  for (let i = 0; i < pids.length; i++) pids.push(...childrenOf(pids[i]));
  let ticks = 0;
  for (const p of pids) {
    try {
      const stat = fs.readFileSync(`/proc/${p}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]); // utime, stime (USER_HZ = 100)
    } catch { /* gone */ }
  }
  return ticks * 10;
}

/** Ticks of all CPUs from /proc/stat: total and stolen (time the hypervisor gave to other guests), or undefined. */
export function cpuTicks() {
  try {
    const fields = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    return { total: fields.reduce((a, b) => a + b, 0), steal: fields[7] ?? 0 };
  } catch {
    return undefined;
  }
}

/** The share of CPU time stolen between two cpuTicks() readings, in percent. */
export function stealPercent(before, after) {
  if (!before || !after || after.total <= before.total) return undefined;
  return Math.round((1000 * (after.steal - before.steal)) / (after.total - before.total)) / 10;
}

export function loadAverage() {
  try {
    return fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  } catch {
    return null;
  }
}

/**
 * Runs a command to completion and reports wall time, exit code, CPU time and peak RSS (from the kernel through
 * getrusage of the waited child, which `/usr/bin/time` also reads; here: sampled VmHWM plus the final value).
 */
export function timeCommand(command, args, options = {}) {
  return new Promise((resolve) => {
    const started = process.hrtime.bigint();
    const child = spawn(command, args, { cwd: options.cwd, stdio: ['ignore', options.stdoutFile ? fs.openSync(options.stdoutFile, 'w') : 'ignore', 'pipe'] });
    let stderr = '';
    let peak = 0;
    const timer = setInterval(() => { peak = Math.max(peak, peakRssOfTree(child.pid)); }, 100);
    const killer = options.timeoutMs ? setTimeout(() => { try { process.kill(child.pid, 'SIGKILL'); } catch { /* gone */ } }, options.timeoutMs) : undefined;
    child.stderr.on('data', (b) => { if (stderr.length < 20_000) stderr += b; });
    child.on('exit', (code, signal) => {
      clearInterval(timer);
      if (killer) clearTimeout(killer);
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      resolve({ ms: Math.round(ms), code, signal, peakRssMB: Math.round(peak), stderrTail: stderr.slice(-600) });
    });
  });
}
