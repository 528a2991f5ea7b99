// The monitoring summary: exact figures on a hand-built history, percentiles against a
// reference computation, plain-JSON output and CSV export.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  HIT_RATE_MIN_CALLS,
  measureHitRate,
  percentile,
  percentiles,
  recordsToCsv,
  summarizeHistory,
  summaryToCsv,
  summaryToJson,
  type HistoryRecord,
} from '../../src/core/history';

const A = 'openai:gpt-4o-mini';
const B = 'anthropic:claude-haiku-4-5';
const C = 'local:llama3.2';
const close = (actual: number | null, expected: number, what = '') =>
  assert.ok(actual !== null && Math.abs(actual - expected) < 1e-9, `${what} ${actual} ≠ ${expected}`);

const tokens = (input: number, output: number, cacheRead = 0, cacheWrite = 0) => ({
  input,
  output,
  cacheRead,
  cacheWrite,
  cacheWrite1h: 0,
  reasoning: 0,
  estimated: false,
});
const cost = (total: number) => ({ total, input: total / 2, output: total / 2, cacheRead: 0, cacheWrite: 0, batch: false });

function rec(time: string, model: string, o: Partial<HistoryRecord>): HistoryRecord {
  return {
    v: 1,
    time,
    model,
    ok: true,
    cacheHit: false,
    repeat: 0,
    latencyMs: 0,
    ttftMs: null,
    tokens: tokens(0, 0),
    cost: null,
    errorKind: null,
    finishReason: 'stop',
    promptHash: null,
    ...o,
  };
}

// Given out of order on purpose.
const HISTORY: HistoryRecord[] = [
  rec('2025-06-03T09:00:00.000Z', A, { latencyMs: 200, ttftMs: 20, tokens: tokens(1000, 200, 600, 100), cost: cost(0.5) }), // r6
  rec('2025-05-31T23:59:59.999Z', A, { latencyMs: 5, ttftMs: 1, cost: cost(8) }), // r0: before the range
  rec('2025-06-01T10:00:00.000Z', A, { latencyMs: 100, ttftMs: 10, tokens: tokens(1000, 200, 600, 100), cost: cost(0.5) }), // r1
  rec('2025-06-01T10:00:00.000Z', A, { cacheHit: true, latencyMs: 1, ttftMs: 1, tokens: tokens(1000, 200), cost: cost(0.25) }), // r2
  rec('2025-06-01T11:00:00.000Z', B, { latencyMs: 300, ttftMs: 30, tokens: tokens(500, 100), cost: cost(0.125) }), // r3
  rec('2025-06-03T08:00:00.000Z', A, { ok: false, errorKind: 'rate_limit', finishReason: null, latencyMs: 50 }), // r4
  rec('2025-06-03T08:30:00.000Z', B, { ok: false, errorKind: 'stream_cut', finishReason: null, latencyMs: 400, ttftMs: 40, tokens: tokens(500, 10), cost: cost(0.0625) }), // r5
  rec('2025-06-03T10:00:00.000Z', C, { latencyMs: 1000, ttftMs: 100, tokens: tokens(10, 5) }), // r7: no price
  rec('2025-06-03T23:59:59.999Z', A, { ok: false, errorKind: 'rate_limit', finishReason: null, latencyMs: 60 }), // r8
  rec('2025-06-04T00:00:00.000Z', A, { latencyMs: 7, ttftMs: 2, cost: cost(16) }), // r9: at `until`, excluded
];
const RANGE = { since: '2025-06-01T00:00:00Z', until: '2025-06-04T00:00:00Z' };

describe('history summary', () => {
  it('percentiles: nearest rank, as Decide and the CLI (a measured value, never interpolated), by hand', () => {
    // x[ceil(p·n) − 1] of [15, 20, 35, 40, 50] at p = 0.4, 0.5, 0.95, 0.99, 1 → 20, 35, 50, 50, 50; p = 0 → the minimum
    const s = [15, 20, 35, 40, 50];
    assert.equal(percentile(s, 0), 15);
    assert.equal(percentile(s, 0.4), 20);
    assert.equal(percentile(s, 0.5), 35);
    assert.equal(percentile(s, 0.95), 50);
    assert.equal(percentile(s, 0.99), 50);
    assert.equal(percentile(s, 1), 50);
    assert.equal(percentile([], 0.5), null);
    assert.equal(percentile([7], 0.99), 7);
    assert.deepEqual(percentiles([3, 1, 2]), { n: 3, p50: 2, p95: 3, p99: 3, mean: 2, min: 1, max: 3 });
    assert.deepEqual(percentiles([]), { n: 0, p50: null, p95: null, p99: null, mean: null, min: null, max: null });
  });

  it('per-model percentiles match a reference computation on the same data (1,000 calls)', () => {
    // Deterministic pseudo-random latencies (LCG), long-tailed like real ones.
    let seed = 12345;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const records: HistoryRecord[] = [];
    for (let i = 0; i < 1000; i++) {
      const model = i % 3 === 0 ? B : A;
      const latency = Math.round((200 + 3000 * rand() ** 4) * 1000) / 1000;
      const hit = i % 10 === 0;
      records.push(
        rec(new Date(Date.UTC(2025, 5, 1) + i * 60_000).toISOString(), model, {
          latencyMs: hit ? 0.5 : latency,
          ttftMs: hit ? 0.5 : Math.round(latency * 0.3 * 1000) / 1000,
          cacheHit: hit,
          ok: i % 17 !== 0,
        }),
      );
    }
    // Reference: the smallest value with at least p·n values at or below it, written independently of percentile().
    const reference = (values: number[], p: number) => {
      const s = [...values].sort((x, y) => x - y);
      return s.find((v) => s.filter((w) => w <= v).length >= p * s.length)!;
    };
    const summary = summarizeHistory(records);
    for (const m of summary.models) {
      const mine = records.filter((r) => r.model === m.model && !r.cacheHit);
      const lat = mine.filter((r) => r.ok).map((r) => r.latencyMs);
      const ttft = mine.map((r) => r.ttftMs!);
      assert.equal(m.latencyMs.n, lat.length);
      assert.equal(m.ttftMs.n, ttft.length);
      for (const [p, key] of [[0.5, 'p50'], [0.95, 'p95'], [0.99, 'p99']] as const) {
        close(m.latencyMs[key], reference(lat, p), `${m.model} latency ${key}`);
        close(m.ttftMs[key], reference(ttft, p), `${m.model} ttft ${key}`);
      }
      assert.ok(m.latencyMs.min! > 1, 'cache hits (0.5 ms) are not model latency');
    }
    assert.deepEqual(summary.models.map((m) => [m.model, m.calls, m.cacheHits]), [
      [B, 334, 34],
      [A, 666, 66],
    ]);
  });

  it('summarises a date range exactly: calls, hit rate, cost by model and by day, errors', () => {
    const s = summarizeHistory(HISTORY, RANGE);
    assert.equal(s.v, 1);
    assert.equal(s.since, '2025-06-01T00:00:00.000Z');
    assert.equal(s.until, '2025-06-04T00:00:00.000Z');
    assert.equal(s.timeZone, 'UTC');
    assert.equal(s.first, '2025-06-01T10:00:00.000Z');
    assert.equal(s.last, '2025-06-03T23:59:59.999Z');
    assert.equal(s.calls, 8);
    assert.equal(s.okCalls, 5);
    assert.equal(s.errors, 3);
    assert.equal(s.cacheHits, 1);
    assert.equal(s.cacheHitRate, 0.125);
    assert.equal(s.cost, 1.1875, 'spent: cache hits excluded');
    assert.equal(s.savedByCache, 0.25);
    assert.equal(s.unpricedCalls, 1);
    assert.deepEqual(s.tokens, { input: 3010, output: 515, cacheRead: 1200, cacheWrite: 200 });
    // all models: latency of ok non-hit calls 100, 200, 300, 1000; TTFT 10, 20, 30, 40, 100
    assert.equal(s.latencyMs.n, 4);
    assert.equal(s.latencyMs.p50, 200);
    assert.equal(s.latencyMs.p95, 1000);
    assert.equal(s.latencyMs.p99, 1000);
    assert.equal(s.ttftMs.n, 5);
    assert.equal(s.ttftMs.p50, 30);
    assert.equal(s.ttftMs.p95, 100);
    assert.equal(s.ttftMs.p99, 100);

    assert.deepEqual(s.models.map((m) => m.model), [B, C, A], 'sorted by id');
    const [b, c, a] = s.models;
    assert.deepEqual(
      { ...a!, latencyMs: undefined, ttftMs: undefined, queuedMs: undefined, retryWaitMs: undefined },
      {
        model: A,
        calls: 5,
        okCalls: 3,
        errors: 2,
        cacheHits: 1,
        cacheHitRate: 0.2,
        cost: 1,
        savedByCache: 0.25,
        unpricedCalls: 0,
        tokens: { input: 2000, output: 400, cacheRead: 1200, cacheWrite: 200 },
        latencyMs: undefined,
        ttftMs: undefined,
        queuedMs: undefined,
        retryWaitMs: undefined,
        errorsByKind: { rate_limit: 2 },
      },
    );
    assert.deepEqual(a!.latencyMs, { n: 2, p50: 100, p95: 200, p99: 200, mean: 150, min: 100, max: 200 });
    assert.equal(a!.ttftMs.n, 2, 'the cache hit and the calls without a token are left out');
    assert.equal(a!.ttftMs.p50, 10);
    assert.deepEqual([b!.calls, b!.okCalls, b!.errors, b!.cost, b!.latencyMs.n, b!.latencyMs.p99, b!.ttftMs.n, b!.ttftMs.p50], [2, 1, 1, 0.1875, 1, 300, 2, 30]);
    assert.deepEqual(b!.errorsByKind, { stream_cut: 1 });
    assert.deepEqual([c!.calls, c!.cost, c!.unpricedCalls, c!.latencyMs.p50, c!.ttftMs.p50, c!.cacheHitRate], [1, 0, 1, 1000, 100, 0]);

    assert.deepEqual(s.days, [
      { day: '2025-06-01', calls: 3, cacheHits: 1, errors: 0, cost: 0.625, costByModel: { [A]: 0.5, [B]: 0.125 } },
      { day: '2025-06-02', calls: 0, cacheHits: 0, errors: 0, cost: 0, costByModel: {} },
      { day: '2025-06-03', calls: 5, cacheHits: 0, errors: 3, cost: 0.5625, costByModel: { [A]: 0.5, [B]: 0.0625, [C]: 0 } },
    ]);
    assert.deepEqual(s.errorsByKind, [
      { kind: 'rate_limit', count: 2 },
      { kind: 'stream_cut', count: 1 },
    ]);
  });

  it('keeps queue and retry waits apart from the model latency: their own percentiles, retries over the retried calls', () => {
    const records = [
      rec('2025-06-01T10:00:00.000Z', A, { latencyMs: 200, ttftMs: 150, queuedMs: 0, retryWaitMs: 0, attempts: 1 }),
      rec('2025-06-01T10:00:01.000Z', A, { latencyMs: 210, ttftMs: 160, queuedMs: 1000, retryWaitMs: 0, attempts: 1 }),
      rec('2025-06-01T10:00:02.000Z', A, { latencyMs: 220, ttftMs: 170, queuedMs: 2000, retryWaitMs: 2500, attempts: 2 }),
      rec('2025-06-01T10:00:03.000Z', A, { cacheHit: true, latencyMs: 0, ttftMs: null, queuedMs: 0, retryWaitMs: 0, attempts: 0, cacheReadMs: 3 }),
    ];
    const [m] = summarizeHistory(records).models;
    assert.deepEqual([m!.latencyMs.n, m!.latencyMs.min, m!.latencyMs.max], [3, 200, 220], 'the model only: no wait, no cache read');
    assert.deepEqual([m!.queuedMs.n, m!.queuedMs.p50, m!.queuedMs.p95, m!.queuedMs.max], [4, 0, 2000, 2000], "nearest-rank over 0, 0, 1000, 2000");
    assert.deepEqual([m!.retryWaitMs.n, m!.retryWaitMs.p50], [1, 2500]);
  });

  it('is plain, serialisable data (what the dashboard webview receives)', () => {
    const s = summarizeHistory(HISTORY, RANGE);
    assert.deepEqual(JSON.parse(summaryToJson(s)), s);
    assert.deepEqual(structuredClone(s), s);
    assert.deepEqual(summarizeHistory([...HISTORY].reverse(), RANGE), s, 'record order does not matter');
    const open = summarizeHistory(HISTORY);
    assert.equal(open.calls, 10);
    assert.equal(open.since, null);
    assert.equal(open.days.length, 5);
  });

  it('an empty history gives zeros and nulls, not NaN', () => {
    const s = summarizeHistory([], { since: 0 });
    assert.deepEqual(
      [s.calls, s.cacheHitRate, s.cost, s.first, s.last, s.models, s.days, s.errorsByKind, s.latencyMs.p50, s.since],
      [0, null, 0, null, null, [], [], [], null, '1970-01-01T00:00:00.000Z'],
    );
    assert.ok(!summaryToJson(s).includes('NaN'));
  });

  it('exports CSV: models, days and errors tables, and raw records', () => {
    const s = summarizeHistory(HISTORY, RANGE);
    assert.equal(summaryToCsv(s, 'days'), 'day,calls,cache_hits,errors,cost_usd\r\n2025-06-01,3,1,0,0.625\r\n2025-06-02,0,0,0,0\r\n2025-06-03,5,0,3,0.5625\r\n');
    assert.equal(summaryToCsv(s, 'errors'), 'kind,count\r\nrate_limit,2\r\nstream_cut,1\r\n');
    const models = summaryToCsv(s).split('\r\n');
    assert.equal(
      models[0],
      'model,calls,ok,errors,cache_hits,cache_hit_rate,cost_usd,saved_by_cache_usd,unpriced_calls,input_tokens,output_tokens,cache_read_tokens,cache_write_tokens,latency_n,latency_p50_ms,latency_p95_ms,latency_p99_ms,ttft_n,ttft_p50_ms,ttft_p95_ms,ttft_p99_ms,queued_p50_ms,queued_p95_ms,retried_calls,retry_wait_p95_ms',
    );
    // Older records carry no waits: no queue figures, no retried call.
    assert.equal(models[2], 'local:llama3.2,1,1,0,0,0,0,0,1,10,5,0,0,1,1000,1000,1000,1,100,100,100,,,0,');
    assert.equal(models.length, 5, 'header, 3 models, final empty string after the last CRLF');

    const csv = recordsToCsv([
      rec('2025-06-01T00:00:00.000Z', 'a:"quoted", model', { prompt: '=HYPERLINK("http://x")', cost: cost(0.5), ttftMs: 3 }),
    ]).split('\r\n');
    assert.equal(csv[0], 'time,model,ok,cache_hit,repeat,latency_ms,ttft_ms,queued_ms,retry_wait_ms,attempts,cache_read_ms,input_tokens,output_tokens,cache_read_tokens,cache_write_tokens,reasoning_tokens,estimated,cost_usd,error_kind,finish_reason,prompt_hash,run_id,source,prompt');
    assert.equal(csv[1], '2025-06-01T00:00:00.000Z,"a:""quoted"", model",true,false,0,0,3,,,,,0,0,0,0,0,false,0.5,,stop,,,,"\'=HYPERLINK(""http://x"")"');
  });

  it('summary.ts and the types it uses import nothing from Node (the webview may run it)', () => {
    const dir = path.resolve(__dirname, '../../src/core/history');
    for (const f of ['summary.ts', 'types.ts', 'dates.ts']) {
      const text = fs.readFileSync(path.join(dir, f), 'utf8');
      const imports = [...text.matchAll(/from ['"]([^'"]+)['"]/g)].map((m) => m[1]);
      for (const i of imports) assert.ok(['../types', './dates', './types', '../analysis/stats', '../text/csv'].includes(i!), `${f} imports ${i}`);
    }
    // The one CSV helper every export shares imports nothing at all.
    assert.doesNotMatch(fs.readFileSync(path.resolve(dir, '../text/csv.ts'), 'utf8'), /\bfrom ['"]/);
  });

  it('the answer-cache hit rate for Decide: hits / calls in the last 30 days, enough only from 20 calls on', () => {
    const now = '2025-07-01T00:00:00.000Z';
    const hit = (time: string) => rec(time, A, { cacheHit: true });
    const miss = (time: string) => rec(time, B, {});
    const failed = (time: string) => rec(time, A, { ok: false, errorKind: 'server' });
    const inWindow = [
      hit('2025-06-01T00:00:00.000Z'), // the window's first instant: counted
      ...Array.from({ length: 6 }, (_, i) => hit(`2025-06-2${i}T12:00:00.000Z`)),
      ...Array.from({ length: 11 }, (_, i) => miss(`2025-06-1${i % 10}T12:00:00.000Z`)),
      failed('2025-06-30T23:59:59.999Z'),
      miss(now), // the window's last instant: counted
    ];
    const outside = [hit('2025-05-31T23:59:59.999Z'), hit('2025-07-01T00:00:00.001Z')];
    const m = measureHitRate([...outside, ...inWindow], { now });
    assert.deepEqual(m, { rate: 7 / 20, hits: 7, calls: 20, since: '2025-06-01T00:00:00.000Z', enough: true });
    // The dashboard's figure over the same range.
    assert.equal(summarizeHistory(inWindow).cacheHitRate, m.rate);
    assert.equal(HIT_RATE_MIN_CALLS, 20);
    // One call fewer is an anecdote; a shorter window or another threshold are options.
    assert.deepEqual(measureHitRate(inWindow.slice(1), { now }), { rate: 6 / 19, hits: 6, calls: 19, since: '2025-06-01T00:00:00.000Z', enough: false });
    assert.deepEqual(measureHitRate(inWindow, { now, windowDays: 1, minCalls: 2 }), { rate: 0, hits: 0, calls: 2, since: '2025-06-30T00:00:00.000Z', enough: true });
    assert.deepEqual(measureHitRate([], { now }), { rate: 0, hits: 0, calls: 0, since: '2025-06-01T00:00:00.000Z', enough: false });
  });
});
