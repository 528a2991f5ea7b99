// The panel's Decide section: the chart, the requirement inputs, the recommendation, the options
// table (every figure with its source and n), quality per model with the user's 1–5 ratings, the
// judge's own cost, provider prompt caching on request, and routing. A limit change re-runs
// `decide` right here (no round trip); the host only hears about it to save the setting.
import { decide, type Decision } from '../../core/analysis/decide';
import { dominatorsOf, formatSeconds, LIMITS, limitMisses, validateRequirements, type Limit, type ParetoPoint, type Requirements } from '../../core/analysis/pareto';
import { rankable } from '../../core/analysis/options';
import { cheapestMeetingBar } from '../../core/analysis/routing';
import { formatMs, formatUsd } from '../../core/format';
import { h, setText, show } from '../dom';
import { qualityFigure } from '../figures';
import type { AnalysisView, DecisionOption, ModelView, QualityFigure, WebviewToHost } from '../protocol';
import { DecideChart, qualityRange } from './chart';

/** The limit inputs post to the host (which writes the settings) this long after the last keystroke. */
export const LIMITS_DEBOUNCE_MS = 400;

const KIND_LABEL: Record<DecisionOption['kind'], string> = {
  'as-is': 'as is',
  'answer-cache': 'answer cache',
  'prompt-cache': 'prompt caching',
  batch: 'Batch API',
  cascade: 'cascade',
};

const LIMIT_FIELDS: { limit: Limit; label: string; unit: string; attrs: Record<string, string>; hint: string }[] = [
  { limit: 'maxLatencyS', label: 'Max p95 latency', unit: 's', attrs: { min: '0', step: 'any' }, hint: 'seconds, above 0' },
  { limit: 'maxCostPer1k', label: 'Max cost per 1k calls', unit: 'USD', attrs: { min: '0', step: 'any' }, hint: 'USD, 0 or more' },
  { limit: 'minQuality', label: 'Min quality', unit: '0–1', attrs: { min: '0', max: '1', step: '0.05' }, hint: 'from 0 to 1' },
];

export function qualityText(q: QualityFigure | null): string {
  return q ? qualityFigure(q) : 'unknown';
}

/** `640 ms · 800 ms (n=3)`: p50 · p95 with the number of runs behind them. */
export function latencyText(o: Pick<DecisionOption, 'latency'>): string {
  const l = o.latency;
  if (!l) return '—';
  return `${formatSeconds(l.p50)} · ${formatSeconds(l.p95)} (n=${l.n})`;
}

/** The tooltip / details lines of one option. */
export function describeOption(o: DecisionOption, decision: Decision | null, all: readonly DecisionOption[]): string[] {
  const lines: string[] = [];
  if (!o.available) lines.push(`not available: ${o.reason ?? 'no figure'}`);
  lines.push(`cost: ${o.costPer1k === null ? 'no price' : `${formatUsd(o.costPer1k)} per 1,000 calls`}`);
  if (o.latency) {
    const l = o.latency;
    lines.push(`latency: p50 ${formatSeconds(l.p50)} · p95 ${formatSeconds(l.p95)} · p99 ${formatSeconds(l.p99)} (n=${l.n}, ${l.source}${l.detail ? `: ${l.detail}` : ''})`);
  }
  lines.push(`quality: ${o.quality ? `${o.quality.value.toFixed(2)} from ${o.quality.source}${o.quality.source === 'prior' ? '' : ` (n=${o.quality.n})`} — ${o.quality.detail}` : 'unknown (no judge, rating or prior)'}`);
  if (decision) {
    if (decision.frontier.includes(o.id)) lines.push('on the Pareto frontier');
    else {
      const { points, indices } = rankable(all);
      const i = indices.indexOf(all.indexOf(o));
      if (i >= 0) {
        const by = dominatorsOf(points, i).map((j) => points[j].name);
        lines.push(`dominated by ${by.slice(0, 2).join(', ')}${by.length > 2 ? ` and ${by.length - 2} more` : ''}`);
      }
    }
    if (decision.selected === o.id) lines.push('★ recommended under your limits');
  }
  for (const n of o.notes) lines.push(n);
  return lines;
}

interface VsCodePost {
  (msg: WebviewToHost): void;
}

export class DecideView {
  readonly root: HTMLElement;
  private analysis: AnalysisView | undefined;
  /** The last analysis without its decision (which depends on the limits). */
  private analysisKey = '';
  private limits: Requirements = {};
  private decision: Decision | null = null;
  private selected: string | null = null;
  private chart: DecideChart | undefined;
  private limitsTimer: ReturnType<typeof setTimeout> | undefined;

  private readonly statusEl = h('span', { class: 'decide-status' });
  private readonly canvas = h('canvas', {
    class: 'decide-canvas',
    attrs: { role: 'img', 'aria-label': 'Options: cost per 1,000 calls against p95 latency' },
  });
  private readonly chartEmpty = h('div', { class: 'chart-empty' });
  private readonly qLo = h('span', { class: 'q-lo' });
  private readonly qHi = h('span', { class: 'q-hi' });
  private readonly inputs = new Map<Limit, HTMLInputElement>();
  private readonly limitsError = h('div', { class: 'limits-error', attrs: { role: 'alert' } });
  private readonly recHead = h('div', { class: 'rec-head' });
  private readonly recReason = h('p', { class: 'rec-reason' });
  private readonly recBox = h('div', { class: 'recommendation', attrs: { 'aria-live': 'polite', 'aria-label': 'Recommendation' } }, this.recHead, this.recReason);
  private readonly details = h('div', { class: 'option-details', attrs: { 'aria-live': 'polite' } });
  private readonly tableBody = h('tbody');
  private readonly unrankedEl = h('div', { class: 'unranked' });
  private readonly judgeEl = h('p', { class: 'judge-line' });
  private readonly referenceText = h('span', { class: 'reference-text' });
  private readonly unpinBtn = h('button', {
    class: 'btn-secondary btn-small',
    text: 'Unpin',
    attrs: { type: 'button', 'aria-label': "Unpin the judge's reference answer" },
  });
  private readonly qualityBody = h('tbody');
  private readonly cacheBtn = h('button', { class: 'btn-secondary btn-small btn-measure', attrs: { type: 'button' } });
  private readonly cacheText = h('span', { class: 'cache-text' });
  private readonly barEl = h('p', { class: 'routing-bar' });
  private readonly routingBody = h('tbody');
  private readonly routingProblems = h('p', { class: 'routing-problems' });
  private readonly assumptionsEl = h('p', { class: 'assumptions' });

  constructor(private readonly post: VsCodePost) {
    const limitRows = LIMIT_FIELDS.map((f) => {
      const id = `limit-${f.limit}`;
      const input = h('input', {
        class: `limit-input limit-${f.limit}`,
        attrs: { id, type: 'number', inputmode: 'decimal', placeholder: 'no limit', 'aria-describedby': 'limits-help', ...f.attrs },
      });
      input.addEventListener('input', () => this.onLimitInput());
      this.inputs.set(f.limit, input);
      return h('div', { class: 'limit-row' }, h('label', { text: f.label, attrs: { for: id } }), input, h('span', { class: 'limit-unit', text: f.unit }));
    });
    const limitsBox = h(
      'fieldset',
      { class: 'limits' },
      h('legend', { text: 'Your requirements' }),
      ...limitRows,
      h('div', { class: 'limits-help', text: 'Empty = no limit. Saved to your settings.', attrs: { id: 'limits-help' } }),
      this.limitsError,
    );
    const legend = h(
      'div',
      { class: 'chart-legend', attrs: { 'aria-hidden': 'true' } },
      h('span', { class: 'lg lg-frontier', text: '◆ frontier (solid line: its cost vs latency trade-off)' }),
      h('span', { class: 'lg lg-dominated', text: '● dominated' }),
      h('span', { class: 'lg lg-rec', text: '★ recommended' }),
      h('span', { class: 'lg lg-unknown', text: '○ quality unknown' }),
      h('span', { class: 'lg lg-quality' }, h('span', { text: 'quality' }), this.qLo, h('span', { class: 'quality-scale' }), this.qHi, h('span', { text: '(colour and size)' })),
      h('span', { class: 'lg lg-limits', text: 'dashed: your limits' }),
    );
    const optionsTable = h(
      'table',
      { class: 'options-table' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ...['Option', 'Cost / 1k calls', 'Model latency p50 · p95 (n)', 'Quality (source, n)', 'Frontier'].map((t) => h('th', { text: t, attrs: { scope: 'col' } })),
        ),
      ),
      this.tableBody,
    );
    const qualityTable = h(
      'table',
      { class: 'quality-table' },
      h('thead', {}, h('tr', {}, ...['Model', 'Quality in use', 'Judge', 'Your rating (overrides the judge)'].map((t) => h('th', { text: t, attrs: { scope: 'col' } })))),
      this.qualityBody,
    );
    const routingTable = h(
      'table',
      { class: 'routing-table' },
      h('thead', {}, h('tr', {}, ...['Task', 'Route', 'Model', 'On this prompt'].map((t) => h('th', { text: t, attrs: { scope: 'col' } })))),
      this.routingBody,
    );
    this.cacheBtn.addEventListener('click', () => {
      this.cacheBtn.disabled = true;
      this.post({ type: 'measurePromptCache' });
    });
    this.unpinBtn.addEventListener('click', () => this.post({ type: 'unpinReference' }));
    this.root = h(
      'section',
      { class: 'decide', attrs: { 'aria-labelledby': 'decide-title', id: 'decide', tabindex: '-1' } },
      h('header', { class: 'decide-head' }, h('h2', { text: 'Decide', attrs: { id: 'decide-title' } }), this.statusEl),
      h(
        'div',
        { class: 'decide-grid' },
        h('div', { class: 'decide-chart' }, h('div', { class: 'chart-wrap' }, this.canvas, this.chartEmpty), legend),
        h('div', { class: 'decide-side' }, limitsBox, this.recBox, this.details),
      ),
      h('h3', { text: 'Options' }),
      h('div', { class: 'table-scroll' }, optionsTable),
      this.unrankedEl,
      h('h3', { text: 'Quality' }),
      this.judgeEl,
      h('p', { class: 'reference-line' }, this.referenceText, this.unpinBtn),
      h('div', { class: 'table-scroll' }, qualityTable),
      h('div', { class: 'prompt-cache-row' }, this.cacheText, this.cacheBtn),
      h('h3', { text: 'Routing' }),
      this.barEl,
      h('div', { class: 'table-scroll' }, routingTable),
      this.routingProblems,
      this.assumptionsEl,
    );
    show(this.root, false);
  }

  /** Chart.js needs the canvas in the document: called once the section is attached. */
  private ensureChart(): DecideChart {
    if (!this.chart) {
      this.chart = new DecideChart(
        this.canvas,
        (id) => this.select(id),
        (o) => describeOption(o, this.decision, this.analysis?.options ?? []),
      );
    }
    return this.chart;
  }

  get currentLimits(): Requirements {
    return { ...this.limits };
  }

  get currentAnalysis(): AnalysisView | undefined {
    return this.analysis;
  }

  /** The current run changed: an analysis of another run no longer applies. */
  forRun(runId: number): void {
    if (this.analysis && this.analysis.runId !== runId) {
      this.analysis = undefined;
      this.analysisKey = '';
      this.selected = null;
      show(this.root, false);
    }
  }

  /** Limits from the host (settings) or from the saved state. */
  setLimits(req: Requirements): void {
    // While the user is typing (a post is pending), the host's echo of an older value is stale.
    if (this.limitsTimer) return;
    const same = LIMITS.every((l) => this.limits[l] === req[l]);
    this.limits = { ...req };
    for (const [limit, input] of this.inputs) {
      const v = req[limit];
      const current = parseLimit(input.value);
      if (current.ok && current.value === v) continue;
      input.value = v === undefined ? '' : String(v);
      input.removeAttribute('aria-invalid');
    }
    setText(this.limitsError, '');
    // The host echoes the limits the panel just saved: nothing to redraw then.
    if (!same) this.recompute();
  }

  setAnalysis(a: AnalysisView): void {
    // The host re-sends the analysis after saving a limit: only its own decision changed, which
    // this view has already recomputed. Nothing to redraw then.
    const key = JSON.stringify({ ...a, decision: null, requirements: null });
    const same = key === this.analysisKey && !this.root.hidden;
    this.analysisKey = key;
    this.analysis = a;
    if (same) return;
    if (this.selected && !a.options.some((o) => o.id === this.selected)) this.selected = null;
    show(this.root, true);
    this.renderStatic();
    this.recompute();
  }

  /** Theme changed. */
  retheme(): void {
    this.chart?.retheme();
  }

  private onLimitInput(): void {
    const next: Requirements = {};
    const errors: string[] = [];
    for (const f of LIMIT_FIELDS) {
      const input = this.inputs.get(f.limit)!;
      // A number input reads '' for text it cannot parse ("1e", "abc"): that is not "no limit".
      const parsed = input.validity.badInput ? ({ ok: false } as const) : parseLimit(input.value);
      const problems = parsed.ok ? validateRequirements({ [f.limit]: parsed.value }) : ['not a number'];
      if (!parsed.ok || problems.length) {
        input.setAttribute('aria-invalid', 'true');
        errors.push(`${f.label}: ${f.hint}`);
      } else {
        input.removeAttribute('aria-invalid');
        if (parsed.value !== undefined) next[f.limit] = parsed.value;
      }
    }
    setText(this.limitsError, errors.join(' · '));
    if (errors.length) return;
    this.limits = next;
    this.recompute();
    clearTimeout(this.limitsTimer);
    this.limitsTimer = setTimeout(() => {
      this.limitsTimer = undefined;
      this.post({ type: 'setLimits', requirements: { ...this.limits } });
    }, LIMITS_DEBOUNCE_MS);
  }

  private select(id: string): void {
    this.selected = id;
    this.renderSelection();
  }

  /** Everything that depends on the limits: decision, recommendation, chart, table marks, routing bar. */
  private recompute(): void {
    const a = this.analysis;
    if (!a) return;
    this.decision = decide(a.options, this.limits);
    this.renderRecommendation();
    this.renderTable();
    this.renderBar();
    this.renderSelection();
  }

  private renderStatic(): void {
    const a = this.analysis!;
    const statusText =
      a.status === 'analysing'
        ? a.message ?? 'Analysing…'
        : a.status === 'failed'
          ? a.message ?? 'The analysis failed.'
          : `${a.options.length} options for ${a.models.length} model${a.models.length === 1 ? '' : 's'}${a.message ? ` · ${a.message}` : ''}`;
    setText(this.statusEl, statusText);
    this.statusEl.classList.toggle('busy', a.status === 'analysing' || a.promptCache.state === 'measuring');
    this.statusEl.classList.toggle('failed', a.status === 'failed');
    this.renderQuality();
    this.renderPromptCache();
    this.renderRouting();
    const s = a.assumptions;
    setText(
      this.assumptionsEl,
      `Assumptions: answer-cache hit rate ${+(s.answerCacheHitRate * 100).toFixed(1)} % (${s.hitRateDetail}); ` +
        `Batch API results within ${formatSeconds(s.batchCompletionS)}; a prompt-cache write spread over ${s.callsPerCacheWindow} calls per TTL window; ` +
        `a cascade accepts the cheap answer at judge score ≥ ${s.cascadeThreshold}. Percentiles are nearest-rank over the runs (n=); answer-cache hits count with their original generation time. ` +
        waitsText(a.models),
    );
  }

  private renderRecommendation(): void {
    const d = this.decision!;
    const a = this.analysis!;
    const byId = new Map(a.options.map((o) => [o.id, o]));
    this.recBox.classList.remove('rec-ok', 'rec-none', 'rec-empty');
    if (d.selected) {
      this.recBox.classList.add('rec-ok');
      this.recHead.replaceChildren('Recommended: ', h('strong', { class: 'rec-name', text: byId.get(d.selected)?.name ?? d.selected }));
    } else if (d.closest) {
      this.recBox.classList.add('rec-none');
      const failing = d.failing.map(limitName).join(' and ');
      this.recHead.replaceChildren(
        h('strong', { text: `Nothing meets your limits` }),
        failing ? ` — failing: ${failing}. ` : '. ',
        'Closest: ',
        h('strong', { class: 'rec-name', text: d.closest.name }),
      );
    } else {
      this.recBox.classList.add('rec-empty');
      this.recHead.replaceChildren(h('strong', { text: 'No recommendation yet' }));
    }
    const hint =
      !d.selected && !d.closest && a.models.every((m) => m.quality === null)
        ? ' Rate the answers below (1–5), set a judge model (promptProfiler.quality.judgeModel) or priors (promptProfiler.quality.priors) to rank the options.'
        : '';
    setText(this.recReason, d.reason + hint);
  }

  private renderTable(): void {
    const a = this.analysis!;
    const d = this.decision!;
    const frontier = new Set(d.frontier);
    const feasible = new Set(d.feasible);
    const rows = a.options.map((o) => {
      const on = frontier.has(o.id);
      const tr = h(
        'tr',
        {
          class: `opt-row${on ? ' on-frontier' : ''}${d.selected === o.id ? ' recommended' : ''}${o.available ? '' : ' unavailable'}${feasible.has(o.id) ? ' feasible' : ''}`,
          attrs: { tabindex: '0', 'data-id': o.id, 'aria-current': String(this.selected === o.id) },
        },
        h('td', { class: 'opt-name' }, h('span', { class: 'opt-kind', text: KIND_LABEL[o.kind] }), ' ', o.name),
        h('td', { class: 'num', text: o.costPer1k === null ? (o.available ? 'no price' : '—') : formatUsd(o.costPer1k) }),
        h('td', { class: 'num', text: latencyText(o) }),
        h('td', { class: 'num', text: qualityText(o.quality) }),
        h('td', { class: 'frontier-cell', text: !o.available ? o.reason ?? 'not available' : on ? `◆ frontier${d.selected === o.id ? ' ★' : ''}` : d.unranked.some((u) => u.id === o.id) ? 'not ranked' : 'dominated' }),
      );
      tr.title = describeOption(o, d, a.options).join('\n');
      tr.addEventListener('click', () => this.select(o.id));
      tr.addEventListener('keydown', (e) => {
        if (e.key === 'Enter' || e.key === ' ') {
          e.preventDefault();
          this.select(o.id);
        }
      });
      return tr;
    });
    this.tableBody.replaceChildren(...rows);
    const unranked = d.unranked.filter((u) => a.options.find((o) => o.id === u.id)?.available);
    show(this.unrankedEl, unranked.length > 0);
    setText(this.unrankedEl, unranked.length ? `Not ranked: ${unranked.map((u) => `${a.options.find((o) => o.id === u.id)?.name} (${u.reason})`).join('; ')}.` : '');
  }

  private renderSelection(): void {
    const a = this.analysis;
    const d = this.decision;
    if (!a || !d) return;
    const id = this.selected ?? d.selected ?? d.closest?.id ?? null;
    for (const tr of this.tableBody.querySelectorAll<HTMLTableRowElement>('tr.opt-row')) {
      tr.setAttribute('aria-current', String(tr.dataset.id === id));
    }
    const o = id ? a.options.find((x) => x.id === id) : undefined;
    if (!o) {
      this.details.replaceChildren();
    } else {
      const misses = o.costPer1k !== null && o.latency && o.quality ? limitMisses(point(o), this.limits) : [];
      const lines = describeOption(o, d, a.options);
      if (o.available && o.quality && o.latency && o.costPer1k !== null && LIMITS.some((l) => this.limits[l] !== undefined)) {
        lines.push(misses.length ? `misses: ${misses.map((m) => limitName(m.limit)).join(', ')}` : 'meets every limit');
      }
      this.details.replaceChildren(
        h('div', { class: 'details-title' }, h('span', { class: 'opt-kind', text: KIND_LABEL[o.kind] }), ' ', h('strong', { text: o.name })),
        h('ul', {}, ...lines.map((l) => h('li', { text: l }))),
      );
    }
    this.drawChart(id);
  }

  private drawChart(selected: string | null): void {
    const a = this.analysis!;
    const d = this.decision!;
    const plotted = a.options.filter((o) => o.available && o.costPer1k !== null && o.latency !== null);
    show(this.chartEmpty, plotted.length === 0);
    const range = qualityRange(plotted);
    setText(this.qLo, range.lo.toFixed(2));
    setText(this.qHi, range.hi.toFixed(2));
    setText(this.chartEmpty, plotted.length ? '' : a.status === 'analysing' ? 'Measuring…' : 'No option has both a price and a measured latency to plot.');
    this.ensureChart().update({
      options: plotted,
      frontier: new Set(d.frontier),
      feasible: new Set(d.feasible),
      recommended: d.selected,
      selected: selected && selected !== d.selected ? selected : null,
      requirements: this.limits,
    });
    const rec = d.selected ? a.options.find((o) => o.id === d.selected)?.name : null;
    this.canvas.setAttribute(
      'aria-label',
      `Chart of ${plotted.length} options: cost per 1,000 calls (log scale) against p95 latency; frontier: ${d.frontier.length} option${d.frontier.length === 1 ? '' : 's'}` +
        (rec ? `; recommended: ${rec}` : '') +
        '. The table below lists the same figures.',
    );
  }

  private renderQuality(): void {
    const a = this.analysis!;
    const j = a.judge;
    if (j) {
      const cost = j.costUsd === null ? 'no price for the judge' : `${formatUsd(j.costUsd)} spent on judging`;
      setText(
        this.judgeEl,
        `Judge ${j.model}${j.customRubric ? ' (your rubric)' : ''}: ${j.scored} answer${j.scored === 1 ? '' : 's'} scored${j.unscored ? `, ${j.unscored} without a score${j.firstError ? ` (${j.firstError})` : ''}` : ''} · ` +
          `${cost} — not part of any option's cost${j.costPerJudgementUsd !== null ? ` (${formatUsd(j.costPerJudgementUsd)} per judgement)` : ''}` +
          `${j.withReference ? '; graded against the reference answer' : ''}.`,
      );
    } else if (a.status === 'analysing' && a.assumptions.judgeModel) {
      setText(this.judgeEl, `Judge ${a.assumptions.judgeModel}: grading…`);
    } else {
      setText(this.judgeEl, 'No judge model (promptProfiler.quality.judgeModel): quality comes from your ratings, else the priors in settings.');
    }
    this.renderReference();
    this.qualityBody.replaceChildren(...a.models.map((m) => this.qualityRow(m)));
  }

  /** Which reference answer the judge compares with, and how to pin or unpin one. */
  private renderReference(): void {
    const a = this.analysis!;
    const ref = a.reference ?? null;
    const chars = (t: string) => `${t.length.toLocaleString('en-US')} character${t.length === 1 ? '' : 's'}`;
    const later = a.assumptions.judgeModel ? '' : ' It is used once a judge model is set.';
    let text: string;
    if (!ref) text = 'No reference answer: the judge grades against the rubric alone. Pin a column\'s answer, or add reference: to the prompt file\'s front matter.';
    else if (ref.source === 'pinned') text = `Reference answer: the answer of ${ref.modelId} you pinned (${chars(ref.text)}).${later}`;
    else text = `Reference answer: from the prompt file's front matter (${chars(ref.text)}); pinning a column's answer replaces it.${later}`;
    setText(this.referenceText, text);
    this.referenceText.title = ref ? ref.text : '';
    show(this.unpinBtn, ref?.source === 'pinned');
  }

  private qualityRow(m: ModelView): HTMLTableRowElement {
    const buttons = [1, 2, 3, 4, 5].map((r) => {
      const b = h('button', {
        class: `rate-btn${m.rating === r ? ' pressed' : ''}`,
        text: String(r),
        attrs: { type: 'button', 'aria-pressed': String(m.rating === r), 'aria-label': `Rate ${m.modelId} ${r} of 5`, 'data-rating': String(r) },
      });
      b.addEventListener('click', () => this.post({ type: 'rate', modelId: m.modelId, rating: r }));
      return b;
    });
    const clear = h('button', { class: 'rate-clear btn-secondary', text: '×', attrs: { type: 'button', 'aria-label': `Clear your rating of ${m.modelId}`, title: 'Clear your rating' } });
    clear.disabled = m.rating === null;
    clear.addEventListener('click', () => this.post({ type: 'rate', modelId: m.modelId, rating: null }));
    return h(
      'tr',
      { attrs: { 'data-model': m.modelId } },
      h('td', { class: 'q-model', text: m.modelId }),
      h('td', { class: 'q-value', text: m.quality ? `${qualityText(m.quality)} — ${m.quality.detail}` : 'unknown: rate it, or set a judge or a prior' }),
      h('td', { class: 'q-judge', text: m.judge ? `${m.judge.value.toFixed(2)} (n=${m.judge.n})` : '—' }),
      h('td', { class: 'q-rating' }, h('span', { class: 'rate-group', attrs: { role: 'group', 'aria-label': `Your rating of ${m.modelId}` } }, ...buttons, clear)),
    );
  }

  private renderPromptCache(): void {
    const pc = this.analysis!.promptCache;
    const texts: Record<typeof pc.state, string> = {
      idle: pc.calls
        ? `Provider prompt caching is not measured yet: it takes a cold and a warm call per model (${pc.calls} calls).`
        : 'No model of this run has a known provider prompt cache to measure.',
      measuring: 'Measuring provider prompt caching (a cold and a warm call per model)…',
      measured: 'Provider prompt caching: measured on this prompt (see the "prompt caching" options).',
      off: 'Provider prompt caching is not measured (promptProfiler.decide.measurePromptCache is off).',
    };
    setText(this.cacheText, texts[pc.state]);
    setText(this.cacheBtn, pc.state === 'measuring' ? 'Measuring…' : `Measure prompt caching (${pc.calls} calls)`);
    show(this.cacheBtn, (pc.state === 'idle' || pc.state === 'measuring') && pc.calls > 0);
    this.cacheBtn.disabled = pc.state !== 'idle' || this.analysis!.status === 'analysing';
  }

  private renderBar(): void {
    const a = this.analysis!;
    const min = this.limits.minQuality;
    if (min === undefined) {
      setText(this.barEl, 'Set a min quality above to see the cheapest model that met your quality bar on this prompt.');
      return;
    }
    const asIs = a.options.filter((o) => o.kind === 'as-is');
    const bar = cheapestMeetingBar(
      asIs.map((o) => ({ modelId: o.id, costPer1k: o.available ? o.costPer1k : null, quality: o.quality })),
      min,
    );
    this.barEl.replaceChildren(
      h('span', { class: 'bar-label', text: 'The cheapest model that met your quality bar on this prompt: ' }),
      bar.modelId ? h('strong', { text: bar.modelId }) : h('strong', { text: 'none' }),
      h('span', { class: 'bar-reason', text: ` — ${bar.reason}` }),
    );
  }

  private renderRouting(): void {
    const a = this.analysis!;
    const measured = new Map(a.models.map((m) => [m.modelId, m]));
    this.routingBody.replaceChildren(
      ...a.routing.routes.map((r) => {
        const m = r.modelId ? measured.get(r.modelId) : undefined;
        return h(
          'tr',
          { class: r.fromSettings ? 'from-settings' : '' },
          h('td', { text: r.task }),
          h('td', { text: r.tier ? `${r.tier} tier` : 'model' }),
          h('td', { text: r.modelId ?? 'not set' }),
          h('td', { text: m ? `${m.costPer1k === null ? 'no price' : `${formatUsd(m.costPer1k)}/1k`} · quality ${qualityText(m.quality)}` : 'not in this run' }),
        );
      }),
    );
    show(this.routingProblems, a.routing.problems.length > 0);
    setText(this.routingProblems, a.routing.problems.join(' '));
  }
}

function point(o: DecisionOption): ParetoPoint {
  return { name: o.name, costPer1k: o.costPer1k!, latencyP95: o.latency!.p95, quality: o.quality!.value };
}

function limitName(l: Limit): string {
  return l === 'maxLatencyS' ? 'max p95 latency' : l === 'maxCostPer1k' ? 'max cost per 1k' : 'min quality';
}

/** '' → no limit; a finite number → that value; anything else is invalid. */
export function parseLimit(raw: string): { ok: true; value: number | undefined } | { ok: false } {
  const s = raw.trim();
  if (!s) return { ok: true, value: undefined };
  const v = Number(s);
  return Number.isFinite(v) ? { ok: true, value: v } : { ok: false };
}

/** Latency is the model's alone: say so, and show this run's waits apart. */
function waitsText(models: readonly ModelView[]): string {
  const queued = Math.max(0, ...models.map((m) => m.waits?.queuedP95Ms ?? 0));
  const retried = models.reduce((n, m) => n + (m.waits?.retried ?? 0), 0);
  const retryWait = Math.max(0, ...models.map((m) => m.waits?.retryWaitP95Ms ?? 0));
  return (
    `Latency is the model's, on the wire (the answering attempt, from the request to the last byte); ` +
    `waits are not in it: queued p95 ${formatMs(queued)}` +
    (retried ? `, ${retried} call${retried === 1 ? '' : 's'} retried (retry waits p95 ${formatMs(retryWait)}).` : ', no retries.')
  );
}
