// The comparison table's model (no DOM): one row per model of the run, its repeats grouped, with
// the figures a user compares, how they sort and which value of each column is best. The table
// (table.ts), the narrow cards and the Markdown/CSV exports (export.ts) all read these rows.

import { percentile } from '../../core/analysis/stats';
import type { FinishReason } from '../../core/types';
import type { ColumnState, ModelView, QualityFigure } from '../protocol';

export interface CompareRow {
  modelId: string;
  /** The columns (answers) of this model, in run order. */
  indexes: number[];
  calls: number;
  /** Finished with a whole answer. */
  ok: number;
  failed: number;
  cancelled: number;
  /** Queued or streaming. */
  live: number;
  /** Figures of running calls are the host's local ≈ counts. */
  streaming: boolean;
  /** `kind: message` of each distinct error. */
  errors: string[];
  /**
   * Latency figures: over the calls that reached the model (answer-cache hits measure a file
   * read, not the model); when every call was a hit, over the hits, with `timedFromCache`.
   */
  ttftMs: number | null;
  p50Ms: number | null;
  p95Ms: number | null;
  /** Calls behind p50/p95. */
  latencyN: number;
  tokensPerSec: number | null;
  timedFromCache: boolean;
  /** Per call (the mean when the model ran more than once). */
  inputTokens: number | null;
  outputTokens: number | null;
  /** Some token figure was counted locally (the server sent no usage, or still streaming). */
  tokensEstimated: boolean;
  /** USD per call: the mean over the priced calls; null = none finished, or no price (see `noPrice`). */
  costPerCall: number | null;
  costPer1k: number | null;
  costEstimated: boolean;
  /** Some call finished without a known price (shown as "no price", never $0). */
  noPrice: boolean;
  cacheHits: number;
  /** Distinct finish reasons of the finished calls, in order of first appearance. */
  finishReasons: FinishReason[];
  /** Some answer stopped at the output limit (finish reason `length`). */
  truncated: boolean;
  quality: QualityFigure | null;
}

/** Every column of the table, in display order. */
export const SORT_KEYS = ['model', 'status', 'cost', 'cost1k', 'p50', 'p95', 'ttft', 'rate', 'quality', 'input', 'output', 'cache', 'finish'] as const;
export type SortKey = (typeof SORT_KEYS)[number];

export type SortDir = 'asc' | 'desc';

export interface SortSpec {
  key: SortKey;
  dir: SortDir;
}

/** Groups the run's columns by model (first appearance order) and measures each group. */
export function compareRows(columns: readonly ColumnState[], models: readonly ModelView[] = []): CompareRow[] {
  const groups = new Map<string, ColumnState[]>();
  for (const c of columns) {
    const g = groups.get(c.modelId);
    if (g) g.push(c);
    else groups.set(c.modelId, [c]);
  }
  const quality = new Map(models.map((m) => [m.modelId, m.quality]));
  return [...groups].map(([modelId, cols]) => rowOf(modelId, cols, quality.get(modelId) ?? null));
}

function rowOf(modelId: string, cols: ColumnState[], quality: QualityFigure | null): CompareRow {
  const done = cols.filter((c) => c.status === 'done');
  const live = cols.filter((c) => isLive(c.status));
  const real = done.filter((c) => !c.cacheHit);
  const timed = real.length ? real : done;
  const latencies = timed.map((c) => c.latencyMs).filter(isNumber);
  // TTFT and speed of a call still streaming are known before it ends: they count while it runs.
  const streaming = live.filter((c) => c.status === 'streaming');
  const ttfts = [...timed, ...streaming].map((c) => c.ttftMs).filter(isNumber);
  const rates = [...timed, ...streaming].map((c) => c.outputTokensPerSec).filter(isNumber);
  const withTokens = [...done, ...streaming, ...cols.filter((c) => c.status === 'error' || c.status === 'cancelled')].filter(
    (c) => c.inputTokens !== null || c.outputTokens !== null,
  );
  const priced = done.filter((c) => c.cost !== null);
  const costPerCall = priced.length ? mean(priced.map((c) => c.cost!.total)) : null;
  const finishReasons: FinishReason[] = [];
  for (const c of done) {
    const r = c.finishReason;
    if (r && !finishReasons.includes(r)) finishReasons.push(r);
  }
  const errors: string[] = [];
  for (const c of cols) {
    if (c.status !== 'error' || !c.error) continue;
    const e = `${c.error.kind}: ${c.error.message}`;
    if (!errors.includes(e)) errors.push(e);
  }
  return {
    modelId,
    indexes: cols.map((c) => c.index),
    calls: cols.length,
    ok: done.length,
    failed: cols.filter((c) => c.status === 'error').length,
    cancelled: cols.filter((c) => c.status === 'cancelled').length,
    live: live.length,
    streaming: streaming.length > 0,
    errors,
    ttftMs: median(ttfts),
    p50Ms: latencies.length ? percentile(latencies, 0.5) : null,
    p95Ms: latencies.length ? percentile(latencies, 0.95) : null,
    latencyN: latencies.length,
    tokensPerSec: median(rates),
    timedFromCache: real.length === 0 && done.length > 0,
    inputTokens: meanOf(withTokens.map((c) => c.inputTokens)),
    outputTokens: meanOf(withTokens.map((c) => c.outputTokens)),
    tokensEstimated: withTokens.some((c) => c.usageEstimated || (c.outputLive && isLive(c.status))),
    costPerCall,
    costPer1k: costPerCall === null ? null : costPerCall * 1000,
    costEstimated: priced.some((c) => c.usageEstimated),
    noPrice: done.some((c) => c.cost === null),
    cacheHits: done.filter((c) => c.cacheHit).length,
    finishReasons,
    truncated: finishReasons.includes('length'),
    quality,
  };
}

// ---- sorting ---------------------------------------------------------------------------------

/**
 * The value a column sorts by (null sorts last whatever the direction). Timings read from the
 * answer cache sort with the unknowns: a file read is not the model's speed.
 */
export function sortValue(row: CompareRow, key: SortKey): number | string | null {
  if (row.timedFromCache && (key === 'ttft' || key === 'p50' || key === 'p95' || key === 'rate')) return null;
  switch (key) {
    case 'model':
      return row.modelId;
    case 'status':
      // Failures first when ascending: they are what needs a look.
      return row.failed + row.cancelled > 0 ? 0 : row.truncated ? 1 : row.live > 0 ? 2 : 3;
    case 'ttft':
      return row.ttftMs;
    case 'p50':
      return row.p50Ms;
    case 'p95':
      return row.p95Ms;
    case 'rate':
      return row.tokensPerSec;
    case 'input':
      return row.inputTokens;
    case 'output':
      return row.outputTokens;
    case 'cost':
      return row.costPerCall;
    case 'cost1k':
      return row.costPer1k;
    case 'cache':
      return row.ok ? row.cacheHits / row.ok : null;
    case 'finish':
      return row.finishReasons.length ? row.finishReasons.join(',') : null;
    case 'quality':
      return row.quality?.value ?? null;
  }
}

/** A stable sort: equal values (and the unsorted table) keep the run's order. */
export function sortRows(rows: readonly CompareRow[], spec: SortSpec | null): CompareRow[] {
  const order = rows.map((r, i) => ({ r, i }));
  if (!spec) return rows.slice();
  const sign = spec.dir === 'asc' ? 1 : -1;
  order.sort((a, b) => {
    const va = sortValue(a.r, spec.key);
    const vb = sortValue(b.r, spec.key);
    if (va === null || vb === null) return va === vb ? a.i - b.i : va === null ? 1 : -1;
    const c = typeof va === 'number' && typeof vb === 'number' ? va - vb : String(va).localeCompare(String(vb));
    return c ? sign * c : a.i - b.i;
  });
  return order.map((o) => o.r);
}

/** The direction a first click sorts a column in: the best value first. */
export function firstDir(key: SortKey): SortDir {
  return key === 'rate' || key === 'quality' || key === 'cache' ? 'desc' : 'asc';
}

// ---- best values -----------------------------------------------------------------------------

/** Columns with a best value: lower is better, except speed and quality. */
export const BEST_KEYS = ['ttft', 'p50', 'p95', 'rate', 'cost', 'cost1k', 'quality'] as const;
export type BestKey = (typeof BEST_KEYS)[number];

/**
 * For each column, the models holding its best value (ties share it). Only finished models
 * compete; timings measured on answer-cache reads do not (they say nothing of the model), and
 * neither does a column where fewer than two models have a value (nothing to compare).
 */
export function bestValues(rows: readonly CompareRow[]): Record<BestKey, Set<string>> {
  const out = {} as Record<BestKey, Set<string>>;
  for (const key of BEST_KEYS) {
    const entries = rows
      .filter((r) => r.ok > 0 && r.live === 0)
      .map((r) => ({ id: r.modelId, v: sortValue(r, key) as number | null }))
      .filter((e): e is { id: string; v: number } => e.v !== null);
    const best = new Set<string>();
    if (entries.length >= 2) {
      const higher = firstDir(key) === 'desc';
      const target = higher ? Math.max(...entries.map((e) => e.v)) : Math.min(...entries.map((e) => e.v));
      for (const e of entries) if (e.v === target) best.add(e.id);
    }
    out[key] = best;
  }
  return out;
}

function isLive(status: ColumnState['status']): boolean {
  return status === 'queued' || status === 'streaming';
}

function isNumber(v: number | null | undefined): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

function mean(values: number[]): number {
  return values.reduce((s, v) => s + v, 0) / values.length;
}

function meanOf(values: (number | null)[]): number | null {
  const nums = values.filter(isNumber);
  return nums.length ? mean(nums) : null;
}

/** The nearest-rank median, like every percentile in the project (a measured value, never interpolated). */
function median(values: number[]): number | null {
  return values.length ? percentile(values, 0.5) : null;
}
