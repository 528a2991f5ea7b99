// The comparison section above the answers: one row per model with the run's figures, sortable
// by any column, the best value of each column marked (★ and words, not colour alone), failures
// and truncations in the row; two answers chosen as A and B can be focused side by side or
// diffed word by word; the table exports as Markdown or CSV through the host. In a narrow panel
// (a sidebar) the rows become stacked cards. Redrawn at most once per animation frame, so it
// stays live while the answers stream.

import { h, setAttr, setText, show } from '../dom';
import type { AnalysisView, ColumnState, CompareViewState, PanelState, WebviewToHost } from '../protocol';
import { renderDiff, wordDiff } from './diff';
import { toCsv, toMarkdown } from './export';
import { FIELDS, isBestKey, runsText, statusTitle, type Field } from './fields';
import { bestValues, compareRows, firstDir, sortRows, type CompareRow, type SortKey } from './rows';

/** Below this panel width the rows are stacked cards (a sidebar-width panel). */
export const NARROW_QUERY = '(max-width: 560px)';

function answerLabel(c: ColumnState): string {
  return `${c.modelId}${c.repeat > 0 ? ` run ${c.repeat + 1}` : ''}`;
}

/**
 * While a run streams, the table is rebuilt at most this often: every patch (≈ 30 a second with
 * five models) rebuilt it and laid the page out again, outside the panel's render budget, while
 * its live figures move at the host's tick.
 */
const LIVE_REDRAW_MS = 250;

export class CompareView {
  readonly root: HTMLElement;
  private runState: PanelState | undefined;
  private analysis: AnalysisView | undefined;
  private view: CompareViewState = { sort: null, a: null, b: null, focus: false, diff: false };
  private frame = 0;
  private liveTimer: ReturnType<typeof setTimeout> | undefined;
  private lastRender = -Infinity;
  private readonly narrowQuery = window.matchMedia(NARROW_QUERY);

  private readonly note = h('span', { class: 'compare-note', attrs: { 'aria-live': 'polite' } });
  private readonly selectA = h('select', { class: 'compare-select', attrs: { id: 'compare-a' } });
  private readonly selectB = h('select', { class: 'compare-select', attrs: { id: 'compare-b' } });
  private readonly focusBtn = h('button', {
    class: 'btn-secondary btn-small btn-focus',
    text: 'Focus A & B',
    attrs: { type: 'button', 'aria-pressed': 'false', title: 'Show only answers A and B, side by side' },
  });
  private readonly diffBtn = h('button', {
    class: 'btn-secondary btn-small btn-diff',
    text: 'Diff A → B',
    attrs: { type: 'button', 'aria-pressed': 'false', title: 'Word-level diff of answer A against answer B' },
  });
  private readonly mdBtn = h('button', {
    class: 'btn-secondary btn-small btn-export-md',
    text: 'Copy Markdown',
    attrs: { type: 'button', title: 'Copy the table as Markdown (for a pull request), in its current order' },
  });
  private readonly csvBtn = h('button', {
    class: 'btn-secondary btn-small btn-export-csv',
    text: 'Save CSV…',
    attrs: { type: 'button', title: 'Save the table as CSV (raw numbers; text guarded against spreadsheet formulas)' },
  });
  private readonly headRow = h('tr');
  private readonly headCells = new Map<SortKey, { th: HTMLTableCellElement; glyph: HTMLElement }>();
  private readonly body = h('tbody');
  private readonly tableWrap: HTMLElement;
  private readonly cards = h('ul', { class: 'compare-cards', attrs: { 'aria-label': 'Models compared' } });
  private readonly diffTitle = h('h3', { class: 'diff-title', attrs: { id: 'diff-title' } });
  private readonly diffLegend = h('p', { class: 'diff-legend' });
  private readonly diffBody = h('div', { class: 'diff-body', attrs: { tabindex: '0', role: 'group', 'aria-labelledby': 'diff-title' } });
  private readonly diffEl: HTMLElement;
  private diffKey = '';

  constructor(
    private readonly post: (m: WebviewToHost) => void,
    private readonly hooks: {
      /** Called with the indexes of A and B while focused (else null): the panel hides the other answers. */
      focus(indexes: [number, number] | null): void;
      /** The sort, A, B, focus or diff changed: worth saving. */
      changed(): void;
    },
  ) {
    for (const f of FIELDS) {
      const glyph = h('span', { class: 'sort-glyph', attrs: { 'aria-hidden': 'true' } });
      const btn = h('button', { class: 'sort-btn', attrs: { type: 'button', title: `${f.title}. Sort by this column.` } }, h('span', { text: f.label }), glyph);
      btn.addEventListener('click', () => this.sortBy(f.key));
      const th = h('th', { class: `head-${f.key}${f.numeric ? ' num' : ''}`, attrs: { scope: 'col', 'aria-sort': 'none', 'data-key': f.key } }, btn);
      this.headCells.set(f.key, { th, glyph });
      this.headRow.append(th);
    }
    const table = h(
      'table',
      { class: 'compare-table' },
      h('caption', {
        class: 'sr-only',
        text: 'Figures per model. Each column header is a button that sorts by it; ★ best marks the best value of a column.',
      }),
      h('thead', {}, this.headRow),
      this.body,
    );
    // Wide tables scroll sideways inside this box (the model names stay pinned on the left).
    this.tableWrap = h('div', { class: 'compare-scroll', attrs: { tabindex: '0', role: 'region', 'aria-label': 'Comparison table' } }, table);
    this.diffEl = h('section', { class: 'diff-view', attrs: { 'aria-labelledby': 'diff-title' } }, this.diffTitle, this.diffLegend, this.diffBody);

    const pick = (label: string, select: HTMLSelectElement) =>
      h('label', { class: 'compare-pick' }, h('span', { class: 'compare-pick-label', text: label }), select);
    this.root = h(
      'section',
      { class: 'compare', attrs: { 'aria-labelledby': 'compare-title' } },
      h(
        'div',
        { class: 'compare-head' },
        h('h2', { class: 'compare-title', text: 'Compare', attrs: { id: 'compare-title' } }),
        this.note,
        h(
          'div',
          { class: 'compare-actions', attrs: { role: 'toolbar', 'aria-label': 'Compare answers and export' } },
          pick('A', this.selectA),
          pick('B', this.selectB),
          this.focusBtn,
          this.diffBtn,
          this.mdBtn,
          this.csvBtn,
        ),
      ),
      this.tableWrap,
      this.cards,
      this.diffEl,
    );
    this.root.hidden = true;
    this.selectA.setAttribute('aria-label', 'Answer A');
    this.selectB.setAttribute('aria-label', 'Answer B');
    this.selectA.addEventListener('change', () => this.choose('a', Number(this.selectA.value)));
    this.selectB.addEventListener('change', () => this.choose('b', Number(this.selectB.value)));
    this.focusBtn.addEventListener('click', () => {
      this.view.focus = !this.view.focus;
      this.renderNow();
      this.hooks.changed();
    });
    this.diffBtn.addEventListener('click', () => {
      this.view.diff = !this.view.diff;
      this.renderNow();
      this.hooks.changed();
      if (this.view.diff) this.diffEl.scrollIntoView({ block: 'nearest' });
    });
    this.mdBtn.addEventListener('click', () => this.post({ type: 'exportTable', format: 'markdown', action: 'copy', content: this.markdown() }));
    this.csvBtn.addEventListener('click', () => this.post({ type: 'exportTable', format: 'csv', action: 'save', content: this.csv() }));
    this.narrowQuery.addEventListener('change', () => this.renderNow());
  }

  get viewState(): CompareViewState {
    return { ...this.view, sort: this.view.sort && { ...this.view.sort } };
  }

  /** The saved view (before the first state is drawn after a reload). */
  restore(saved: CompareViewState | undefined): void {
    if (saved) this.view = { ...saved };
  }

  /**
   * A whole state. A new run shows every answer again, with A and B on its first two models (the
   * sort stays); the same run, or the first state after a reload, keeps the saved view.
   */
  setRun(state: PanelState): void {
    const newRun = this.runState !== undefined && this.runState.runId !== state.runId;
    this.runState = state;
    if (this.analysis && this.analysis.runId !== state.runId) this.analysis = undefined;
    const has = (i: number | null) => i !== null && state.columns.some((c) => c.index === i);
    if (newRun) this.view = { ...this.view, focus: false, diff: false };
    if (newRun || !has(this.view.a) || !has(this.view.b)) this.pickDefaults(state.columns);
    this.renderNow();
  }

  setAnalysis(analysis: AnalysisView): void {
    this.analysis = analysis;
    this.invalidate();
  }

  /** The run's figures changed (a patch): redraw in the next frame (while running, LIVE_REDRAW_MS after the last). */
  invalidate(): void {
    const running = !!this.runState?.running;
    // The run ended: its final figures go in the next frame, not at the live pace.
    if (!running && this.liveTimer) {
      clearTimeout(this.liveTimer);
      this.liveTimer = undefined;
    }
    if (this.frame || this.liveTimer) return;
    const wait = running ? this.lastRender + LIVE_REDRAW_MS - performance.now() : 0;
    if (wait > 0) {
      this.liveTimer = setTimeout(() => {
        this.liveTimer = undefined;
        this.invalidate();
      }, wait);
      return;
    }
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.render();
    });
  }

  /** The rows in the table's current order. */
  rows(): CompareRow[] {
    const columns = this.runState?.columns ?? [];
    return sortRows(compareRows(columns, this.analysis?.models), this.view.sort);
  }

  markdown(): string {
    return toMarkdown(this.rows(), this.runState?.promptPreview);
  }

  csv(): string {
    return toCsv(this.rows());
  }

  private renderNow(): void {
    cancelAnimationFrame(this.frame);
    this.frame = 0;
    clearTimeout(this.liveTimer);
    this.liveTimer = undefined;
    this.render();
  }

  private pickDefaults(columns: readonly ColumnState[]): void {
    const first = columns[0];
    const other = columns.find((c) => first && c.modelId !== first.modelId) ?? columns[1];
    this.view.a = first?.index ?? null;
    this.view.b = other?.index ?? null;
  }

  private choose(which: 'a' | 'b', index: number): void {
    this.view[which] = Number.isInteger(index) ? index : null;
    this.renderNow();
    this.hooks.changed();
  }

  private sortBy(key: SortKey): void {
    const cur = this.view.sort;
    const dir = cur?.key === key ? (cur.dir === 'asc' ? 'desc' : 'asc') : firstDir(key);
    this.view.sort = { key, dir };
    this.renderNow();
    this.hooks.changed();
  }

  private render(): void {
    this.lastRender = performance.now();
    const state = this.runState;
    const columns = state?.columns ?? [];
    show(this.root, columns.length > 0);
    if (!state || !columns.length) {
      this.hooks.focus(null);
      return;
    }
    const rows = this.rows();
    const best = bestValues(rows);
    const narrow = this.narrowQuery.matches;
    this.root.classList.toggle('narrow', narrow);
    show(this.tableWrap, !narrow);
    show(this.cards, narrow);
    if (narrow) this.renderCards(rows, best);
    else this.renderTable(rows, best);

    const sort = this.view.sort;
    const sortField = sort && FIELDS.find((f) => f.key === sort.key);
    setText(
      this.note,
      `${rows.length} model${rows.length === 1 ? '' : 's'}${sortField ? ` · sorted by ${sortField.label}, ${sort.dir === 'asc' ? 'lowest' : 'highest'} first` : ''}`,
    );
    for (const [key, { th, glyph }] of this.headCells) {
      const on = sort?.key === key;
      th.setAttribute('aria-sort', on ? (sort.dir === 'asc' ? 'ascending' : 'descending') : 'none');
      setText(glyph, on ? (sort.dir === 'asc' ? ' ▲' : ' ▼') : '');
    }
    this.renderPicks(columns);
    this.renderFocusAndDiff(columns);
  }

  private cellContent(f: Field, r: CompareRow, best: ReturnType<typeof bestValues>): { nodes: (Node | string)[]; isBest: boolean } {
    const text = f.text(r);
    const isBest = isBestKey(f.key) && best[f.key].has(r.modelId);
    const nodes: (Node | string)[] = isBest
      ? [h('span', { class: 'best-mark', text: '★', attrs: { 'aria-hidden': 'true' } }), h('span', { class: 'sr-only', text: 'best: ' }), text]
      : [text];
    return { nodes, isBest };
  }

  private rowClass(r: CompareRow): string {
    return ['compare-row', r.failed ? 'row-failed' : '', r.cancelled ? 'row-cancelled' : '', r.truncated ? 'row-truncated' : '', r.live ? 'row-live' : '']
      .filter(Boolean)
      .join(' ');
  }

  private renderTable(rows: CompareRow[], best: ReturnType<typeof bestValues>): void {
    const trs = rows.map((r) => {
      const tr = h('tr', { class: this.rowClass(r), attrs: { 'data-model': r.modelId } });
      for (const f of FIELDS) {
        const { nodes, isBest } = this.cellContent(f, r, best);
        const cls = `cell-${f.key}${f.numeric ? ' num' : ''}${isBest ? ' best' : ''}`;
        if (f.key === 'model') {
          const runs = runsText(r);
          // "provider:" may wrap before the model's name: the pinned column stays narrow.
          const colon = r.modelId.indexOf(':') + 1;
          const id = h('span', { class: 'model-id' }, r.modelId.slice(0, colon), document.createElement('wbr'), h('span', { class: 'model-name', text: r.modelId.slice(colon) }));
          tr.append(h('th', { class: cls, attrs: { scope: 'row', 'data-key': f.key, title: r.modelId } }, id, runs ? h('span', { class: 'model-runs', text: runs }) : null));
          continue;
        }
        const td = h('td', { class: cls, attrs: { 'data-key': f.key } }, ...nodes);
        if (f.key === 'status') {
          td.classList.add(r.failed ? 'status-failed' : r.truncated ? 'status-truncated' : r.live ? 'status-live' : 'status-ok');
          setAttr(td, 'title', statusTitle(r) || null);
        }
        tr.append(td);
      }
      return tr;
    });
    this.body.replaceChildren(...trs);
  }

  private renderCards(rows: CompareRow[], best: ReturnType<typeof bestValues>): void {
    const items = rows.map((r) => {
      const dl = h('dl', { class: 'card-figures' });
      for (const f of FIELDS) {
        if (f.key === 'model') continue;
        const { nodes, isBest } = this.cellContent(f, r, best);
        dl.append(
          h(
            'div',
            { class: `card-figure cell-${f.key}${isBest ? ' best' : ''}`, attrs: { 'data-key': f.key } },
            h('dt', { text: f.label, attrs: { title: f.title } }),
            h('dd', f.key === 'status' ? { attrs: { title: statusTitle(r) } } : {}, ...nodes),
          ),
        );
      }
      const runs = runsText(r);
      return h(
        'li',
        { class: `compare-card ${this.rowClass(r)}`, attrs: { 'data-model': r.modelId } },
        h('h3', { class: 'card-model', text: r.modelId }, runs ? h('span', { class: 'model-runs', text: ` ${runs}` }) : null),
        dl,
      );
    });
    this.cards.replaceChildren(...items);
  }

  private renderPicks(columns: readonly ColumnState[]): void {
    for (const [select, value] of [
      [this.selectA, this.view.a],
      [this.selectB, this.view.b],
    ] as const) {
      const labels = columns.map((c) => `${c.index}\u0000${answerLabel(c)}`).join('\u0001');
      if (select.dataset.labels !== labels) {
        select.replaceChildren(...columns.map((c) => h('option', { text: answerLabel(c), attrs: { value: String(c.index) } })));
        select.dataset.labels = labels;
      }
      if (value !== null && select.value !== String(value)) select.value = String(value);
    }
  }

  private renderFocusAndDiff(columns: readonly ColumnState[]): void {
    const a = columns.find((c) => c.index === this.view.a);
    const b = columns.find((c) => c.index === this.view.b);
    const pair = a && b && a !== b;
    this.focusBtn.disabled = !pair;
    this.diffBtn.disabled = !pair;
    const focus = this.view.focus && !!pair;
    const diff = this.view.diff && !!pair;
    this.focusBtn.setAttribute('aria-pressed', String(focus));
    this.diffBtn.setAttribute('aria-pressed', String(diff));
    this.focusBtn.classList.toggle('pressed', focus);
    this.diffBtn.classList.toggle('pressed', diff);
    this.hooks.focus(focus ? [a!.index, b!.index] : null);
    show(this.diffEl, diff);
    if (!diff) {
      this.diffKey = '';
      return;
    }
    // Only when either text changed (an answer still streaming changes it).
    const key = `${a!.index}:${a!.output.length}|${b!.index}:${b!.output.length}`;
    if (key === this.diffKey) return;
    this.diffKey = key;
    const d = wordDiff(a!.output, b!.output);
    setText(this.diffTitle, `Diff: A ${answerLabel(a!)} → B ${answerLabel(b!)}`);
    setText(
      this.diffLegend,
      `${d.deleted} word${d.deleted === 1 ? '' : 's'} only in A (struck through, −) · ${d.inserted} word${d.inserted === 1 ? '' : 's'} only in B (underlined, +)`,
    );
    this.diffBody.replaceChildren(renderDiff(d));
  }
}
