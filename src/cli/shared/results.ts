// How a run's results read on a terminal: the per-call table, one line per model for repeats,
// and the totals (spent, saved by the answer cache, calls, failures).
import { formatSeconds, measureModel } from '../../core/analysis';
import { formatInt, formatMs, formatUsd } from '../../core/format';
import type { RunResult } from '../../core/run';
import { plural } from './io';
import { renderTable } from './table';

/** What a call cost us now: nothing for an answer-cache hit. */
export function paidUsd(r: RunResult): number | null {
  if (r.cacheHit) return 0;
  return r.cost?.total ?? null;
}

/** What a cache hit saved: the cost of the call it replays (null when unpriced). */
export function savedUsd(r: RunResult): number | null {
  return r.cacheHit ? r.cost?.total ?? null : 0;
}

/** Whether a call with tokens has no known price (say "no price", never $0). */
const unpriced = (r: RunResult) => !r.cost && r.usage.inputTokens + r.usage.outputTokens > 0;

function costCell(r: RunResult): string {
  if (!r.ok && !r.output) return '—';
  const approx = r.usage.estimated && r.cost ? '≈ ' : '';
  if (r.cacheHit) return r.cost ? `$0 (saved ${approx}${formatUsd(r.cost.total)})` : '$0';
  return `${approx}${formatUsd(r.cost?.total)}`;
}

const errorCell = (r: RunResult) =>
  r.error ? `${r.error.kind}: ${r.error.message.split('\n', 1)[0]}${r.output ? ' (partial answer kept)' : ''}` : '';

export function renderResultsTable(results: readonly RunResult[]): string {
  return renderTable(
    ['model', 'TTFT', 'latency', 'tok/s', 'tokens in/out', 'cost', 'cache', 'error'],
    results.map((r) => [
      r.modelId + (r.repeat > 0 ? ` #${r.repeat + 1}` : ''),
      formatMs(r.ttftMs),
      // A cache hit made no request: no model latency to show.
      r.cacheHit ? '—' : formatMs(r.latencyMs),
      r.outputTokensPerSec === null ? '—' : r.outputTokensPerSec.toFixed(1),
      `${r.usage.estimated ? '≈ ' : ''}${formatInt(r.usage.inputTokens)}/${formatInt(r.usage.outputTokens)}`,
      costCell(r),
      r.cacheHit ? 'hit' : '',
      errorCell(r),
    ]),
    [1, 2, 3, 4, 5],
  );
}

/** `--repeat N`: one line per model, latency percentiles (nearest-rank) over its calls. */
export function renderRepeatTable(results: readonly RunResult[], models: readonly string[]): string {
  return renderTable(
    ['model', 'calls', 'failed', 'TTFT p50', 'latency p50', 'p95', 'cost/call', 'cache hits', 'first error'],
    models.map((id) => {
      const m = measureModel(id, results);
      return [
        id,
        formatInt(m.runs),
        formatInt(m.failed),
        m.ttft ? formatSeconds(m.ttft.p50) : '—',
        m.latency ? `${formatSeconds(m.latency.p50)} (n=${m.latency.n})` : '—',
        m.latency ? formatSeconds(m.latency.p95) : '—',
        formatUsd(m.costPerCall),
        formatInt(m.answerCacheHits),
        m.firstError?.split('\n', 1)[0] ?? '',
      ];
    }),
    [1, 2, 3, 4, 5, 6, 7],
  );
}

export interface Totals {
  calls: number;
  failed: number;
  cacheHits: number;
  /** USD paid for fresh calls; null if any fresh call with tokens has no price. */
  spentUsd: number | null;
  /** Fresh calls with tokens but no known price. */
  unpricedCalls: number;
  /** USD the answer cache saved (priced hits only). */
  savedUsd: number;
  /** Some cost was computed from locally estimated tokens. */
  estimated: boolean;
}

export function totalsOf(results: readonly RunResult[]): Totals {
  const fresh = results.filter((r) => !r.cacheHit);
  return {
    calls: results.length,
    failed: results.filter((r) => !r.ok).length,
    cacheHits: results.length - fresh.length,
    spentUsd: fresh.reduce((s, r) => s + (r.cost?.total ?? 0), 0),
    unpricedCalls: fresh.filter(unpriced).length,
    savedUsd: results.reduce((s, r) => s + (savedUsd(r) ?? 0), 0),
    estimated: fresh.some((r) => r.usage.estimated && r.cost),
  };
}

/** "Total: spent $0.0012 · saved $0.0004 by the answer cache (1 hit) · 3 calls, 1 failed · wall 1.2 s" */
export function renderTotals(results: readonly RunResult[], wallMs: number): string {
  const t = totalsOf(results);
  const parts = [
    `spent ${t.estimated ? '≈ ' : ''}${formatUsd(t.spentUsd)}${t.unpricedCalls ? ` + ${plural(t.unpricedCalls, 'call')} with no price` : ''}`,
  ];
  if (t.cacheHits) parts.push(`saved ${formatUsd(t.savedUsd)} by the answer cache (${plural(t.cacheHits, 'hit')})`);
  parts.push(`${plural(t.calls, 'call')}${t.failed ? `, ${formatInt(t.failed)} failed` : ''}`);
  parts.push(`wall ${formatMs(wallMs)}`);
  return `Total: ${parts.join(' · ')}`;
}
