// The host side of the profile panel: owns one webview, runs the engine, and streams batched
// patches to the browser code (src/webview). Closing the panel aborts its requests. After a run,
// the Decide section's analysis comes from src/extension/decide (options, frontier, limits).
import * as vscode from 'vscode';
import { DAYS_PER_MONTH } from '../../core/check';
import type { EngineRunOptions, PromptInput } from '../../core/engine';
import type { RunProgress, RunResult, RunSummary } from '../../core/run';
import { loadTokenizer, tokenizerIfLoaded } from '../../core/tokens';
import type {
  AnalysisView,
  ColumnPatch,
  ColumnState,
  HostToWebview,
  PanelState,
  RunSummaryView,
  WebviewToHost,
} from '../../webview/protocol';
import { newColumn, restoredState, revivedState } from '../../webview/state';
import { CommandId, PANEL_VIEW_TYPE } from '../constants';
import { SELECT_MODELS_HELPS, SYSTEM_AS_USER_NOTE, VSCODE_COUNT_METHOD, isVsCodeModel } from '../providers/vscodeLm';
import { DecideController } from '../decide/decideController';
import { Disposable } from '../lifecycle';
import { testHooks } from '../testHooks';
import type { Services } from '../services';
import { webviewHtml, webviewPanelOptions } from '../webviewHost';
import { exportTable } from './exportTable';

/** One patch message per this many ms at most while answers stream. */
const FLUSH_MS = 30;
/** While a run is live and nothing changes, the elapsed times are still sent this often. */
const TICK_MS = 250;
const LAST_RUN_KEY = 'promptProfiler.lastRun';
/**
 * The panel as the last run left it. The webview keeps its own copy (setState), but a browser
 * reload (VS Code for the Web, code-server) may restore a stale one: the newer of the two wins.
 */
const LAST_STATE_KEY = 'promptProfiler.lastPanelState';
/** A live tok/s figure needs at least this much streaming after the first token. */
const MIN_RATE_WINDOW_MS = 250;

/** A streaming column's local count: the host's own clock and tokenizer, replaced by the runner's figures at the end. */
interface LiveCount {
  startedAt: number;
  firstTokenAt: number | null;
  /** Raw encoding tokens of the text counted so far (a model's estimate factor is applied to the sum, not per piece). */
  raw: number;
  /** Text not counted yet (the tokenizer was not loaded, or it arrived since the last flush). */
  uncounted: string;
}

export interface RunRequest {
  prompt: PromptInput;
  models: string[];
  /** For the panel's title line. */
  promptText: string;
  bypassCache: boolean;
  /** The prompt file's reference answer for the judge (front matter `reference:`). */
  reference?: string;
  /** The prompt file's traffic (front matter `calls_per_day:`): the summary's monthly projection, before the setting. */
  callsPerDay?: number;
}

export class ProfilePanel extends Disposable {
  private static current: ProfilePanel | undefined;

  static show(services: Services): ProfilePanel {
    if (ProfilePanel.current) {
      ProfilePanel.current.panel.reveal(vscode.ViewColumn.Beside, true);
      return ProfilePanel.current;
    }
    const panel = vscode.window.createWebviewPanel(
      PANEL_VIEW_TYPE,
      'Prompt Profile',
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      webviewPanelOptions(services.extensionUri),
    );
    return (ProfilePanel.current = new ProfilePanel(panel, services));
  }

  /** After a window reload: `webviewState` is what the webview kept (`PersistedWebviewState`, or anything). */
  static revive(panel: vscode.WebviewPanel, services: Services, webviewState?: unknown): ProfilePanel {
    ProfilePanel.current?.dispose();
    panel.webview.options = webviewPanelOptions(services.extensionUri);
    const revived = (ProfilePanel.current = new ProfilePanel(panel, services));
    revived.state = revivedState(restoredState(services.context.workspaceState.get(LAST_STATE_KEY)), restoredState(webviewState)) ?? revived.state;
    return revived;
  }

  static get active(): ProfilePanel | undefined {
    return ProfilePanel.current;
  }

  private state: PanelState = emptyState();
  private ready = false;
  private closed = false;
  private controller: AbortController | undefined;
  private pending = new Map<number, ColumnPatch>();
  private flushTimer: NodeJS.Timeout | undefined;
  /** The pending timer is the short FLUSH_MS one (not the slow elapsed tick). */
  private flushSoon = false;
  private startedAt = 0;
  private lastRequest: RunRequest | undefined;
  /** The finished result of each column of the current run. */
  private finished: (RunResult | undefined)[] = [];
  /** Live TTFT / ≈ output tokens / ≈ tok/s of the streaming columns, by index. */
  private readonly live = new Map<number, LiveCount>();
  /** The Decide section (options, frontier, recommendation, ratings, limits). */
  readonly decide: DecideController;
  /** The Decide analysis of the run that just finished: it rides on the run's last patch. */
  private pendingAnalysis: AnalysisView | undefined;
  private constructor(
    readonly panel: vscode.WebviewPanel,
    private readonly services: Services,
  ) {
    super();
    this.decide = this._register(new DecideController(services, (m) => this.post(m)));
    panel.iconPath = vscode.Uri.joinPath(services.extensionUri, 'media', 'icon.png');
    panel.webview.html = this.html();
    this._register(panel.webview.onDidReceiveMessage((m: WebviewToHost) => this.onMessage(m)));
    this._register(panel.onDidDispose(() => this.dispose()));
    this.lastRequest = services.context.workspaceState.get<RunRequest>(LAST_RUN_KEY);
  }

  /** The webview has loaded and said `ready`: patches reach it from now on. */
  get isReady(): boolean {
    return this.ready && !this.closed;
  }

  override dispose(): void {
    if (this.closed) return;
    this.closed = true;
    this.controller?.abort();
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    this.flushSoon = false;
    if (ProfilePanel.current === this) ProfilePanel.current = undefined;
    super.dispose();
    this.panel.dispose();
  }

  /** Runs a prompt on the models and streams it into the panel; resolves with the results. */
  async run(request: RunRequest): Promise<RunSummary> {
    this.controller?.abort();
    const controller = (this.controller = new AbortController());
    this.lastRequest = request;
    const config = this.services.config.value;
    // The prompt is kept at rest only where the user allows it (promptProfiler.history.includePrompts).
    void this.services.context.workspaceState.update(LAST_RUN_KEY, config.history.includePrompts ? request : undefined);
    const repeats = config.repeats;
    // Repeat-major, like the runner: the column index is the runner's job index.
    const columns: ColumnState[] = [];
    for (let r = 0; r < repeats; r++) {
      for (const modelId of request.models) columns.push(withNotes(newColumn(columns.length, modelId, r), request.prompt));
    }
    this.state = {
      runId: this.state.runId + 1,
      promptPreview: preview(request.promptText),
      running: true,
      columns,
      summary: { cheapest: null, fastest: null, totalSpent: null, wallMs: null },
    };
    const runId = this.state.runId;
    this.pending.clear();
    this.finished = [];
    this.live.clear();
    this.decide.reset();
    this.pendingAnalysis = undefined;
    this.startedAt = Date.now();
    this.post({ type: 'state', state: this.state });
    warmTokenizers(columns);

    const options: EngineRunOptions = {
      concurrency: config.concurrency,
      perProviderConcurrency: config.perProviderConcurrency,
      repeats,
      signal: controller.signal,
      bypassCache: request.bypassCache,
      // A run that was replaced (Re-run) still reports its cancelled jobs: not into the new columns.
      onProgress: (e) => {
        if (this.state.runId === runId) this.onProgress(e);
      },
    };
    try {
      const summary = await this.services.run(request.prompt, request.models, options);
      if (this.state.runId === runId) {
        this.state.summary = summarize(summary.results, summary.wallMs, this.callsPerDay());
        this.analyse(runId, summary.results);
      }
      return summary;
    } finally {
      if (this.state.runId === runId) {
        this.state.running = false;
        this.flush();
        this.persist();
      }
    }
  }

  /** Calls per day of the summary's monthly projection: the prompt's own, else the setting; none without either. */
  private callsPerDay(): number | undefined {
    return this.lastRequest?.callsPerDay ?? this.services.config.value.projectionCallsPerDay;
  }

  /** Decides on the run's latest results; the view goes out with the next (final) patch. */
  private analyse(runId: number, results: readonly RunResult[]): void {
    const request = this.lastRequest;
    if (!request || this.closed) return;
    this.pendingAnalysis = this.decide.begin({
      runId,
      prompt: request.prompt,
      models: request.models,
      promptText: request.promptText,
      fileReference: request.reference,
      results,
    });
  }

  /** Runs one column again, in place, skipping the answer cache. */
  async retry(index: number): Promise<RunResult | undefined> {
    const column = this.state.columns[index];
    if (!column || !this.lastRequest || column.status === 'streaming') return undefined;
    // Stop aborts the run's controller for good: a retry after it needs a fresh one.
    if (!this.controller || this.controller.signal.aborted) this.controller = new AbortController();
    const controller = this.controller;
    const runId = this.state.runId;
    Object.assign(column, withNotes(newColumn(index, column.modelId, column.repeat), this.lastRequest.prompt));
    this.live.delete(index);
    if (!this.state.running) this.startedAt = Date.now();
    this.state.running = true;
    this.post({ type: 'state', state: this.state });
    const config = this.services.config.value;
    try {
      const summary = await this.services.run(this.lastRequest.prompt, [column.modelId], {
        concurrency: 1,
        signal: controller.signal,
        bypassCache: true,
        onProgress: (e) => {
          if (this.state.runId === runId) this.onProgress({ ...e, index });
        },
        perProviderConcurrency: config.perProviderConcurrency,
      });
      if (this.state.runId === runId) {
        const latest = this.results(summary.results[0], index);
        this.state.summary = summarize(latest, this.state.summary.wallMs ?? summary.wallMs, this.callsPerDay());
        if (!this.state.columns.some((c) => c.status === 'queued' || c.status === 'streaming')) this.analyse(runId, latest);
      }
      return summary.results[0];
    } finally {
      if (this.state.runId === runId) {
        this.state.running = this.state.columns.some((c) => c.status === 'queued' || c.status === 'streaming');
        this.flush();
        if (!this.state.running) this.persist();
      }
    }
  }

  /** Keeps the finished run for a revived panel (plain data: answers and figures, never a key; the prompt only if allowed). */
  private persist(): void {
    const keepPrompt = this.services.config.value.history.includePrompts;
    void this.services.context.workspaceState.update(LAST_STATE_KEY, { state: keepPrompt ? this.state : { ...this.state, promptPreview: '' } });
  }

  private onProgress(e: RunProgress): void {
    const column = this.state.columns[e.index];
    if (!column) return;
    switch (e.type) {
      case 'started':
        this.live.set(e.index, { startedAt: Date.now(), firstTokenAt: null, raw: 0, uncounted: '' });
        this.patch(e.index, { status: 'streaming' });
        break;
      case 'text': {
        column.output += e.text;
        const live = this.live.get(e.index);
        if (live) live.uncounted += e.text;
        // TTFT as soon as the first text arrives (the runner's exact figure replaces it at the end).
        if (live && live.firstTokenAt === null && e.text) {
          live.firstTokenAt = Date.now();
          this.patch(e.index, { ttftMs: live.firstTokenAt - live.startedAt }, e.text);
        } else {
          this.patch(e.index, {}, e.text);
        }
        break;
      }
      case 'finished':
        this.finished[e.index] = e.result;
        this.live.delete(e.index);
        this.patch(e.index, resultFields(e.result));
        break;
    }
  }

  /** The latest result of every column, with one replaced. */
  private results(replacement: RunResult, index: number): RunResult[] {
    this.finished[index] = replacement;
    return this.finished.filter((r): r is RunResult => !!r);
  }

  private patch(index: number, set: ColumnPatch['set'], append?: string): void {
    const column = this.state.columns[index];
    Object.assign(column, set);
    const p = this.pending.get(index) ?? { index };
    if (set && Object.keys(set).length) p.set = { ...p.set, ...set };
    if (append) p.append = (p.append ?? '') + append;
    this.pending.set(index, p);
    // Within FLUSH_MS of the first change: replaces the slow tick, never postpones a pending flush.
    if (!this.closed && !this.flushSoon) {
      clearTimeout(this.flushTimer);
      this.flushSoon = true;
      this.flushTimer = setTimeout(() => this.flush(), FLUSH_MS);
    }
  }

  private flush(): void {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    this.flushSoon = false;
    if (this.closed) return;
    const now = Date.now();
    const elapsed = now - this.startedAt;
    for (const c of this.state.columns) {
      if (c.status === 'streaming' || c.status === 'queued') {
        c.elapsedMs = elapsed;
        const p = this.pending.get(c.index) ?? { index: c.index };
        p.set = { ...p.set, elapsedMs: elapsed, ...this.liveFigures(c, now) };
        this.pending.set(c.index, p);
      }
    }
    const patches = [...this.pending.values()];
    this.pending.clear();
    const analysis = this.pendingAnalysis;
    this.pendingAnalysis = undefined;
    this.post({
      type: 'patch',
      runId: this.state.runId,
      patches,
      running: this.state.running,
      ...(this.state.running ? {} : { summary: this.state.summary }),
      ...(analysis ? { analysis } : {}),
    });
    if (this.state.running) this.flushTimer = setTimeout(() => this.flush(), TICK_MS);
  }

  /**
   * ≈ output tokens and tok/s of a streaming column so far, counted here with the model's local
   * tokenizer when it is loaded (never waited for: without it the figures wait for the next flush).
   * Only the text that arrived since the last flush is counted.
   */
  private liveFigures(c: ColumnState, now: number): Partial<ColumnState> {
    const live = this.live.get(c.index);
    if (!live || c.status !== 'streaming' || !live.uncounted) return {};
    const tokenizer = tokenizerIfLoaded(c.model, c.provider);
    if (!tokenizer) return {};
    live.raw += tokenizer.encoding.count(live.uncounted);
    live.uncounted = '';
    const factor = tokenizer.spec.factor;
    const tokens = factor === 1 ? live.raw : Math.ceil(live.raw * factor);
    const window = live.firstTokenAt === null ? 0 : now - live.firstTokenAt;
    const figures = {
      outputTokens: tokens,
      outputTokensPerSec: window >= MIN_RATE_WINDOW_MS ? (tokens / window) * 1000 : null,
      outputLive: true,
    };
    Object.assign(c, figures);
    return figures;
  }

  /**
   * Sends a message to the webview. Before `ready` only whole states go (VS Code queues them
   * until the page loads); patches would be lost there, and `ready` sends the state anyway.
   */
  private post(message: HostToWebview): void {
    // After the panel closed, `panel.webview` throws: late progress of an aborted run is dropped.
    if (this.closed || (!this.ready && message.type !== 'state')) return;
    testHooks.panelMessages?.(this, message);
    void this.panel.webview.postMessage(message);
  }

  /** A message from the webview (public so the integration tests can act as the webview). */
  async onMessage(m: WebviewToHost): Promise<void> {
    if (this.closed) return;
    switch (m.type) {
      case 'ready':
        this.ready = true;
        // The state already holds every pending change (appends included): sending them again
        // in the next patch would double the text that streamed in the meantime.
        this.pending.clear();
        if (this.state.columns.length) this.post({ type: 'state', state: this.state });
        this.decide.resend();
        break;
      case 'stop':
        this.controller?.abort();
        break;
      case 'rerun':
        if (this.lastRequest) await this.run({ ...this.lastRequest, bypassCache: m.bypassCache });
        else {
          void vscode.window.showInformationMessage(
            'Prompt Profiler keeps the prompt after a reload only with promptProfiler.history.includePrompts on: profile the prompt again to re-run it.',
          );
        }
        break;
      case 'retry':
        await this.retry(m.index);
        break;
      case 'setLimits':
        await this.decide.setLimits(m.requirements);
        break;
      case 'rate':
        await this.decide.rate(m.modelId, m.rating);
        break;
      case 'measurePromptCache':
        await this.decide.measurePromptCache();
        break;
      case 'pinReference': {
        // Only a whole answer of this run: not one still streaming, cut off or failed.
        const col = this.state.columns[m.index];
        if (col?.status === 'done' && col.output.trim()) await this.decide.pinReference(col.output, col.modelId);
        break;
      }
      case 'unpinReference':
        await this.decide.unpinReference();
        break;
      case 'selectModels':
        await vscode.commands.executeCommand(CommandId.SelectModels);
        break;
      case 'exportTable':
        await exportTable(m, this.services.log);
        break;
      case 'copy': {
        const col = this.state.columns[m.index];
        if (col) {
          await vscode.env.clipboard.writeText(col.output);
          void vscode.window.setStatusBarMessage(`Copied the answer of ${col.modelId}.`, 3000);
        }
        break;
      }
    }
  }

  private html(): string {
    return webviewHtml(this.panel.webview, this.services.extensionUri, 'webview.js', 'panel.css');
  }

}

function emptyState(): PanelState {
  return {
    runId: 0,
    promptPreview: '',
    running: false,
    columns: [],
    summary: { cheapest: null, fastest: null, totalSpent: null, wallMs: null },
  };
}

function preview(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > 120 ? `${oneLine.slice(0, 117)}…` : oneLine;
}

/** Starts loading (never awaits) the tokenizers the live output counts need. */
function warmTokenizers(columns: readonly ColumnState[]): void {
  const seen = new Set<string>();
  for (const c of columns) {
    const key = `${c.provider}:${c.model}`;
    if (seen.has(key)) continue;
    seen.add(key);
    if (!tokenizerIfLoaded(c.model, c.provider)) void loadTokenizer(c.model, c.provider).catch(() => undefined);
  }
}

/** VS Code's models get no system role: the column says how its system prompt was sent. */
function withNotes(column: ColumnState, prompt: PromptInput): ColumnState {
  if (isVsCodeModel(column.modelId) && prompt.system) column.notes = [SYSTEM_AS_USER_NOTE];
  return column;
}

function resultFields(r: RunResult): NonNullable<ColumnPatch['set']> {
  const hasUsage = r.usage.inputTokens > 0 || r.usage.outputTokens > 0;
  const editorModel = isVsCodeModel(r.modelId);
  return {
    status: r.ok ? 'done' : r.error?.kind === 'cancelled' ? 'cancelled' : 'error',
    cacheHit: r.cacheHit,
    // A cache hit took its read time and has no model latency.
    elapsedMs: r.cacheHit ? (r.cacheReadMs ?? 0) : r.latencyMs,
    ttftMs: r.ttftMs,
    latencyMs: r.cacheHit ? null : r.latencyMs,
    waits: { queuedMs: r.queuedMs, retryWaitMs: r.retryWaitMs, attempts: r.attempts, cacheReadMs: r.cacheReadMs },
    outputTokensPerSec: r.outputTokensPerSec,
    inputTokens: hasUsage ? r.usage.inputTokens : null,
    outputTokens: hasUsage ? r.usage.outputTokens : null,
    outputLive: false,
    cacheReadTokens: hasUsage ? r.usage.cacheReadTokens : null,
    cacheWriteTokens: hasUsage ? r.usage.cacheWriteTokens : null,
    usageEstimated: r.usage.estimated,
    truncatedAt: r.finishReason === 'length' ? r.usage.outputTokens : null,
    cost: r.cost && {
      total: r.cost.total,
      input: r.cost.input,
      cacheRead: r.cost.cacheRead,
      cacheWrite: r.cost.cacheWrite,
      output: r.cost.output,
      batch: r.cost.batch,
      provenance: r.cost.provenance.detail,
    },
    error: r.error && {
      kind: r.error.kind,
      message: r.error.message,
      ...(editorModel && SELECT_MODELS_HELPS.includes(r.error.kind) ? { action: 'selectModels' as const } : {}),
    },
    tokenSource: editorModel && hasUsage && !r.usage.estimated ? VSCODE_COUNT_METHOD : null,
    finishReason: r.finishReason,
  };
}

export function summarize(results: RunResult[], wallMs: number, callsPerDay?: number): RunSummaryView {
  const done = results.filter((r) => r.ok);
  const priced = done.filter((r) => r.cost);
  const cheapest = priced.reduce<RunResult | undefined>((a, r) => (!a || r.cost!.total < a.cost!.total ? r : a), undefined);
  // Fastest among real calls: an answer-cache hit says nothing about the model's speed.
  const fastest = done
    .filter((r) => !r.cacheHit)
    .reduce<RunResult | undefined>((a, r) => (!a || r.latencyMs < a.latencyMs ? r : a), undefined);
  const spentOn = results.filter((r) => !r.cacheHit && (r.usage.inputTokens > 0 || r.usage.outputTokens > 0));
  const totalSpent = spentOn.some((r) => !r.cost) ? null : spentOn.reduce((s, r) => s + r.cost!.total, 0);
  return {
    cheapest: cheapest ? { modelId: cheapest.modelId, total: cheapest.cost!.total } : null,
    fastest: fastest ? { modelId: fastest.modelId, latencyMs: fastest.latencyMs } : null,
    totalSpent,
    wallMs,
    ...(callsPerDay !== undefined ? { perMonth: { callsPerDay, models: monthlyByModel(done, callsPerDay) } } : {}),
  };
}

/** The monthly projection of the measured cost per call (a cached answer costs what its usage did). */
function monthlyByModel(done: RunResult[], callsPerDay: number): { modelId: string; usd: number | null }[] {
  const ids = [...new Set(done.map((r) => r.modelId))];
  return ids.map((modelId) => {
    const mine = done.filter((r) => r.modelId === modelId);
    const usd = mine.every((r) => r.cost) ? (mine.reduce((s, r) => s + r.cost!.total, 0) / mine.length) * callsPerDay * DAYS_PER_MONTH : null;
    return { modelId, usd };
  });
}
