// One column of the panel: header (model, status, live metrics, cost) and the streamed answer.
// The answer is drawn incrementally (MarkdownStream) when the panel's RenderLoop says so.

import { formatInt, formatMs, formatTokens, formatUsd, waitsSummary } from '../core/format';
import { h, setAttr, setText, show } from './dom';
import { rateFigure } from './figures';
import { MarkdownStream } from './markdownStream';
import { SUBSCRIPTION_PRICE_LABEL, type ColumnState, type ColumnStatus, type ColumnWaits, type CostView, type WebviewToHost } from './protocol';
import type { StreamingView } from './renderLoop';
import { isLive } from './state';

const STATUS: Record<ColumnStatus, { glyph: string; label: string }> = {
  queued: { glyph: '○', label: 'queued' },
  streaming: { glyph: '●', label: 'streaming' },
  done: { glyph: '✓', label: 'done' },
  error: { glyph: '✕', label: 'error' },
  cancelled: { glyph: '■', label: 'cancelled' },
};

export function formatRate(perSec: number | null, estimated = false): string {
  if (perSec === null || !Number.isFinite(perSec)) return '—';
  return `${rateFigure(perSec, estimated)} tok/s`;
}

const LIVE_TITLE = '≈ counted locally while the answer streams; the exact figure replaces it when the column finishes.';

/**
 * The cost cell: "no price" for a finished column without a price, never "$0"; "≈" when the
 * tokens it is priced from were counted locally (e.g. a stream stopped before the usage frame).
 */
export function costText(col: Pick<ColumnState, 'cost' | 'status'> & { usageEstimated?: boolean; provider?: string }): string {
  if (col.cost) return `${col.usageEstimated ? '≈ ' : ''}${formatUsd(col.cost.total)}`;
  if (col.status !== 'done') return '—';
  return col.provider === 'vscode' ? SUBSCRIPTION_PRICE_LABEL : 'no price';
}

export function costTooltip(col: Pick<ColumnState, 'cost' | 'status' | 'cacheHit' | 'modelId'> & { usageEstimated?: boolean; provider?: string }): string {
  const c: CostView | null = col.cost;
  const lines: string[] = [];
  if (c) {
    lines.push(
      `Total: ${formatUsd(c.total)}`,
      `Input (uncached): ${formatUsd(c.input)}`,
      `Cache read: ${formatUsd(c.cacheRead)}`,
      `Cache write: ${formatUsd(c.cacheWrite)}`,
      `Output: ${formatUsd(c.output)}`,
    );
    if (c.batch) lines.push('Batch prices');
    lines.push(`Prices: ${c.provenance}`);
    if (col.usageEstimated) lines.push('≈ Tokens counted locally: the server reported no usage for this answer.');
  } else if (col.status === 'done' && col.provider === 'vscode') {
    lines.push(`${col.modelId} is paid by subscription, not per token: no cost is computed. A price in promptProfiler.prices for this id applies.`);
  } else if (col.status === 'done') {
    lines.push(`No known price for ${col.modelId}: not counted in the total.`);
  } else {
    lines.push('Cost is known when the answer finishes.');
  }
  if (col.cacheHit) lines.push('Answer from the cache: nothing was spent this run.');
  return lines.join('\n');
}

function tokensTooltip(col: ColumnState): string {
  const lines: string[] = [];
  if (col.cacheReadTokens !== null) lines.push(`Cache read: ${formatInt(col.cacheReadTokens)} tokens`);
  if (col.cacheWriteTokens !== null) lines.push(`Cache write: ${formatInt(col.cacheWriteTokens)} tokens`);
  if (col.usageEstimated) lines.push('≈ counted locally: the server reported no usage.');
  else if (col.tokenSource) lines.push(`Counted by ${col.tokenSource} (exact for this model).`);
  return lines.join('\n');
}

function tokens(n: number | null, estimated: boolean): string {
  return n === null ? '—' : formatTokens(n, estimated);
}

function metric(label: string, cls: string): { box: HTMLDivElement; value: HTMLElement } {
  const value = h('dd', { class: `metric-value ${cls}`, text: '—' });
  const box = h('div', { class: `metric metric-${cls}` }, h('dt', { text: label }), value);
  return { box, value };
}

let uid = 0;

export class ColumnView implements StreamingView {
  readonly root: HTMLElement;
  private readonly statusBadge: HTMLElement;
  private readonly statusGlyph: HTMLElement;
  private readonly statusLabel: HTMLElement;
  private readonly cacheBadge: HTMLElement;
  private readonly catchingUpBadge: HTMLElement;
  private readonly elapsedEl: HTMLElement;
  private readonly ttftEl: HTMLElement;
  /** Queue and retry waits (or a cache read), apart from the model's Time and TTFT. */
  private readonly waitsEl = h('p', { class: 'col-waits', attrs: { title: 'Not part of Time or TTFT, which are the model’s on the wire' } });
  private readonly rateEl: HTMLElement;
  private readonly inEl: HTMLElement;
  private readonly outEl: HTMLElement;
  private readonly outBox: HTMLElement;
  private readonly rateBox: HTMLElement;
  private readonly costEl: HTMLElement;
  private readonly costBox: HTMLElement;
  private readonly inBox: HTMLElement;
  private readonly body: HTMLElement;
  private readonly partialEl: HTMLElement;
  private readonly mdEl: HTMLElement;
  private readonly placeholderEl: HTMLElement;
  private readonly errorEl: HTMLElement;
  private readonly errorKindEl: HTMLElement;
  private readonly errorMsgEl: HTMLElement;
  private readonly selectModelsBtn: HTMLButtonElement;
  private readonly notesEl: HTMLElement;
  private readonly copyBtn: HTMLButtonElement;
  private copyTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly pinBtn: HTMLButtonElement;
  /** The text of the reference answer pinned for this prompt (null: none pinned). */
  private pinnedText: string | null = null;

  /** performance.now() when the host last reported elapsedMs. */
  private clockBase = performance.now();
  private readonly stream: MarkdownStream;
  private textDirty = true;
  /** performance.now() since the text has waited to be drawn. */
  private dirtySince = performance.now();
  /** The answer is drawn complete (the column is no longer live). */
  private drawnFinal = false;
  /** measure() found the answer scrolled to its end: it stays there as it grows. */
  private followEnd = false;

  constructor(
    private col: ColumnState,
    private readonly post: (msg: WebviewToHost) => void,
  ) {
    const id = `col-${++uid}`;
    const title = h('h2', { class: 'col-model', text: col.model, attrs: { id: `${id}-title`, title: col.modelId } });
    const sub = h(
      'div',
      { class: 'col-sub' },
      h('span', { class: 'col-provider', text: col.provider }),
      col.repeat > 0 ? h('span', { class: 'col-repeat', text: `run ${col.repeat + 1}` }) : null,
    );
    this.copyBtn = h('button', {
      class: 'btn-secondary btn-small',
      text: 'Copy',
      attrs: { type: 'button', 'aria-label': `Copy the answer of ${col.modelId}${col.repeat > 0 ? ` run ${col.repeat + 1}` : ''}` },
    });
    this.copyBtn.addEventListener('click', () => {
      this.post({ type: 'copy', index: this.col.index });
      this.copyBtn.textContent = 'Copied';
      clearTimeout(this.copyTimer);
      this.copyTimer = setTimeout(() => (this.copyBtn.textContent = 'Copy'), 1200);
    });

    // The judge's reference: this answer pinned (pressed), or pin it; pressing again unpins.
    this.pinBtn = h('button', { class: 'btn-secondary btn-small pin-btn', attrs: { type: 'button' } });
    this.pinBtn.addEventListener('click', () => this.post(this.isPinned ? { type: 'unpinReference' } : { type: 'pinReference', index: this.col.index }));

    this.statusGlyph = h('span', { class: 'status-glyph', attrs: { 'aria-hidden': 'true' } });
    this.statusLabel = h('span', { class: 'status-label' });
    this.statusBadge = h('span', { class: 'badge status' }, this.statusGlyph, this.statusLabel);
    this.cacheBadge = h('span', {
      class: 'badge badge-cache',
      text: 'cache hit',
      attrs: { title: 'Answer served from the answer cache: nothing was spent this run.' },
    });
    this.catchingUpBadge = h('span', {
      class: 'badge badge-catching-up',
      text: 'catching up',
      attrs: { title: 'The answer arrives faster than the panel may draw it without slowing the editor: it shows the newest text, less often.' },
    });
    this.catchingUpBadge.hidden = true;

    const elapsed = metric('Time', 'elapsed');
    const ttft = metric('TTFT', 'ttft');
    const rate = metric('Speed', 'rate');
    const input = metric('Input', 'input');
    const output = metric('Output', 'output');
    const cost = metric('Cost', 'cost');
    ttft.box.title = 'Time to first token';
    this.elapsedEl = elapsed.value;
    this.ttftEl = ttft.value;
    this.rateEl = rate.value;
    this.inEl = input.value;
    this.inBox = input.box;
    this.outEl = output.value;
    this.outBox = output.box;
    this.rateBox = rate.box;
    this.costEl = cost.value;
    this.costBox = cost.box;

    this.partialEl = h('div', { class: 'partial-label', text: 'partial', attrs: { title: 'The answer stopped before the end.' } });
    this.mdEl = h('div', { class: 'markdown' });
    this.stream = new MarkdownStream(this.mdEl);
    this.placeholderEl = h('div', { class: 'placeholder' });
    this.errorKindEl = h('strong', { class: 'error-kind' });
    this.errorMsgEl = h('div', { class: 'error-message' });
    const retry = h('button', {
      class: 'btn-small',
      text: 'Retry',
      attrs: { type: 'button', 'aria-label': `Retry ${col.modelId}` },
    });
    retry.addEventListener('click', () => this.post({ type: 'retry', index: this.col.index }));
    this.selectModelsBtn = h('button', { class: 'btn-small btn-secondary', text: 'Select Models…', attrs: { type: 'button' } });
    this.selectModelsBtn.addEventListener('click', () => this.post({ type: 'selectModels' }));
    this.errorEl = h(
      'div',
      { class: 'col-error', attrs: { role: 'alert' } },
      h('div', { class: 'error-head' }, h('span', { class: 'error-icon', text: '✕', attrs: { 'aria-hidden': 'true' } }), this.errorKindEl),
      this.errorMsgEl,
      h('div', { class: 'error-actions' }, retry, this.selectModelsBtn),
    );
    this.notesEl = h('div', { class: 'col-notes' });
    this.body = h('div', { class: 'col-body', attrs: { tabindex: '0', role: 'group', 'aria-label': `Answer of ${col.modelId}` } }, this.partialEl, this.mdEl, this.placeholderEl, this.errorEl);

    this.root = h(
      'section',
      { class: 'column', attrs: { 'aria-labelledby': `${id}-title`, 'data-index': String(col.index) } },
      h(
        'header',
        { class: 'col-head' },
        h('div', { class: 'col-title-row' }, h('div', { class: 'col-names' }, title, sub), this.pinBtn, this.copyBtn),
        h('div', { class: 'badges' }, this.statusBadge, this.cacheBadge, this.catchingUpBadge),
        h('dl', { class: 'metrics' }, elapsed.box, ttft.box, rate.box, input.box, output.box, cost.box),
        this.notesEl,
        this.waitsEl,
      ),
      this.body,
    );
    this.updateFields(col, true);
    this.render();
  }

  get state(): ColumnState {
    return this.col;
  }

  get index(): number {
    return this.col.index;
  }

  /** Header, badges, error: cheap, done synchronously on every patch. */
  updateFields(col: ColumnState, elapsedReported: boolean): void {
    this.col = col;
    if (elapsedReported) this.clockBase = performance.now();
    const st = STATUS[col.status] ?? { glyph: '?', label: col.status };
    setText(this.statusGlyph, st.glyph);
    const truncated = col.status === 'done' && col.truncatedAt != null;
    setText(this.statusLabel, truncated ? `truncated at ${formatInt(col.truncatedAt!)} tokens` : st.label);
    this.statusBadge.className = `badge status status-${col.status}${truncated ? ' status-truncated' : ''}`;
    setAttr(this.root, 'data-status', col.status);
    show(this.cacheBadge, col.cacheHit);

    this.tick(performance.now());
    setText(this.ttftEl, formatMs(col.ttftMs));
    const waits = waitsText(col.waits);
    setText(this.waitsEl, waits);
    show(this.waitsEl, waits !== '');
    const live = col.outputLive && isLive(col.status);
    setText(this.rateEl, formatRate(col.outputTokensPerSec, live));
    setText(this.inEl, tokens(col.inputTokens, col.usageEstimated));
    setText(this.outEl, tokens(col.outputTokens, col.usageEstimated || live));
    setAttr(this.outBox, 'title', live ? LIVE_TITLE : null);
    setAttr(this.rateBox, 'title', live ? LIVE_TITLE : null);
    setAttr(this.inBox, 'title', tokensTooltip(col) || null);
    setText(this.costEl, costText(col));
    setAttr(this.costBox, 'title', costTooltip(col));
    this.costEl.classList.toggle('priced', col.cost !== null);
    this.costEl.classList.toggle('no-price', col.cost === null && col.status === 'done');

    const failed = col.status === 'error' || col.status === 'cancelled';
    show(this.partialEl, failed && col.output.length > 0);
    this.mdEl.classList.toggle('partial', failed && col.output.length > 0);
    show(this.errorEl, col.status === 'error' && col.error !== null);
    if (col.error) {
      setText(this.errorKindEl, `Error: ${col.error.kind}`);
      setText(this.errorMsgEl, col.error.message);
    }
    show(this.selectModelsBtn, col.error?.action === 'selectModels');
    const notes = [...(col.tokenSource && !col.usageEstimated ? [`Tokens: ${col.tokenSource}`] : []), ...(col.notes ?? [])];
    setText(this.notesEl, notes.join('\n'));
    show(this.notesEl, notes.length > 0);
    this.updatePlaceholder();
    // A column that stopped being live still needs its answer drawn complete (the last blocks).
    if (!isLive(col.status) && !this.drawnFinal) this.markTextDirty();
  }

  /** The output grew: draw it at the render loop's next pass. */
  markTextDirty(): void {
    if (!this.textDirty) this.dirtySince = performance.now();
    this.textDirty = true;
  }

  get needsRender(): boolean {
    return this.textDirty;
  }

  get waitingSince(): number {
    return this.dirtySince;
  }

  measure(): void {
    const b = this.body;
    this.followEnd = isLive(this.col.status) && b.scrollHeight - b.scrollTop - b.clientHeight < 24;
  }

  /** Draws the answer: only its trailing block changes while it streams. */
  render(): void {
    if (!this.textDirty) return;
    const final = !isLive(this.col.status);
    this.stream.update(this.col.output, final);
    this.drawnFinal = final;
    this.textDirty = false;
    this.updatePlaceholder();
    if (final) this.setCatchingUp(false);
  }

  settle(): void {
    if (this.followEnd) this.body.scrollTop = this.body.scrollHeight;
    this.followEnd = false;
  }

  setCatchingUp(on: boolean): void {
    show(this.catchingUpBadge, on && isLive(this.col.status));
  }

  /** Live elapsed time: the host's last figure plus the local clock while queued/streaming. */
  tick(now: number): void {
    const c = this.col;
    const ms = isLive(c.status) ? c.elapsedMs + Math.max(0, now - this.clockBase) : (c.latencyMs ?? c.elapsedMs);
    setText(this.elapsedEl, formatMs(ms));
  }

  get scrollTop(): number {
    return this.body.scrollTop;
  }

  set scrollTop(v: number) {
    this.body.scrollTop = v;
  }

  /** The pinned reference changed (or the analysis arrived): the pin button follows. */
  setPinned(text: string | null): void {
    this.pinnedText = text;
    this.updatePinButton();
  }

  private get isPinned(): boolean {
    return this.pinnedText !== null && this.col.status === 'done' && this.col.output === this.pinnedText;
  }

  private updatePinButton(): void {
    const c = this.col;
    const pinned = this.isPinned;
    const who = `${c.modelId}${c.repeat > 0 ? ` run ${c.repeat + 1}` : ''}`;
    setText(this.pinBtn, pinned ? 'Reference ✓' : 'Pin');
    this.pinBtn.classList.toggle('pressed', pinned);
    this.pinBtn.setAttribute('aria-pressed', String(pinned));
    this.pinBtn.setAttribute('aria-label', pinned ? `Unpin the answer of ${who} as the judge's reference` : `Pin the answer of ${who} as the judge's reference`);
    this.pinBtn.title = pinned
      ? 'The judge grades every answer against this one. Click to unpin.'
      : 'Pin this answer as the reference the judge grades every answer against (the judge grades again).';
    // Only a whole answer can be the reference.
    this.pinBtn.disabled = !(c.status === 'done' && c.output.trim());
  }

  private updatePlaceholder(): void {
    const c = this.col;
    this.copyBtn.disabled = !c.output;
    this.updatePinButton();
    let text = '';
    if (!c.output) {
      if (c.status === 'queued') text = 'Queued…';
      else if (c.status === 'streaming') text = 'Waiting for the first token…';
      else if (c.status === 'done') text = '(empty answer)';
      else if (c.status === 'cancelled') text = 'Stopped before any output.';
    }
    setText(this.placeholderEl, text);
    show(this.placeholderEl, text !== '');
  }

  dispose(): void {
    clearTimeout(this.copyTimer);
    this.root.remove();
  }
}

function waitsText(w: ColumnWaits | null | undefined): string {
  return w ? waitsSummary(w) : '';
}
