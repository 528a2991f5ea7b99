// The comparison table's columns: header, description, the text a cell shows (the table, the
// cards and the Markdown export use the same words) and the raw value the CSV export writes.

// No DOM here: the host's tests build exports with it.

import { formatInt, formatMs, formatTokens, formatUsd } from '../../core/format';
import { qualityFigure, rateFigure } from '../figures';
import type { BestKey, CompareRow, SortKey } from './rows';

export interface Field {
  key: SortKey;
  /** Column header (short: the table must fit 12 models and 13 columns). */
  label: string;
  /** What the column measures: the header's tooltip and its accessible description. */
  title: string;
  /** Right-aligned figures. */
  numeric: boolean;
  /** A best value is marked in this column. */
  best: boolean;
  text(row: CompareRow): string;
  /** CSV header and raw value (numbers unformatted; '' for none). */
  csv: { header: string; value(row: CompareRow): string | number | boolean | null }[];
}

export function statusText(row: CompareRow): string {
  const of = row.calls > 1 ? ` ${row.ok}/${row.calls}` : '';
  if (row.live > 0) return row.streaming ? `● streaming${of}` : `○ queued${of}`;
  if (row.failed > 0) return `✕ error${row.calls > 1 ? ` ${row.failed}/${row.calls}` : ''}: ${row.errors[0]?.split(':')[0] ?? 'unknown'}`;
  if (row.cancelled > 0) return `■ cancelled${row.calls > 1 ? ` ${row.cancelled}/${row.calls}` : ''}`;
  if (row.truncated) return `✂ truncated${of}`;
  return `✓ done${of}`;
}

/** The status cell's tooltip: every distinct error in full, or what "truncated" means. */
export function statusTitle(row: CompareRow): string {
  const lines = [...row.errors];
  if (row.truncated) lines.push('An answer stopped at the output token limit (finish reason "length").');
  if (row.calls > 1) lines.push(`${row.calls} runs: ${row.ok} done, ${row.failed} failed, ${row.cancelled} cancelled, ${row.live} running.`);
  return lines.join('\n');
}

function timing(ms: number | null, row: CompareRow): string {
  return ms === null ? '—' : `${formatMs(ms)}${row.timedFromCache ? ' (cache)' : ''}`;
}

function tokens(n: number | null, row: CompareRow): string {
  return n === null ? '—' : formatTokens(n, row.tokensEstimated);
}

function usd(v: number | null, row: CompareRow): string {
  if (v !== null) return `${row.costEstimated ? '≈ ' : ''}${formatUsd(v)}`;
  return row.noPrice ? 'no price' : '—';
}

function cacheText(row: CompareRow): string {
  if (!row.ok) return '—';
  if (row.ok === 1) return row.cacheHits ? 'hit' : 'miss';
  return `${row.cacheHits}/${row.ok} hits`;
}

/** Rounded to `digits` decimals (no float noise such as 0.30000000000000004 in a CSV cell). */
function raw(v: number | null, digits = 6): number | null {
  return v === null ? null : +v.toFixed(digits);
}

/** In display order: what a comparison is usually about (cost, latency, quality) first, so a
 * panel beside the editor shows it before the table scrolls sideways. */
export const FIELDS: readonly Field[] = [
  {
    key: 'model',
    label: 'Model',
    title: 'provider:model (the number of runs when it ran more than once)',
    numeric: false,
    best: false,
    text: (r) => r.modelId,
    csv: [
      { header: 'model', value: (r) => r.modelId },
      { header: 'runs', value: (r) => r.calls },
    ],
  },
  {
    key: 'status',
    label: 'Status',
    title: 'done, streaming, error (with its kind), cancelled, or truncated at the output limit',
    numeric: false,
    best: false,
    text: statusText,
    csv: [
      { header: 'ok', value: (r) => r.ok },
      { header: 'failed', value: (r) => r.failed },
      { header: 'cancelled', value: (r) => r.cancelled },
      { header: 'error', value: (r) => r.errors.join('; ') || null },
    ],
  },
  {
    key: 'cost',
    label: '$/call',
    title: 'Cost of one call in USD ("no price" when the model has no known price, never $0)',
    numeric: true,
    best: true,
    text: (r) => usd(r.costPerCall, r),
    csv: [{ header: 'cost_per_call_usd', value: (r) => raw(r.costPerCall, 10) }],
  },
  {
    key: 'cost1k',
    label: '$/1k calls',
    title: 'Cost of 1,000 such calls in USD',
    numeric: true,
    best: true,
    text: (r) => usd(r.costPer1k, r),
    csv: [
      { header: 'cost_per_1k_usd', value: (r) => raw(r.costPer1k, 7) },
      { header: 'no_price', value: (r) => r.noPrice },
    ],
  },
  {
    key: 'p50',
    label: 'p50',
    title: 'Latency, median of the runs (nearest rank)',
    numeric: true,
    best: true,
    text: (r) => timing(r.p50Ms, r),
    csv: [{ header: 'latency_p50_ms', value: (r) => raw(r.p50Ms, 1) }],
  },
  {
    key: 'p95',
    label: 'p95',
    title: 'Latency, 95th percentile of the runs (nearest rank: the slowest of fewer than 20)',
    numeric: true,
    best: true,
    text: (r) => timing(r.p95Ms, r),
    csv: [
      { header: 'latency_p95_ms', value: (r) => raw(r.p95Ms, 1) },
      { header: 'latency_n', value: (r) => r.latencyN },
    ],
  },
  {
    key: 'ttft',
    label: 'TTFT',
    title: 'Time to first token (the median when the model ran more than once)',
    numeric: true,
    best: true,
    text: (r) => timing(r.ttftMs, r),
    csv: [{ header: 'ttft_ms', value: (r) => raw(r.ttftMs, 1) }],
  },
  {
    key: 'rate',
    label: 'tok/s',
    title: 'Output tokens per second after the first token (≈ while streaming)',
    numeric: true,
    best: true,
    text: (r) => (r.tokensPerSec === null ? '—' : rateFigure(r.tokensPerSec, r.streaming)),
    csv: [{ header: 'tokens_per_sec', value: (r) => raw(r.tokensPerSec, 2) }],
  },
  {
    key: 'quality',
    label: 'Quality',
    title: 'Quality 0–1 and its source: your rating, the LLM judge, or a prior (after the analysis)',
    numeric: true,
    best: true,
    text: (r) => (r.quality ? qualityFigure(r.quality) : '—'),
    csv: [
      { header: 'quality', value: (r) => raw(r.quality?.value ?? null, 4) },
      { header: 'quality_source', value: (r) => r.quality?.source ?? null },
    ],
  },

  {
    key: 'input',
    label: 'In',
    title: 'Input tokens per call (≈ counted locally when the server sent no usage)',
    numeric: true,
    best: false,
    text: (r) => tokens(r.inputTokens, r),
    csv: [{ header: 'input_tokens', value: (r) => raw(r.inputTokens, 1) }],
  },
  {
    key: 'output',
    label: 'Out',
    title: 'Output tokens per call (≈ counted locally while streaming)',
    numeric: true,
    best: false,
    text: (r) => tokens(r.outputTokens, r),
    csv: [
      { header: 'output_tokens', value: (r) => raw(r.outputTokens, 1) },
      { header: 'tokens_estimated', value: (r) => r.tokensEstimated },
    ],
  },
  {
    key: 'cache',
    label: 'Cache',
    title: 'Answer cache: hit (nothing spent this run) or miss',
    numeric: false,
    best: false,
    text: cacheText,
    csv: [{ header: 'cache_hits', value: (r) => r.cacheHits }],
  },
  {
    key: 'finish',
    label: 'Finish',
    title: 'Why the answer ended: stop, length (truncated at the output limit), content_filter, tool_calls',
    numeric: false,
    best: false,
    text: (r) => r.finishReasons.join(', ') || '—',
    csv: [{ header: 'finish_reason', value: (r) => r.finishReasons.join(';') || null }],
  },
];

export function isBestKey(key: SortKey): key is BestKey {
  return FIELDS.some((f) => f.key === key && f.best);
}

/** The "3 runs" note under a model's name. */
export function runsText(row: CompareRow): string {
  return row.calls > 1 ? `${formatInt(row.calls)} runs` : '';
}
