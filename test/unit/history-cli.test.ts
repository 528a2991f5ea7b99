// `prompt-profiler run` appends to .prompt-profiler/history; `prompt-profiler report` prints
// the summary (table, JSON, CSV) — against the fake LLM server.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseCliDate } from '../../src/cli/commands/report';
import { recordRunHistory } from '../../src/cli/shared/history';
import { main, type CliIO } from '../../src/cli/main';
import { HistoryLog, type HistorySummary } from '../../src/core/history';
import { startFakeLlm, type FakeLlm } from '../fake-llm/server';

const OUTPUT = 'Two sentences about CAP. Here is the second one.';
const PROMPT_TEXT = 'Explain the CAP theorem to a hedgehog.';

describe('history from the CLI: run appends, report summarises', function () {
  let fake: FakeLlm;
  let cwd: string;
  let env: NodeJS.ProcessEnv;

  function io(): CliIO & { out: () => string; err: () => string } {
    let stdout = '';
    let stderr = '';
    return {
      stdout: (s) => (stdout += s),
      stderr: (s) => (stderr += s),
      readStdin: async () => '',
      cwd,
      env,
      signal: new AbortController().signal,
      out: () => stdout,
      err: () => stderr,
    };
  }
  async function run(args: string[]) {
    const x = io();
    const code = await main(['run', ...args], x);
    return { code, stdout: x.out(), stderr: x.err() };
  }
  async function report(args: string[]) {
    const x = io();
    const code = await main(['report', ...args], x);
    return { code, stdout: x.out(), stderr: x.err() };
  }
  const historyDir = () => path.join(cwd, '.prompt-profiler', 'history');

  before(async () => {
    fake = await startFakeLlm({ profiles: { '*': { output: OUTPUT } } });
  });
  beforeEach(() => {
    cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'pp-history-cli-'));
    fs.writeFileSync(path.join(cwd, 'cap.prompt'), `---\nsystem: You are terse.\n---\n${PROMPT_TEXT}\n`);
    env = {
      OPENAI_API_KEY: 'sk-test-openai-SECRET',
      OPENAI_BASE_URL: fake.openaiBaseURL,
      ANTHROPIC_API_KEY: 'sk-ant-test-SECRET',
      ANTHROPIC_BASE_URL: fake.anthropicBaseURL,
    };
  });
  afterEach(() => {
    fake.reset();
    fs.rmSync(cwd, { recursive: true, force: true });
  });
  after(() => fake.close());

  it('run appends every call (cache hits marked); report --json sums them exactly', async () => {
    const models = ['--model', 'openai:gpt-4o-mini', '--model', 'anthropic:claude-haiku-4-5'];
    const first = JSON.parse((await run(['cap.prompt', ...models, '--json'])).stdout);
    const second = JSON.parse((await run(['cap.prompt', ...models, '--json'])).stdout);
    assert.deepEqual(second.results.map((r: { cacheHit: boolean }) => r.cacheHit), [true, true]);

    const { records, problems } = await new HistoryLog({ dir: historyDir() }).read();
    assert.deepEqual(problems, []);
    assert.equal(records.length, 4);
    assert.deepEqual(records.map((r) => [r.model, r.cacheHit, r.source]), [
      ['openai:gpt-4o-mini', false, 'cli'],
      ['anthropic:claude-haiku-4-5', false, 'cli'],
      ['openai:gpt-4o-mini', true, 'cli'],
      ['anthropic:claude-haiku-4-5', true, 'cli'],
    ]);
    assert.equal(records[0]!.tokens.input, first.results[0].usage.inputTokens);
    assert.equal(records[0]!.cost!.total, first.results[0].cost.total);
    assert.equal(new Set(records.map((r) => r.promptHash)).size, 1, 'one prompt, one hash');
    assert.notEqual(records[0]!.runId, records[2]!.runId, 'one run id per run');
    const text = fs.readdirSync(historyDir()).map((f) => fs.readFileSync(path.join(historyDir(), f), 'utf8')).join('');
    assert.ok(!text.includes('SECRET'), 'no API key in the history');
    assert.ok(!text.includes('hedgehog'), 'no prompt text by default');
    assert.ok(!text.includes('second one'), 'no answer');

    const r = await report(['--json']);
    assert.equal(r.code, 0);
    assert.equal(r.stderr, '');
    const s = JSON.parse(r.stdout) as HistorySummary;
    assert.equal(s.calls, 4);
    assert.equal(s.cacheHits, 2);
    assert.equal(s.cacheHitRate, 0.5);
    assert.equal(s.timeZone, 'local');
    const spent = first.results[0].cost.total + first.results[1].cost.total;
    assert.ok(Math.abs(s.cost - spent) < 1e-15, `${s.cost} ≠ ${spent}`);
    assert.ok(Math.abs(s.savedByCache - spent) < 1e-15, 'the hits saved what the first run spent');
    for (const m of s.models) {
      assert.equal(m.calls, 2);
      assert.equal(m.latencyMs.n, 1, 'the cache hit is not model latency');
      assert.equal(m.ttftMs.n, 1);
    }
    assert.equal(s.days.length, 1);
  });

  it('report prints tables: per model, per day, errors; --csv the models table', async () => {
    fake.setScenario({ kind: 'http_error', status: 401 });
    await run(['cap.prompt', '--model', 'openai:gpt-4o-mini', '--no-cache']);
    await run(['cap.prompt', '--model', 'openai:gpt-4o-mini']);
    const r = await report([]);
    assert.equal(r.code, 0);
    const lines = r.stdout.split('\n');
    assert.match(lines[0]!, /^2 calls from \d{4}-\d{2}-\d{2} to \d{4}-\d{2}-\d{2} \(history: \.prompt-profiler\/history\)$/);
    assert.match(lines[1]!, /^Spent \$[0-9.]+ · answer cache 0 hits \(0\.0%\), saved \$0 · 1 error$/);
    assert.match(r.stdout, /model\s+calls\s+cache hits\s+errors\s+cost\s+latency p50\/p95\/p99\s+n\s+TTFT p50\/p95\/p99\s+n/);
    assert.match(r.stdout, /openai:gpt-4o-mini\s+2\s+0 \(0\.0%\)\s+1\s+\$/);
    assert.match(r.stdout, /\nerror\s+count\n[─ ]+\nauth\s+1\n?$/);

    const csv = await report(['--csv']);
    assert.match(csv.stdout, /^model,calls,ok,errors,/);
    assert.match(csv.stdout, /\r\nopenai:gpt-4o-mini,2,1,1,0,0,/);
  });

  it('--since / --until select a range; nothing in range says so', async () => {
    const log = new HistoryLog({ dir: historyDir() });
    const base = JSON.parse(JSON.stringify((await runAndRead()).records[0]));
    await log.append([
      { ...base, time: '2020-01-15T12:00:00.000Z' },
      { ...base, time: '2020-02-15T12:00:00.000Z' },
    ]);
    const all = JSON.parse((await report(['--json'])).stdout) as HistorySummary;
    assert.equal(all.calls, 3);
    const feb = JSON.parse((await report(['--json', '--since', '2020-02-01T00:00:00Z', '--until', '2020-03-01T00:00:00Z'])).stdout) as HistorySummary;
    assert.equal(feb.calls, 1);
    assert.equal(feb.first, '2020-02-15T12:00:00.000Z');
    const recent = JSON.parse((await report(['--json', '--since', '7d'])).stdout) as HistorySummary;
    assert.equal(recent.calls, 1);
    const none = await report(['--since', '2019-01-01', '--until', '2019-06-01']);
    assert.equal(none.code, 0);
    assert.equal(none.stdout, 'No calls recorded in that range (history: .prompt-profiler/history).\n');

    async function runAndRead() {
      await run(['cap.prompt', '--model', 'openai:gpt-4o-mini']);
      return log.read();
    }
  });

  it('a torn line in the history is a warning, never a failure', async () => {
    await run(['cap.prompt', '--model', 'openai:gpt-4o-mini']);
    const file = path.join(historyDir(), fs.readdirSync(historyDir())[0]!);
    fs.appendFileSync(file, '{"v":1,"time":"20');
    const r = await report(['--json']);
    assert.equal(r.code, 0);
    assert.equal(JSON.parse(r.stdout).calls, 1);
    assert.match(r.stderr, /^warning: skipped line 2 of \.prompt-profiler\/history\/calls-\d{4}-\d{2}\.jsonl \(torn last line \(bad JSON/);
    await run(['cap.prompt', '--model', 'openai:gpt-4o-mini']);
    assert.equal(JSON.parse((await report(['--json'])).stdout).calls, 2, 'the next run appends after it, intact');
  });

  it('PROMPT_PROFILER_HISTORY=off records nothing; =prompts keeps the prompt text', async () => {
    env.PROMPT_PROFILER_HISTORY = 'off';
    await run(['cap.prompt', '--model', 'openai:gpt-4o-mini']);
    assert.equal(fs.existsSync(historyDir()), false);
    env.PROMPT_PROFILER_HISTORY = 'prompts';
    await run(['cap.prompt', '--model', 'openai:gpt-4o-mini']);
    const { records } = await new HistoryLog({ dir: historyDir() }).read();
    assert.equal(records[0]!.prompt, `system: You are terse.\n\nuser: ${PROMPT_TEXT}`);
  });

  it('a history that cannot be written is a warning; the run still succeeds', async () => {
    fs.mkdirSync(path.join(cwd, '.prompt-profiler'));
    fs.writeFileSync(historyDir(), 'a file where the folder should be');
    const r = await run(['cap.prompt', '--model', 'openai:gpt-4o-mini', '--json']);
    assert.equal(r.code, 0);
    assert.match(r.stderr, /warning: could not write the call history/);
    const x = io();
    await recordRunHistory(x, { messages: [] }, []);
    assert.equal(x.err(), '', 'an empty run writes nothing and warns about nothing');
  });

  it('bad usage is a UsageError (exit 2 in main)', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['--since', 'yesterday'], /--since takes a date/],
      [['--since', '2025-02-30'], /--since takes a date/],
      [['--until', '2025-13-01'], /--until takes a date/],
      [['--since', '2025-06-02', '--until', '2025-06-01'], /--until must be after --since/],
      [['--json', '--csv'], /Choose one of --json and --csv/],
    ];
    cases.push([['--bogus'], /^prompt-profiler: unknown option '--bogus'$/m], [['extra'], /too many arguments/]);
    for (const [args, message] of cases) {
      const x = io();
      assert.equal(await main(['report', ...args], x), 2, args.join(' '));
      assert.match(x.err(), message, args.join(' '));
      // One line, then the pointer to the command's own help.
      assert.equal(x.err().split('\n').length, 3, x.err());
      assert.match(x.err(), /\n\(see `prompt-profiler report --help`\)\n$/);
    }
  });

  it('parseCliDate: local calendar days, ISO date-times, spans back from now', () => {
    const now = Date.UTC(2025, 5, 10, 12);
    assert.equal(parseCliDate('2025-06-01', '--since', now), new Date(2025, 5, 1).getTime());
    assert.equal(parseCliDate('2025-06-01T09:30:00Z', '--since', now), Date.UTC(2025, 5, 1, 9, 30));
    assert.equal(parseCliDate('7d', '--since', now), now - 7 * 86_400_000);
    assert.equal(parseCliDate('24h', '--since', now), now - 86_400_000);
    assert.equal(parseCliDate('30m', '--since', now), now - 1_800_000);
  });
});
