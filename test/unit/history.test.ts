// The call history on disk: records (what is kept, what never is), append-only JSONL files by
// month with size parts, torn lines after a crash, and two processes appending at once.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  HistoryLog,
  MAX_RECORD_BYTES,
  historyRecordFromResult,
  historyRecordsFromRun,
  parseHistoryLine,
  promptHash,
  serializeRecord,
  shiftMonth,
  type HistoryRecord,
} from '../../src/core/history';
import type { RunResult } from '../../src/core/run';

const ROOT = path.resolve(__dirname, '../..');
const API_KEY = 'sk-test-DO-NOT-STORE-9f8e7d6c5b4a';

function result(overrides: Partial<RunResult> = {}): RunResult {
  return {
    modelId: 'openai:gpt-4o-mini',
    repeat: 0,
    ok: true,
    output: 'The answer text, which history never keeps.',
    finishReason: 'stop',
    cacheHit: false,
    ttftMs: 123.4567,
    latencyMs: 987.6543,
    queuedMs: 0,
    retryWaitMs: 0,
    attempts: 1,
    cacheReadMs: null,
    outputTokensPerSec: 42,
    usage: {
      inputTokens: 1000,
      outputTokens: 200,
      cacheReadTokens: 600,
      cacheWriteTokens: 100,
      cacheWrite1hTokens: 40,
      reasoningTokens: 50,
      estimated: false,
    },
    cost: {
      total: 0.5,
      input: 0.25,
      cacheRead: 0.03125,
      cacheWrite: 0.09375,
      cacheWrite5m: 0.0625,
      cacheWrite1h: 0.03125,
      output: 0.125,
      batch: false,
      provenance: { source: 'genai-prices', detail: 'test' },
    },
    error: null,
    ...overrides,
  };
}

function rec(time: string, overrides: Partial<HistoryRecord> = {}): HistoryRecord {
  return { ...historyRecordFromResult(result(), { time: Date.parse(time) }), ...overrides };
}

const prompt = { system: 'You are terse.', messages: [{ role: 'user' as const, content: 'Summarise the secret plan.' }] };

describe('history records', () => {
  it('maps a run result exactly: time, tokens, cost buckets, timings; never the answer or the key', () => {
    const r = historyRecordFromResult(result(), { time: Date.UTC(2025, 5, 1, 12, 0, 0, 5), prompt, runId: 'run-1', source: 'cli' });
    assert.deepEqual(r, {
      v: 1,
      time: '2025-06-01T12:00:00.005Z',
      model: 'openai:gpt-4o-mini',
      ok: true,
      cacheHit: false,
      repeat: 0,
      latencyMs: 987.654,
      ttftMs: 123.457,
      queuedMs: 0,
      retryWaitMs: 0,
      attempts: 1,
      tokens: { input: 1000, output: 200, cacheRead: 600, cacheWrite: 100, cacheWrite1h: 40, reasoning: 50, estimated: false },
      cost: { total: 0.5, input: 0.25, output: 0.125, cacheRead: 0.03125, cacheWrite: 0.09375, batch: false },
      errorKind: null,
      finishReason: 'stop',
      promptHash: promptHash(prompt),
      runId: 'run-1',
      source: 'cli',
    });
    assert.match(r.promptHash!, /^[0-9a-f]{64}$/);
    const line = serializeRecord(r);
    assert.ok(!line.includes('secret plan'), 'no prompt text unless allowed');
    assert.ok(!line.includes('answer text'), 'never the answer');
  });

  it('an error keeps its kind only: provider messages can echo keys', () => {
    const r = historyRecordFromResult(
      result({ ok: false, error: { kind: 'auth', message: `Incorrect API key provided: ${API_KEY}`, status: 401 }, cost: null, ttftMs: null }),
    );
    assert.equal(r.errorKind, 'auth');
    assert.equal(r.cost, null);
    assert.equal(r.ttftMs, null);
    assert.ok(!serializeRecord(r).includes(API_KEY));
    assert.ok(!/sk-/.test(serializeRecord(r)));
  });

  it('the prompt hash depends on the prompt text only, the text is kept only when allowed', () => {
    assert.equal(promptHash(prompt), promptHash({ messages: [{ content: 'Summarise the secret plan.', role: 'user', cacheBreakpoint: true }], system: 'You are terse.' }));
    assert.notEqual(promptHash(prompt), promptHash({ ...prompt, system: 'You are verbose.' }));
    const kept = historyRecordFromResult(result(), { prompt, includePrompt: true });
    assert.equal(kept.prompt, 'system: You are terse.\n\nuser: Summarise the secret plan.');
    assert.equal(kept.promptTruncated, undefined);
    assert.equal(historyRecordFromResult(result(), { prompt, includePrompt: false }).prompt, undefined);
  });

  it('a long prompt is cut so that the record stays one small write', () => {
    for (const unit of ['x', 'é', '"', '\u0001', '😀']) {
      const long = { messages: [{ role: 'user' as const, content: unit.repeat(20_000) }] };
      const r = historyRecordFromResult(result(), { prompt: long, includePrompt: true });
      const bytes = Buffer.byteLength(serializeRecord(r));
      assert.ok(bytes <= MAX_RECORD_BYTES, `${JSON.stringify(unit)}: ${bytes} bytes`);
      assert.ok(bytes > MAX_RECORD_BYTES - 64, `${JSON.stringify(unit)}: kept as much as fits (${bytes})`);
      assert.equal(r.promptTruncated, true);
      assert.ok(r.prompt!.endsWith('…'));
      assert.ok(!/[\uD800-\uDBFF]…$/.test(r.prompt!), 'no broken surrogate pair');
    }
  });

  it('historyRecordsFromRun stamps the whole run with one time, cache hits marked', () => {
    const rs = historyRecordsFromRun([result(), result({ cacheHit: true, repeat: 0, modelId: 'anthropic:claude-haiku-4-5' })], { time: 0 });
    assert.deepEqual(rs.map((r) => [r.time, r.model, r.cacheHit]), [
      ['1970-01-01T00:00:00.000Z', 'openai:gpt-4o-mini', false],
      ['1970-01-01T00:00:00.000Z', 'anthropic:claude-haiku-4-5', true],
    ]);
  });

  it('parseHistoryLine rejects what is not a record, with a reason', () => {
    const good = rec('2025-06-01T00:00:00Z');
    assert.deepEqual(parseHistoryLine(JSON.stringify(good)), { ok: true, record: good });
    const bad: Array<[string, RegExp]> = [
      ['{"v":1,"ti', /bad JSON/],
      ['[]', /not an object/],
      [JSON.stringify({ ...good, v: 2 }), /unsupported version 2/],
      [JSON.stringify({ ...good, time: 'yesterday' }), /bad time/],
      [JSON.stringify({ ...good, tokens: { ...good.tokens, input: '5' } }), /bad tokens\.input/],
      [JSON.stringify({ ...good, cost: { total: 1 } }), /bad cost\.input/],
      [JSON.stringify({ ...good, errorKind: 'weird' }), /bad errorKind/],
    ];
    for (const [line, reason] of bad) {
      const parsed = parseHistoryLine(line);
      assert.equal(parsed.ok, false, line);
      assert.match((parsed as { reason: string }).reason, reason);
    }
  });
});

describe('history log (JSONL files)', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pp-history-'));
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('appends one line per record to one file per UTC month, and reads them back in time order', async () => {
    const log = new HistoryLog({ dir: path.join(dir, 'nested', 'history') });
    assert.deepEqual(await log.read(), { records: [], problems: [] }, 'no folder yet: empty, not an error');
    const records = [
      rec('2025-06-30T23:59:59.999Z', { model: 'b:late-june' }),
      rec('2025-06-01T00:00:00.000Z', { model: 'a:early-june' }),
      rec('2025-07-01T00:00:00.000Z', { model: 'c:july' }),
    ];
    await log.append(records);
    assert.deepEqual(fs.readdirSync(log.dir).sort(), ['calls-2025-06.jsonl', 'calls-2025-07.jsonl']);
    const june = fs.readFileSync(path.join(log.dir, 'calls-2025-06.jsonl'), 'utf8');
    assert.equal(june, serializeRecord(records[0]!) + serializeRecord(records[1]!), 'append-only, one line each');
    const { records: back, problems } = await new HistoryLog({ dir: log.dir }).read();
    assert.deepEqual(problems, []);
    assert.deepEqual(back.map((r) => r.model), ['a:early-june', 'b:late-june', 'c:july']);
    assert.deepEqual(back[0], records[1]);
  });

  it('reads a date range: since inclusive, until exclusive, only the files it needs', async () => {
    const log = new HistoryLog({ dir });
    const times = ['2025-05-31T23:00:00Z', '2025-06-01T00:00:00Z', '2025-06-15T12:00:00Z', '2025-07-01T00:00:00Z'];
    await log.append(times.map((t) => rec(t)));
    fs.appendFileSync(path.join(dir, 'calls-2025-05.jsonl'), 'garbage in a month outside the range\n');
    const { records, problems } = await log.read({ since: '2025-06-01T00:00:00Z', until: Date.parse('2025-07-01T00:00:00Z') });
    assert.deepEqual(records.map((r) => r.time), ['2025-06-01T00:00:00.000Z', '2025-06-15T12:00:00.000Z']);
    assert.deepEqual(problems, [], 'the May file was not read');
    assert.equal((await log.read({ since: new Date('2025-06-15T12:00:00Z') })).records.length, 2);
  });

  it('continues a month in numbered parts past maxFileBytes, never rewriting a file', async () => {
    const log = new HistoryLog({ dir, maxFileBytes: 4096 });
    const one = Buffer.byteLength(serializeRecord(rec('2025-06-01T00:00:00Z')));
    const perFile = Math.ceil(4096 / one);
    const n = perFile * 3 + 1;
    for (let i = 0; i < n; i++) await log.append(rec(new Date(Date.UTC(2025, 5, 1, 0, 0, i)).toISOString(), { repeat: i }));
    assert.deepEqual(fs.readdirSync(dir).sort(), ['calls-2025-06.2.jsonl', 'calls-2025-06.3.jsonl', 'calls-2025-06.4.jsonl', 'calls-2025-06.jsonl']);
    assert.deepEqual((await log.files()).map((f) => path.basename(f)), [
      'calls-2025-06.jsonl',
      'calls-2025-06.2.jsonl',
      'calls-2025-06.3.jsonl',
      'calls-2025-06.4.jsonl',
    ]);
    for (const f of await log.files()) assert.ok(fs.statSync(f).size < 4096 + one);
    const { records } = await log.read();
    assert.deepEqual(records.map((r) => r.repeat), [...Array(n).keys()]);
    // A new process continues in the last part, not the first.
    await new HistoryLog({ dir, maxFileBytes: 4096 }).append(rec('2025-06-02T00:00:00Z', { repeat: 999 }));
    assert.match(fs.readFileSync(path.join(dir, 'calls-2025-06.4.jsonl'), 'utf8'), /"repeat":999/);
  });

  it('a torn last line (a crash mid-write) is skipped and reported; the next append starts a fresh line', async () => {
    const log = new HistoryLog({ dir });
    await log.append([rec('2025-06-01T00:00:00Z', { repeat: 1 }), rec('2025-06-01T00:00:01Z', { repeat: 2 })]);
    const file = path.join(dir, 'calls-2025-06.jsonl');
    const torn = serializeRecord(rec('2025-06-01T00:00:02Z', { repeat: 3 })).slice(0, 57);
    fs.appendFileSync(file, torn);

    const first = await log.read();
    assert.deepEqual(first.records.map((r) => r.repeat), [1, 2]);
    assert.equal(first.problems.length, 1);
    assert.equal(first.problems[0]!.file, file);
    assert.equal(first.problems[0]!.line, 3);
    assert.match(first.problems[0]!.reason, /^torn last line \(bad JSON/);

    await new HistoryLog({ dir }).append(rec('2025-06-01T00:00:04Z', { repeat: 4 }));
    const text = fs.readFileSync(file, 'utf8');
    assert.ok(text.endsWith(`${torn}\n${serializeRecord(rec('2025-06-01T00:00:04Z', { repeat: 4 }))}`));
    const second = await log.read();
    assert.deepEqual(second.records.map((r) => r.repeat), [1, 2, 4], 'the record after the crash is intact');
    assert.deepEqual(second.problems.map((p) => [p.line, p.reason.startsWith('bad JSON')]), [[3, true]]);
  });

  it('garbage lines never make reading fail; blank lines are ignored silently', async () => {
    const log = new HistoryLog({ dir });
    const file = path.join(dir, 'calls-2025-06.jsonl');
    fs.writeFileSync(
      file,
      ['', 'not json', JSON.stringify(rec('2025-06-01T00:00:00Z')), '   ', JSON.stringify({ ...rec('2025-06-01T00:00:00Z'), v: 9 }), '\u0000\u0000', ''].join('\r\n'),
    );
    const { records, problems } = await log.read();
    assert.equal(records.length, 1);
    assert.deepEqual(problems.map((p) => p.line), [2, 5, 6]);
    assert.match(problems[1]!.reason, /unsupported version 9/);
  });

  it('rejects invalid or oversized records (a bug in the caller)', async () => {
    const log = new HistoryLog({ dir });
    await assert.rejects(log.append({ ...rec('2025-06-01T00:00:00Z'), time: 'soon' }), TypeError);
    await assert.rejects(log.append(rec('2025-06-01T00:00:00Z', { prompt: 'x'.repeat(MAX_RECORD_BYTES) })), RangeError);
    assert.deepEqual(fs.readdirSync(dir), [], 'nothing written');
  });

  it('prune() and retainMonths delete whole old months; clear() leaves foreign files', async () => {
    const log = new HistoryLog({ dir });
    await log.append(['2024-12-05', '2025-01-05', '2025-02-05', '2025-03-05'].map((d) => rec(`${d}T00:00:00Z`)));
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'mine');
    assert.equal(await log.prune('2025-02'), 2);
    assert.deepEqual(fs.readdirSync(dir).sort(), ['calls-2025-02.jsonl', 'calls-2025-03.jsonl', 'notes.txt']);

    const retaining = new HistoryLog({ dir, retainMonths: 2 });
    await retaining.append(rec('2025-04-01T00:00:00Z'));
    assert.deepEqual(fs.readdirSync(dir).sort(), ['calls-2025-03.jsonl', 'calls-2025-04.jsonl', 'notes.txt']);
    await retaining.clear();
    assert.deepEqual(fs.readdirSync(dir), ['notes.txt']);
    assert.equal(shiftMonth('2025-01', -1), '2024-12');
    assert.equal(shiftMonth('2024-12', 13), '2026-01');
  });

  it('two processes appending at once lose no record and tear no line', async function () {
    this.timeout(60_000);
    const perWriter = 400;
    const gate = fs.mkdtempSync(path.join(os.tmpdir(), 'pp-history-gate-')); // both start when both are ready
    const script = (writer: string) => `
      const { HistoryLog, historyRecordFromResult } = require(${JSON.stringify(path.join(ROOT, 'src/core/history/index.ts'))});
      const log = new HistoryLog({ dir: ${JSON.stringify(dir)}, maxFileBytes: 256 * 1024 });
      const prompt = { messages: [{ role: 'user', content: ${JSON.stringify(writer)}.repeat(5000) }] };
      const base = ${JSON.stringify(result())};
      (async () => {
        const fs = require('node:fs');
        fs.writeFileSync(${JSON.stringify(gate)} + '/' + ${JSON.stringify(writer)}, '');
        while (fs.readdirSync(${JSON.stringify(gate)}).length < 2) await new Promise((r) => setTimeout(r, 2));
        for (let i = 0; i < ${perWriter}; i++) {
          // near-maximal lines (about 4 KiB) make interleaving as likely as it can be
          await log.append(historyRecordFromResult({ ...base, repeat: i }, { prompt, includePrompt: i % 2 === 0, runId: ${JSON.stringify(writer)} }));
        }
      })().catch((e) => { console.error(e); process.exit(1); });
    `;
    const run = (writer: string) =>
      new Promise<void>((resolve, reject) => {
        const child = spawn(process.execPath, ['--require', 'tsx/cjs', '-e', script(writer)], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
        let stderr = '';
        child.stderr.on('data', (d) => (stderr += d));
        child.on('error', reject);
        child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`writer ${writer} exited ${code}: ${stderr}`))));
      });
    try {
      await Promise.all([run('A'), run('B')]);
    } finally {
      fs.rmSync(gate, { recursive: true, force: true });
    }

    const { records, problems } = await new HistoryLog({ dir }).read();
    assert.deepEqual(problems, []);
    assert.equal(records.length, 2 * perWriter);
    for (const writer of ['A', 'B']) {
      const seqs = records.filter((r) => r.runId === writer).map((r) => r.repeat).sort((a, b) => a - b);
      assert.deepEqual(seqs, [...Array(perWriter).keys()], `every record of writer ${writer}, once`);
    }
    // every line of every file parses on its own
    const files = await new HistoryLog({ dir }).files();
    assert.ok(files.length >= 2, `rotated into ${files.length} parts while both were writing`);
    let lines = 0;
    for (const f of files) {
      const text = fs.readFileSync(f, 'utf8');
      assert.ok(text.endsWith('\n'));
      for (const line of text.slice(0, -1).split('\n')) {
        // A writer that saw the other's write half-way (size updated page by page) starts its
        // record on a new line to be safe: an empty line at worst, which readers ignore.
        if (line === '') continue;
        lines++;
        assert.equal(parseHistoryLine(line).ok, true, line.slice(0, 80));
      }
    }
    assert.equal(lines, 2 * perWriter);
    const order = files.flatMap((f) => fs.readFileSync(f, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l).runId as string));
    const switches = order.filter((w, i) => i > 0 && w !== order[i - 1]).length;
    assert.ok(switches > 0, 'the two writers overlapped');
  });
});
