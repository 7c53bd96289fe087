// Rewrites the terminal transcript of `netpol check` in README.md (between the transcript markers): sock-shop's
// manifests from ../shared/corpus/realworld/, run from the repository's folder as its users would, at 100 columns
// and without colour. Run after changes to the rules or the text report: node scripts/readme-transcript.mjs
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const checkout = path.resolve(repo, '..', 'shared', 'corpus', 'realworld', 'sock-shop');
if (!fs.existsSync(checkout)) throw new Error(`${checkout} is missing: the shared corpus is needed (see ../shared/README.md)`);
const args = ['check', 'deploy/kubernetes'];
const env = { ...process.env, COLUMNS: '100', NO_COLOR: '1' };
delete env.FORCE_COLOR;
// One stream, in the order a terminal shows them: the report, then what check says on standard error.
const r = spawnSync('sh', ['-c', `"${process.execPath}" "${path.join(repo, 'bin', 'netpol.js')}" ${args.join(' ')} 2>&1`], { cwd: checkout, env, encoding: 'utf8' });
const transcript = `\`\`\`text\n~/sock-shop$ netpol ${args.join(' ')}\n${r.stdout}~/sock-shop$ echo $?\n${r.status}\n\`\`\``;
const readme = fs.readFileSync(path.join(repo, 'README.md'), 'utf8');
const start = '<!-- transcript:start -->';
const end = '<!-- transcript:end -->';
const a = readme.indexOf(start);
const b = readme.indexOf(end);
if (a < 0 || b < a) throw new Error('README.md has no transcript markers');
fs.writeFileSync(path.join(repo, 'README.md'), `${readme.slice(0, a + start.length)}\n${transcript}\n${readme.slice(b)}`);
console.log(`README.md: transcript of netpol ${args.join(' ')} (${r.stdout.split('\n').length} lines, exit ${r.status})`);
