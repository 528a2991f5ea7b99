// The one message protocol between the extension host (src/extension/panel) and the profile
// panel's browser code (src/webview). Both sides compile it: it imports only TYPES, and only from
// the pure analysis modules the webview bundles anyway (src/core/analysis/{options,decide,pareto,
// quality,routing,stats}), so the option and decision shapes have one definition.
import type { Decision } from '../core/analysis/decide';
import type { DecisionOption, ModelMeasurement, OptionSettings } from '../core/analysis/options';
import type { Requirements } from '../core/analysis/pareto';
import type { QualityFigure } from '../core/analysis/quality';
import type { Tier } from '../core/analysis/routing';
import type { FinishReason } from '../core/types';
import type { SortSpec } from './compare/rows';

export type { Decision, DecisionOption, QualityFigure, Requirements };

export type ColumnStatus = 'queued' | 'streaming' | 'done' | 'error' | 'cancelled';

/** The cost cell of a VS Code model (`vscode:`) without a price override: never "$0". */
export const SUBSCRIPTION_PRICE_LABEL = 'no per-token price (subscription)';

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
  /** The model's latency on the wire; null while running and for a cache hit (no request). */
  latencyMs: number | null;
  /** What the call waited beyond the model, set when it finishes: shown apart from Time and TTFT. */
  waits?: ColumnWaits | null;
  outputTokensPerSec: number | null;
  inputTokens: number | null;
  outputTokens: number | null;
  /**
   * While streaming: `outputTokens` and `outputTokensPerSec` are the host's local count of the
   * text so far (shown with "≈"); the exact figures replace them when the column finishes.
   */
  outputLive: boolean;
  cacheReadTokens: number | null;
  cacheWriteTokens: number | null;
  /** Token figures counted locally because the server sent none. */
  usageEstimated: boolean;
  /** Output tokens at which the answer was cut by the max-tokens cap (finish reason `length`). */
  truncatedAt?: number | null;
  /** null with status done = "no price" for this model (never shown as $0). */
  cost: CostView | null;
  /** `selectModels`: the column offers "Select Models…" (another model is the way on). */
  error: { kind: string; message: string; action?: 'selectModels' } | null;
  /** What counted the tokens when it is not the server's usage report (e.g. "VS Code countTokens"). */
  tokenSource?: string | null;
  /** Facts about how this column's request was sent (e.g. the system prompt sent as a user message). */
  notes?: string[];
  /** Why the answer ended (`length` = truncated at the output limit); absent or null until it finishes. */
  finishReason?: FinishReason | null;
}

export interface ColumnWaits {
  queuedMs: number;
  retryWaitMs: number;
  attempts: number;
  /** A cache hit's read time. */
  cacheReadMs: number | null;
}

export interface RunSummaryView {
  cheapest: { modelId: string; total: number } | null;
  fastest: { modelId: string; latencyMs: number } | null;
  /** What this run spent (answer-cache hits cost nothing); null when some finished model has no price. */
  totalSpent: number | null;
  wallMs: number | null;
  /** Each model's measured cost per call × calls per day × 30 (`usd` null = no price). */
  perMonth?: { callsPerDay: number; models: { modelId: string; usd: number | null }[] };
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

// ---- Decide (issue 5): the options of the current prompt, the frontier, the recommendation ----

/** One profiled model: what its runs measured and where its quality figure comes from. */
export interface ModelView extends Pick<ModelMeasurement, 'modelId' | 'runs' | 'ok' | 'failed' | 'answerCacheHits' | 'latency' | 'ttft' | 'waits'> {
  /** As-is USD per 1,000 calls; null = no price. */
  costPer1k: number | null;
  /** The figure in use: rating > judge > prior; null = none (the model's options are unranked). */
  quality: QualityFigure | null;
  /** What the judge said, kept visible when a rating overrides it. */
  judge: { value: number; n: number } | null;
  /** The user's 1–5 rating of this model on this prompt, or null. */
  rating: number | null;
  /** Provider prompt caching: null = not measured yet; else the outcome in one line. */
  promptCache: string | null;
}

export interface JudgeView {
  /** `provider:model` of the judge. */
  model: string;
  customRubric: boolean;
  /** The answers were graded against the reference answer (AnalysisView.reference). */
  withReference: boolean;
  /** Answers graded with a score, and calls that gave none. */
  scored: number;
  unscored: number;
  /** USD spent on judging now (answer-cache hits excluded); null = the judge has no price. Never in an option's cost. */
  costUsd: number | null;
  costPerJudgementUsd: number | null;
  /** The first failure, when some judgements failed. */
  firstError: string | null;
}

export interface ReferenceView {
  source: 'pinned' | 'prompt file';
  /** The model whose answer was pinned (null for the prompt file's). */
  modelId: string | null;
  text: string;
}

export interface RouteView {
  task: string;
  /** "cheap" / "strong", or null when the table maps the task straight to a model. */
  tier: Tier | null;
  modelId: string | null;
  /** The entry comes from promptProfiler.routing (else the built-in default). */
  fromSettings: boolean;
}

/** The Decide section's data for one run. Plain data: the webview re-runs `decide` on it. */
export interface AnalysisView {
  runId: number;
  /** `analysing`: judge calls or prompt-cache probes in flight (`message` says which). */
  status: 'analysing' | 'ready' | 'failed';
  message: string | null;
  options: DecisionOption[];
  /** The host's decision under `requirements` (the webview recomputes it when a limit moves). */
  decision: Decision | null;
  requirements: Requirements;
  models: ModelView[];
  judge: JudgeView | null;
  /** The reference answer the judge compares with: pinned in the panel (wins), or the prompt file's `reference:`. */
  reference: ReferenceView | null;
  /** The settings the derived options assume. */
  assumptions: Pick<OptionSettings, 'answerCacheHitRate' | 'hitRateSource' | 'batchCompletionS' | 'callsPerCacheWindow' | 'cascadeThreshold'> & {
    /** How the hit rate was obtained, in words. */
    hitRateDetail: string;
    judgeModel: string | null;
  };
  /** Provider prompt caching: `idle` = can be measured on request (2 calls per model), `off` = disabled in settings. */
  promptCache: { state: 'idle' | 'measuring' | 'measured' | 'off'; calls: number };
  routing: { routes: RouteView[]; problems: string[] };
}

export type HostToWebview =
  /** The whole state: after `ready`, on a new run, after restore. */
  | { type: 'state'; state: PanelState }
  /**
   * Coalesced updates (one message per ~30 ms, never one per token). The last patch of a run
   * carries its summary and the first Decide analysis of its results.
   */
  | { type: 'patch'; runId: number; patches: ColumnPatch[]; running: boolean; summary?: RunSummaryView; analysis?: AnalysisView }
  /** The Decide section again: the judge answered, a rating, a measurement, a settings change. */
  | { type: 'analysis'; analysis: AnalysisView }
  /** The requirement settings changed outside the panel (or were written by it). */
  | { type: 'limits'; requirements: Requirements };

export type WebviewToHost =
  | { type: 'ready' }
  | { type: 'stop' }
  | { type: 'rerun'; bypassCache: boolean }
  | { type: 'retry'; index: number }
  | { type: 'copy'; index: number }
  /** Open Select Models… (offered by an error the model choice can fix). */
  | { type: 'selectModels' }
  /** The limit inputs changed (debounced): the host writes promptProfiler.requirements.*. */
  | { type: 'setLimits'; requirements: Requirements }
  /** A 1–5 rating of a model's answers on this prompt (null clears it); overrides the judge. */
  | { type: 'rate'; modelId: string; rating: number | null }
  /** Measure provider prompt caching now (a cold and a warm call per model). */
  | { type: 'measurePromptCache' }
  /** Pin a column's answer as the judge's reference for this prompt (the judge grades again). */
  | { type: 'pinReference'; index: number }
  /** Drop the pinned reference (the prompt file's, if any, applies again). */
  | { type: 'unpinReference' }
  /** The comparison table, exported in the panel (src/webview/compare/export.ts): the host copies it or asks where to save it. */
  | { type: 'exportTable'; format: 'markdown' | 'csv'; action: 'copy' | 'save'; content: string };

/** What the webview keeps in `vscode.setState` to redraw instantly after a reload. */
export interface PersistedWebviewState {
  state: PanelState;
  analysis?: AnalysisView;
  /** The limits as last set in the panel. */
  requirements?: Requirements;
  /** The comparison table's sort, answers A and B, focus and diff. */
  compare?: CompareViewState;
}

/** The comparison section's own view (src/webview/compare/table.ts), kept across reloads. */
export interface CompareViewState {
  sort: SortSpec | null;
  /** Column indexes of answers A and B. */
  a: number | null;
  b: number | null;
  focus: boolean;
  diff: boolean;
}
