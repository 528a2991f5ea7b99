// Batch results as JSONL or CSV, written row by row (a results view's "Export…", the CLI's --out).
import { csvField } from '../text/csv';
import type { BatchRowResult } from './types';

export type ExportFormat = 'jsonl' | 'csv';

/** `.jsonl` / `.ndjson` → jsonl, `.csv` → csv, else undefined. */
export function exportFormatOf(fileName: string): ExportFormat | undefined {
  if (/\.(jsonl|ndjson)$/i.test(fileName)) return 'jsonl';
  if (/\.csv$/i.test(fileName)) return 'csv';
  return undefined;
}

/** One row as exported to JSONL (costs in USD; null = no price). */
export function rowToJson(r: BatchRowResult) {
  return {
    customId: r.customId,
    row: r.row,
    ok: r.ok,
    output: r.output,
    finishReason: r.finishReason,
    usage: r.usage && {
      inputTokens: r.usage.inputTokens,
      outputTokens: r.usage.outputTokens,
      cacheReadTokens: r.usage.cacheReadTokens,
      cacheWriteTokens: r.usage.cacheWriteTokens,
    },
    cost: r.cost?.total ?? null,
    realtimeCost: r.realtimeCost?.total ?? null,
    error: r.error,
  };
}

export const CSV_COLUMNS = [
  'custom_id',
  'row',
  'ok',
  'output',
  'finish_reason',
  'input_tokens',
  'output_tokens',
  'cache_read_tokens',
  'cache_write_tokens',
  'cost_usd',
  'realtime_cost_usd',
  'error_kind',
  'error_message',
] as const;

export { csvField };

export function rowToCsv(r: BatchRowResult): string {
  return [
    r.customId,
    r.row,
    r.ok,
    r.output,
    r.finishReason,
    r.usage?.inputTokens,
    r.usage?.outputTokens,
    r.usage?.cacheReadTokens,
    r.usage?.cacheWriteTokens,
    r.cost?.total,
    r.realtimeCost?.total,
    r.error?.kind,
    r.error?.message,
  ]
    .map(csvField)
    .join(',');
}

/** Writes the rows in the given format; `write` may return a promise (back-pressure). Returns the row count. */
export async function exportResults(
  rows: AsyncIterable<BatchRowResult> | Iterable<BatchRowResult>,
  format: ExportFormat,
  write: (chunk: string) => void | Promise<void>,
): Promise<number> {
  let n = 0;
  if (format === 'csv') await write(CSV_COLUMNS.join(',') + '\r\n');
  for await (const r of rows) {
    await write(format === 'csv' ? rowToCsv(r) + '\r\n' : JSON.stringify(rowToJson(r)) + '\n');
    n++;
  }
  return n;
}
