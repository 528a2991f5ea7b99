// The one message protocol between the extension host (src/extension/panel) and the profile
// panel's browser code (src/webview). Imports nothing: both sides compile it.

export type ColumnStatus = 'queued' | 'streaming' | 'done' | 'error' | 'cancelled';

export interface CostView {
  /** USD. */
  total: number;
  input: number;
  cacheRead: number;
  cacheWrite: number;
  output: number;
  batch: boolean;
  /** e.g. "@pydantic/genai-prices 0.1.8 (data 2026-10-30) · Anthropic · Claude Haiku 4.5". */
  provenance: string;
}

export interface ColumnState {
  /** Stable index of the column in this run. */
  index: number;
  /** `provider:model`. */
  modelId: string;
  /** Provider name (`openai`, `anthropic`, `ollama`, …). */
  provider: string;
  model: string;
  /** 0-based repeat; the panel labels columns with repeat > 0 as "run N+1". */
  repeat: number;
  status: ColumnStatus;
  /** Markdown text of the answer so far (also the partial answer kept after an error). */
  output: string;
  cacheHit: boolean;
  /** Elapsed time reported by the host at its last update (the panel ticks locally in between). */
  elapsedMs: number;
  ttftMs: number | null;
  latencyMs: number | null;
  outputTokensPerSec: number | null;
  inputTokens: number | null;
  outputTokens: number | null;
  cacheReadTokens: number | null;
  cacheWriteTokens: number | null;
  /** Token figures counted locally because the server sent none. */
  usageEstimated: boolean;
  /** null with status done = "no price" for this model (never shown as $0). */
  cost: CostView | null;
  error: { kind: string; message: string } | null;
}

export interface RunSummaryView {
  cheapest: { modelId: string; total: number } | null;
  fastest: { modelId: string; latencyMs: number } | null;
  /** What this run spent (answer-cache hits cost nothing); null when some finished model has no price. */
  totalSpent: number | null;
  wallMs: number | null;
}

export interface PanelState {
  runId: number;
  /** First characters of the prompt, for the panel title line. */
  promptPreview: string;
  running: boolean;
  columns: ColumnState[];
  summary: RunSummaryView;
}

/** A batched change to one column: only the fields that changed, plus appended text. */
export interface ColumnPatch {
  index: number;
  /** Text to append to `output`. */
  append?: string;
  set?: Partial<Omit<ColumnState, 'index' | 'output'>>;
}

export type HostToWebview =
  /** The whole state: after `ready`, on a new run, after restore. */
  | { type: 'state'; state: PanelState }
  /** Coalesced updates (one message per ~30 ms, never one per token). */
  | { type: 'patch'; runId: number; patches: ColumnPatch[]; running: boolean; summary?: RunSummaryView };

export type WebviewToHost =
  | { type: 'ready' }
  | { type: 'stop' }
  | { type: 'rerun'; bypassCache: boolean }
  | { type: 'retry'; index: number }
  | { type: 'copy'; index: number };

/** What the webview keeps in `vscode.setState` to redraw instantly after a reload. */
export interface PersistedWebviewState {
  state: PanelState;
}
