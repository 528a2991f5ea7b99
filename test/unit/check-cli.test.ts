// prompt-profiler check on real git repositories made in a temp folder: discovery, exact Δ tokens
// and Δ cost against a base revision (token counts against js-tiktoken, prices from explicit
// overrides), every budget breached once with its exact line, the JUnit and Markdown reports.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import MarkdownIt from 'markdown-it';
import { getEncoding } from 'js-tiktoken';
import { formatInt, formatUsd } from '../../src/core/format';
import { startFakeLlm, type FakeLlm } from '../fake-llm/server';
import { fakeEnv, runCli } from './support/cli';

const o200k = getEncoding('o200k_base');
/** OpenAI's chat rule for one user message: 3 + role + content, plus 3 to prime the reply. */
const userTokens = (content: string) => 3 + o200k.encode('user').length + o200k.encode(content).length + 3;

const MODEL = 'openai:gpt-4o-mini';
// USD per million tokens: input 1, output 2, so a figure is tokens × 1e-6 exactly enough to compare.
const PRICES = { [MODEL]: { input: 1, output: 2 } };
const OUT = 100;
const cost = (inputTokens: number) => (inputTokens * 1 + OUT * 2) / 1e6;

const OLD_SUMMARY = 'Summarize the text below in three bullet points.';
const NEW_SUMMARY = 'Summarize the text below in three short bullet points, each under twenty words, in plain English.';
const SUPPORT = 'You are a support agent for ACME. Reply kindly and briefly to the customer message below.';
const OLD_BLOCK = 'Translate to French: hello';
const NEW_BLOCK = 'Translate to French, then to German and to Italian: hello, how are you today, my friend?';
const DELETED = 'An old prompt nobody uses any more.';
const ADDED = 'A brand new prompt that classifies the sentiment of a review.';

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8' });
}

function write(root: string, file: string, text: string): void {
  fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
  fs.writeFileSync(path.join(root, file), text);
}

describe('prompt-profiler check (real git repositories)', function () {
  let root: string;
  const config = (extra: Record<string, unknown> = {}) =>
    write(root, 'prompt-profiler.json', JSON.stringify({ models: [MODEL], prices: PRICES, expectedOutputTokens: OUT, traffic: { 'prompts/support/**': 5000, '**': 100 }, ...extra }, null, 2));
  const cli = (...args: string[]) => runCli(['check', ...args], { cwd: root, env: {} });

  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'pp-check-'));
    git(root, 'init', '-q', '-b', 'main');
    git(root, 'config', 'user.email', 'test@example.com');
    git(root, 'config', 'user.name', 'Test');
    config();
    write(root, 'prompts/summary.prompt', `${OLD_SUMMARY}\n`);
    write(root, 'prompts/support/reply.prompt', `${SUPPORT}\n`);
    write(root, 'prompts/old.prompt', `${DELETED}\n`);
    write(root, 'docs/guide.md', `# Guide\n\n\`\`\`prompt\n${OLD_BLOCK}\n\`\`\`\n`);
    write(root, 'README.md', '# Not a prompt\n\nNo prompt blocks here.\n');
    git(root, 'add', '-A');
    git(root, 'commit', '-q', '-m', 'base');
    // The change under review: one prompt edited, one added, one deleted, one Markdown block edited (and moved down).
    write(root, 'prompts/summary.prompt', `${NEW_SUMMARY}\n`);
    write(root, 'prompts/new.prompt', `${ADDED}\n`);
    fs.rmSync(path.join(root, 'prompts/old.prompt'));
    write(root, 'docs/guide.md', `# Guide\n\nAn intro line.\n\n\`\`\`prompt\n${NEW_BLOCK}\n\`\`\`\n`);
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('--base: a changed, an added, a deleted prompt and a Markdown block, with exact Δ tokens and Δ cost', async () => {
    const { code, stdout, stderr } = await cli('--base', 'HEAD', '--json');
    assert.equal(stderr, '');
    assert.equal(code, 0);
    const json = JSON.parse(stdout);
    assert.equal(json.base, 'HEAD');
    const byName = new Map<string, { status: string; models: { status: string; deltaTokens: number; deltaCostPerCall: number; deltaMonthly: number; percent: number | null; current?: { inputTokens: number; estimated: boolean } }[] }>(
      json.changes.map((c: { name: string }) => [c.name, c]),
    );
    assert.deepEqual([...byName.keys()].sort(), ['docs/guide.md:5', 'prompts/new.prompt', 'prompts/old.prompt', 'prompts/summary.prompt', 'prompts/support/reply.prompt']);
    const expect = (name: string, status: string, before: string | null, after: string | null, callsPerDay: number) => {
      const c = byName.get(name)!;
      assert.equal(c.status, status, name);
      const [m] = c.models;
      const dTokens = (after ? userTokens(after) : 0) - (before ? userTokens(before) : 0);
      assert.equal(m.deltaTokens, dTokens, `${name} Δ tokens`);
      const dCost = (after ? cost(userTokens(after)) : 0) - (before ? cost(userTokens(before)) : 0);
      assert.ok(Math.abs(m.deltaCostPerCall - dCost) < 1e-15, `${name} Δ cost ${m.deltaCostPerCall} vs ${dCost}`);
      assert.ok(Math.abs(m.deltaMonthly - dCost * callsPerDay * 30) < 1e-9, `${name} Δ month`);
      if (after) assert.equal(m.current!.inputTokens, userTokens(after));
      if (after) assert.equal(m.current!.estimated, false);
      return m;
    };
    const changed = expect('prompts/summary.prompt', 'changed', OLD_SUMMARY, NEW_SUMMARY, 100);
    assert.ok(Math.abs(changed.percent! - ((cost(userTokens(NEW_SUMMARY)) - cost(userTokens(OLD_SUMMARY))) / cost(userTokens(OLD_SUMMARY))) * 100) < 1e-9);
    expect('prompts/new.prompt', 'new', null, ADDED, 100);
    expect('prompts/old.prompt', 'deleted', DELETED, null, 100);
    expect('docs/guide.md:5', 'changed', OLD_BLOCK, NEW_BLOCK, 100);
    expect('prompts/support/reply.prompt', 'unchanged', SUPPORT, SUPPORT, 5000);
    assert.equal(json.breaches.length, 0);
  });

  it('the text table shows the change of each prompt; unchanged and within budget exits 0', async () => {
    const { code, stdout } = await cli('--base', 'HEAD');
    assert.equal(code, 0);
    const d = userTokens(NEW_SUMMARY) - userTokens(OLD_SUMMARY);
    const row = stdout.split('\n').find((l) => l.startsWith('prompts/summary.prompt'))!;
    assert.deepEqual(row.split(/\s{2,}/), [
      'prompts/summary.prompt',
      MODEL,
      'changed',
      formatInt(userTokens(NEW_SUMMARY)),
      `+${d}`,
      formatUsd(cost(userTokens(NEW_SUMMARY))),
      `+${formatUsd(d / 1e6)}`,
      `${formatUsd(cost(userTokens(NEW_SUMMARY)) * 100 * 30)}/month`,
      `+${formatUsd((d / 1e6) * 100 * 30)}`,
      `+${((d / 1e6 / cost(userTokens(OLD_SUMMARY))) * 100).toFixed(1)}%`,
    ]);
    assert.match(stdout, /Within budget: 4 prompts checked against HEAD\.\n$/);
  });

  it('each budget breached once: exit 1 and the exact breach line', async () => {
    const summary = userTokens(NEW_SUMMARY);
    const support = userTokens(SUPPORT);
    const pct = ((cost(summary) - cost(userTokens(OLD_SUMMARY))) / cost(userTokens(OLD_SUMMARY))) * 100;
    const cases: { budget: Record<string, unknown>; line: string }[] = [
      {
        budget: { match: 'prompts/support/**', maxInputTokens: support - 1 },
        line: `BREACH prompts/support/reply.prompt · ${MODEL}: ${formatInt(support)} input tokens > maxInputTokens ${formatInt(support - 1)} (budget "prompts/support/**")`,
      },
      {
        budget: { match: 'prompts/summary.prompt', maxCostPerCall: 0.0002 },
        line: `BREACH prompts/summary.prompt · ${MODEL}: ${formatUsd(cost(summary))} per call (${OUT} output tokens) > maxCostPerCall $0.0002 (budget "prompts/summary.prompt")`,
      },
      {
        budget: { match: 'prompts/support/*.prompt', maxMonthlyCost: 10 },
        line: `BREACH prompts/support/reply.prompt · ${MODEL}: ${formatUsd(cost(support) * 5000 * 30)} per month (5,000 calls/day) > maxMonthlyCost ${formatUsd(10)} (budget "prompts/support/*.prompt")`,
      },
      {
        budget: { match: 'prompts/*.prompt', maxIncreasePercent: 1 },
        line: `BREACH prompts/summary.prompt · ${MODEL}: +${pct.toFixed(1)}% cost per call vs HEAD > maxIncreasePercent 1% (budget "prompts/*.prompt")`,
      },
    ];
    for (const { budget, line } of cases) {
      config({ budgets: [budget] });
      const { code, stdout } = await cli('--base', 'HEAD');
      assert.equal(code, 1, JSON.stringify(budget));
      const breaches = stdout.split('\n').filter((l) => l.startsWith('BREACH'));
      assert.deepEqual(breaches, [line]);
      assert.match(stdout, /\n1 budget breach:\n/);
    }
    // Every budget whose match covers a prompt applies; within all of them the gate passes.
    config({ budgets: [{ match: '**', maxCostPerCall: 0.01, maxMonthlyCost: 500, maxIncreasePercent: 50 }, { match: 'prompts/support/**', maxInputTokens: 4000 }] });
    const ok = await cli('--base', 'HEAD');
    assert.equal(ok.code, 0, ok.stdout);
  });

  it('a limit that cannot be checked is a breach: no price, no traffic', async () => {
    config({ models: ['ollama:llama3.2'], providers: { ollama: { type: 'openai-compatible', baseURL: 'http://127.0.0.1:9/v1' } }, traffic: {}, budgets: [{ match: 'prompts/new.prompt', maxCostPerCall: 1 }] });
    const a = await cli('prompts/new.prompt');
    assert.equal(a.code, 1);
    assert.deepEqual(a.stdout.split('\n').filter((l) => l.startsWith('BREACH')), [
      `BREACH prompts/new.prompt · ollama:llama3.2: maxCostPerCall ${formatUsd(1)} cannot be checked: no price for this model (budget "prompts/new.prompt")`,
    ]);
    config({ traffic: {}, budgets: [{ match: 'prompts/new.prompt', maxMonthlyCost: 1 }] });
    const b = await cli('prompts/new.prompt');
    assert.equal(b.code, 1);
    assert.match(b.stdout, /BREACH prompts\/new\.prompt · openai:gpt-4o-mini: maxMonthlyCost \$1\.00 cannot be checked: no traffic for this prompt \(set "traffic" or calls_per_day:\)/);
  });

  it('calls_per_day: in front matter beats traffic; the most specific traffic glob wins; a month is 30 days', async () => {
    write(root, 'prompts/support/hot.prompt', '---\ncalls_per_day: 7\n---\nHot path.\n');
    const { stdout } = await cli('prompts/support', '--json');
    const prompts = JSON.parse(stdout).prompts as { name: string; callsPerDay: number; trafficSource: string; models: { monthlyCost: number; costPerCall: number }[] }[];
    assert.deepEqual(prompts.map((p) => [p.name, p.callsPerDay, p.trafficSource]), [
      ['prompts/support/hot.prompt', 7, 'calls_per_day:'],
      ['prompts/support/reply.prompt', 5000, 'traffic "prompts/support/**"'],
    ]);
    assert.equal(prompts[0].models[0].monthlyCost, prompts[0].models[0].costPerCall * 7 * 30);
    // expectedOutputTokens by glob: the most specific match wins too; a prompt's own comes first.
    write(root, 'prompts/support/long.prompt', '---\nexpected_output_tokens: 900\n---\nLong answers.\n');
    config({ expectedOutputTokens: { 'prompts/support/**': 50, '**': 100 } });
    const out = JSON.parse((await cli('prompts', '--json')).stdout).prompts.map((p: { name: string; models: { outputTokens: number }[] }) => [p.name, p.models[0].outputTokens]);
    assert.deepEqual(out, [
      ['prompts/new.prompt', 100],
      ['prompts/summary.prompt', 100],
      ['prompts/support/hot.prompt', 50],
      ['prompts/support/long.prompt', 900],
      ['prompts/support/reply.prompt', 50],
    ]);
  });

  it('discovery: .gitignore is respected, Markdown without prompt blocks is skipped, PATH narrows', async () => {
    write(root, '.gitignore', 'build/\n');
    write(root, 'build/generated.prompt', 'Generated, ignored.\n');
    write(root, 'node_modules/dep/x.prompt', 'A dependency.\n');
    const all = JSON.parse((await cli('--json')).stdout).prompts.map((p: { name: string }) => p.name);
    assert.deepEqual(all, ['docs/guide.md:5', 'prompts/new.prompt', 'prompts/summary.prompt', 'prompts/support/reply.prompt']);
    const some = JSON.parse((await cli('docs', '--json')).stdout).prompts.map((p: { name: string }) => p.name);
    assert.deepEqual(some, ['docs/guide.md:5']);
    config({ prompts: ['docs/**/*.md'] });
    const globbed = JSON.parse((await cli('--json')).stdout).prompts.map((p: { name: string }) => p.name);
    assert.deepEqual(globbed, ['docs/guide.md:5']);
  });

  it('--junit parses and holds one failure per breach; --markdown rows are sorted by |Δ/month|', async () => {
    config({ budgets: [{ match: '**', maxIncreasePercent: 1 }, { match: 'prompts/support/**', maxInputTokens: 5 }] });
    const { code, stdout } = await cli('--base', 'HEAD', '--junit', 'out/junit.xml', '--markdown', 'summary.md');
    assert.equal(code, 1);
    const breachLines = stdout.split('\n').filter((l) => l.startsWith('BREACH ')).map((l) => l.slice('BREACH '.length));
    assert.equal(breachLines.length, 3); // summary +%, guide block +%, support tokens
    const xml = fs.readFileSync(path.join(root, 'out/junit.xml'), 'utf8');
    const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (name) => name === 'testcase' || name === 'failure' }).parse(xml);
    const suite = doc.testsuites.testsuite;
    assert.equal(suite.testcase.length, 4); // 4 prompts today × 1 model
    const failures = suite.testcase.flatMap((t: { failure?: { message: string; type: string }[] }) => t.failure ?? []);
    assert.deepEqual(failures.map((f: { message: string }) => f.message).sort(), [...breachLines].sort());
    assert.equal(Number(suite.failures), 3);
    assert.deepEqual(failures.map((f: { type: string }) => f.type).sort(), ['maxIncreasePercent', 'maxIncreasePercent', 'maxInputTokens']);

    const md = fs.readFileSync(path.join(root, 'summary.md'), 'utf8');
    const rows = md.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| prompt |'));
    const month = (before: string | null, after: string | null) => (after ? cost(userTokens(after)) : 0) * 100 * 30 - (before ? cost(userTokens(before)) : 0) * 100 * 30;
    const expected = [
      ['prompts/new.prompt', month(null, ADDED)],
      ['prompts/old.prompt', month(DELETED, null)],
      ['prompts/summary.prompt', month(OLD_SUMMARY, NEW_SUMMARY)],
      ['docs/guide.md:5', month(OLD_BLOCK, NEW_BLOCK)],
    ].sort((a, b) => Math.abs(b[1] as number) - Math.abs(a[1] as number) || (a[0] as string).localeCompare(b[0] as string));
    assert.deepEqual(
      rows.map((r) => r.split(' | ')[0].slice(2)),
      expected.map(([n]) => `\`${n as string}\``),
    );
    const deltaMonthCells = rows.map((r) => r.split(' | ')[8]);
    assert.deepEqual(deltaMonthCells, expected.map(([, v]) => `${(v as number) > 0 ? '+' : '-'}${formatUsd(Math.abs(v as number))}`));
    assert.match(md, /^### Prompt cost check vs `HEAD`\n\n\*\*3 budget breaches\*\*\n/);
    assert.match(md, /\n1 unchanged prompt × model pair not shown\.\n/);
  });

  it('--markdown: a prompt file name from the repository renders as text (no link, no image, no HTML, one cell)', async () => {
    const name = 'prompts/a|b ![i](p.png) [l](evil.example) <b>x</b>.prompt'; // a file name has no `//`
    write(root, name, 'Say hi.\n');
    const { code } = await cli('--markdown', 'summary.md');
    assert.equal(code, 0);
    const summary = fs.readFileSync(path.join(root, 'summary.md'), 'utf8');
    const row = summary.split('\n').find((l) => l.includes('evil'));
    assert.ok(row?.startsWith('| `prompts/a\\|b ![i](p.png) [l](evil.example) <b>x</b>.prompt` | `openai:gpt-4o-mini` |'), row);
    const html = new MarkdownIt({ linkify: true, html: true }).render(summary);
    assert.ok(!/<a |<img |<b>/.test(html), html);
    assert.ok(html.includes('<code>prompts/a|b ![i](p.png) [l](evil.example) &lt;b&gt;x&lt;/b&gt;.prompt</code>'), html);
  });

  it('--junit and --markdown never write through a link the repository committed; $GITHUB_STEP_SUMMARY is appended to', async () => {
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'pp-check-outside-'));
    const target = path.join(outside, 'bashrc');
    fs.writeFileSync(target, 'export PATH=/usr/bin\n');
    fs.symlinkSync(target, path.join(root, 'summary.md'));
    fs.symlinkSync(outside, path.join(root, 'out'));
    const md = await cli('--markdown', 'summary.md');
    assert.equal(md.code, 2);
    assert.equal(md.stderr.split('\n')[0], `prompt-profiler: cannot write summary.md: ${path.join(root, 'summary.md')} is a symbolic link: refused to write through it.`);
    const junit = await cli('--junit', 'out/junit.xml');
    assert.equal(junit.code, 2);
    assert.equal(junit.stderr.split('\n')[0], `prompt-profiler: cannot write out/junit.xml: ${path.join(root, 'out')} is a symbolic link: refused to write through it.`);
    assert.equal(fs.readFileSync(target, 'utf8'), 'export PATH=/usr/bin\n', 'the link target is untouched');
    assert.deepEqual(fs.readdirSync(outside), ['bashrc'], 'nothing written through the linked folder');

    const summary = path.join(root, 'step-summary.md');
    fs.writeFileSync(summary, '## Earlier step\n');
    const step = await runCli(['check', '--markdown', summary], { cwd: root, env: { GITHUB_STEP_SUMMARY: summary } });
    assert.equal(step.code, 0, step.stderr);
    const text = fs.readFileSync(summary, 'utf8');
    assert.ok(text.startsWith('## Earlier step\n### Prompt cost check\n'), text);
  });

  it('bad usage exits 2 with one line: an unknown revision, --repeat without --run, a bad budget field', async () => {
    const a = await cli('--base', 'no-such-branch');
    assert.equal(a.code, 2);
    assert.match(a.stderr, /^prompt-profiler: --base: no such git revision: no-such-branch\n/);
    const b = await cli('--repeat', '3');
    assert.equal(b.code, 2);
    assert.match(b.stderr, /--repeat and --judge go with --run\./);
    config({ budgets: [{ match: '**', maxCostPerCal: 1 }] });
    const c = await cli();
    assert.equal(c.code, 2);
    assert.match(c.stderr, /budgets\[0\]\.maxCostPerCal: unknown field\./);
  });

  describe('--run', () => {
    let fake: FakeLlm;
    before(async () => {
      fake = await startFakeLlm({ profiles: { 'gpt-4o-mini': { ttftMs: 150, output: 'An answer.' }, 'gpt-4.1-nano': { output: 'SCORE: 0.4' } } });
    });
    after(() => fake.close());

    it('maxP95LatencyMs and minQuality from real calls, through the answer cache', async () => {
      config({ budgets: [{ match: 'prompts/new.prompt', maxP95LatencyMs: 100, minQuality: 0.8 }] });
      const env = fakeEnv(fake);
      const run = () => runCli(['check', 'prompts/new.prompt', '--run', '--judge', 'openai:gpt-4.1-nano'], { cwd: root, env });
      const first = await run();
      assert.equal(first.code, 1, first.stdout + first.stderr);
      const lines = first.stdout.split('\n').filter((l) => l.startsWith('BREACH'));
      assert.equal(lines.length, 2);
      // The fake waits 150 ms before the first token: the measured p95 cannot be below it.
      const m = /^BREACH prompts\/new\.prompt · openai:gpt-4o-mini: p95 latency (\d+) ms > maxP95LatencyMs 100 \(budget "prompts\/new\.prompt"\)$/.exec(lines[0]);
      assert.ok(m && Number(m[1]) >= 150, lines[0]);
      assert.equal(lines[1], 'BREACH prompts/new.prompt · openai:gpt-4o-mini: quality 0.40 < minQuality 0.8 (budget "prompts/new.prompt")');
      assert.equal(fake.requests.length, 2); // the prompt and its judgement
      const second = await run();
      assert.equal(second.code, 1);
      assert.equal(fake.requests.length, 2, 'the answer cache answered the second check');
      assert.equal(second.stdout.split('\n').filter((l) => l.startsWith('BREACH'))[0], lines[0], 'the cached answer keeps its measured latency');
    });

    it('offline without --run: no key needed, nothing sent', async () => {
      fake.reset();
      config({ budgets: [{ match: '**', maxP95LatencyMs: 1 }] });
      const { code } = await runCli(['check'], { cwd: root, env: { OPENAI_BASE_URL: fake.openaiBaseURL } });
      assert.equal(code, 0);
      assert.equal(fake.requests.length, 0);
    });
  });
});
