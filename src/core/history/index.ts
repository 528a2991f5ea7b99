// Monitoring: every profiled call appended to an append-only JSONL history, and a pure summary
// over it (percentiles per model, answer-cache hit rate, cost by model and by day, errors).
//
//   const log = new HistoryLog({ dir });                           // extension: workspace storage
//   await log.append(historyRecordsFromRun(summary.results, { prompt, source: 'extension' }));
//   const { records, problems } = await log.read({ since });      // problems: skipped lines
//   const summary = summarizeHistory(records, { since });          // plain JSON for the webview
export * from './types';
export * from './dates';
export * from './record';
export * from './log';
export * from './summary';
export * from './hitRate';

import type { RunResult } from '../run/runner';
import { historyRecordFromResult, type RecordContext } from './record';
import type { HistoryRecord } from './types';

/** The records of a whole run (cache hits included, marked), all stamped with one time. */
export function historyRecordsFromRun(results: readonly RunResult[], context: RecordContext = {}): HistoryRecord[] {
  const time = context.time ?? Date.now();
  return results.map((r) => historyRecordFromResult(r, { ...context, time }));
}
