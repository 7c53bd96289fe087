// How the CLI explains itself (issue 16): --version, `netpol help CMD` and `netpol CMD --help` with every option's
// default and an example, messages that say what is wrong and point to --help, and README's CLI table in
// agreement with the commands' own usage lines.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { INPUT_OPTIONS, usageLine } from '../../src/cli/args';
import { COMMANDS } from '../../src/cli/commands';
import { runCaptured } from './helpers';

const REPO = path.resolve(__dirname, '..', '..', '..');
const README = fs.readFileSync(path.join(REPO, 'README.md'), 'utf8');

describe('netpol --version and help', () => {
  test('--version prints one line (the build sets the package version; the install test checks it)', async () => {
    const r = await runCaptured(['--version']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^\S+\n$/);
  });

  test('netpol --help lists every command and says how to get a command\'s options', async () => {
    const r = await runCaptured(['--help']);
    assert.equal(r.code, 0);
    for (const c of COMMANDS) assert.match(r.stdout, new RegExp(`^ {2}${c.name} +\\S`, 'm'));
    assert.match(r.stdout, /netpol help <command>/);
  });

  for (const command of COMMANDS) {
    test(`netpol help ${command.name} = netpol ${command.name} --help = -h: every option with its default and an example`, async () => {
      const help = await runCaptured(['help', command.name]);
      assert.equal(help.code, 0);
      assert.equal((await runCaptured([command.name, '--help'])).stdout, help.stdout);
      assert.equal((await runCaptured([command.name, '-h'])).stdout, help.stdout);
      assert.equal(help.stdout.split('\n')[0], `usage: ${usageLine(command)}`);
      const lines = help.stdout.split('\n');
      for (const option of [...command.options, { name: 'help' }]) {
        const at = lines.findIndex((l) => new RegExp(`^ {2}--${option.name}\\b`).test(l));
        assert.ok(at >= 0, `--${option.name} is listed`);
        const block = [];
        for (let i = at + 1; i < lines.length && lines[i].startsWith('      '); i++) block.push(lines[i].trim());
        assert.ok(block.some((l) => /^default: \S/.test(l)), `--${option.name} has a default`);
        assert.ok(block.some((l) => new RegExp(`^example: --${option.name}\\b`).test(l)), `--${option.name} has an example`);
      }
      assert.match(help.stdout, /^Examples:\n {2}netpol /m);
    });
  }

  test('check --help names the default severity threshold, --scope and --config with their defaults', async () => {
    const help = (await runCaptured(['help', 'check'])).stdout;
    assert.match(help, /--severity error\|warning\|information\|hint\n.*\n {6}default: error\n/);
    assert.match(help, /--scope NAME\n.*\n {6}default: every scope/);
    assert.match(help, /--config FILE\n.*\n {6}default: the \.netpol\.yaml found from each PATH/);
    assert.match(help, /Exit codes: 0 passed; 1 /);
  });

  test('an unknown command gets the nearest one', async () => {
    const r = await runCaptured(['chekc', '.']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^netpol: unknown command "chekc" \(did you mean check\?\); commands: /);
  });

  test('netpol help with an unknown command exits 2 and lists the commands', async () => {
    const r = await runCaptured(['help', 'chek']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown command "chek"; commands: matrix, reach/);
  });

  test('--help after other arguments (even wrong ones) shows the help', async () => {
    const r = await runCaptured(['check', '--format', 'xml', 'nowhere', '--help']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^usage: netpol check /);
  });
});

describe('README agrees with the help', () => {
  const cli = README.slice(README.indexOf('## The CLI'), README.indexOf('\n## ', README.indexOf('## The CLI') + 1));

  test('the CLI table has each command\'s usage line exactly', () => {
    for (const command of COMMANDS) {
      const cell = `| \`${usageLine(command).replace(/\|/g, '\\|')}\` |`;
      assert.ok(cli.includes(cell), `README's CLI table has ${cell}`);
    }
  });

  test('the input options table lists each input option with its value', () => {
    for (const o of INPUT_OPTIONS) assert.ok(cli.includes(`| \`--${o.name} ${o.value}\` |`), `--${o.name}`);
  });

  test('every option README names in the CLI section exists, and every option of --help is in README', () => {
    const known = new Set(['help', 'version', ...COMMANDS.flatMap((c) => c.options.map((o) => o.name))]);
    // The transcript quotes the workspace (a curl command in a parse error), not netpol's options.
    const prose = cli.slice(0, cli.indexOf('<!-- transcript:start -->')) + cli.slice(cli.indexOf('<!-- transcript:end -->'));
    const named = new Set([...prose.matchAll(/(?<![\w-])--([a-z][a-z-]*)/g)].map((m) => m[1]));
    assert.deepEqual([...named].filter((n) => !known.has(n)), [], 'options README names that no command has');
    assert.deepEqual([...known].filter((n) => n !== 'help' && !named.has(n)), [], 'options no README line names');
  });

  test('the transcript of netpol check is there, grouped, at most 100 columns wide, the summary last', () => {
    const transcript = README.slice(README.indexOf('<!-- transcript:start -->'), README.indexOf('<!-- transcript:end -->'));
    const lines = transcript.split('\n');
    assert.ok(lines.some((l) => /^~\/sock-shop\$ netpol check /.test(l)));
    for (const line of lines) if (!/^ {4}https:\/\//.test(line)) assert.ok(line.length <= 100, `${line.length} columns: ${line}`);
    assert.ok(lines.some((l) => /^deploy\/kubernetes\/\S+\.yaml$/.test(l)), 'a file heading');
    assert.ok(lines.some((l) => /^ {2}\d+:\d+ +(error|warning|information) {2}[a-z-]+$/.test(l)), 'a short first line');
    const end = lines.findIndex((l) => /^~\/sock-shop\$ echo \$\?$/.test(l));
    assert.match(lines[end - 1], /^\d+ errors?, \d+ warnings?, \d+ information in \d+ files.*: (failed|passed) at --severity error$/);
  });
});
