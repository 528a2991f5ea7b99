// Pure state handling for the panel (no DOM): applying host messages to the last PanelState.

import { parseModelId } from '../core/types';
import { SORT_KEYS, type SortSpec } from './compare/rows';
import type { AnalysisView, ColumnState, CompareViewState, HostToWebview, PanelState, PersistedWebviewState, Requirements } from './protocol';

/** What changed in one column after a patch; the view re-renders only that. */
export interface ColumnChange {
  index: number;
  /** The output text changed (appended). */
  text: boolean;
  /** Some other field changed. */
  fields: boolean;
  /** `elapsedMs` was reported again: restart the local clock from it. */
  elapsed: boolean;
}

export type Applied =
  | { kind: 'redraw'; state: PanelState }
  | { kind: 'update'; state: PanelState; columns: ColumnChange[]; summary: boolean; running: boolean }
  | { kind: 'ignored' };

/**
 * Applies one host message. `state` replaces everything; `patch` mutates the matching columns in
 * place (a patch for another run, or before any state, is stale and ignored).
 */
export function applyMessage(current: PanelState | undefined, msg: HostToWebview): Applied {
  if (msg.type === 'state') return { kind: 'redraw', state: msg.state };
  if (msg.type !== 'patch' || !current || msg.runId !== current.runId) return { kind: 'ignored' };
  const byIndex = new Map<number, ColumnState>(current.columns.map((c) => [c.index, c]));
  const changes = new Map<number, ColumnChange>();
  for (const p of msg.patches) {
    const col = byIndex.get(p.index);
    if (!col) continue;
    let ch = changes.get(p.index);
    if (!ch) changes.set(p.index, (ch = { index: p.index, text: false, fields: false, elapsed: false }));
    if (p.append) {
      col.output += p.append;
      ch.text = true;
    }
    if (p.set) {
      const set = { ...p.set } as Record<string, unknown>;
      // Never let a patch rewrite the identity of a column.
      delete set.index;
      delete set.output;
      Object.assign(col, set);
      ch.fields = true;
      if ('elapsedMs' in set) ch.elapsed = true;
    }
  }
  const running = current.running !== msg.running;
  current.running = msg.running;
  let summary = false;
  if (msg.summary) {
    current.summary = msg.summary;
    summary = true;
  }
  return { kind: 'update', state: current, columns: [...changes.values()], summary, running };
}

/** Reads what `vscode.getState()` returned, tolerating anything unexpected. */
export function restoredState(saved: unknown): PanelState | undefined {
  if (!saved || typeof saved !== 'object') return undefined;
  const state = (saved as Partial<PersistedWebviewState>).state;
  if (!state || typeof state !== 'object' || !Array.isArray(state.columns) || typeof state.runId !== 'number') return undefined;
  return state;
}

/** The Decide part of what `vscode.getState()` returned (absent or malformed parts are dropped). */
export function restoredDecide(saved: unknown): { analysis?: AnalysisView; requirements?: Requirements } {
  if (!saved || typeof saved !== 'object') return {};
  const s = saved as Partial<PersistedWebviewState>;
  const out: { analysis?: AnalysisView; requirements?: Requirements } = {};
  const a = s.analysis;
  if (a && typeof a === 'object' && typeof a.runId === 'number' && Array.isArray(a.options) && Array.isArray(a.models)) out.analysis = a;
  const r = s.requirements;
  if (r && typeof r === 'object') {
    const clean: Requirements = {};
    for (const k of ['maxLatencyS', 'maxCostPer1k', 'minQuality'] as const) if (typeof r[k] === 'number' && Number.isFinite(r[k])) clean[k] = r[k];
    out.requirements = clean;
  }
  return out;
}

/** The comparison section's saved view (sort, answers A and B, focus, diff); malformed parts are dropped. */
export function restoredCompare(saved: unknown): CompareViewState | undefined {
  const raw = saved && typeof saved === 'object' ? (saved as Partial<PersistedWebviewState>).compare : undefined;
  if (!raw || typeof raw !== 'object') return undefined;
  const s = raw as Partial<Record<keyof CompareViewState, unknown>>;
  const index = (v: unknown) => (typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : null);
  const sort = s.sort as Partial<SortSpec> | null | undefined;
  const validSort = !!sort && typeof sort === 'object' && (SORT_KEYS as readonly unknown[]).includes(sort.key) && (sort.dir === 'asc' || sort.dir === 'desc');
  return {
    sort: validSort ? { key: sort.key!, dir: sort.dir! } : null,
    a: index(s.a),
    b: index(s.b),
    focus: s.focus === true,
    diff: s.diff === true,
  };
}

/**
 * The panel state a revived panel starts from: the newer run of the two copies, with whatever
 * was still running marked as stopped (the reload ended those requests).
 */
export function revivedState(...copies: (PanelState | undefined)[]): PanelState | undefined {
  const newest = copies.filter((c): c is PanelState => !!c).sort((a, b) => b.runId - a.runId)[0];
  if (!newest) return undefined;
  const state = structuredClone(newest);
  state.running = false;
  for (const c of state.columns) {
    if (c.status !== 'queued' && c.status !== 'streaming') continue;
    c.status = 'cancelled';
    c.outputLive = false;
    c.error = { kind: 'cancelled', message: 'The window reloaded before this answer finished.' };
  }
  return state;
}

/** A column of a new run: queued, nothing measured yet. */
export function newColumn(index: number, modelId: string, repeat: number): ColumnState {
  const { provider, model } = parseModelId(modelId);
  return {
    index,
    modelId,
    provider,
    model,
    repeat,
    status: 'queued',
    output: '',
    cacheHit: false,
    elapsedMs: 0,
    ttftMs: null,
    latencyMs: null,
    outputTokensPerSec: null,
    inputTokens: null,
    outputTokens: null,
    outputLive: false,
    cacheReadTokens: null,
    cacheWriteTokens: null,
    usageEstimated: false,
    cost: null,
    error: null,
  };
}

export function isLive(status: ColumnState['status']): boolean {
  return status === 'queued' || status === 'streaming';
}
