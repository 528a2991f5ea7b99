// How a run's results read on a terminal: the per-call table, one line per model for repeats,
// and the totals (spent, saved by the answer cache, calls, failures).
import { formatSeconds, measureModel } from '../../core/analysis';
import { defaultConcurrency, providerSettings } from '../../core/config';
import { firstLine, formatCost, formatInt, formatMs, formatUsd, truncationNote } from '../../core/format';
import { compareGatewayCost, describeGatewayCost } from '../../core/pricing';
import type { RunResult } from '../../core/run';
import { parseModelId } from '../../core/types';
import type { CliConfig } from './config';
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
  if (r.cacheHit) return r.cost ? `$0 (saved ${formatCost(r.cost.total, r.usage.estimated)})` : '$0';
  return formatCost(r.cost?.total, r.usage.estimated);
}

/** One line per row: a server's stack trace stays whole in --json. */
const errorCell = (r: RunResult) =>
  r.error ? `${r.error.kind}: ${firstLine(r.error.message, 400)}${r.output ? ' (partial answer below)' : ''}` : truncationNote(r) ?? '';

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
        m.firstError ? firstLine(m.firstError, 220) : '',
      ];
    }),
    [1, 2, 3, 4, 5, 6, 7],
  );
}

/** Lines under the table: truncations counted, a gateway's own cost beside ours, what ≈ means. */
export function resultNotes(results: readonly RunResult[]): string[] {
  const notes: string[] = [];
  const truncated = results.filter((r) => r.finishReason === 'length').length;
  if (truncated) notes.push(`${truncated} answer${truncated === 1 ? ' was' : 's were'} cut at the max-tokens cap (finish reason "length").`);
  for (const r of results) {
    const gateway = compareGatewayCost(r.usage.reportedCost, r.cost?.total);
    if (gateway) notes.push(`${r.modelId}${r.repeat > 0 ? ` #${r.repeat + 1}` : ''}: ${describeGatewayCost(gateway)}`);
  }
  if (results.some((r) => r.usage.estimated)) notes.push('≈: counted locally (the server reported no usage, or zeros); costs from those counts are estimates.');
  return notes;
}

/** Why a local server's calls did not overlap: its default of one request at a time. */
export function localServerNotes(models: readonly string[], repeats: number, config: CliConfig): string[] {
  const calls = new Map<string, number>();
  for (const m of models) {
    const { provider } = parseModelId(m);
    calls.set(provider, (calls.get(provider) ?? 0) + repeats);
  }
  const notes: string[] = [];
  for (const [name, n] of calls) {
    const settings = providerSettings(name, config.providers);
    if (n < 2 || !settings || settings.concurrency || defaultConcurrency(settings) !== 1) continue;
    notes.push(`${name}: a server on this machine, sent one request at a time so each call's time is its own (set providers.${name}.concurrency to send more).`);
  }
  return notes;
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
  /** Answers cut at the max-tokens cap. */
  truncated: number;
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
    truncated: results.filter((r) => r.finishReason === 'length').length,
  };
}

/** "Total: spent $0.0012 · saved $0.0004 by the answer cache (1 hit) · 3 calls, 1 failed · wall 1.2 s" */
export function renderTotals(results: readonly RunResult[], wallMs: number): string {
  const t = totalsOf(results);
  const parts = [
    `spent ${t.estimated ? '≈ ' : ''}${formatUsd(t.spentUsd)}${t.unpricedCalls ? ` + ${plural(t.unpricedCalls, 'call')} with no price` : ''}`,
  ];
  if (t.cacheHits) parts.push(`saved ${formatUsd(t.savedUsd)} by the answer cache (${plural(t.cacheHits, 'hit')})`);
  parts.push(`${plural(t.calls, 'call')}${t.failed ? `, ${formatInt(t.failed)} failed` : ''}${t.truncated ? `, ${formatInt(t.truncated)} truncated` : ''}`);
  parts.push(`wall ${formatMs(wallMs)}`);
  return `Total: ${parts.join(' · ')}`;
}
