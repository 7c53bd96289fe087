// The extension's own README (EXTENSION-README.md, the Marketplace page; README.md is the developer's): its tables
// of commands and settings are generated from package.json's contributes, and every image it shows must load.
//   node client/scripts/readme.mjs           checks (exit 1 with the problems), as `npm run package` does
//   node client/scripts/readme.mjs --write   rewrites the generated tables
// Images load when they are relative links to PNG, JPEG or GIF files that exist, ship in the .vsix (the
// .vscodeignore whitelist) and are committed (vsce points them at the manifest's repository, which serves HEAD).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const EXTENSION_README = 'EXTENSION-README.md';

const escapeCell = (text) => text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
/** VS Code's setting links (`#files.exclude#`) read as code in a README. */
const markdownOf = (setting) => escapeCell((setting.markdownDescription ?? setting.description ?? '').replace(/`?#([\w.]+)#`?/g, '`$1`'));

function defaultOf(setting) {
  if (setting.default === undefined) return 'unset';
  if (typeof setting.default === 'string') return setting.default === '' ? '`""`' : `\`${setting.default}\``;
  return `\`${JSON.stringify(setting.default)}\``;
}

/** The commands a user can run from the Command Palette (those hidden there are run by views and lenses). */
export function paletteCommands(manifest) {
  const hidden = new Set((manifest.contributes.menus?.commandPalette ?? []).filter((m) => m.when === 'false').map((m) => m.command));
  return manifest.contributes.commands.filter((c) => !hidden.has(c.command));
}

/** The generated sections, by marker name. */
export function generatedSections(manifest) {
  const commands = paletteCommands(manifest).map((c) => `| **${c.category}: ${c.title}** | \`${c.command}\` |`);
  const settings = Object.entries(manifest.contributes.configuration.properties).map(([key, s]) => `| \`${key}\` | ${defaultOf(s)} | ${markdownOf(s)} |`);
  return {
    commands: ['| command | id |', '|---|---|', ...commands].join('\n'),
    settings: ['| setting | default | what it does |', '|---|---|---|', ...settings].join('\n'),
  };
}

const section = (name) => new RegExp(`(<!-- ${name}:start[^>]*-->\\n)([\\s\\S]*?)(<!-- ${name}:end -->)`);

/** The README with its generated sections rewritten from the manifest. */
export function withGeneratedSections(text, manifest) {
  let out = text;
  for (const [name, body] of Object.entries(generatedSections(manifest))) {
    if (!section(name).test(out)) throw new Error(`${EXTENSION_README} has no <!-- ${name}:start --> … <!-- ${name}:end --> section`);
    out = out.replace(section(name), (_, start, _body, end) => `${start}${body}\n${end}`);
  }
  return out;
}

/** The image links of a markdown text: `![alt](src "title")` and `<img src="…">`. */
export function imageLinks(text) {
  const links = [];
  for (const m of text.matchAll(/!\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) links.push(m[1]);
  for (const m of text.matchAll(/<img\b[^>]*\bsrc\s*=\s*["']([^"']+)["']/gi)) links.push(m[1]);
  return links;
}

/** Whether .vscodeignore keeps a file in the package (the last pattern that matches decides, as in vsce). */
export function shippedByIgnoreFile(file, ignoreText) {
  const { minimatch } = createRequire(path.join(repo, 'package.json'))('minimatch');
  let shipped = true;
  for (const raw of ignoreText.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const negated = line.startsWith('!');
    const pattern = negated ? line.slice(1) : line;
    if (minimatch(file, pattern, { dot: true })) shipped = negated;
  }
  return shipped;
}

function gitTracks(file) {
  const inside = spawnSync('git', ['rev-parse', '--is-inside-work-tree'], { cwd: repo, encoding: 'utf8' });
  if (inside.status !== 0) return true; // a source tarball: nothing to compare with
  return spawnSync('git', ['ls-files', '--error-unmatch', '--', file], { cwd: repo, encoding: 'utf8' }).status === 0;
}

/**
 * What keeps the README from being the page it should be: a generated section out of date, or an image that would
 * not load. `readmePath` is relative to the repository (links are resolved from the repository root, where the
 * package puts the README).
 */
export function readmeProblems({ readmePath = EXTENSION_README, manifest = JSON.parse(fs.readFileSync(path.join(repo, 'package.json'), 'utf8')), checkGit = true } = {}) {
  const problems = [];
  const text = fs.readFileSync(path.resolve(repo, readmePath), 'utf8');
  try {
    if (withGeneratedSections(text, manifest) !== text) problems.push(`${readmePath}: the commands or settings differ from package.json (run node client/scripts/readme.mjs --write)`);
  } catch (error) {
    problems.push(String(error.message));
  }
  const ignoreText = fs.readFileSync(path.join(repo, '.vscodeignore'), 'utf8');
  const links = imageLinks(text);
  if (links.length === 0) problems.push(`${readmePath}: no screenshots`);
  for (const link of links) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(link) || link.startsWith('//')) {
      problems.push(`${readmePath}: image ${link} is not part of the package (use a relative link to a committed file)`);
      continue;
    }
    const file = path.posix.normalize(decodeURI(link.replace(/[?#].*$/, '')).replace(/^\.\//, ''));
    if (file.startsWith('../') || path.isAbsolute(file)) {
      problems.push(`${readmePath}: image ${link} lies outside the repository`);
      continue;
    }
    if (!fs.existsSync(path.join(repo, file)) || !fs.statSync(path.join(repo, file)).isFile()) problems.push(`${readmePath}: image ${link} does not exist`);
    else if (!/\.(png|jpe?g|gif)$/i.test(file)) problems.push(`${readmePath}: image ${link} is not PNG, JPEG or GIF (the Marketplace rejects SVG)`);
    else if (!shippedByIgnoreFile(file, ignoreText)) problems.push(`${readmePath}: image ${link} is left out of the package by .vscodeignore`);
    else if (checkGit && !gitTracks(file)) problems.push(`${readmePath}: image ${link} is not committed (the repository would not serve it)`);
  }
  return problems;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const manifest = JSON.parse(fs.readFileSync(path.join(repo, 'package.json'), 'utf8'));
  if (process.argv.includes('--write')) {
    const file = path.join(repo, EXTENSION_README);
    fs.writeFileSync(file, withGeneratedSections(fs.readFileSync(file, 'utf8'), manifest));
  }
  const problems = readmeProblems({ manifest });
  for (const p of problems) console.error(p);
  process.exit(problems.length > 0 ? 1 : 0);
}
