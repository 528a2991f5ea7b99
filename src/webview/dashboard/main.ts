// The monitoring dashboard (browser side): KPI tiles, Chart.js charts and tables over the summary
// the host posts (src/extension/dashboard), a date range control and export buttons. Colours come
// from VS Code's theme variables; charts are redrawn when the theme changes.
import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, Tooltip, type ChartConfiguration, type ChartDataset } from 'chart.js';
import { formatInt, formatMs, formatUsd } from '../../core/format';
import type { HistorySummary, ModelSummary, Percentiles } from '../../core/history/summary';
import { h, setText, show } from '../dom';
import type { DashboardData, DashboardPersistedState, DashboardRange, DashboardToHost, ExportKind, HostToDashboard, RangePreset } from './protocol';
import { RANGE_PRESETS, localDay } from './range';

// Only the pieces used: bar charts with category and linear axes, tooltips and legends.
Chart.register(BarController, BarElement, CategoryScale, LinearScale, Tooltip, Legend);

interface VsCodeApi {
  postMessage(message: DashboardToHost): void;
  getState(): unknown;
  setState(state: DashboardPersistedState): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

type ChartKey = 'latency' | 'ttft' | 'costByDay' | 'costByModel' | 'calls' | 'errors';

interface Theme {
  foreground: string;
  muted: string;
  grid: string;
  font: string;
  /** Series colours, in order. */
  series: string[];
  p50: string;
  p95: string;
  p99: string;
  ok: string;
  cache: string;
  error: string;
}

function cssVar(name: string, fallback: string): string {
  const v = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return v || fallback;
}

function readTheme(): Theme {
  const blue = cssVar('--vscode-charts-blue', '#3794ff');
  const orange = cssVar('--vscode-charts-orange', '#d18616');
  const green = cssVar('--vscode-charts-green', '#89d185');
  const purple = cssVar('--vscode-charts-purple', '#b180d7');
  const yellow = cssVar('--vscode-charts-yellow', '#cca700');
  const red = cssVar('--vscode-charts-red', '#f14c4c');
  return {
    foreground: cssVar('--vscode-foreground', '#cccccc'),
    muted: cssVar('--vscode-descriptionForeground', '#999999'),
    grid: cssVar('--vscode-charts-lines', 'rgba(128, 128, 128, 0.3)'),
    font: cssVar('--vscode-font-family', 'system-ui, sans-serif'),
    series: [blue, orange, green, purple, yellow, red],
    p50: blue,
    p95: yellow,
    p99: red,
    ok: blue,
    cache: green,
    error: red,
  };
}

const pct = (rate: number | null) => (rate === null ? '—' : `${(rate * 100).toFixed(rate > 0 && rate < 0.001 ? 2 : 1)}%`);
const ms = (v: number | null) => formatMs(v);

class Dashboard {
  private data: DashboardData | undefined;
  private range: DashboardRange;
  /** The range kept across a reload of the page (the host's own choice otherwise). */
  private readonly restoredRange: DashboardRange | undefined;
  private theme = readTheme();
  private readonly charts = new Map<ChartKey, Chart>();

  private readonly rangeSelect = h('select', { attrs: { 'aria-label': 'Date range' } });
  private readonly fromInput = h('input', { attrs: { type: 'date', 'aria-label': 'From (inclusive)' } });
  private readonly toInput = h('input', { attrs: { type: 'date', 'aria-label': 'To (inclusive)' } });
  private readonly customRange = h('span', { class: 'custom-range' }, this.fromInput, h('span', { text: '–' }), this.toInput);
  private readonly refreshBtn = h('button', { class: 'btn-secondary', text: 'Refresh', attrs: { type: 'button', title: 'Read the history again' } });
  private readonly exportSelect = h(
    'select',
    { attrs: { 'aria-label': 'What to export' } },
    h('option', { text: 'Per model (CSV)', attrs: { value: 'csv-models' } }),
    h('option', { text: 'Per day (CSV)', attrs: { value: 'csv-days' } }),
    h('option', { text: 'Errors by kind (CSV)', attrs: { value: 'csv-errors' } }),
    h('option', { text: 'Every call (CSV)', attrs: { value: 'csv-calls' } }),
    h('option', { text: 'Summary (JSON)', attrs: { value: 'json' } }),
  );
  private readonly exportBtn = h('button', { text: 'Export…', attrs: { type: 'button', title: 'Save the selected table of this range to a file' } });
  private readonly status = h('div', { class: 'status', attrs: { 'aria-live': 'polite' } });
  private readonly notice = h('div', { class: 'notice' });
  private readonly kpis = h('section', { class: 'kpis', attrs: { 'aria-label': 'Totals' } });
  private readonly empty = h('div', { class: 'empty' });
  private readonly body = h('div', { class: 'dash-body' });
  private readonly canvases = new Map<ChartKey, HTMLCanvasElement>();
  private readonly modelTable = h('table', { class: 'data' });
  private readonly latencyTable = h('table', { class: 'data' });
  private readonly ttftTable = h('table', { class: 'data' });
  private readonly errorsTable = h('table', { class: 'data' });

  constructor(
    root: HTMLElement,
    private readonly vscode: VsCodeApi,
  ) {
    const saved = this.vscode.getState() as DashboardPersistedState | undefined;
    this.restoredRange = saved?.range;
    this.range = saved?.range ?? { preset: '30d' };
    for (const { preset, label } of RANGE_PRESETS) this.rangeSelect.append(h('option', { text: label, attrs: { value: preset } }));

    const toolbar = h(
      'header',
      { class: 'toolbar' },
      h('div', { class: 'title' }, h('h1', { text: 'Prompt Profiler Dashboard' })),
      h(
        'div',
        { class: 'actions', attrs: { role: 'toolbar', 'aria-label': 'Dashboard actions' } },
        h('label', { class: 'range' }, h('span', { text: 'Range' }), this.rangeSelect),
        this.customRange,
        this.refreshBtn,
        h('span', { class: 'sep' }),
        this.exportSelect,
        this.exportBtn,
      ),
    );
    const card = (key: ChartKey, title: string, description: string, ...extra: HTMLElement[]) => {
      const canvas = h('canvas', { attrs: { role: 'img', 'aria-label': description } });
      this.canvases.set(key, canvas);
      return h('section', { class: `card card-${key}` }, h('h2', { text: title }), h('div', { class: 'chart' }, canvas), ...extra.map((t) => h('div', { class: 'table-wrap' }, t)));
    };
    this.body.append(
      h(
        'div',
        { class: 'grid' },
        card('latency', 'Model latency per model', 'The model latency on the wire (queue and retry waits apart) p50, p95 and p99 per model, in milliseconds', this.latencyTable),
        card('ttft', 'Time to first token per model', 'Time to first token p50, p95 and p99 per model, in milliseconds', this.ttftTable),
        card('costByDay', 'Cost by day', 'Cost per day, stacked by model'),
        card('costByModel', 'Cost by model', 'Cost per model'),
        card('calls', 'Calls per model', 'Calls per model: answered by the model, from the answer cache, failed'),
        card('errors', 'Errors by kind', 'Failed calls by kind of error', this.errorsTable),
      ),
      h('section', { class: 'card card-wide' }, h('h2', { text: 'Per model' }), h('div', { class: 'table-wrap' }, this.modelTable)),
    );
    root.replaceChildren(toolbar, this.status, this.notice, this.kpis, this.empty, this.body);

    this.rangeSelect.addEventListener('change', () => {
      const preset = this.rangeSelect.value as RangePreset;
      if (preset === 'custom') {
        const today = localDay(Date.now());
        this.fromInput.value ||= this.data?.summary.first ? localDay(Date.parse(this.data.summary.first)) : today;
        this.toInput.value ||= today;
        this.setRange({ preset, from: this.fromInput.value, to: this.toInput.value });
      } else this.setRange({ preset });
    });
    const onDates = () => this.setRange({ preset: 'custom', ...(this.fromInput.value ? { from: this.fromInput.value } : {}), ...(this.toInput.value ? { to: this.toInput.value } : {}) });
    this.fromInput.addEventListener('change', onDates);
    this.toInput.addEventListener('change', onDates);
    this.refreshBtn.addEventListener('click', () => this.post({ type: 'refresh' }));
    this.exportBtn.addEventListener('click', () => this.post({ type: 'export', kind: this.exportSelect.value as ExportKind }));
    this.notice.addEventListener('click', (e) => {
      if ((e.target as HTMLElement).closest('[data-action="settings"]')) this.post({ type: 'openSettings' });
    });
    window.addEventListener('message', (e: MessageEvent<unknown>) => this.onMessage(e.data as HostToDashboard));
    // VS Code swaps the theme by changing the body's class and the variables on <html>.
    new MutationObserver(() => this.onTheme()).observe(document.body, { attributes: true, attributeFilter: ['class'] });
    this.showRange();
    setText(this.status, 'Reading the call history…');
    show(this.body, false);
  }

  start(): void {
    this.post({ type: 'ready', ...(this.restoredRange ? { range: this.restoredRange } : {}) });
  }

  private post(message: DashboardToHost): void {
    this.vscode.postMessage(message);
  }

  private setRange(range: DashboardRange): void {
    this.range = range;
    this.vscode.setState({ range });
    this.showRange();
    this.post({ type: 'setRange', range });
  }

  private showRange(): void {
    this.rangeSelect.value = this.range.preset;
    const custom = this.range.preset === 'custom';
    show(this.customRange, custom);
    if (custom) {
      this.fromInput.value = this.range.from ?? '';
      this.toInput.value = this.range.to ?? '';
    }
  }

  private onMessage(m: HostToDashboard): void {
    switch (m.type) {
      case 'loading':
        setText(this.status, 'Reading the call history…');
        break;
      case 'data':
        this.data = m.data;
        this.range = m.data.range;
        this.vscode.setState({ range: this.range });
        this.showRange();
        this.render();
        break;
      case 'exported':
        setText(this.status, `${this.statusText()} · exported to ${m.file}`);
        break;
      case 'error':
        setText(this.status, m.message);
        break;
    }
  }

  private onTheme(): void {
    this.theme = readTheme();
    for (const c of this.charts.values()) c.destroy();
    this.charts.clear();
    if (this.data) this.render();
  }

  private statusText(): string {
    const d = this.data;
    if (!d) return '';
    const s = d.summary;
    const span = s.first && s.last ? ` from ${new Date(s.first).toLocaleString()} to ${new Date(s.last).toLocaleString()}` : '';
    const skipped = d.skippedLines ? ` · ${formatInt(d.skippedLines)} unreadable history line${d.skippedLines === 1 ? '' : 's'} skipped` : '';
    return `${formatInt(s.calls)} call${s.calls === 1 ? '' : 's'}${span}${skipped}`;
  }

  private render(): void {
    const d = this.data!;
    const s = d.summary;
    setText(this.status, this.statusText());
    this.notice.replaceChildren();
    if (!d.historyEnabled) {
      this.notice.append(
        'Recording is off (promptProfiler.history.enabled): new calls are not added. ',
        h('a', { text: 'Open the setting', attrs: { href: '#', 'data-action': 'settings' } }),
      );
    }
    show(this.notice, !d.historyEnabled);
    this.renderKpis(s);
    const hasData = s.calls > 0;
    show(this.empty, !hasData);
    show(this.body, hasData);
    if (!hasData) {
      setText(this.empty, d.range.preset === 'all' ? 'No calls recorded yet. Profile a prompt (Prompt Profiler: Profile Prompt) and its calls appear here.' : 'No calls in this range.');
      this.post({ type: 'rendered', readAt: d.readAt, calls: 0, charts: 0 });
      return;
    }
    this.renderCharts(s);
    this.renderTables(s);
    this.post({ type: 'rendered', readAt: d.readAt, calls: s.calls, charts: this.charts.size });
  }

  private renderKpis(s: HistorySummary): void {
    const tile = (label: string, value: string, detail?: string, cls = '') =>
      h('div', { class: `kpi ${cls}` }, h('div', { class: 'kpi-label', text: label }), h('div', { class: 'kpi-value', text: value }), detail ? h('div', { class: 'kpi-detail', text: detail }) : null);
    this.kpis.replaceChildren(
      tile('Calls', formatInt(s.calls), `${formatInt(s.okCalls)} ok · ${formatInt(s.errors)} failed`, 'kpi-calls'),
      tile('Spent', formatUsd(s.cost), s.unpricedCalls ? `+ ${formatInt(s.unpricedCalls)} unpriced call${s.unpricedCalls === 1 ? '' : 's'}` : 'cache hits excluded', 'kpi-cost'),
      tile('Answer-cache hit rate', pct(s.cacheHitRate), `${formatInt(s.cacheHits)} hit${s.cacheHits === 1 ? '' : 's'} · saved ${formatUsd(s.savedByCache)}`, 'kpi-hits'),
      tile('Model latency p50 / p95', `${ms(s.latencyMs.p50)} / ${ms(s.latencyMs.p95)}`, `on the wire, waits apart · p99 ${ms(s.latencyMs.p99)} · n = ${formatInt(s.latencyMs.n)}`, 'kpi-latency'),
      tile('Time to first token p50 / p95', `${ms(s.ttftMs.p50)} / ${ms(s.ttftMs.p95)}`, `p99 ${ms(s.ttftMs.p99)} · n = ${formatInt(s.ttftMs.n)}`, 'kpi-ttft'),
      // Queue and retry waits: what the user waited beyond the model, never inside its latency.
      tile(
        'Waits p95: queued / retries',
        `${ms(s.queuedMs.p95)} / ${ms(s.retryWaitMs.p95)}`,
        `not in the latency · ${formatInt(s.retryWaitMs.n)} call${s.retryWaitMs.n === 1 ? '' : 's'} retried`,
        'kpi-waits',
      ),
    );
  }

  private renderCharts(s: HistorySummary): void {
    const t = this.theme;
    const models = s.models.map((m) => m.model);
    const colorOf = (i: number) => t.series[i % t.series.length];
    const pctDatasets = (pick: (m: ModelSummary) => Percentiles): ChartDataset<'bar', (number | null)[]>[] => [
      { label: 'p50', data: s.models.map((m) => pick(m).p50), backgroundColor: t.p50 },
      { label: 'p95', data: s.models.map((m) => pick(m).p95), backgroundColor: t.p95 },
      { label: 'p99', data: s.models.map((m) => pick(m).p99), backgroundColor: t.p99 },
    ];
    this.draw('latency', models, pctDatasets((m) => m.latencyMs), { y: (v) => formatMs(v) }, (m, i) => `n = ${formatInt(s.models[i]!.latencyMs.n)}`);
    this.draw('ttft', models, pctDatasets((m) => m.ttftMs), { y: (v) => formatMs(v) }, (m, i) => `n = ${formatInt(s.models[i]!.ttftMs.n)}`);
    this.draw(
      'costByDay',
      s.days.map((d) => d.day),
      models.map((model, i) => ({ label: model, data: s.days.map((d) => d.costByModel[model] ?? 0), backgroundColor: colorOf(i) })),
      { y: (v) => formatUsd(v), stacked: true, skipLabels: true },
    );
    this.draw('costByModel', models, [{ label: 'Spent', data: s.models.map((m) => m.cost), backgroundColor: models.map((_, i) => colorOf(i)) }], { x: (v) => formatUsd(v), horizontal: true, legend: false });
    this.draw(
      'calls',
      models,
      [
        { label: 'answered by the model', data: s.models.map((m) => m.okCalls - m.cacheHits), backgroundColor: t.ok },
        { label: 'from the answer cache', data: s.models.map((m) => m.cacheHits), backgroundColor: t.cache },
        { label: 'failed', data: s.models.map((m) => m.calls - m.okCalls), backgroundColor: t.error },
      ],
      { x: (v) => formatInt(v), horizontal: true, stacked: true },
    );
    this.draw('errors', s.errorsByKind.map((e) => e.kind), [{ label: 'Calls', data: s.errorsByKind.map((e) => e.count), backgroundColor: t.error }], { y: (v) => formatInt(v), legend: false });
    const errorsCard = this.canvases.get('errors')!.closest('.card') as HTMLElement;
    show(errorsCard.querySelector('.chart') as HTMLElement, s.errorsByKind.length > 0);
  }

  /** Creates or updates one bar chart. */
  private draw(
    key: ChartKey,
    labels: string[],
    datasets: ChartDataset<'bar', (number | null)[]>[],
    opts: { x?: (v: number) => string; y?: (v: number) => string; horizontal?: boolean; stacked?: boolean; legend?: boolean; skipLabels?: boolean },
    footer?: (label: string, index: number) => string,
  ): void {
    const existing = this.charts.get(key);
    if (existing) {
      existing.data.labels = labels;
      existing.data.datasets = datasets;
      existing.update('none');
      return;
    }
    const t = this.theme;
    const valueFormat = opts.horizontal ? opts.x : opts.y;
    const axis = (format?: (v: number) => string, stacked = false) => ({
      stacked,
      grid: { color: t.grid },
      border: { color: t.grid },
      ticks: { color: t.muted, ...(format ? { callback: (v: string | number) => format(Number(v)) } : {}) },
      beginAtZero: true,
    });
    const category = (stacked = false) => ({
      stacked,
      grid: { display: false },
      border: { color: t.grid },
      // Every model is labelled; days may skip some labels when there are many.
      ticks: { color: t.foreground, autoSkip: opts.skipLabels ?? false, maxRotation: opts.skipLabels ? 0 : 30 },
    });
    const config: ChartConfiguration<'bar', (number | null)[], string> = {
      type: 'bar',
      data: { labels, datasets },
      options: {
        indexAxis: opts.horizontal ? 'y' : 'x',
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        datasets: { bar: { maxBarThickness: 56 } },
        color: t.foreground,
        font: { family: t.font },
        scales: opts.horizontal
          ? { x: axis(opts.x, opts.stacked), y: category(opts.stacked) }
          : { x: category(opts.stacked), y: axis(opts.y, opts.stacked) },
        plugins: {
          legend: { display: opts.legend ?? datasets.length > 1, labels: { color: t.foreground, boxWidth: 12 } },
          tooltip: {
            callbacks: {
              label: (ctx) => {
                const v = ctx.parsed[opts.horizontal ? 'x' : 'y'];
                return `${ctx.dataset.label ?? ''}: ${v === null || v === undefined ? '—' : valueFormat ? valueFormat(v) : String(v)}`;
              },
              ...(footer ? { footer: (items) => (items[0] ? footer(String(items[0].label), items[0].dataIndex) : '') } : {}),
            },
          },
        },
      },
    };
    this.charts.set(key, new Chart(this.canvases.get(key)!, config));
  }

  private renderTables(s: HistorySummary): void {
    const table = (el: HTMLTableElement, head: string[], rows: (string | number)[][], numeric: number[]) => {
      const th = h('tr', {}, ...head.map((x, i) => h('th', { text: x, attrs: { scope: 'col', ...(numeric.includes(i) ? { class: 'num' } : {}) } })));
      const body = rows.map((r) => h('tr', {}, ...r.map((x, i) => h(i === 0 ? 'th' : 'td', { text: String(x), attrs: i === 0 ? { scope: 'row' } : numeric.includes(i) ? { class: 'num' } : {} }))));
      el.replaceChildren(h('thead', {}, th), h('tbody', {}, ...body));
    };
    const percentileRows = (pick: (m: ModelSummary) => Percentiles) =>
      s.models.map((m) => {
        const p = pick(m);
        return [m.model, formatInt(p.n), ms(p.p50), ms(p.p95), ms(p.p99)];
      });
    table(
      this.latencyTable,
      ['Model', 'n', 'p50', 'p95', 'p99', 'queued p95', 'retry wait p95'],
      percentileRows((m) => m.latencyMs).map((row, i) => [...row, ms(s.models[i]!.queuedMs.p95), ms(s.models[i]!.retryWaitMs.p95)]),
      [1, 2, 3, 4, 5, 6],
    );
    table(this.ttftTable, ['Model', 'n', 'p50', 'p95', 'p99'], percentileRows((m) => m.ttftMs), [1, 2, 3, 4]);
    table(
      this.modelTable,
      ['Model', 'Calls', 'OK', 'Failed', 'Cache hits', 'Hit rate', 'Spent', 'Saved by cache', 'Input tokens', 'Output tokens', 'Cache read', 'Cache write'],
      s.models.map((m) => [
        m.model,
        formatInt(m.calls),
        formatInt(m.okCalls),
        formatInt(m.errors),
        formatInt(m.cacheHits),
        pct(m.cacheHitRate),
        formatUsd(m.cost) + (m.unpricedCalls ? ` (+${m.unpricedCalls} unpriced)` : ''),
        formatUsd(m.savedByCache),
        formatInt(m.tokens.input),
        formatInt(m.tokens.output),
        formatInt(m.tokens.cacheRead),
        formatInt(m.tokens.cacheWrite),
      ]),
      [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11],
    );
    table(this.errorsTable, ['Kind', 'Calls'], s.errorsByKind.length ? s.errorsByKind.map((e) => [e.kind, formatInt(e.count)]) : [['none', '0']], [1]);
  }
}

window.addEventListener('error', (e) => acquired?.postMessage({ type: 'pageError', message: String(e.message ?? e) }));
let acquired: VsCodeApi | undefined;
const root = document.getElementById('app');
acquired = acquireVsCodeApi();
if (root) new Dashboard(root, acquired).start();
