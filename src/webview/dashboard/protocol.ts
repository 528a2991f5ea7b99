// The message protocol between the dashboard's host (src/extension/dashboard) and its browser
// code (src/webview/dashboard). Type imports only: both sides compile it, neither imports the other.
import type { HistorySummary } from '../../core/history/summary';

/** Calendar ranges in the user's time zone; `custom` uses `from`/`to` (YYYY-MM-DD, both inclusive). */
export type RangePreset = 'today' | '7d' | '30d' | '90d' | 'all' | 'custom';

export interface DashboardRange {
  preset: RangePreset;
  from?: string;
  to?: string;
}

export const DEFAULT_RANGE: DashboardRange = { preset: '30d' };

export interface DashboardData {
  /** summarizeHistory over the records in the range (days in the local time zone). */
  summary: HistorySummary;
  range: DashboardRange;
  /** History lines that could not be read (torn or foreign lines): skipped. */
  skippedLines: number;
  /** promptProfiler.history.enabled: when off, nothing new is recorded. */
  historyEnabled: boolean;
  /** When the history was read (ISO). */
  readAt: string;
}

/** What can be exported: one table of the summary as CSV, every call as CSV, or the summary as JSON. */
export type ExportKind = 'csv-models' | 'csv-days' | 'csv-errors' | 'csv-calls' | 'json';

export type HostToDashboard =
  | { type: 'loading' }
  | { type: 'data'; data: DashboardData }
  | { type: 'exported'; file: string }
  | { type: 'error'; message: string };

export type DashboardToHost =
  /** The page has loaded; `range` is the one it restored after a reload, if any. */
  | { type: 'ready'; range?: DashboardRange }
  | { type: 'setRange'; range: DashboardRange }
  | { type: 'refresh' }
  | { type: 'export'; kind: ExportKind }
  | { type: 'openSettings' }
  /** The page drew the data of `readAt` (`charts` Chart.js charts). */
  | { type: 'rendered'; readAt: string; calls: number; charts: number }
  /** A script error in the page (logged by the host). */
  | { type: 'pageError'; message: string };

/** What the page keeps in `vscode.setState`. */
export interface DashboardPersistedState {
  range: DashboardRange;
}
