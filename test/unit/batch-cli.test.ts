// prompt-profiler batch: the JSON contract, exit codes, progress on stderr, Ctrl-C → remote
// cancel, --out export, --resume from the saved state. The fake's batch state is advanced by
// the test while the command polls with a tiny interval.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { getEncoding } from 'js-tiktoken';
import { main } from '../../src/cli/main';
import type { CliIO } from '../../src/cli/main';
import { startFakeLlm, type FakeLlm } from '../fake-llm/server';

const OUTPUT = 'Four.';
const o200k = getEncoding('o200k_base');
const enc = (s: string) => o200k.encode(s).length;

describe('prompt-profiler batch (CLI)', function () {
  let fake: FakeLlm;
  let cwd: string;
  let env: NodeJS.ProcessEnv;
  let ticker: NodeJS.Timeout | undefined;

  /** Runs the command; `advance` moves the fake's batches one step every few ms meanwhile. */
  async function cli(args: string[], opts: { advance?: boolean; signal?: AbortSignal; stdin?: string } = {}) {
    let stdout = '';
    let stderr = '';
    const io: CliIO = {
      stdout: (s) => (stdout += s),
      stderr: (s) => (stderr += s),
      readStdin: async () => opts.stdin ?? '',
      cwd,
      env,
      signal: opts.signal ?? new AbortController().signal,
    };
    if (opts.advance !== false) ticker = setInterval(() => fake.advanceBatches(), 3);
    try {
      const code = await main(['batch', ...args], io);
      return { code, stdout, stderr };
    } finally {
      clearInterval(ticker);
    }
  }
  const routes = (name: string) => fake.requests.filter((r) => r.route === name);

  before(async () => {
    fake = await startFakeLlm({ profiles: { '*': { output: OUTPUT } } });
  });
  beforeEach(() => {
    cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'pp-batch-cli-'));
    fs.writeFileSync(path.join(cwd, 'sum.prompt'), '---\nsystem: You add numbers.\nmax_tokens: 20\n---\nWhat is {{a}} + {{b}}?\n');
    fs.writeFileSync(path.join(cwd, 'rows.csv'), 'a,b\n1,2\n3,4\n5,6\n');
    fs.writeFileSync(path.join(cwd, 'rows.jsonl'), '{"a":1,"b":2}\n{"a":3}\n');
    env = {
      OPENAI_API_KEY: 'sk-test-openai',
      OPENAI_BASE_URL: fake.openaiBaseURL,
      ANTHROPIC_API_KEY: 'sk-ant-test',
      ANTHROPIC_BASE_URL: fake.anthropicBaseURL,
    };
  });
  afterEach(() => {
    clearInterval(ticker);
    fake.reset();
    fs.rmSync(cwd, { recursive: true, force: true });
  });
  after(() => fake.close());

  it('--json follows the contract; exact batch and real-time costs; progress counts on stderr; exit 0', async () => {
    const { code, stdout, stderr } = await cli(['sum.prompt', 'rows.csv', '--model', 'anthropic:claude-haiku-4-5', '--json', '--poll-interval', '0.002']);
    assert.equal(code, 0, stderr);
    const json = JSON.parse(stdout);
    assert.deepEqual(Object.keys(json), ['batchId', 'model', 'succeeded', 'failed', 'rows', 'totalCost', 'realtimeCost']);
    assert.match(json.batchId, /^msgbatch_fake\d+$/);
    assert.equal(json.model, 'anthropic:claude-haiku-4-5');
    assert.deepEqual([json.succeeded, json.failed], [3, 0]);
    assert.deepEqual(Object.keys(json.rows[0]), ['customId', 'ok', 'output', 'cost', 'error']);
    let total = 0;
    json.rows.forEach((r: { customId: string; ok: boolean; output: string; cost: number; error: unknown }, k: number) => {
      const [a, b] = [[1, 2], [3, 4], [5, 6]][k];
      assert.deepEqual([r.customId, r.ok, r.output, r.error], [`row-${k + 1}`, true, OUTPUT, null]);
      const input = 3 + 3 + enc('You add numbers.') + 3 + enc(`What is ${a} + ${b}?`);
      const expected = ((input * 1 + enc(OUTPUT) * 5) / 1e6) * 0.5; // claude-haiku-4-5: $1 / $5 per MTok, batch −50 %
      assert.ok(Math.abs(r.cost - expected) < 1e-12, `${r.cost} ≠ ${expected}`);
      total += expected;
    });
    assert.ok(Math.abs(json.totalCost - total) < 1e-12);
    assert.ok(Math.abs(json.realtimeCost - 2 * total) < 1e-12);
    assert.match(stderr, /^Submitted 3 requests for anthropic:claude-haiku-4-5 in 1 batch \(msgbatch_fake\d+\)\.$/m);
    assert.match(stderr, /^\[batch\] 3\/3 done · 3 ok · 0 failed · ended$/m);
    const saved = fs.readdirSync(path.join(cwd, '.prompt-profiler', 'batches'));
    assert.equal(saved.length, 1);
    assert.equal(JSON.parse(fs.readFileSync(path.join(cwd, '.prompt-profiler', 'batches', saved[0]), 'utf8')).parts[0].id, json.batchId);
  });

  it('exit 1 when some rows failed, each with its reason; the table view lists them', async () => {
    const { code, stdout } = await cli(['sum.prompt', 'rows.jsonl', '--model', 'openai:gpt-4o-mini', '--json', '--poll-interval', '0']);
    assert.equal(code, 1);
    const json = JSON.parse(stdout);
    assert.deepEqual([json.succeeded, json.failed], [1, 1]);
    assert.deepEqual(json.rows[1], { customId: 'row-2', ok: false, output: '', cost: 0, error: { kind: 'invalid_row', message: 'no value for {{b}}' } });
    const text = await cli(['sum.prompt', 'rows.jsonl', '--model', 'openai:gpt-4o-mini', '--poll-interval', '0']);
    assert.equal(text.code, 1);
    assert.match(text.stdout, /^batch_fake\d+ · openai:gpt-4o-mini · 2 rows: 1 succeeded, 1 failed$/m);
    assert.match(text.stdout, /^Cost at batch prices \$[\d.]+ · in real time \$[\d.]+ · saved \$[\d.]+$/m);
    assert.match(text.stdout, /^row-2\s+invalid_row\s+no value for \{\{b\}\}$/m);
    assert.match(text.stdout, /^row-1\s+\$[\d.]+\s+Four\.$/m);
  });

  it('Ctrl-C cancels the batch at the provider, waits for it to end, and lists the canceled rows', async () => {
    const controller = new AbortController();
    const run = cli(['sum.prompt', 'rows.csv', '--model', 'openai:gpt-4o-mini', '--json', '--poll-interval', '0.002'], { advance: false, signal: controller.signal });
    // Once the batch exists (and before it runs), press Ctrl-C.
    while (routes('openai.batches.retrieve').length === 0) await new Promise((r) => setTimeout(r, 1));
    controller.abort();
    while (routes('openai.batches.cancel').length === 0) await new Promise((r) => setTimeout(r, 1));
    fake.advanceBatches(); // cancelling → cancelled
    const { code, stdout, stderr } = await run;
    assert.equal(code, 1);
    assert.match(stderr, /Cancelling batch_fake\d+ at the provider…/);
    const cancel = routes('openai.batches.cancel');
    assert.equal(cancel.length, 1);
    const json = JSON.parse(stdout);
    assert.equal(cancel[0].path, `/v1/batches/${json.batchId}/cancel`);
    assert.deepEqual([json.succeeded, json.failed], [0, 3]);
    for (const r of json.rows) assert.deepEqual(r.error, { kind: 'canceled', message: 'This request was cancelled.' });
  });

  it('--out writes every row to CSV or JSONL', async () => {
    const { code } = await cli(['sum.prompt', 'rows.csv', '--model', 'openai:gpt-4o-mini', '--out', 'answers.csv', '--poll-interval', '0']);
    assert.equal(code, 0);
    const lines = fs.readFileSync(path.join(cwd, 'answers.csv'), 'utf8').trim().split('\r\n');
    assert.equal(lines.length, 4);
    assert.match(lines[1], /^row-1,1,true,Four\.,stop,\d+,\d+,0,0,[\d.e-]+,[\d.e-]+,,$/);
    await cli(['sum.prompt', 'rows.csv', '--model', 'openai:gpt-4o-mini', '--out', 'answers.jsonl', '--poll-interval', '0']);
    const rows = fs.readFileSync(path.join(cwd, 'answers.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(rows.map((r) => r.customId), ['row-1', 'row-2', 'row-3']);
  });

  it('--resume continues a batch from its state file (e.g. after the terminal was closed)', async () => {
    const controller = new AbortController();
    // First run: submitted, then the process "dies" (the test stops it by failing the poll).
    fake.setScenario({ kind: 'http_error', status: 400, message: 'gone', path: '/v1/batches/batch_fake000002' });
    const first = await cli(['sum.prompt', 'rows.csv', '--model', 'openai:gpt-4o-mini', '--state', 'job.json', '--poll-interval', '0'], { advance: false, signal: controller.signal });
    assert.equal(first.code, 1);
    assert.match(first.stderr, /^prompt-profiler: bad_request: OpenAI: request rejected \(400\): gone$/m);
    const state = JSON.parse(fs.readFileSync(path.join(cwd, 'job.json'), 'utf8'));
    assert.equal(state.parts[0].id, 'batch_fake000002');
    const again = await cli(['--resume', 'job.json', '--json', '--poll-interval', '0.002']);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stderr, /^Resuming batch_fake000002 \(openai:gpt-4o-mini\)\.$/m);
    const json = JSON.parse(again.stdout);
    assert.equal(json.batchId, 'batch_fake000002');
    assert.equal(json.succeeded, 3);
    assert.equal(routes('openai.batches.create').length, 1, 'not submitted again');
  });

  it('a missing key is exit 1 with the reason, before anything is sent', async () => {
    delete env.OPENAI_API_KEY;
    const { code, stderr } = await cli(['sum.prompt', 'rows.csv', '--model', 'openai:gpt-4o-mini']);
    assert.equal(code, 1);
    assert.equal(stderr, 'prompt-profiler: auth: No API key for openai: set OPENAI_API_KEY.\n');
    assert.equal(fake.requests.length, 0);
  });

  it('bad usage exits 2 with a clear message and the usage', async () => {
    const cases: [string[], RegExp][] = [
      [[], /Missing the template file/],
      [['sum.prompt'], /Missing the dataset file/],
      [['sum.prompt', 'rows.txt', '--model', 'openai:gpt-4o-mini'], /The dataset must be a \.jsonl, \.ndjson, \.csv or \.tsv file \(got "rows\.txt"\)/],
      [['sum.prompt', 'nope.csv', '--model', 'openai:gpt-4o-mini'], /No such file: nope\.csv/],
      [['nope.prompt', 'rows.csv', '--model', 'openai:gpt-4o-mini'], /No such file: nope\.prompt/],
      [['sum.prompt', 'rows.csv'], /batch runs one model: give it with --model ID/],
      [['sum.prompt', 'rows.csv', '--model', 'gpt-4o'], /Model id "gpt-4o" must look like provider:model/],
      [['sum.prompt', 'rows.csv', '--model', 'openai:gpt-4o-mini', '--poll-interval', 'soon'], /--poll-interval takes a number of seconds \(got "soon"\)/],
      [['sum.prompt', 'rows.csv', '--model', 'openai:gpt-4o-mini', '--out', 'x.txt'], /--out must name a \.jsonl or \.csv file/],
      [['--resume', 'missing.json'], /No such file: missing\.json/],
      [['--resume', 'x.json', 'sum.prompt'], /--resume takes the state file only/],
    ];
    const usage = async (args: string[], message: RegExp) => {
      const r = await cli(args, { advance: false });
      assert.equal(r.code, 2, args.join(' '));
      assert.match(r.stderr, message, args.join(' '));
      assert.match(r.stderr, /^prompt-profiler: [^\n]+\n\(see `prompt-profiler batch --help`\)\n$/, args.join(' '));
    };
    for (const [args, message] of cases) await usage(args, message);
    await usage(['sum.prompt', 'rows.csv', '--bogus'], /unknown option '--bogus'/);
    fs.writeFileSync(path.join(cwd, 'empty.csv'), 'a,b\n');
    await usage(['sum.prompt', 'empty.csv', '--model', 'openai:gpt-4o-mini'], /The dataset empty\.csv has no rows\./);
    assert.equal(fake.requests.length, 0);
  });
});
