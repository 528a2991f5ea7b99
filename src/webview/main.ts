// The profile panel (browser side). Draws the last PanelState, applies the host's batched
// patches, ticks elapsed times locally and keeps the state in `vscode.setState` for reloads.
// Below the answers, the Decide section (src/webview/decide) once the host has analysed a run.

import { formatMs, formatUsd } from '../core/format';
import { ColumnView } from './columns';
import { CompareView } from './compare/table';
import { DecideView } from './decide/decideView';
import { h, setText, show } from './dom';
import { RenderLoop } from './renderLoop';
import { SUBSCRIPTION_PRICE_LABEL, type AnalysisView, type HostToWebview, type PanelState, type PersistedWebviewState, type RunSummaryView, type WebviewToHost } from './protocol';
import { applyMessage, isLive, restoredCompare, restoredState, restoredDecide } from './state';

interface VsCodeApi {
  postMessage(message: WebviewToHost): void;
  getState(): unknown;
  setState(state: PersistedWebviewState): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const PERSIST_EVERY_MS = 1000;
const TICK_MS = 100;

class Panel {
  private state: PanelState | undefined;
  private readonly views = new Map<number, ColumnView>();
  private ticker: ReturnType<typeof setInterval> | undefined;
  private persistTimer: ReturnType<typeof setTimeout> | undefined;
  private stopRequested = false;

  private readonly runLabel = h('span', { class: 'run-label' });
  private readonly preview = h('span', { class: 'prompt-preview' });
  private readonly stopBtn = h('button', { class: 'btn-stop', text: 'Stop', attrs: { type: 'button', title: 'Stop every request of this run' } });
  private readonly rerunBtn = h('button', { text: 'Re-run', attrs: { type: 'button', title: 'Run the same prompt again (answer cache allowed)' } });
  private readonly rerunFreshBtn = h('button', {
    class: 'btn-secondary',
    text: 'Re-run without cache',
    attrs: { type: 'button', title: 'Run the same prompt again, bypassing the answer cache' },
  });
  private readonly decideBtn = h('button', {
    class: 'btn-secondary btn-decide',
    text: 'Decide ↓',
    attrs: { type: 'button', title: 'Go to the Decide section: the options of this prompt, the frontier and a recommendation' },
  });
  private readonly sumCheapest = h('span', { class: 'sum-value' });
  private readonly sumFastest = h('span', { class: 'sum-value' });
  private readonly sumSpent = h('span', { class: 'sum-value' });
  private readonly sumWall = h('span', { class: 'sum-value' });
  private readonly sumMonthLabel = h('span', { class: 'sum-label', text: 'Per month' });
  private readonly sumMonth = h('span', { class: 'sum-value' });
  private readonly summary = h(
    'section',
    { class: 'summary', attrs: { 'aria-live': 'polite', 'aria-label': 'Run summary' } },
    h('div', { class: 'sum-item sum-cheapest' }, h('span', { class: 'sum-label', text: 'Cheapest' }), this.sumCheapest),
    h('div', { class: 'sum-item sum-fastest' }, h('span', { class: 'sum-label', text: 'Fastest' }), this.sumFastest),
    h('div', { class: 'sum-item sum-spent' }, h('span', { class: 'sum-label', text: 'Spent this run' }), this.sumSpent),
    h('div', { class: 'sum-item sum-wall' }, h('span', { class: 'sum-label', text: 'Wall time' }), this.sumWall),
    h('div', { class: 'sum-item sum-month' }, this.sumMonthLabel, this.sumMonth),
  );
  private readonly columnsEl = h('main', { class: 'columns', attrs: { 'aria-label': 'Answers' } });
  private readonly emptyEl = h('div', { class: 'empty', text: 'Waiting for a run…' });
  private readonly decide: DecideView;
  /** The comparison table above the answers (focus and diff of two answers, exports). */
  private readonly compare: CompareView;
  /** Draws the streamed answers within one budget for the whole panel. */
  private readonly renderLoop = new RenderLoop(
    () => this.views.values(),
    () => void this.columnsEl.offsetHeight,
  );

  constructor(
    root: HTMLElement,
    private readonly vscode: VsCodeApi,
  ) {
    const toolbar = h(
      'header',
      { class: 'toolbar' },
      h('div', { class: 'title' }, h('h1', { text: 'Prompt Profiler' }), this.runLabel, this.preview),
      h('div', { class: 'actions', attrs: { role: 'toolbar', 'aria-label': 'Run actions' } }, this.stopBtn, this.rerunBtn, this.rerunFreshBtn, this.decideBtn),
    );
    this.decide = new DecideView((m) => this.post(m));
    this.compare = new CompareView((m) => this.post(m), { focus: (f) => this.applyFocus(f), changed: () => this.persistSoon() });
    root.replaceChildren(toolbar, this.summary, this.compare.root, this.columnsEl, this.emptyEl, this.decide.root);
    // VS Code swaps the body's theme class (and the CSS variables) when the theme changes.
    new MutationObserver(() => this.decide.retheme()).observe(document.body, { attributes: true, attributeFilter: ['class'] });
    this.stopBtn.addEventListener('click', () => {
      this.stopRequested = true;
      this.post({ type: 'stop' });
      this.updateToolbar();
    });
    this.rerunBtn.addEventListener('click', () => this.post({ type: 'rerun', bypassCache: false }));
    this.decideBtn.addEventListener('click', () => {
      this.decide.root.scrollIntoView({ block: 'start' });
      this.decide.root.focus({ preventScroll: true });
    });
    this.rerunFreshBtn.addEventListener('click', () => this.post({ type: 'rerun', bypassCache: true }));
    window.addEventListener('message', (e: MessageEvent<unknown>) => this.onMessage(e.data));
    window.addEventListener('pagehide', () => this.persistNow());
    this.updateToolbar();
    this.updateSummary();
  }

  /** Draw what `getState()` kept (window reload), then tell the host we are ready. */
  start(): void {
    const raw = this.vscode.getState();
    const saved = restoredState(raw);
    this.compare.restore(restoredCompare(raw));
    if (saved) this.redraw(saved);
    const decide = restoredDecide(raw);
    if (decide.requirements) this.decide.setLimits(decide.requirements);
    if (saved && decide.analysis?.runId === saved.runId) this.showAnalysis(decide.analysis);
    this.syncDecideButton();
    this.post({ type: 'ready' });
  }

  private post(msg: WebviewToHost): void {
    this.vscode.postMessage(msg);
  }

  private onMessage(data: unknown): void {
    if (!data || typeof data !== 'object') return;
    const msg = data as HostToWebview;
    if (msg.type === 'analysis') {
      if (this.state && msg.analysis.runId === this.state.runId) {
        this.showAnalysis(msg.analysis);
        this.syncDecideButton();
        this.persistNow();
      }
      return;
    }
    if (msg.type === 'limits') {
      this.decide.setLimits(msg.requirements);
      this.persistSoon();
      return;
    }
    if (msg.type !== 'state' && msg.type !== 'patch') return;
    const applied = applyMessage(this.state, msg);
    if (applied.kind === 'ignored') return;
    if (applied.kind === 'redraw') {
      this.redraw(applied.state);
      this.persistNow();
      return;
    }
    for (const ch of applied.columns) {
      const view = this.views.get(ch.index);
      if (!view) continue;
      if (ch.text) view.markTextDirty();
      if (ch.fields) view.updateFields(view.state, ch.elapsed);
    }
    if (applied.columns.length || applied.running) this.compare.invalidate();
    if (applied.running) {
      if (!applied.state.running) this.stopRequested = false;
      this.updateToolbar();
    }
    if (applied.summary) this.updateSummary();
    if (msg.type === 'patch' && msg.analysis && msg.analysis.runId === applied.state.runId) {
      this.showAnalysis(msg.analysis);
      this.syncDecideButton();
    }
    this.scheduleFrame();
    this.syncTicker();
    if (applied.running && !applied.state.running) this.persistNow();
    else this.persistSoon();
  }

  /** The Decide section, and the columns' pin buttons, for an analysis of the current run. */
  private showAnalysis(analysis: AnalysisView): void {
    this.decide.setAnalysis(analysis);
    this.compare.setAnalysis(analysis);
    this.syncPins();
  }

  /** Marks the column whose answer is the pinned reference (none after a new run, until its analysis). */
  private syncPins(): void {
    const ref = this.decide.currentAnalysis?.reference;
    const text = ref?.source === 'pinned' ? ref.text : null;
    for (const v of this.views.values()) v.setPinned(text);
  }

  /** The toolbar's "Decide ↓" shows while there is a Decide section to go to. */
  private syncDecideButton(): void {
    show(this.decideBtn, !this.decide.root.hidden);
  }

  private redraw(state: PanelState): void {
    const sameRun = this.state?.runId === state.runId;
    if (!sameRun) this.stopRequested = false;
    // A new state for the same run (e.g. after a retry) keeps where each column was scrolled.
    const scroll = new Map<number, number>();
    if (sameRun) for (const [i, v] of this.views) scroll.set(i, v.scrollTop);
    const columnsScroll = sameRun ? this.columnsEl.scrollLeft : 0;
    this.state = state;
    this.decide.forRun(state.runId);
    this.syncDecideButton();
    for (const v of this.views.values()) v.dispose();
    this.views.clear();
    const post = (m: WebviewToHost) => this.post(m);
    for (const col of state.columns) {
      const view = new ColumnView(col, post);
      this.views.set(col.index, view);
      this.columnsEl.append(view.root);
      const top = scroll.get(col.index);
      if (top) view.scrollTop = top;
    }
    this.columnsEl.scrollLeft = columnsScroll;
    this.compare.setRun(state);
    this.syncPins();
    show(this.emptyEl, state.columns.length === 0);
    setText(this.emptyEl, 'No models in this run.');
    setText(this.runLabel, `run ${state.runId}`);
    setText(this.preview, state.promptPreview);
    this.preview.title = state.promptPreview;
    this.updateToolbar();
    this.updateSummary();
    this.syncTicker();
  }

  private updateToolbar(): void {
    const running = this.state?.running ?? false;
    this.stopBtn.disabled = !running || this.stopRequested;
    setText(this.stopBtn, this.stopRequested && running ? 'Stopping…' : 'Stop');
    this.rerunBtn.disabled = running || !this.state;
    this.rerunFreshBtn.disabled = running || !this.state;
    document.body.classList.toggle('running', running);
  }

  private updateSummary(): void {
    const s: RunSummaryView | undefined = this.state?.summary;
    show(this.summary, !!s);
    if (!s) return;
    setModelFigure(this.sumCheapest, s.cheapest && { modelId: s.cheapest.modelId, figure: formatUsd(s.cheapest.total) });
    setModelFigure(this.sumFastest, s.fastest && { modelId: s.fastest.modelId, figure: formatMs(s.fastest.latencyMs) });
    // The host sends null both before anything finished and when a finished model has no price:
    // only the latter is "no price" (while a run streams, nothing is known yet).
    const unpriced = s.totalSpent === null && (this.state?.columns ?? []).some((c) => c.status === 'done' && c.cost === null);
    // Priced from locally counted tokens (a stream stopped before its usage frame): an estimate.
    const estimated = (this.state?.columns ?? []).some((c) => c.cost !== null && c.usageEstimated && !c.cacheHit);
    const spent = s.totalSpent !== null ? `${estimated ? '≈ ' : ''}${formatUsd(s.totalSpent)}` : unpriced ? 'no price for some models' : '—';
    setText(this.sumSpent, spent);
    this.sumSpent.classList.toggle('muted', s.totalSpent === null);
    this.sumSpent.title =
      s.totalSpent !== null
        ? `Answer-cache hits cost nothing.${estimated ? ' ≈: some tokens were counted locally.' : ''}`
        : unpriced
          ? 'A finished model has no known price, so the total is unknown.'
          : 'Known when the answers finish.';
    setText(this.sumWall, formatMs(s.wallMs));
    const month = s.perMonth;
    show(this.sumMonth.parentElement!, !!month?.models.length);
    if (month) {
      setText(this.sumMonthLabel, `Per month at ${month.callsPerDay.toLocaleString('en-US')} calls/day`);
      setText(this.sumMonth, month.models.map((m) => `${m.modelId} · ${m.usd === null && m.modelId.startsWith('vscode:') ? SUBSCRIPTION_PRICE_LABEL : formatUsd(m.usd)}`).join('   '));
    }
  }

  /** Answers are drawn by the render loop, at most once per animation frame. */
  private scheduleFrame(): void {
    this.renderLoop.schedule();
  }

  /** A 10 Hz clock for elapsed times, only while some column is queued or streaming. */
  private syncTicker(): void {
    const live = [...this.views.values()].some((v) => isLive(v.state.status));
    if (live && !this.ticker) {
      this.ticker = setInterval(() => {
        const now = performance.now();
        for (const v of this.views.values()) v.tick(now);
      }, TICK_MS);
    } else if (!live && this.ticker) {
      clearInterval(this.ticker);
      this.ticker = undefined;
      const now = performance.now();
      for (const v of this.views.values()) v.tick(now);
    }
  }

  private persistSoon(): void {
    if (this.persistTimer) return;
    this.persistTimer = setTimeout(() => this.persistNow(), PERSIST_EVERY_MS);
  }

  private persistNow(): void {
    clearTimeout(this.persistTimer);
    this.persistTimer = undefined;
    if (this.state) {
      this.vscode.setState({ state: this.state, analysis: this.decide.currentAnalysis, requirements: this.decide.currentLimits, compare: this.compare.viewState });
    }
  }

  /** Focus on two answers: only A and B show, A on the left (the comparison's "Focus A & B"). */
  private applyFocus(focus: [number, number] | null): void {
    this.columnsEl.classList.toggle('focused', !!focus);
    for (const [i, v] of this.views) {
      v.root.classList.toggle('focus-out', !!focus && !focus.includes(i));
      v.root.classList.toggle('focus-a', focus?.[0] === i);
      v.root.classList.toggle('focus-b', focus?.[1] === i);
    }
  }
}

/**
 * "openai:gpt-4o-mini · $0.0031" as two unbreakable parts, so a narrow panel wraps it between the
 * model and its figure, never inside either.
 */
function setModelFigure(el: HTMLElement, v: { modelId: string; figure: string } | null): void {
  const text = v ? `${v.modelId} · ${v.figure}` : '—';
  if (el.textContent === text) return;
  if (!v) el.textContent = text;
  else el.replaceChildren(h('span', { class: 'nowrap', text: `${v.modelId} ·` }), ' ', h('span', { class: 'nowrap', text: v.figure }));
}

function main(): void {
  const root = document.getElementById('app') ?? document.body.appendChild(document.createElement('div'));
  new Panel(root, acquireVsCodeApi()).start();
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', main);
else main();
