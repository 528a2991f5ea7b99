// The Decide chart: cost per 1,000 calls (log x) against p95 latency, quality as colour and size,
// the Pareto frontier as diamond points (a solid line joins those that trade cost against latency),
// the recommendation as a star, the
// user's limits as dashed lines around the feasible corner. Chart.js, registering only what is
// drawn here (scatter, points, lines, linear + log scales, tooltip).
//
// CSP: Chart.js 4 injects no <style> element and needs no 'unsafe-inline': it sizes the canvas
// through the CSSOM (`canvas.style.width = …`), which `style-src ${cspSource}` allows. The
// panel's test checks that no <style> appears and that no CSP violation is reported.
import {
  Chart,
  LinearScale,
  LineElement,
  LogarithmicScale,
  PointElement,
  ScatterController,
  Tooltip,
  type ChartDataset,
  type Plugin,
  type PointStyle,
  type TooltipItem,
} from 'chart.js';
import { costLatencySkyline } from './frontierLine';
import { formatUsd } from '../../core/format';
import { formatSeconds, type Requirements } from '../../core/analysis/pareto';
import type { DecisionOption } from '../protocol';

Chart.register(ScatterController, PointElement, LineElement, LinearScale, LogarithmicScale, Tooltip);

/** One plotted option. */
export interface ChartPoint {
  x: number;
  y: number;
  id: string;
}

export interface ChartInput {
  /** Options with a price and a latency (quality may be unknown: drawn hollow and grey). */
  options: DecisionOption[];
  frontier: ReadonlySet<string>;
  feasible: ReadonlySet<string>;
  recommended: string | null;
  selected: string | null;
  requirements: Requirements;
}

interface Theme {
  fg: string;
  muted: string;
  grid: string;
  focus: string;
  bg: string;
  quality: [string, string, string];
  font: string;
}

/** Datasets by index. */
const FRONTIER_LINE = 0;
const OPTIONS = 1;
const UNKNOWN = 2;
const RECOMMENDED = 3;
const SELECTED = 4;

export class DecideChart {
  private readonly chart: Chart<'scatter', ChartPoint[]>;
  private input: ChartInput | undefined;
  private byId = new Map<string, DecisionOption>();
  private theme: Theme;
  /** Cost plotted for a $0 option (a log axis has no 0): a decade below the cheapest priced one. */
  private zeroCost = 1e-6;

  constructor(
    readonly canvas: HTMLCanvasElement,
    private readonly onSelect: (id: string) => void,
    private readonly describe: (o: DecisionOption) => string[],
  ) {
    this.theme = readTheme(canvas);
    this.chart = new Chart<'scatter', ChartPoint[]>(canvas, {
      type: 'scatter',
      data: { datasets: [] },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        parsing: false,
        normalized: true,
        layout: { padding: { top: 14, right: 18 } },
        interaction: { mode: 'nearest', intersect: true },
        onClick: (_e, elements) => {
          const hit = elements.find((el) => el.datasetIndex === OPTIONS || el.datasetIndex === UNKNOWN);
          if (!hit) return;
          const p = this.chart.data.datasets[hit.datasetIndex].data[hit.index];
          if (p) this.onSelect(p.id);
        },
        onHover: (e, elements) => {
          const target = e.native?.target as HTMLElement | undefined;
          if (target) target.classList.toggle('pointer', elements.some((el) => el.datasetIndex === OPTIONS || el.datasetIndex === UNKNOWN));
        },
        scales: {},
        plugins: {
          tooltip: {
            filter: (item) => item.datasetIndex === OPTIONS || item.datasetIndex === UNKNOWN,
            callbacks: {
              title: (items) => this.option(items[0])?.name ?? '',
              label: (item) => {
                const o = this.option(item);
                return o ? this.describe(o) : '';
              },
            },
          },
        },
      },
      plugins: [this.limitsPlugin(), this.labelsPlugin(), this.pointsPlugin()],
    });
  }

  /** Redraws for new options or limits (never on a timer). */
  update(input: ChartInput): void {
    this.input = input;
    this.byId = new Map(input.options.map((o) => [o.id, o]));
    this.applyTheme();
    const plotted = input.options.filter((o) => o.costPer1k !== null && o.latency !== null);
    const positive = plotted.map((o) => o.costPer1k!).filter((c) => c > 0);
    this.zeroCost = positive.length ? Math.min(...positive) / 10 : 1e-6;
    const point = (o: DecisionOption): ChartPoint => ({ x: o.costPer1k! > 0 ? o.costPer1k! : this.zeroCost, y: o.latency!.p95, id: o.id });
    const ranked = plotted.filter((o) => o.quality !== null);
    const unknown = plotted.filter((o) => o.quality === null);
    const frontierPts = costLatencySkyline(ranked.filter((o) => input.frontier.has(o.id)).map(point));
    const rec = input.recommended ? plotted.find((o) => o.id === input.recommended) : undefined;
    const sel = input.selected ? plotted.find((o) => o.id === input.selected) : undefined;
    const t = this.theme;
    // Colour and size spread over the qualities on the chart (the legend shows the range).
    const range = qualityRange(ranked);
    const scaled = (value: number) => (value - range.lo) / (range.hi - range.lo);
    const q = (ctx: { raw: unknown }) => scaled(this.byId.get((ctx.raw as ChartPoint | undefined)?.id ?? '')?.quality?.value ?? range.lo);
    const isFrontier = (ctx: { raw: unknown }) => input.frontier.has((ctx.raw as ChartPoint | undefined)?.id ?? '');
    const isFeasible = (ctx: { raw: unknown }) => input.feasible.has((ctx.raw as ChartPoint | undefined)?.id ?? '');
    const datasets: ChartDataset<'scatter', ChartPoint[]>[] = [
      {
        label: 'Pareto frontier',
        data: frontierPts,
        showLine: true,
        borderColor: withAlpha(t.fg, 0.6),
        borderWidth: 1.5,
        pointRadius: 0,
        pointHoverRadius: 0,
        pointHitRadius: 0,
        order: 3,
      },
      {
        label: 'Options',
        data: ranked.map(point),
        pointStyle: (ctx) => (isFrontier(ctx) ? 'rectRot' : 'circle') as PointStyle,
        pointRadius: (ctx) => pointRadius(q(ctx)) + (isFrontier(ctx) ? 1.5 : 0),
        pointHoverRadius: (ctx) => pointRadius(q(ctx)) + 3,
        pointHitRadius: 6,
        pointBackgroundColor: (ctx) => withAlpha(qualityColour(t.quality, q(ctx)), isFeasible(ctx) ? 0.95 : 0.4),
        pointBorderColor: (ctx) => (isFrontier(ctx) ? t.fg : withAlpha(t.fg, 0.45)),
        pointBorderWidth: (ctx) => (isFrontier(ctx) ? 2 : 1),
        order: 2,
      },
      {
        label: 'Quality unknown',
        data: unknown.map(point),
        pointStyle: 'circle',
        pointRadius: 5,
        pointHoverRadius: 7,
        pointHitRadius: 6,
        pointBackgroundColor: 'rgba(0,0,0,0)',
        pointBorderColor: t.muted,
        pointBorderWidth: 1.5,
        order: 2,
      },
      {
        label: 'Recommended',
        data: rec ? [point(rec)] : [],
        pointStyle: 'star',
        pointRadius: rec?.quality ? pointRadius(scaled(rec.quality.value)) + 7 : 11,
        pointHoverRadius: 0,
        pointHitRadius: 0,
        pointBackgroundColor: 'rgba(0,0,0,0)',
        pointBorderColor: t.fg,
        pointBorderWidth: 2,
        order: 1,
      },
      {
        label: 'Selected',
        data: sel ? [point(sel)] : [],
        pointStyle: 'circle',
        pointRadius: sel?.quality ? pointRadius(scaled(sel.quality.value)) + 5 : 10,
        pointHoverRadius: 0,
        pointHitRadius: 0,
        pointBackgroundColor: 'rgba(0,0,0,0)',
        pointBorderColor: t.focus,
        pointBorderWidth: 2,
        order: 0,
      },
    ];
    this.chart.data.datasets = datasets;
    this.chart.options.scales = this.scales(plotted.map(point), input.requirements);
    this.chart.update('none');
  }

  /** The theme changed (VS Code swaps the body class and the CSS variables). */
  retheme(): void {
    this.theme = readTheme(this.canvas);
    if (this.input) this.update(this.input);
  }

  destroy(): void {
    this.chart.destroy();
  }

  private option(item: TooltipItem<'scatter'>): DecisionOption | undefined {
    return this.byId.get((item.raw as ChartPoint).id);
  }

  private applyTheme(): void {
    const t = this.theme;
    const tip = this.chart.options.plugins!.tooltip!;
    tip.backgroundColor = t.bg;
    tip.titleColor = t.fg;
    tip.bodyColor = t.fg;
    tip.borderColor = t.grid;
    tip.borderWidth = 1;
    tip.titleFont = { family: t.font, weight: 'bold' };
    tip.bodyFont = { family: t.font };
    tip.padding = 8;
    tip.displayColors = false;
  }

  private scales(points: ChartPoint[], req: Requirements) {
    const t = this.theme;
    const xs = points.map((p) => p.x);
    const ys = points.map((p) => p.y);
    if (req.maxCostPer1k !== undefined && req.maxCostPer1k > 0) xs.push(req.maxCostPer1k);
    if (req.maxLatencyS !== undefined) ys.push(req.maxLatencyS);
    const [xMin, xMax] = logBounds(xs);
    const yLog = ys.length > 1 && Math.min(...ys) > 0 && Math.max(...ys) / Math.min(...ys) > 20;
    const [yMin, yMax] = yLog ? logBounds(ys) : [0, niceCeil((Math.max(0, ...ys) || 1) * 1.12)];
    const common = {
      grid: { color: t.grid },
      border: { color: t.grid },
      ticks: { color: t.muted, font: { family: t.font } },
      title: { display: true, color: t.fg, font: { family: t.font } },
    };
    return {
      x: {
        type: 'logarithmic' as const,
        min: xMin,
        max: xMax,
        ...common,
        ticks: { ...common.ticks, autoSkip: true, maxRotation: 0, callback: (v: number | string) => logTick(Number(v), (x) => formatUsd(x)) },
        title: { ...common.title, text: 'cost per 1,000 calls (USD, log scale)' },
      },
      y: {
        type: yLog ? ('logarithmic' as const) : ('linear' as const),
        min: yMin,
        max: yMax,
        ...common,
        ticks: { ...common.ticks, includeBounds: !yLog, callback: (v: number | string) => formatDuration(Number(v)) },
        // A log time axis ticks at round durations (1 s, 10 s, 1 min, 1 h, 24 h…), not at 1-2-5 × 10^k seconds.
        ...(yLog ? { afterBuildTicks: (scale: { min: number; max: number; ticks: { value: number }[] }) => (scale.ticks = durationTicks(scale.min, scale.max)) } : {}),
        title: { ...common.title, text: `p95 latency${yLog ? ' (log scale)' : ''}` },
      },
    };
  }

  /**
   * Writes where each option is drawn (CSS px from the canvas' top left) to `data-points`, after
   * every layout (updates and resizes): what the tests click and hover.
   */
  private pointsPlugin(): Plugin<'scatter'> {
    return {
      id: 'ppPoints',
      afterUpdate: (chart) => {
        const out: { id: string; x: number; y: number }[] = [];
        for (const ds of [OPTIONS, UNKNOWN]) {
          const meta = chart.getDatasetMeta(ds);
          chart.data.datasets[ds]?.data.forEach((p, i) => {
            const el = meta.data[i];
            if (el) out.push({ id: (p as ChartPoint).id, x: Math.round(el.x), y: Math.round(el.y) });
          });
        }
        this.canvas.dataset.points = JSON.stringify(out);
      },
    };
  }

  /** The names of the recommended and the selected option next to their points. */
  private labelsPlugin(): Plugin<'scatter'> {
    return {
      id: 'ppLabels',
      afterDatasetsDraw: (chart) => {
        const { ctx, chartArea: a } = chart;
        const t = this.theme;
        ctx.save();
        ctx.font = `600 12px ${t.font}`;
        ctx.textBaseline = 'middle';
        for (const [ds, colour] of [[RECOMMENDED, t.fg], [SELECTED, t.focus]] as const) {
          const el = chart.getDatasetMeta(ds).data[0];
          const p = chart.data.datasets[ds]?.data[0];
          const o = p ? this.byId.get((p as ChartPoint).id) : undefined;
          if (!el || !o) continue;
          const label = ds === RECOMMENDED ? `★ ${o.name}` : o.name;
          const w = ctx.measureText(label).width;
          // Centred above the point (below it near the top), kept inside the plot area.
          const gap = 22;
          const x = Math.min(a.right - w - 2, Math.max(a.left + 2, el.x - w / 2));
          const above = el.y - gap;
          const y = above - 8 >= a.top ? above : Math.min(a.bottom - 8, el.y + gap);
          ctx.fillStyle = withAlpha(t.bg, 0.8);
          ctx.fillRect(x - 3, y - 8, w + 6, 16);
          ctx.fillStyle = colour;
          ctx.textAlign = 'left';
          ctx.fillText(label, x, y);
        }
        ctx.restore();
      },
    };
  }

  /** Dashed lines at the latency and cost limits, the corner that meets both lightly shaded. */
  private limitsPlugin(): Plugin<'scatter'> {
    return {
      id: 'ppLimits',
      beforeDatasetsDraw: (chart) => {
        const req = this.input?.requirements;
        if (!req || (req.maxCostPer1k === undefined && req.maxLatencyS === undefined)) return;
        const { ctx, chartArea: a, scales } = chart;
        const clampX = (v: number) => Math.min(a.right, Math.max(a.left, v));
        const clampY = (v: number) => Math.min(a.bottom, Math.max(a.top, v));
        const x = req.maxCostPer1k !== undefined && req.maxCostPer1k > 0 ? clampX(scales.x.getPixelForValue(req.maxCostPer1k)) : req.maxCostPer1k === 0 ? a.left : a.right;
        const y = req.maxLatencyS !== undefined ? clampY(scales.y.getPixelForValue(req.maxLatencyS)) : a.top;
        const t = this.theme;
        ctx.save();
        ctx.fillStyle = withAlpha(t.quality[2], 0.08);
        ctx.fillRect(a.left, y, x - a.left, a.bottom - y);
        ctx.strokeStyle = withAlpha(t.fg, 0.7);
        ctx.fillStyle = t.muted;
        ctx.lineWidth = 1;
        ctx.setLineDash([3, 3]);
        ctx.font = `11px ${t.font}`;
        if (req.maxCostPer1k !== undefined) {
          line(ctx, x, a.top, x, a.bottom);
          ctx.textAlign = x > a.right - 90 ? 'right' : 'left';
          ctx.fillText(`max ${formatUsd(req.maxCostPer1k)}/1k`, x + (ctx.textAlign === 'right' ? -4 : 4), a.top + 11);
        }
        if (req.maxLatencyS !== undefined) {
          line(ctx, a.left, y, a.right, y);
          ctx.textAlign = 'right';
          ctx.fillText(`max p95 ${formatSeconds(req.maxLatencyS)}`, a.right - 4, y > a.top + 14 ? y - 4 : y + 12);
        }
        ctx.restore();
      },
    };
  }
}

const ROUND_DURATIONS = [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 7200, 21600, 43200, 86400, 172800, 604800];

/** Round durations between min and max, at most 7 (every other one when there are more). */
function durationTicks(min: number, max: number): { value: number }[] {
  let ticks = ROUND_DURATIONS.filter((d) => d >= min * 0.999 && d <= max * 1.001);
  while (ticks.length > 7) ticks = ticks.filter((_, i) => i % 2 === 0);
  return ticks.map((value) => ({ value }));
}

/** `250 ms`, `1.5 s`, `2 min`, `24 h`: seconds for an axis label. */
export function formatDuration(s: number): string {
  if (!(s > 0)) return '0';
  if (s < 1) return `${+(s * 1000).toPrecision(3)} ms`;
  if (s < 60) return `${+s.toPrecision(3)} s`;
  if (s < 3600) return `${+(s / 60).toPrecision(3)} min`;
  return `${+(s / 3600).toPrecision(3)} h`;
}

/** The smallest 1, 1.5, 2, 2.5, 3, 4, 5, 6, 8 × 10^k at or above v. */
function niceCeil(v: number): number {
  const e = 10 ** Math.floor(Math.log10(v));
  const m = [1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10].find((k) => k * e >= v - 1e-12) ?? 10;
  return m * e;
}

function line(ctx: CanvasRenderingContext2D, x1: number, y1: number, x2: number, y2: number): void {
  ctx.beginPath();
  ctx.moveTo(x1, y1);
  ctx.lineTo(x2, y2);
  ctx.stroke();
}

/**
 * The quality range the colour and size scales span: the lowest and highest quality plotted,
 * at least 0.1 wide (so two close figures do not look worlds apart).
 */
export function qualityRange(options: readonly DecisionOption[]): { lo: number; hi: number } {
  const qs = options.map((o) => o.quality?.value).filter((v): v is number => v !== undefined);
  if (!qs.length) return { lo: 0, hi: 1 };
  let lo = Math.min(...qs);
  let hi = Math.max(...qs);
  if (hi - lo < 0.1) {
    const mid = (lo + hi) / 2;
    lo = Math.max(0, mid - 0.05);
    hi = Math.min(1, lo + 0.1);
    lo = hi - 0.1;
  }
  return { lo, hi };
}

/** Point radius for a position 0–1 on the quality scale: 5 px to 11 px. */
export function pointRadius(quality: number): number {
  return 5 + 6 * Math.min(1, Math.max(0, quality));
}

/** A log axis with some room around the points: ×/÷ 1.8, at least a decade wide. */
function logBounds(values: number[]): [number, number] {
  const pos = values.filter((v) => v > 0 && Number.isFinite(v));
  if (!pos.length) return [0.001, 1];
  let lo = Math.min(...pos) / 1.8;
  let hi = Math.max(...pos) * 1.8;
  if (hi / lo < 10) {
    const mid = Math.sqrt(lo * hi);
    lo = mid / Math.sqrt(10);
    hi = mid * Math.sqrt(10);
  }
  return [lo, hi];
}

/** Labels only the 1, 2, 5 × 10^k ticks of a log axis (the rest stay as grid lines). */
function logTick(v: number, format: (x: number) => string): string {
  if (!(v > 0)) return '';
  const m = v / 10 ** Math.floor(Math.log10(v) + 1e-9);
  return [1, 2, 5].some((k) => Math.abs(m - k) < 1e-6) ? format(v) : '';
}

/** Quality 0–1 → a colour along the three stops of the scale (low, middle, high). */
export function qualityColour(stops: [string, string, string], q: number): string {
  const x = Math.min(1, Math.max(0, q));
  const [a, b, f] = x <= 0.5 ? [stops[0], stops[1], x / 0.5] : [stops[1], stops[2], (x - 0.5) / 0.5];
  const ca = rgb(a);
  const cb = rgb(b);
  const mix = ca.map((c, i) => Math.round(c + (cb[i] - c) * f));
  return `rgb(${mix[0]}, ${mix[1]}, ${mix[2]})`;
}

function withAlpha(colour: string, alpha: number): string {
  const [r, g, b] = rgb(colour);
  return `rgba(${r}, ${g}, ${b}, ${alpha})`;
}

/** Any CSS colour → [r, g, b] (#rgb, #rrggbb[aa], rgb(), rgba()); grey when it cannot be read. */
function rgb(colour: string): [number, number, number] {
  const c = colour.trim();
  let m = /^#([0-9a-f]{3})$/i.exec(c);
  if (m) return [0, 1, 2].map((i) => parseInt(m![1][i] + m![1][i], 16)) as [number, number, number];
  m = /^#([0-9a-f]{6})([0-9a-f]{2})?$/i.exec(c);
  if (m) return [0, 2, 4].map((i) => parseInt(m![1].slice(i, i + 2), 16)) as [number, number, number];
  m = /^rgba?\(\s*([\d.]+)[\s,]+([\d.]+)[\s,]+([\d.]+)/i.exec(c);
  if (m) return [Number(m[1]), Number(m[2]), Number(m[3])];
  return [128, 128, 128];
}

/** Colours from VS Code's theme variables and panel.css's quality scale (`--pp-quality-*`). */
function readTheme(el: HTMLElement): Theme {
  const css = getComputedStyle(el);
  const v = (name: string, fallback: string) => css.getPropertyValue(name).trim() || fallback;
  const fg = v('--vscode-foreground', '#cccccc');
  return {
    fg,
    muted: v('--vscode-descriptionForeground', fg),
    grid: withAlpha(v('--vscode-foreground', '#cccccc'), 0.15),
    focus: v('--vscode-focusBorder', '#0078d4'),
    bg: v('--vscode-editorWidget-background', v('--vscode-editor-background', '#1f1f1f')),
    quality: [v('--pp-quality-low', '#e6550d'), v('--pp-quality-mid', '#c9a800'), v('--pp-quality-high', '#2ca25f')],
    font: v('--vscode-font-family', 'system-ui, sans-serif'),
  };
}

