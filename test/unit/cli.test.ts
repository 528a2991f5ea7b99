// The prompt-profiler CLI: its contract (JSON shape, exit codes, messages) against the fake server.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { startFakeLlm, type FakeLlm } from '../fake-llm/server';
import { fakeEnv, runCli } from './support/cli';

const OUTPUT = 'Two sentences about CAP. Here is the second one.';

describe('prompt-profiler CLI', function () {
  let fake: FakeLlm;
  let cwd: string;
  let env: NodeJS.ProcessEnv;

  const cli = (args: string[], stdin = '') => runCli(args, { cwd, env, stdin });

  before(async () => {
    fake = await startFakeLlm({ profiles: { '*': { output: OUTPUT } } });
  });
  beforeEach(() => {
    cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'pp-cli-'));
    fs.writeFileSync(path.join(cwd, 'cap.prompt'), '---\nsystem: You are terse.\n---\nExplain the CAP theorem.\n');
    env = fakeEnv(fake);
  });
  afterEach(() => {
    fake.reset();
    fs.rmSync(cwd, { recursive: true, force: true });
  });
  after(() => fake.close());

  it('run --json follows the contract, with total input tokens and a cost per bucket', async () => {
    const { code, stdout } = await cli(['run', 'cap.prompt', '--model', 'openai:gpt-4o-mini', '--model', 'anthropic:claude-haiku-4-5', '--json']);
    assert.equal(code, 0);
    const json = JSON.parse(stdout);
    assert.deepEqual(Object.keys(json), ['results', 'wallMs']);
    assert.equal(json.results.length, 2);
    const [o, a] = json.results;
    assert.deepEqual(Object.keys(o), [
      'model', 'repeat', 'ok', 'output', 'finishReason', 'truncated', 'cacheHit', 'ttftMs', 'latencyMs', 'queuedMs', 'retryWaitMs', 'attempts', 'cacheReadMs',
      'outputTokensPerSec', 'usage', 'cost', 'savedUsd', 'gatewayCost', 'error',
    ]);
    assert.equal(o.finishReason, 'stop');
    assert.equal(o.truncated, false);
    assert.equal(o.gatewayCost, null);
    assert.equal(o.model, 'openai:gpt-4o-mini');
    assert.equal(o.output, OUTPUT);
    assert.equal(o.cacheHit, false);
    assert.equal(o.error, null);
    // No retry, no cache: one attempt, no retry wait, no read time.
    assert.deepEqual([o.attempts, o.retryWaitMs, o.cacheReadMs], [1, 0, null]);
    assert.deepEqual(Object.keys(o.usage), ['inputTokens', 'outputTokens', 'cacheReadTokens', 'cacheWriteTokens', 'estimated', 'estimatedFields']);
    assert.equal(o.usage.estimated, false);
    assert.deepEqual(o.usage.estimatedFields, []);
    assert.deepEqual(Object.keys(o.cost), ['total', 'input', 'output', 'cacheRead', 'cacheWrite', 'estimated']);
    assert.ok(Math.abs(o.cost.total - (o.usage.inputTokens * 0.15 + o.usage.outputTokens * 0.6) / 1e6) < 1e-12);
    assert.equal(a.model, 'anthropic:claude-haiku-4-5');
    assert.ok(Math.abs(a.cost.total - (a.usage.inputTokens * 1 + a.usage.outputTokens * 5) / 1e6) < 1e-12);
    assert.equal(typeof json.wallMs, 'number');
  });

  it('the second run is served from .prompt-profiler/cache; --no-cache asks again', async () => {
    await cli(['run', 'cap.prompt', '--model', 'openai:gpt-4o-mini', '--json']);
    const again = JSON.parse((await cli(['run', 'cap.prompt', '--model', 'openai:gpt-4o-mini', '--json'])).stdout);
    assert.equal(again.results[0].cacheHit, true);
    // A hit's read time is its own figure, never the model's latency.
    assert.deepEqual([again.results[0].ttftMs, again.results[0].latencyMs, again.results[0].attempts], [null, 0, 0]);
    assert.equal(typeof again.results[0].cacheReadMs, 'number');
    assert.equal(fake.requests.length, 1);
    assert.ok(fs.existsSync(path.join(cwd, '.prompt-profiler', 'cache')));
    const fresh = JSON.parse((await cli(['run', 'cap.prompt', '--model', 'openai:gpt-4o-mini', '--json', '--no-cache'])).stdout);
    assert.equal(fresh.results[0].cacheHit, false);
    assert.equal(fake.requests.length, 2);
  });

  it('exit 1 when a run fails, with the typed error in the table and the JSON', async () => {
    fake.setScenario({ kind: 'http_error', status: 401 });
    const { code, stdout, stderr } = await cli(['run', 'cap.prompt', '--model', 'openai:gpt-4o-mini', '--no-cache']);
    assert.equal(code, 1);
    assert.match(stdout, /auth: OpenAI rejected the API key \(401\)/);
    assert.match(stderr, /\[1\/1\] openai:gpt-4o-mini ✗ auth:/);
    fake.setScenario({ kind: 'http_error', status: 401 });
    const json = JSON.parse((await cli(['run', 'cap.prompt', '--model', 'openai:gpt-4o-mini', '--no-cache', '--json'])).stdout);
    assert.equal(json.results[0].ok, false);
    assert.equal(json.results[0].error.kind, 'auth');
    assert.equal(json.results[0].cost, null);
  });

  it('a missing key is reported per model, without sending anything', async () => {
    delete env.ANTHROPIC_API_KEY;
    const { code, stdout } = await cli(['run', 'cap.prompt', '--model', 'anthropic:claude-haiku-4-5', '--json']);
    assert.equal(code, 1);
    assert.deepEqual(JSON.parse(stdout).results[0].error, { kind: 'auth', message: 'No API key for anthropic: set ANTHROPIC_API_KEY.' });
    assert.equal(fake.requests.length, 0);
  });

  it('exit 2 with a clear message for bad usage', async () => {
    const cases: [string[], RegExp][] = [
      [['run'], /missing required argument 'file'/],
      [['run', 'nope.txt'], /No such file: nope\.txt/],
      [['run', 'cap.prompt', '--model', 'gpt-4o'], /Model id "gpt-4o" must look like provider:model/],
      [['run', 'cap.prompt', '--concurrency', '0'], /--concurrency takes a whole number of at least 1 \(got "0"\)/],
      [['frobnicate'], /unknown command 'frobnicate'/],
      [['run', 'cap.prompt', '--bogus'], /unknown option '--bogus'/],
    ];
    for (const [args, message] of cases) {
      const r = await cli(args);
      assert.equal(r.code, 2, args.join(' '));
      assert.match(r.stderr, message);
      // One line, then where the command's help is: not the whole help.
      assert.match(r.stderr, /^prompt-profiler: [^\n]+\n\(see `prompt-profiler (run )?--help`\)\n$/, args.join(' '));
    }
    fs.writeFileSync(path.join(cwd, 'prompt-profiler.json'), '{"providers": {"local": {"type": "openai-compatible"}}}');
    const bad = await cli(['run', 'cap.prompt']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /prompt-profiler\.json: providers\.local needs "baseURL"\./);
  });

  it('reads the config file: models, an OpenAI-compatible provider, price overrides', async () => {
    fake.setProfile('llama3.2', { output: OUTPUT, sendUsage: false });
    fs.writeFileSync(
      path.join(cwd, 'prompt-profiler.json'),
      JSON.stringify({
        models: ['local:llama3.2'],
        providers: { local: { type: 'openai-compatible', baseURL: fake.openaiBaseURL } },
        prices: { 'local:llama3.2': { input: 0.1, output: 0.2 } },
      }),
    );
    const json = JSON.parse((await cli(['run', '-', '--json'], 'Hello there')).stdout);
    const r = json.results[0];
    assert.equal(r.model, 'local:llama3.2');
    assert.equal(r.ok, true);
    assert.ok(Math.abs(r.cost.total - (r.usage.inputTokens * 0.1 + r.usage.outputTokens * 0.2) / 1e6) < 1e-12);
    assert.equal(fake.requests[0].headers.authorization, 'Bearer no-key', 'no real key sent to a keyless local server');
  });

  it('estimate --json works offline and says which counts are estimates', async () => {
    const { code, stdout } = await cli(['estimate', 'cap.prompt', '--model', 'openai:gpt-4o-mini', '--model', 'anthropic:claude-haiku-4-5', '--model', 'x:unknown', '--max-output', '500', '--json']);
    assert.equal(code, 0);
    const { estimates } = JSON.parse(stdout);
    assert.deepEqual(
      estimates.map((e: { model: string; estimated: boolean; maxOutputTokens: number }) => [e.model, e.estimated, e.maxOutputTokens]),
      [
        ['openai:gpt-4o-mini', false, 500],
        ['anthropic:claude-haiku-4-5', true, 500],
        ['x:unknown', true, 500],
      ],
    );
    assert.equal(estimates[2].inputCost, null);
    assert.equal(fake.requests.length, 0);
    const table = (await cli(['estimate', 'cap.prompt', '--model', 'x:unknown'])).stdout;
    assert.match(table, /no price/);
    assert.doesNotMatch(table, /\$0(\s|$)/);
  });

  it('the built dist/cli.js runs as an executable with the same exit codes', async function () {
    const bin = path.resolve(__dirname, '../../dist/cli.js');
    if (!fs.existsSync(bin)) this.skip(); // npm test builds first; a bare mocha run may not have
    const run = promisify(execFile);
    const ok = await run(bin, ['run', 'cap.prompt', '--model', 'openai:gpt-4o-mini', '--json'], { cwd, env: { ...process.env, ...env } });
    assert.equal(JSON.parse(ok.stdout).results[0].output, OUTPUT);
    await assert.rejects(run(bin, ['run'], { cwd, env: { ...process.env, ...env } }), (e: { code: number; stderr: string }) => e.code === 2 && /missing required argument 'file'/.test(e.stderr));
  });
});
