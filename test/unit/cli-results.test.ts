// What `run` and `demo` print: progress lines on a non-terminal stderr, the totals, answer-cache
// hits that cost $0 and say what they saved, --repeat summarised per model, the HTML report
// (looked at in headless Chromium) and the keyless demo.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { chromium, type Browser } from 'playwright-core';
import { formatUsd } from '../../src/core/format';
import { startFakeLlm, type FakeLlm } from '../fake-llm/server';
import { fakeEnv, runCli } from './support/cli';

const A = 'openai:gpt-4o-mini';
const B = 'anthropic:claude-haiku-4-5';
// Round prices, so every figure below is checked against tokens × price.
const PRICES = { [A]: { input: 1, output: 2 }, [B]: { input: 3, output: 4 } };
const costOf = (id: keyof typeof PRICES, u: { inputTokens: number; outputTokens: number }) =>
  (u.inputTokens * PRICES[id].input + u.outputTokens * PRICES[id].output) / 1e6;
const root = path.resolve(__dirname, '../..');
const results = path.join(root, 'test-results');

describe('prompt-profiler CLI: progress, totals, cache savings, reports, demo', function () {
  this.timeout(60_000);
  let fake: FakeLlm;
  let cwd: string;
  let env: NodeJS.ProcessEnv;
  const cli = (args: string[]) => runCli(args, { cwd, env });

  before(async () => {
    fake = await startFakeLlm({ profiles: { 'gpt-4o-mini': { output: 'Alpha answer, short.' }, 'claude-haiku-4-5': { output: 'Beta answer: a little longer than alpha.' } } });
  });
  beforeEach(() => {
    cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'pp-cli-results-'));
    fs.writeFileSync(path.join(cwd, 'p.prompt'), '---\nsystem: Be brief.\n---\nSay something about {{topic}}.\n');
    fs.writeFileSync(path.join(cwd, 'prompt-profiler.json'), JSON.stringify({ models: [A, B], prices: PRICES }));
    env = fakeEnv(fake);
  });
  afterEach(() => {
    fake.reset();
    fs.rmSync(cwd, { recursive: true, force: true });
  });
  after(() => fake.close());

  it('without a terminal, one plain progress line per finished call; --quiet prints none', async () => {
    const r = await cli(['run', 'p.prompt', '--no-cache']);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stderr.trimEnd().split('\n');
    assert.equal(lines.length, 2, r.stderr);
    for (const l of lines) assert.match(l, /^\[[12]\/2\] (openai:gpt-4o-mini|anthropic:claude-haiku-4-5) ✓ (\d+ ms|[\d.]+ s)$/);
    assert.deepEqual(lines.map((l) => l.slice(0, 5)).sort(), ['[1/2]', '[2/2]']);
    const quiet = await cli(['run', 'p.prompt', '--no-cache', '--quiet']);
    assert.equal(quiet.stderr, '');
  });

  it('the totals line: spent from known usage; a cache hit costs $0 and says what it saved', async () => {
    const first = await cli(['run', 'p.prompt', '--json']);
    assert.equal(first.code, 0, first.stderr);
    const fresh = JSON.parse(first.stdout).results;
    const cost = { [A]: costOf(A, fresh[0].usage), [B]: costOf(B, fresh[1].usage) };
    assert.equal(fresh[0].cost.total, cost[A]);
    assert.equal(fresh[0].savedUsd, 0);

    const again = await cli(['run', 'p.prompt', '--json']);
    const hits = JSON.parse(again.stdout).results;
    assert.deepEqual(hits.map((h: { cacheHit: boolean }) => h.cacheHit), [true, true]);
    assert.deepEqual(hits[0].cost, { total: 0, input: 0, output: 0, cacheRead: 0, cacheWrite: 0, estimated: false });
    assert.equal(hits[0].savedUsd, cost[A]);
    assert.equal(hits[1].savedUsd, cost[B]);

    const table = await cli(['run', 'p.prompt']);
    assert.match(table.stdout, new RegExp(`\\n${A}\\s.*\\$0 \\(saved ${formatUsd(cost[A]).replace(/[$.]/g, '\\$&')}\\)\\s+hit`));
    assert.match(table.stdout, new RegExp(`\\nTotal: spent \\$0 · saved ${formatUsd(cost[A] + cost[B]).replace(/[$.]/g, '\\$&')} by the answer cache \\(2 hits\\) · 2 calls · wall \\d+ ms\\n`));

    const paid = await cli(['run', 'p.prompt', '--no-cache', '--model', A]);
    assert.match(paid.stdout, new RegExp(`\\nTotal: spent ${formatUsd(cost[A]).replace(/[$.]/g, '\\$&')} · 1 call · wall \\d+ ms\\n`));
  });

  it('--repeat N: one line per model with p50/p95 over its calls, and one answer per model', async () => {
    const r = await cli(['run', 'p.prompt', '--no-cache', '--repeat', '3']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^model\s+calls\s+failed\s+TTFT p50\s+latency p50\s+p95\s+cost\/call\s+cache hits\s+first error\n/);
    assert.match(r.stdout, new RegExp(`\\n${A}\\s+3\\s+0\\s+.*\\(n=3\\)`));
    assert.equal(r.stdout.split('Alpha answer, short.').length - 1, 1);
    assert.equal(r.stdout.split('Beta answer').length - 1, 1);
    assert.match(r.stdout, /\nTotal: spent \$[\d.]+ · 6 calls · wall /);
    const json = JSON.parse((await cli(['run', 'p.prompt', '--no-cache', '--repeat', '2', '--model', A, '--json'])).stdout);
    assert.deepEqual(json.results.map((x: { repeat: number }) => x.repeat), [1, 2]);
  });

  describe('the HTML report in headless Chromium', () => {
    let browser: Browser;
    before(async () => {
      browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
      fs.mkdirSync(results, { recursive: true });
    });
    after(() => browser?.close());

    async function open(file: string, shot: string) {
      const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
      const problems: string[] = [];
      page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
      page.on('request', (req) => !req.url().startsWith('file:') && problems.push(`network: ${req.url()}`));
      await page.goto(`file://${file}`);
      await page.waitForFunction("document.body.dataset.chart === 'drawn'", undefined, { timeout: 10_000 });
      await page.screenshot({ path: path.join(results, shot), fullPage: true });
      const text = (await page.evaluate('document.body.innerText')) as string;
      await page.close();
      assert.deepEqual(problems, []);
      return text;
    }

    it('a single run: prompt, date, models, totals, the chart, calls and answers', async () => {
      const r = await cli(['run', 'p.prompt', '--no-cache', '--html', 'report.html']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /\nWrote report\.html\n$/);
      const text = await open(path.join(cwd, 'report.html'), 'cli-report-run.png');
      assert.match(text, /p\.prompt · \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC · 2 models: openai:gpt-4o-mini, anthropic:claude-haiku-4-5/);
      assert.match(text, /spent \$[\d.]+ · 2 calls · wall/);
      assert.match(text, /Say something about \{\{topic\}\}\./);
      assert.match(text, /Cost × latency/);
      assert.match(text, /Alpha answer, short\./);
      assert.match(text, /Beta answer: a little longer than alpha\./);
    });

    it('a dataset: one row per model, the worst rows linked, the template', async () => {
      fs.writeFileSync(path.join(cwd, 'rows.jsonl'), ['{"topic":"tea"}', '{"topic":"rain"}', '{"topic":"maps"}'].join('\n') + '\n');
      const r = await cli(['run', 'p.prompt', '--dataset', 'rows.jsonl', '--no-cache', '--html', 'dataset.html']);
      assert.equal(r.code, 0, r.stderr);
      const html = fs.readFileSync(path.join(cwd, 'dataset.html'), 'utf8');
      assert.equal((html.match(/<tr><td>(openai|anthropic):/g) ?? []).length, 2, 'one row per model');
      assert.match(html, /<a href="#answer-openai-gpt-4o-mini-\d">row \d \(\d+ ms\)<\/a>/);
      const text = await open(path.join(cwd, 'dataset.html'), 'cli-report-dataset.png');
      assert.match(text, /p\.prompt over rows\.jsonl \(3 rows\)/);
      assert.match(text, /spent \$[\d.]+ · 6 calls · wall/);
      assert.match(text, /Per model/);
    });
  });

  it('demo: without keys, three simulated models, clearly labelled, then the table, totals and the pick', async function () {
    const bin = path.join(root, 'dist', 'cli.js');
    assert.ok(fs.existsSync(bin) && fs.existsSync(path.join(root, 'dist', 'demo-llm.js')), 'npm run build first (npm test does)');
    const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(OPENAI|ANTHROPIC)_/.test(k)));
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [bin, 'demo'], { cwd, env: clean });
    assert.match(stderr, /^demo: simulated models\. A built-in demo endpoint on 127\.0\.0\.1 answered/);
    assert.equal((stderr.match(/^\[\d\/3\] .* ✓ /gm) ?? []).length, 3, stderr);
    assert.match(stdout, /^demo: simulated models\./);
    for (const id of ['openai:gpt-4o-mini', 'openai:gpt-4.1-nano', 'anthropic:claude-haiku-4-5']) assert.match(stdout, new RegExp(`\\n${id}\\s+\\d`), id);
    assert.match(stdout, /\nTotal: spent \$[\d.]+ · 3 calls · wall /);
    assert.match(stdout, /\nSelected: .* within p95 ≤ 60 s\.\n/);
    // The demo leaves no history and no cache behind in the user's folder.
    assert.ok(!fs.existsSync(path.join(cwd, '.prompt-profiler')));
  });
});
