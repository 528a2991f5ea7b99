// The CLI explains itself: --version, every command's --help, one-line usage errors, the config
// file found upward or by --config and checked against its JSON Schema, unreadable inputs refused.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { version } from '../../package.json';
import { startFakeLlm, type FakeLlm } from '../fake-llm/server';
import { fakeEnv, runCli } from './support/cli';

const COMMANDS = ['estimate', 'run', 'pareto', 'batch', 'plan', 'report'];

describe('prompt-profiler CLI: help, usage errors, config', function () {
  let fake: FakeLlm;
  let cwd: string;
  let env: NodeJS.ProcessEnv;

  const cli = (args: string[], o: { in?: string } = {}) => runCli(args, { cwd: o.in ?? cwd, env });
  const write = (name: string, text: string | Buffer) => {
    const file = path.join(cwd, name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
    return file;
  };

  before(async () => {
    fake = await startFakeLlm({ profiles: { '*': { output: 'An answer.' } } });
  });
  beforeEach(() => {
    cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'pp-cli-usage-'));
    write('p.prompt', 'Say hello.\n');
    env = fakeEnv(fake);
  });
  afterEach(() => {
    fake.reset();
    fs.rmSync(cwd, { recursive: true, force: true });
  });
  after(() => fake.close());

  it('--version prints the package version', async () => {
    for (const flag of ['--version', '-V']) {
      const r = await cli([flag]);
      assert.deepEqual(r, { code: 0, stdout: `${version}\n`, stderr: '' });
    }
  });

  it('every command has its own --help, and `help COMMAND` shows the same', async () => {
    for (const name of COMMANDS) {
      const r = await cli([name, '--help']);
      assert.equal(r.code, 0, name);
      assert.equal(r.stderr, '');
      assert.match(r.stdout, new RegExp(`^Usage: prompt-profiler ${name} \\[options\\]`), name);
      assert.match(r.stdout, /--config <file>/, name);
      assert.deepEqual(await cli(['help', name]), r, `help ${name}`);
    }
    const run = await cli(['run', '--help']);
    for (const flag of ['--model <id>', '--repeat <n>', '--no-cache', '--dataset <file>', '--pareto', '--judge <id>', '--max-cost <usd>']) {
      assert.ok(run.stdout.includes(flag), flag);
    }
    const top = await cli(['--help']);
    assert.equal(top.code, 0);
    for (const name of COMMANDS) assert.match(top.stdout, new RegExp(`^  ${name} `, 'm'), name);
    // No arguments at all: the overview on stderr, exit 2.
    const none = await cli([]);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /^Usage: prompt-profiler \[options\] \[command\]/);
  });

  it('a usage error is one line and where the help is, never the whole help', async () => {
    const cases: [string[], string][] = [
      [['run', 'p.prompt', '--repeat', 'x'], 'prompt-profiler: --repeat takes a whole number of at least 1 (got "x").\n(see `prompt-profiler run --help`)\n'],
      [['estimate', 'p.prompt', '--frobnicate'], "prompt-profiler: unknown option '--frobnicate'\n(see `prompt-profiler estimate --help`)\n"],
      [['plan'], "prompt-profiler: missing required argument 'file'\n(see `prompt-profiler plan --help`)\n"],
      [['nope'], "prompt-profiler: unknown command 'nope'\n(see `prompt-profiler --help`)\n"],
      [['run', 'p.prompt', '--judge', 'openai:gpt-4.1'], 'prompt-profiler: --judge needs --pareto.\n(see `prompt-profiler run --help`)\n'],
      [
        ['estimate', 'p.prompt', '--model', 'vscode:copilot/gpt-4o'],
        'prompt-profiler: vscode:copilot/gpt-4o: "vscode:" models are VS Code\'s own (its Language Model API): profile them in the Prompt Profiler extension; the CLI cannot reach them.\n(see `prompt-profiler estimate --help`)\n',
      ],
    ];
    for (const [args, stderr] of cases) assert.deepEqual(await cli(args), { code: 2, stdout: '', stderr }, args.join(' '));
    assert.equal(fake.requests.length, 0);
  });

  it('finds prompt-profiler.json in a parent folder, or takes --config FILE', async () => {
    write('prompt-profiler.json', JSON.stringify({ models: ['openai:gpt-4.1'] }));
    const sub = path.join(cwd, 'a', 'b');
    fs.mkdirSync(sub, { recursive: true });
    fs.writeFileSync(path.join(sub, 'q.prompt'), 'Say hi.\n');
    const up = await cli(['estimate', 'q.prompt', '--json'], { in: sub });
    assert.equal(up.code, 0, up.stderr);
    assert.deepEqual(JSON.parse(up.stdout).estimates.map((e: { model: string }) => e.model), ['openai:gpt-4.1']);

    write('other/cfg.json', JSON.stringify({ models: ['openai:gpt-4o'] }));
    const explicit = await cli(['estimate', 'q.prompt', '--json', '--config', path.join('..', '..', 'other', 'cfg.json')], { in: sub });
    assert.equal(explicit.code, 0, explicit.stderr);
    assert.deepEqual(JSON.parse(explicit.stdout).estimates.map((e: { model: string }) => e.model), ['openai:gpt-4o']);

    // The answer cache and history live beside the config file, wherever the command runs from.
    const ran = await cli(['run', 'q.prompt', '--json'], { in: sub });
    assert.equal(ran.code, 0, ran.stderr);
    assert.ok(fs.existsSync(path.join(cwd, '.prompt-profiler', 'cache')));
    assert.ok(!fs.existsSync(path.join(sub, '.prompt-profiler')));

    assert.deepEqual(await cli(['estimate', 'p.prompt', '--config', 'missing.json']), {
      code: 2,
      stdout: '',
      stderr: 'prompt-profiler: --config: no such file: missing.json\n(see `prompt-profiler estimate --help`)\n',
    });
  });

  it('an unknown key is warned about with its path; a bad price is refused with the field path', async () => {
    write('prompt-profiler.json', JSON.stringify({ modles: ['openai:gpt-4.1'], providers: { local: { type: 'openai-compatible', baseURL: 'http://127.0.0.1:1/v1', baseUrl: 'x' } } }));
    const typo = await cli(['estimate', 'p.prompt', '--json']);
    assert.equal(typo.code, 0);
    assert.equal(
      typo.stderr,
      'warning: prompt-profiler.json: modles: unknown key, ignored.\nwarning: prompt-profiler.json: providers.local.baseUrl: unknown key, ignored.\n',
    );

    const refused: [unknown, string][] = [
      [{ 'openai:gpt-4o': { input: 'cheap', output: 1 } }, 'prices["openai:gpt-4o"].input must be a number (got "cheap").'],
      [{ 'openai:gpt-4o': { input: -5, output: 1 } }, 'prices["openai:gpt-4o"].input must be ≥ 0 (got -5).'],
      [{ 'openai:gpt-4o': { inptu: 1, output: 1 } }, 'prices["openai:gpt-4o"] needs "input". prices["openai:gpt-4o"].inptu: unknown field.'],
      [{ 'gpt-4o': { input: 1, output: 1 } }, 'prices has a key that is not a provider:model id ("gpt-4o").'],
    ];
    for (const [prices, message] of refused) {
      write('prompt-profiler.json', JSON.stringify({ prices }));
      const r = await cli(['estimate', 'p.prompt']);
      assert.deepEqual(r, { code: 2, stdout: '', stderr: `prompt-profiler: prompt-profiler.json: ${message}\n(see \`prompt-profiler estimate --help\`)\n` }, message);
    }
    write('prompt-profiler.json', JSON.stringify({ concurrency: 0, budgets: [{ match: '**', maxCostPerCal: 1 }] }));
    assert.equal(
      (await cli(['estimate', 'p.prompt'])).stderr,
      'prompt-profiler: prompt-profiler.json: concurrency must be ≥ 1 (got 0). budgets[0].maxCostPerCal: unknown field.\n(see `prompt-profiler estimate --help`)\n',
    );
  });

  it('a folder or a binary file as the prompt is refused, and nothing is sent', async () => {
    fs.mkdirSync(path.join(cwd, 'prompts'));
    assert.deepEqual(await cli(['run', 'prompts']), {
      code: 2,
      stdout: '',
      stderr: 'prompt-profiler: prompts is a folder: name the prompt file inside it.\n(see `prompt-profiler run --help`)\n',
    });
    write('logo.png', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52]));
    assert.deepEqual(await cli(['run', 'logo.png']), {
      code: 2,
      stdout: '',
      stderr: 'prompt-profiler: logo.png is not a text file (binary content): nothing was sent.\n(see `prompt-profiler run --help`)\n',
    });
    // Text in any script is text.
    write('ja.prompt', '日本語で答えてください。\n');
    assert.equal((await cli(['estimate', 'ja.prompt'])).code, 0);
    assert.equal(fake.requests.length, 0);
  });
});
