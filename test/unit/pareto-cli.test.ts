// `prompt-profiler pareto` (the seed's example, the --json contract, bad input) and
// `prompt-profiler run … --pareto` against the fake server.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startFakeLlm, type FakeLlm } from '../fake-llm/server';
import { renderDatasetSummary } from '../../src/cli/shared/datasetRun';
import { formatUsd } from '../../src/core/format';
import { PriceBook } from '../../src/core/pricing';
import type { RunResult } from '../../src/core/run';
import { emptyUsage } from '../../src/core/types';
import { fakeEnv, runCli } from './support/cli';

const SEED = [
  { name: 'GPT-4 no caching', latencyP95: 2.5, costPer1k: 10.0, quality: 0.92 },
  { name: 'GPT-3.5 no caching', latencyP95: 0.8, costPer1k: 2.0, quality: 0.78 },
  { name: 'GPT-3.5 + caching', latencyP95: 0.6, costPer1k: 1.2, quality: 0.78 },
  { name: 'GPT-3.5 + caching + prompt eng', latencyP95: 0.7, costPer1k: 1.3, quality: 0.85 },
  { name: 'GPT-4 + caching', latencyP95: 2.0, costPer1k: 6.0, quality: 0.92 },
  { name: 'GPT-4-turbo + caching', latencyP95: 1.2, costPer1k: 4.0, quality: 0.9 },
];
const OUTPUT = 'Two sentences about CAP. Here is the second one.';

describe('prompt-profiler pareto / run --pareto', function () {
  let fake: FakeLlm;
  let cwd: string;
  let env: NodeJS.ProcessEnv;

  /** `prompt-profiler pareto …` through the CLI's entry point. */
  const pareto = (args: string[], stdin = '') => cli(['pareto', ...args], stdin);

  const cli = (args: string[], stdin = '') => runCli(args, { cwd, env, stdin });

  before(async () => {
    fake = await startFakeLlm({ profiles: { '*': { output: OUTPUT } } });
  });
  beforeEach(() => {
    cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'pp-pareto-'));
    fs.writeFileSync(path.join(cwd, 'seed.json'), JSON.stringify(SEED));
    fs.writeFileSync(path.join(cwd, 'cap.prompt'), '---\nsystem: You are terse.\nsample:\n  topic: CAP\n---\nExplain the {{topic}} theorem.\n');
    env = fakeEnv(fake);
  });
  afterEach(() => {
    fake.reset();
    fs.rmSync(cwd, { recursive: true, force: true });
  });
  after(() => fake.close());

  it("--json: the seed's example gives exactly the four-member frontier and GPT-3.5 + caching + prompt eng", async () => {
    const r = await pareto(['seed.json', '--max-latency', '1.0', '--max-cost', '5.0', '--min-quality', '0.85', '--json']);
    assert.equal(r.code, 0);
    assert.deepEqual(JSON.parse(r.stdout), {
      frontier: ['GPT-3.5 + caching', 'GPT-3.5 + caching + prompt eng', 'GPT-4 + caching', 'GPT-4-turbo + caching'],
      selected: 'GPT-3.5 + caching + prompt eng',
      reason:
        'GPT-3.5 + caching + prompt eng: lowest cost per quality point ($1.53/1k per 1.0 quality; $1.30/1k, p95 700 ms, quality 0.85) of 1 option within p95 ≤ 1 s, cost ≤ $5.00/1k, quality ≥ 0.85.',
    });
    assert.equal(r.stderr, '');
  });

  it('the table marks the frontier and the selection; standard input works', async () => {
    const r = await pareto(['-', '--max-latency', '1', '--max-cost', '5', '--min-quality', '0.85'], JSON.stringify(SEED));
    assert.equal(r.code, 0);
    const rows = r.stdout.split('\n');
    const row = (name: string) => rows.find((l) => l.startsWith(name + ' '))!;
    assert.match(row('GPT-3.5 + caching'), /★\s+no\s*$/);
    assert.match(row('GPT-3.5 + caching + prompt eng'), /\$1\.30\s+0\.85\s+\$1\.53\s+★\s+yes\s+←$/);
    assert.match(row('GPT-4 no caching'), /\$10\.00\s+0\.92\s+\$10\.87\s+no$/);
    assert.ok(rows.includes('Pareto frontier (4 of 6): GPT-3.5 + caching; GPT-3.5 + caching + prompt eng; GPT-4 + caching; GPT-4-turbo + caching'));
    assert.ok(rows.some((l) => l.startsWith('Selected: GPT-3.5 + caching + prompt eng: lowest cost per quality point')));
  });

  it('nothing feasible: selected null, the failing limit and the closest option, exit 1; no limits: exit 0', async () => {
    const r = await pareto(['seed.json', '--max-latency', '1', '--min-quality', '0.9', '--json']);
    assert.equal(r.code, 1);
    const json = JSON.parse(r.stdout);
    assert.equal(json.selected, null);
    assert.equal(json.reason, 'Nothing meets p95 ≤ 1 s, quality ≥ 0.9: no option meets quality ≥ 0.9 together with the other limits. Closest: GPT-3.5 + caching + prompt eng (quality 0.85 < 0.9).');
    const free = await pareto(['seed.json', '--json']);
    assert.equal(free.code, 0);
    assert.equal(JSON.parse(free.stdout).selected, 'GPT-3.5 + caching + prompt eng');
  });

  it('exit 2 with a clear message for bad usage or a bad options file', async () => {
    const write = (name: string, text: string) => fs.writeFileSync(path.join(cwd, name), text);
    write('broken.json', '[{"name": "a",');
    write('object.json', '{"name": "a"}');
    write('bad.json', JSON.stringify([{ name: 'a', latencyP95: -1, costPer1k: '3', quality: 1.2 }, { latencyP95: 1, costPer1k: 1, quality: 1 }, 7]));
    write('dupe.json', JSON.stringify([SEED[0], SEED[0]]));
    const cases: [string[], RegExp][] = [
      [[], /missing required argument 'options\.json'/],
      [['nope.json'], /No such file: nope\.json/],
      [['broken.json'], /broken\.json: not valid JSON/],
      [['object.json'], /object\.json: must be a JSON array/],
      [['bad.json'], /bad\.json\[0\] \(a\): "latencyP95" must be a number of seconds ≥ 0 \(got -1\)\.\nbad\.json\[0\] \(a\): "costPer1k" must be a number of USD ≥ 0 \(got "3"\)\.\nbad\.json\[0\] \(a\): "quality" must be a number from 0 to 1 \(got 1\.2\)\.\nbad\.json\[1\]: "name" must be a non-empty string\.\nbad\.json\[2\] must be an object\./],
      [['dupe.json'], /dupe\.json\[1\]: the name "GPT-4 no caching" is used twice\./],
      [['seed.json', '--max-latency', 'soon'], /--max-latency takes a number \(got "soon"\)/],
      [['seed.json', '--min-quality', '2'], /--min-quality must be a number from 0 to 1 \(got 2\)/],
      [['seed.json', '--max-latency', '0'], /--max-latency must be a number of seconds above 0/],
      [['seed.json', '--bogus'], /unknown option '--bogus'/],
    ];
    for (const [args, message] of cases) {
      const r = await pareto(args);
      assert.equal(r.code, 2, args.join(' '));
      assert.match(r.stderr, message, args.join(' '));
    }
  });

  it('run --pareto --json adds "options", "frontier", "selected" (option ids) and "reason" from the live run', async () => {
    // Slower than an answer-cache read (5 ms assumed when the run has none): else, on a loopback
    // server that answers in 2–4 ms on the wire, the model itself beats its cache on latency.
    fake.setProfile('gpt-4o-mini', { output: OUTPUT, ttftMs: 20 });
    const r = await cli(['run', 'cap.prompt', '--model', 'openai:gpt-4o-mini', '--model', 'anthropic:claude-haiku-4-5', '--repeat', '2', '--pareto', '--max-latency', '60', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const json = JSON.parse(r.stdout);
    assert.deepEqual(Object.keys(json), ['results', 'wallMs', 'options', 'frontier', 'selected', 'reason', 'requirements', 'interactiveDefault']);
    assert.deepEqual(json.options.map((o: { id: string }) => o.id), [
      'openai:gpt-4o-mini',
      'openai:gpt-4o-mini|answer-cache',
      'openai:gpt-4o-mini|prompt-cache',
      'openai:gpt-4o-mini|batch',
      'anthropic:claude-haiku-4-5',
      'anthropic:claude-haiku-4-5|answer-cache',
      'anthropic:claude-haiku-4-5|prompt-cache',
      'anthropic:claude-haiku-4-5|batch',
      'openai:gpt-4o-mini>anthropic:claude-haiku-4-5|cascade',
    ]);
    const byId = Object.fromEntries(json.options.map((o: { id: string }) => [o.id, o]));
    const asIs = byId['openai:gpt-4o-mini'];
    const run = json.results.find((x: { model: string }) => x.model === 'openai:gpt-4o-mini');
    assert.ok(Math.abs(asIs.costPer1k - run.cost.total * 1000) < 1e-12);
    assert.equal(asIs.latency.n, 2);
    assert.deepEqual(asIs.quality, { value: 0.5, source: 'prior', n: 0, detail: 'default prior (settings), not a measurement' });
    // A short prompt: both providers' caches need more tokens than its static prefix.
    assert.match(byId['openai:gpt-4o-mini|prompt-cache'].reason, /^static prefix is \d+ tokens, under openai:gpt-4o-mini's minimum cacheable length of 1,024: no prompt-cache saving$/);
    assert.match(byId['anthropic:claude-haiku-4-5|prompt-cache'].reason, /minimum cacheable length of 4,096/);
    assert.equal(byId['openai:gpt-4o-mini>anthropic:claude-haiku-4-5|cascade'].available, false);
    // Equal priors: the cheapest per quality point within 60 s p95 is gpt-4o-mini with the answer cache.
    assert.equal(json.selected, 'openai:gpt-4o-mini|answer-cache');
    assert.ok(json.frontier.includes(json.selected));
    assert.ok(!json.frontier.includes('openai:gpt-4o-mini'), 'dominated by its answer-cache twin');
    assert.match(json.reason, /^openai:gpt-4o-mini \+ answer cache \(h=0\.3\): lowest cost per quality point .* within p95 ≤ 60 s\.$/);
    // 4 runs + a cold and a warm probe per model.
    assert.equal(fake.requests.filter((x) => x.route === 'openai.chat' || x.route === 'anthropic.messages').length, 8);
  });

  it('run --pareto with --judge, --rating and the table section; standard input is read once for the prompt and its template', async () => {
    fake.setProfile('gpt-4.1', { output: 'Fine.\nSCORE: 0.7' });
    const text = fs.readFileSync(path.join(cwd, 'cap.prompt'), 'utf8');
    const args = ['run', '-', '--model', 'openai:gpt-4o-mini', '--model', 'anthropic:claude-haiku-4-5', '--pareto', '--judge', 'openai:gpt-4.1', '--rating', 'anthropic:claude-haiku-4-5=4', '--no-cache-probe'];
    const json = JSON.parse((await cli([...args, '--json', '--no-cache'], text)).stdout);
    assert.deepEqual(Object.keys(json), ['results', 'wallMs', 'options', 'frontier', 'selected', 'reason', 'requirements', 'interactiveDefault', 'judge']);
    assert.equal(json.judge.model, 'openai:gpt-4.1');
    assert.equal(json.judge.judgements, 2);
    assert.ok(json.judge.costUsd > 0);
    const q = (id: string) => json.options.find((o: { id: string }) => o.id === id).quality;
    assert.deepEqual([q('openai:gpt-4o-mini').value, q('openai:gpt-4o-mini').source], [0.7, 'judge']);
    assert.deepEqual([q('anthropic:claude-haiku-4-5').value, q('anthropic:claude-haiku-4-5').source], [0.75, 'rating']);
    assert.ok(!json.options.some((o: { kind: string }) => o.kind === 'prompt-cache'), '--no-cache-probe');

    const table = await cli([...args, '--no-cache'], text);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /── Options \(--pareto\) ──\noption\s+cost\/1k\s+p50\s+p95\s+quality\s+frontier\s+note/);
    assert.match(table.stdout, /openai:gpt-4o-mini via Batch API\s+\$[\d.]+\s+24 h \(setting\)\s+24 h \(setting\)\s+0\.70 \(judge\)/);
    assert.match(table.stdout, /anthropic:claude-haiku-4-5\s+\$[\d.]+\s+\d+ ms \(n=1\)\s+\d+ ms \(n=1\)\s+0\.75 \(rating\)/);
    assert.match(table.stdout, /\nSelected: .*lowest cost per quality point/);
    assert.match(table.stdout, /\nJudge openai:gpt-4\.1: \$[\d.]+ for 2 judgements, not included in the options' costs\.\n/);
    assert.match(table.stderr, /Judging 2 answers with openai:gpt-4\.1…/);
  });

  it('run --pareto: the judge compares with the prompt file\'s reference answer; --reference FILE replaces it', async () => {
    fake.setProfile('gpt-4.1', { output: 'Close to the reference.\nSCORE: 0.9' });
    fs.writeFileSync(path.join(cwd, 'ref.prompt'), '---\nreference: |\n  Consistency, availability, partition tolerance: pick two.\n---\nExplain the CAP theorem.\n');
    fs.writeFileSync(path.join(cwd, 'other.txt'), 'Brewer, 2000.');
    const judged = () => fake.requests.filter((r) => r.model === 'gpt-4.1').map((r) => JSON.stringify(r.body.messages));
    const args = ['run', 'ref.prompt', '--model', 'openai:gpt-4o-mini', '--pareto', '--judge', 'openai:gpt-4.1', '--no-cache-probe', '--json', '--no-cache'];

    const fromFile = JSON.parse((await cli(args)).stdout);
    assert.equal(fromFile.judge.withReference, true);
    assert.deepEqual(judged().length, 1);
    assert.ok(judged()[0].includes(JSON.stringify('<reference>\nConsistency, availability, partition tolerance: pick two.\n</reference>').slice(1, -1)), judged()[0]);

    fake.reset();
    const fromFlag = JSON.parse((await cli([...args, '--reference', 'other.txt'])).stdout);
    assert.equal(fromFlag.judge.withReference, true);
    assert.ok(judged()[0].includes('<reference>\\nBrewer, 2000.\\n</reference>') && !judged()[0].includes('pick two'), judged()[0]);

    fake.reset();
    const none = JSON.parse((await cli(['run', 'cap.prompt', ...args.slice(2)])).stdout);
    assert.equal(none.judge.withReference, false);
    assert.ok(!judged()[0].includes('<reference>'));
  });

  it('run --dataset --pareto: every row one run; the judge grades each answer against its own row; the cascade passes 2 of 4 rows', async () => {
    // The judge likes the answers to the odd questions only.
    fake.setProfile('gpt-4.1', { output: ({ lastUserText }) => (/Question [13]\b/.test(lastUserText) ? 'Good.\nSCORE: 0.9' : 'Weak.\nSCORE: 0.4') });
    fs.writeFileSync(path.join(cwd, 'qa.prompt'), '---\nsystem: You answer in one line.\n---\nQuestion {{n}}: {{question}}\n');
    const rows = ['What is CAP?', 'What is BASE?', 'What is ACID?', 'What is Raft?'].map((question, i) => ({ n: i + 1, question }));
    fs.writeFileSync(path.join(cwd, 'rows.jsonl'), rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
    const A = 'openai:gpt-4o-mini';
    const B = 'anthropic:claude-haiku-4-5';
    const args = ['run', 'qa.prompt', '--dataset', 'rows.jsonl', '--model', A, '--model', B, '--pareto', '--judge', 'openai:gpt-4.1', '--no-cache-probe', '--no-cache'];

    const r = await cli([...args, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const json = JSON.parse(r.stdout);
    assert.deepEqual(Object.keys(json), ['rows', 'results', 'wallMs', 'options', 'frontier', 'selected', 'reason', 'requirements', 'interactiveDefault', 'judge']);
    assert.equal(json.rows, 4);
    assert.deepEqual(
      json.results.map((x: { row: number; model: string; ok: boolean }) => `${x.row} ${x.model} ${x.ok}`).sort(),
      [1, 2, 3, 4].flatMap((row) => [`${row} ${A} true`, `${row} ${B} true`]).sort(),
    );
    // What each model was sent: its row's question, once.
    const sent = fake.requests.filter((q) => q.model === 'gpt-4o-mini' || q.model === 'claude-haiku-4-5');
    assert.equal(sent.length, 8);
    for (const row of rows) assert.equal(sent.filter((q) => JSON.stringify(q.body.messages).includes(`Question ${row.n}: ${row.question}`)).length, 2, row.question);
    // The judge saw each answer with its own row's task.
    const judged = fake.requests.filter((q) => q.model === 'gpt-4.1').map((q) => /Question (\d): /.exec(JSON.stringify(q.body.messages))?.[1]);
    assert.deepEqual(judged.sort(), ['1', '1', '2', '2', '3', '3', '4', '4']);
    assert.equal(json.judge.judgements, 8);

    const opt = (id: string) => json.options.find((o: { id: string }) => o.id === id);
    // Over the rows: n = 4 everywhere, quality the mean of 0.9, 0.4, 0.9, 0.4.
    assert.deepEqual([opt(A).latency.n, opt(A).quality.n, opt(A).quality.source], [4, 4, 'judge']);
    assert.ok(Math.abs(opt(A).quality.value - 0.65) < 1e-12);
    const perCall = (model: string) => json.results.filter((x: { model: string }) => x.model === model).reduce((s: number, x: { cost: { total: number } }) => s + x.cost.total, 0) / 4;
    assert.ok(Math.abs(opt(A).costPer1k - perCall(A) * 1000) < 1e-12, 'as is: the mean cost of the rows');
    // The cascade accepts the cheap answer on rows 1 and 3, escalates rows 2 and 4.
    const cascade = opt(`${A}>${B}|cascade`);
    assert.equal(cascade.notes[0], 'pass rate 2/4 at judge score ≥ 0.7');
    assert.ok(Math.abs(cascade.costPer1k - (opt(A).costPer1k + 0.5 * opt(B).costPer1k)) < 1e-12, 'cost(A) + (1 − pass) × cost(B)');

    // The table: one line per model over the rows, then the options.
    fake.reset();
    const table = await cli([...args, '--rows', '2']);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /^model\s+calls\s+failed\s+cost\/call\s+p50\s+p95\s+spent\n/);
    assert.match(table.stdout, new RegExp(`\\n${A}\\s+2\\s+0\\s+\\$[\\d.]+\\s+\\d+ ms \\(n=2\\)`));
    assert.match(table.stdout, /\nTotal: spent \$[\d.]+ · 4 calls · wall \d+ ms over 2 rows\n/);
    assert.match(table.stdout, /\nLatency limit: 60 s by default, for a prompt someone waits for: slower options \(the Batch API\) are shown, not recommended; --max-latency none when latency does not matter\.\n/);
    assert.match(table.stdout, /── Options \(--pareto\) ──/);
    assert.match(table.stderr, /^2 rows × 2 models: 4 calls\n/);
  });

  it('run --dataset summary: a failed call without tokens spent nothing; tokens without a price say "no price", never $0', () => {
    const prices = new PriceBook();
    const result = (modelId: string, repeat: number, over: Partial<RunResult> = {}): RunResult => {
      const usage = { ...emptyUsage(), inputTokens: 1000, outputTokens: 200 };
      return { modelId, repeat, ok: true, output: 'An answer.', finishReason: 'stop', cacheHit: false, ttftMs: 100, latencyMs: 1000 * (repeat + 1), queuedMs: 0, retryWaitMs: 0, attempts: 1, cacheReadMs: null, outputTokensPerSec: 50, usage, cost: prices.cost(modelId, usage), error: null, ...over };
    };
    const A = 'openai:gpt-4o-mini';
    const L = 'lab:no-such-model';
    const failed = result(A, 2, { ok: false, output: '', usage: emptyUsage(), cost: null, error: { kind: 'server', message: 'HTTP 500' } });
    const table = renderDatasetSummary([result(A, 0), result(A, 1), failed, result(L, 0)], [A, L]);
    const perCall = prices.cost(A, { ...emptyUsage(), inputTokens: 1000, outputTokens: 200 })!.total;
    const lines = table.split('\n').slice(2).map((l) => l.trim().split(/\s{2,}/));
    assert.deepEqual(lines, [
      [A, '3', '1', formatUsd(perCall), '1 s (n=2)', '2 s', formatUsd(2 * perCall)],
      [L, '1', '0', 'no price', '1 s (n=1)', '1 s', 'no price'],
    ]);
  });

  it('run --dataset: bad usage and bad rows are refused before anything is sent (exit 2)', async () => {
    fs.writeFileSync(path.join(cwd, 'qa.prompt'), 'Question: {{question}}\n');
    fs.writeFileSync(path.join(cwd, 'rows.jsonl'), '{"question":"What is CAP?"}\n{"topic":"no question here"}\n');
    const cases: [string[], RegExp][] = [
      [['run', 'qa.prompt', '--dataset', 'rows.jsonl'], /rows\.jsonl, row 2: no value for \{\{question\}\}\./],
      [['run', 'qa.prompt', '--dataset', 'rows.jsonl', '--repeat', '3'], /--repeat does not apply with --dataset: each row is one run\./],
      [['run', 'qa.prompt', '--dataset', 'rows.txt'], /--dataset must be a \.jsonl, \.ndjson, \.csv or \.tsv file \(got "rows\.txt"\)\./],
      [['run', 'qa.prompt', '--dataset', 'missing.jsonl'], /No such file: missing\.jsonl/],
      [['run', 'qa.prompt', '--rows', '2'], /--rows needs --dataset\./],
      // The README's real-time cap holds: 1,001 rows belong in `batch`.
      [['run', 'qa.prompt', '--dataset', 'rows.jsonl', '--rows', '1001'], /--rows 1,001 is over the real-time limit of 1,000 rows: send the dataset at half price with `prompt-profiler batch`\./],
      [['run', 'qa.prompt', '--dataset', 'rows.jsonl', '--pareto', '--judge', 'openai:gpt-4.1', '--reference', 'qa.prompt'], /--reference does not apply with --dataset/],
    ];
    for (const [args, message] of cases) {
      const r = await cli(args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message, args.join(' '));
    }
    // --rows 1 stops before the bad row.
    const one = await cli(['run', 'qa.prompt', '--dataset', 'rows.jsonl', '--rows', '1', '--model', 'openai:gpt-4o-mini', '--json', '--no-cache']);
    assert.equal(one.code, 0, one.stderr);
    assert.equal(JSON.parse(one.stdout).results.length, 1);
    assert.equal(fake.requests.filter((q) => q.route === 'openai.chat').length, 1);
  });

  it('run: --pareto flags without --pareto, and bad --pareto values, are usage errors (exit 2)', async () => {
    const cases: [string[], RegExp][] = [
      [['run', 'cap.prompt', '--judge', 'openai:gpt-4.1'], /--judge needs --pareto\./],
      [['run', 'cap.prompt', '--max-cost', '3'], /--max-cost needs --pareto\./],
      [['run', 'cap.prompt', '--pareto', '--judge', 'gpt-4.1'], /--judge: Model id "gpt-4\.1" must look like provider:model/],
      [['run', 'cap.prompt', '--pareto', '--rating', 'openai:gpt-4o-mini=7'], /--rating openai:gpt-4o-mini takes a number from 1 to 5 \(got "7"\)/],
      [['run', 'cap.prompt', '--pareto', '--prior', 'gpt=0.5'], /--prior takes provider:model=value \(got "gpt=0\.5"\)/],
      [['run', 'cap.prompt', '--pareto', '--hit-rate', '1'], /--hit-rate takes a number from 0 to 0\.999/],
      [['run', 'cap.prompt', '--pareto', '--rubric', 'x'], /--rubric needs --judge\./],
      [['run', 'cap.prompt', '--pareto', '--min-quality', '1.5'], /--min-quality must be a number from 0 to 1/],
    ];
    for (const [args, message] of cases) {
      const r = await cli(args);
      assert.equal(r.code, 2, args.join(' '));
      assert.match(r.stderr, message, args.join(' '));
    }
    assert.equal(fake.requests.length, 0, 'nothing sent');
  });
});
