import { percentile as nearestRank } from '../analysis/stats';

// The monitoring summary: a pure function of history records. Plain JSON data (no Dates, no
// Maps), so the extension can post it to the dashboard webview as is, and the CLI can print it.
//
// Definitions:
// - Percentiles are nearest-rank, as everywhere in the product (Decide, the CLI): the p-quantile
//   of n sorted values is x[ceil(p·n) − 1], a value that was measured, never an interpolation.
// - Model latency is the wire's (the answering attempt: handed to the HTTP client → last byte)
//   and counts successful calls that reached the model: answer-cache hits (which
//   measure a disk read, not the model) and failed calls are left out. Queue and retry waits
//   are their own figures (`queuedMs` over every call, `retryWaitMs` over the retried ones), never
//   part of the latency. Time to first token
//   counts every call that was not a cache hit and received a token (a call cut off after the
//   first token still measured it).
// - Cost is what was spent: a cache hit spent nothing, its price is counted in `savedByCache`.
//   A call with tokens but no known price is counted in `unpricedCalls` (never as $0 spent
//   knowingly: the total is then a lower bound).
// - Answer-cache hit rate = cache hits / calls.
// - Days are calendar days in UTC or in the local time zone of the process (`timeZone`).
//
// No Node imports: the dashboard webview may import this file and summarise in the browser.
import { csvField } from '../text/csv';
import type { ErrorKind } from '../types';
import { toMs, type DateLike } from './dates';
import type { HistoryRecord } from './types';

export const SUMMARY_FORMAT_VERSION = 1;

export interface Percentiles {
  /** How many values. */
  n: number;
  /** null when n = 0. */
  p50: number | null;
  p95: number | null;
  p99: number | null;
  mean: number | null;
  min: number | null;
  max: number | null;
}

export interface TokenTotals {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
}

/** The figures of a set of calls: one model's, or all models' together (same rules). */
export interface CallFigures {
  calls: number;
  okCalls: number;
  errors: number;
  cacheHits: number;
  /** cacheHits / calls. */
  cacheHitRate: number | null;
  /** USD spent (cache hits excluded). */
  cost: number;
  /** USD the cache hits would have cost. */
  savedByCache: number;
  unpricedCalls: number;
  tokens: TokenTotals;
  /** Successful, non-cache-hit calls. */
  latencyMs: Percentiles;
  /** Non-cache-hit calls that received a token. */
  ttftMs: Percentiles;
  /** Waits apart from the latency: for a slot or a cool-down (every call that records it)… */
  queuedMs: Percentiles;
  /** …and for retries (the calls that needed more than one attempt). */
  retryWaitMs: Percentiles;
}

export interface ModelSummary extends CallFigures {
  model: string;
  errorsByKind: Partial<Record<ErrorKind, number>>;
}

export interface DaySummary {
  /** YYYY-MM-DD in the summary's time zone. */
  day: string;
  calls: number;
  cacheHits: number;
  errors: number;
  /** USD spent that day. */
  cost: number;
  /** USD spent that day per model (models with calls that day only). */
  costByModel: Record<string, number>;
}

/** All models together in `CallFigures`, then per model and per day. */
export interface HistorySummary extends CallFigures {
  v: typeof SUMMARY_FORMAT_VERSION;
  /** The range asked for (ISO), null = open. */
  since: string | null;
  until: string | null;
  timeZone: 'UTC' | 'local';
  /** Time of the first and last call in the range (ISO), null when there is none. */
  first: string | null;
  last: string | null;
  /** Sorted by model id. */
  models: ModelSummary[];
  /** Every day from the first call's to the last call's, empty days included, oldest first. */
  days: DaySummary[];
  /** Most frequent first, then by kind. */
  errorsByKind: Array<{ kind: ErrorKind; count: number }>;
}

export interface SummaryOptions {
  since?: DateLike;
  until?: DateLike;
  /** Calendar days for `days` (default UTC). */
  timeZone?: 'UTC' | 'local';
}

/** Nearest-rank percentile of ascending `sorted` values; p in [0, 1] (0 = the minimum). */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return p <= 0 ? sorted[0]! : nearestRank(sorted, Math.min(1, p));
}

export function percentiles(values: readonly number[]): Percentiles {
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  return {
    n,
    p50: percentile(sorted, 0.5),
    p95: percentile(sorted, 0.95),
    p99: percentile(sorted, 0.99),
    mean: n ? sorted.reduce((s, v) => s + v, 0) / n : null,
    min: n ? sorted[0]! : null,
    max: n ? sorted[n - 1]! : null,
  };
}

interface Acc {
  calls: number;
  okCalls: number;
  errors: number;
  cacheHits: number;
  cost: number;
  savedByCache: number;
  unpricedCalls: number;
  tokens: TokenTotals;
  latency: number[];
  ttft: number[];
  queued: number[];
  retryWait: number[];
  errorsByKind: Map<ErrorKind, number>;
}

function newAcc(): Acc {
  return {
    calls: 0,
    okCalls: 0,
    errors: 0,
    cacheHits: 0,
    cost: 0,
    savedByCache: 0,
    unpricedCalls: 0,
    tokens: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 },
    latency: [],
    ttft: [],
    queued: [],
    retryWait: [],
    errorsByKind: new Map(),
  };
}

function add(acc: Acc, r: HistoryRecord): void {
  acc.calls++;
  if (r.ok) acc.okCalls++;
  if (r.errorKind) {
    acc.errors++;
    acc.errorsByKind.set(r.errorKind, (acc.errorsByKind.get(r.errorKind) ?? 0) + 1);
  } else if (!r.ok) acc.errors++;
  if (r.queuedMs !== undefined) acc.queued.push(r.queuedMs);
  if (r.retryWaitMs !== undefined && (r.attempts ?? 0) > 1) acc.retryWait.push(r.retryWaitMs);
  if (r.cacheHit) {
    acc.cacheHits++;
    if (r.cost) acc.savedByCache += r.cost.total;
  } else {
    acc.tokens.input += r.tokens.input;
    acc.tokens.output += r.tokens.output;
    acc.tokens.cacheRead += r.tokens.cacheRead;
    acc.tokens.cacheWrite += r.tokens.cacheWrite;
    if (r.cost) acc.cost += r.cost.total;
    else if (r.tokens.input + r.tokens.output > 0) acc.unpricedCalls++;
    if (r.ok) acc.latency.push(r.latencyMs);
    if (r.ttftMs !== null) acc.ttft.push(r.ttftMs);
  }
}

const rate = (part: number, whole: number) => (whole ? part / whole : null);

function dayKey(ms: number, timeZone: 'UTC' | 'local'): string {
  const d = new Date(ms);
  if (timeZone === 'UTC') return d.toISOString().slice(0, 10);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${String(d.getFullYear()).padStart(4, '0')}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** The day after `day` (YYYY-MM-DD), calendar arithmetic only. */
function nextDay(day: string): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

/** Summarises the records whose time is in [since, until). Pure: same input, same output. */
export function summarizeHistory(records: readonly HistoryRecord[], options: SummaryOptions = {}): HistorySummary {
  const since = options.since === undefined ? undefined : toMs(options.since);
  const until = options.until === undefined ? undefined : toMs(options.until);
  const timeZone = options.timeZone ?? 'UTC';
  const inRange = records
    .map((r, i) => ({ r, i, t: Date.parse(r.time) }))
    .filter(({ t }) => (since === undefined || t >= since) && (until === undefined || t < until))
    .sort((a, b) => a.t - b.t || a.i - b.i);

  const total = newAcc();
  const byModel = new Map<string, Acc>();
  const byDay = new Map<string, DaySummary>();
  for (const { r, t } of inRange) {
    add(total, r);
    let m = byModel.get(r.model);
    if (!m) byModel.set(r.model, (m = newAcc()));
    add(m, r);
    const key = dayKey(t, timeZone);
    let d = byDay.get(key);
    if (!d) byDay.set(key, (d = { day: key, calls: 0, cacheHits: 0, errors: 0, cost: 0, costByModel: {} }));
    d.calls++;
    if (r.cacheHit) d.cacheHits++;
    if (!r.ok || r.errorKind) d.errors++;
    if (!r.cacheHit && r.cost) {
      d.cost += r.cost.total;
      d.costByModel[r.model] = (d.costByModel[r.model] ?? 0) + r.cost.total;
    } else if (!(r.model in d.costByModel)) d.costByModel[r.model] = 0;
  }

  const days: DaySummary[] = [];
  if (byDay.size) {
    const keys = [...byDay.keys()].sort();
    const last = keys[keys.length - 1]!;
    for (let day = keys[0]!; ; day = nextDay(day)) {
      days.push(byDay.get(day) ?? { day, calls: 0, cacheHits: 0, errors: 0, cost: 0, costByModel: {} });
      if (day >= last) break;
    }
  }

  const models: ModelSummary[] = [...byModel.keys()].sort().map((model) => {
    const a = byModel.get(model)!;
    return {
      model,
      calls: a.calls,
      okCalls: a.okCalls,
      errors: a.errors,
      cacheHits: a.cacheHits,
      cacheHitRate: rate(a.cacheHits, a.calls),
      cost: a.cost,
      savedByCache: a.savedByCache,
      unpricedCalls: a.unpricedCalls,
      tokens: a.tokens,
      latencyMs: percentiles(a.latency),
      ttftMs: percentiles(a.ttft),
      queuedMs: percentiles(a.queued),
      retryWaitMs: percentiles(a.retryWait),
      errorsByKind: Object.fromEntries([...a.errorsByKind].sort(([x], [y]) => (x < y ? -1 : 1))),
    };
  });

  return {
    v: SUMMARY_FORMAT_VERSION,
    since: since === undefined ? null : new Date(since).toISOString(),
    until: until === undefined ? null : new Date(until).toISOString(),
    timeZone,
    first: inRange.length ? inRange[0]!.r.time : null,
    last: inRange.length ? inRange[inRange.length - 1]!.r.time : null,
    calls: total.calls,
    okCalls: total.okCalls,
    errors: total.errors,
    cacheHits: total.cacheHits,
    cacheHitRate: rate(total.cacheHits, total.calls),
    cost: total.cost,
    savedByCache: total.savedByCache,
    unpricedCalls: total.unpricedCalls,
    tokens: total.tokens,
    latencyMs: percentiles(total.latency),
    ttftMs: percentiles(total.ttft),
    queuedMs: percentiles(total.queued),
    retryWaitMs: percentiles(total.retryWait),
    models,
    days,
    errorsByKind: [...total.errorsByKind]
      .map(([kind, count]) => ({ kind, count }))
      .sort((a, b) => b.count - a.count || (a.kind < b.kind ? -1 : 1)),
  };
}

// ── export ──────────────────────────────────────────────────────────────────────────────────

function csv(header: string[], rows: Array<Array<string | number | boolean | null | undefined>>): string {
  return [header, ...rows].map((row) => row.map(csvField).join(',')).join('\r\n') + '\r\n';
}

export type SummaryTable = 'models' | 'days' | 'errors';

/** One table of the summary as CSV (CRLF line ends, a header row). */
export function summaryToCsv(summary: HistorySummary, table: SummaryTable = 'models'): string {
  switch (table) {
    case 'models':
      return csv(
        [
          'model', 'calls', 'ok', 'errors', 'cache_hits', 'cache_hit_rate', 'cost_usd', 'saved_by_cache_usd', 'unpriced_calls',
          'input_tokens', 'output_tokens', 'cache_read_tokens', 'cache_write_tokens',
          'latency_n', 'latency_p50_ms', 'latency_p95_ms', 'latency_p99_ms',
          'ttft_n', 'ttft_p50_ms', 'ttft_p95_ms', 'ttft_p99_ms',
          'queued_p50_ms', 'queued_p95_ms', 'retried_calls', 'retry_wait_p95_ms',
        ],
        summary.models.map((m) => [
          m.model, m.calls, m.okCalls, m.errors, m.cacheHits, m.cacheHitRate, m.cost, m.savedByCache, m.unpricedCalls,
          m.tokens.input, m.tokens.output, m.tokens.cacheRead, m.tokens.cacheWrite,
          m.latencyMs.n, m.latencyMs.p50, m.latencyMs.p95, m.latencyMs.p99,
          m.ttftMs.n, m.ttftMs.p50, m.ttftMs.p95, m.ttftMs.p99,
          m.queuedMs.p50, m.queuedMs.p95, m.retryWaitMs.n, m.retryWaitMs.p95,
        ]),
      );
    case 'days':
      return csv(
        ['day', 'calls', 'cache_hits', 'errors', 'cost_usd'],
        summary.days.map((d) => [d.day, d.calls, d.cacheHits, d.errors, d.cost]),
      );
    case 'errors':
      return csv(['kind', 'count'], summary.errorsByKind.map((e) => [e.kind, e.count]));
  }
}

/** The summary as JSON text (it is plain data: `JSON.parse` gives it back equal). */
export function summaryToJson(summary: HistorySummary): string {
  return JSON.stringify(summary, null, 2) + '\n';
}

/** Raw records as CSV, one row per call. */
export function recordsToCsv(records: readonly HistoryRecord[]): string {
  return csv(
    [
      'time', 'model', 'ok', 'cache_hit', 'repeat', 'latency_ms', 'ttft_ms', 'queued_ms', 'retry_wait_ms', 'attempts', 'cache_read_ms',
      'input_tokens', 'output_tokens', 'cache_read_tokens', 'cache_write_tokens', 'reasoning_tokens', 'estimated',
      'cost_usd', 'error_kind', 'finish_reason', 'prompt_hash', 'run_id', 'source', 'prompt',
    ],
    records.map((r) => [
      r.time, r.model, r.ok, r.cacheHit, r.repeat, r.latencyMs, r.ttftMs, r.queuedMs, r.retryWaitMs, r.attempts, r.cacheReadMs,
      r.tokens.input, r.tokens.output, r.tokens.cacheRead, r.tokens.cacheWrite, r.tokens.reasoning, r.tokens.estimated,
      r.cost?.total ?? null, r.errorKind, r.finishReason, r.promptHash, r.runId, r.source, r.prompt,
    ]),
  );
}
