// `run --html FILE`: a self-contained report to attach to a CI run or a pull request: the prompt,
// the date, the models, the totals, the per-call (or, for a dataset, per-model) table, the
// cost × latency chart with its Pareto frontier (the panel's own chart code, inlined) and the
// answers. Strict CSP: one nonce'd script, nothing loaded from the network.
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { formatSeconds, measureModel, type RunAnalysis } from '../../core/analysis';
import type { PromptInput } from '../../core/engine';
import { formatCost, formatInt, formatMs, formatUsd, truncationNote } from '../../core/format';
import type { RunResult } from '../../core/run';
import { plural } from './io';
import { paidUsd, renderTotals } from './results';

export interface HtmlReportInput {
  /** The prompt or template file as named on the command line. */
  title: string;
  /** The prompt as sent (single runs), or the template's text (datasets). */
  prompt: PromptInput | string;
  results: readonly RunResult[];
  wallMs: number;
  analysis: RunAnalysis | null;
  banner?: string;
  /** For `run --dataset`: one table row per model, the worst rows linked. */
  dataset?: { file: string; rows: number; models: readonly string[] };
  generatedAt?: Date;
}

const escape = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** JSON inside <script type="application/json">: no "</script>" can close it early. */
const scriptJson = (v: unknown) => JSON.stringify(v).replace(/</g, '\\u003c');

/** dist/report-chart.js beside the bundled CLI (or, from sources, in dist/ of the checkout). */
function chartScript(): string | null {
  for (const file of [path.join(__dirname, 'report-chart.js'), path.resolve(__dirname, '../../../dist/report-chart.js')]) {
    if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8');
  }
  return null;
}

function promptText(p: PromptInput | string): string {
  if (typeof p === 'string') return p;
  const parts = p.system ? [`system:\n${p.system}`] : [];
  for (const m of p.messages) parts.push(`${m.role}:\n${m.content}`);
  return parts.join('\n\n');
}

const anchor = (r: RunResult) => `answer-${r.modelId.replace(/[^A-Za-z0-9]+/g, '-')}-${r.repeat + 1}`;

function callTable(results: readonly RunResult[]): string {
  const rows = results.map((r) => {
    const cost = r.cacheHit ? `$0 <span class="muted">(saved ${formatCost(r.cost?.total, r.usage.estimated)})</span>` : formatCost(paidUsd(r), r.usage.estimated);
    return `<tr class="${r.ok ? '' : 'failed'}">
  <td><a href="#${anchor(r)}">${escape(r.modelId)}${r.repeat ? ` #${r.repeat + 1}` : ''}</a></td><td>${formatMs(r.ttftMs)}</td><td>${formatMs(r.latencyMs)}</td>
  <td>${r.outputTokensPerSec === null ? '—' : r.outputTokensPerSec.toFixed(1)}</td>
  <td>${r.usage.estimated ? '≈ ' : ''}${formatInt(r.usage.inputTokens)} / ${formatInt(r.usage.outputTokens)}</td>
  <td title="${escape(r.cost?.provenance.detail ?? 'no price')}">${r.ok || r.output ? cost : '—'}</td>
  <td>${r.cacheHit ? 'hit' : ''}</td><td class="text">${r.error ? escape(`${r.error.kind}: ${r.error.message.split('\n', 1)[0]}`) : escape(truncationNote(r) ?? '')}</td>
</tr>`;
  });
  return `<table><thead><tr><th>model</th><th>TTFT</th><th>latency</th><th>tok/s</th><th>tokens in / out</th><th>cost</th><th>cache</th><th>error</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody></table>`;
}

/** Per model over a dataset's rows, with links to its slowest and failed rows. */
function modelTable(results: readonly RunResult[], models: readonly string[]): string {
  const rows = models.map((id) => {
    const m = measureModel(id, results);
    const mine = results.filter((r) => r.modelId === id);
    const worst = [...mine.filter((r) => !r.ok), ...mine.filter((r) => r.ok && !r.cacheHit).sort((a, b) => b.latencyMs - a.latencyMs)].slice(0, 3);
    const links = worst.map((r) => `<a href="#${anchor(r)}">row ${r.repeat + 1}${r.ok ? ` (${formatMs(r.latencyMs)})` : ' (failed)'}</a>`).join(', ');
    return `<tr><td>${escape(id)}</td><td>${formatInt(m.runs)}</td><td>${formatInt(m.failed)}</td><td>${formatUsd(m.costPerCall)}</td>
  <td>${m.latency ? `${formatSeconds(m.latency.p50)} <span class="muted">(n=${m.latency.n})</span>` : '—'}</td><td>${m.latency ? formatSeconds(m.latency.p95) : '—'}</td><td class="text">${links}</td></tr>`;
  });
  return `<table><thead><tr><th>model</th><th>calls</th><th>failed</th><th>cost/call</th><th>p50</th><th>p95</th><th>worst rows</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody></table>`;
}

function optionsTable(a: RunAnalysis): string {
  const frontier = new Set(a.decision.frontier);
  const rows = a.options.map(
    (o) => `<tr id="option-${escape(o.id)}" class="${o.id === a.decision.selected ? 'selected' : ''}"><td>${escape(o.name)}</td>
  <td>${o.available ? formatUsd(o.costPer1k) : '—'}</td><td>${o.available && o.latency ? formatSeconds(o.latency.p95) : '—'}</td>
  <td>${o.quality ? `${o.quality.value.toFixed(2)} <span class="muted">(${escape(o.quality.source)})</span>` : '—'}</td>
  <td>${frontier.has(o.id) ? '★' : ''}</td><td class="text">${o.available ? (o.id === a.decision.selected ? '← recommended' : '') : escape(o.reason ?? '')}</td></tr>`,
  );
  return `<table><thead><tr><th>option</th><th>cost / 1k calls</th><th>p95</th><th>quality</th><th>frontier</th><th></th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody></table>`;
}

export function renderHtmlReport(input: HtmlReportInput): string {
  const { results, analysis } = input;
  const nonce = randomBytes(16).toString('base64');
  const at = (input.generatedAt ?? new Date()).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
  const models = [...new Set(results.map((r) => r.modelId))];
  const script = analysis ? chartScript() : null;
  const answers = results
    .filter((r) => r.output || r.error)
    .map(
      (r) => `<section id="${anchor(r)}"><h3>${escape(r.modelId)}${input.dataset ? ` · row ${r.repeat + 1}` : r.repeat ? ` #${r.repeat + 1}` : ''}${r.ok ? (truncationNote(r) ? ` <span class="muted">(${escape(truncationNote(r)!)})</span>` : '') : ` <span class="bad">(partial answer: ${escape(r.error?.kind ?? 'failed')})</span>`}</h3><pre>${escape(r.output)}</pre></section>`,
    )
    .join('\n');
  const chart = analysis
    ? `<h2>Cost × latency</h2>
<p class="muted">Cost per 1,000 calls (log scale) against p95 latency; ◆ on the Pareto frontier, ★ the recommendation. ${escape(analysis.decision.selected !== null ? `Recommended: ${analysis.decision.reason}` : analysis.decision.reason)}</p>
${script ? `<div class="chart"><canvas id="pp-chart" role="img" aria-label="Cost against p95 latency of every option"></canvas></div>` : '<p class="muted">(chart unavailable: run `npm run build` first)</p>'}
${optionsTable(analysis)}
<script type="application/json" id="pp-chart-data">${scriptJson({
        options: analysis.options,
        frontier: analysis.decision.frontier,
        feasible: analysis.decision.feasible,
        selected: analysis.decision.selected,
        requirements: analysis.decision.requirements,
      })}</script>
${script ? `<script nonce="${nonce}">${script.replace(/<\/script/gi, '<\\/script')}</script>` : ''}`
    : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'nonce-${nonce}'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Prompt Profiler report: ${escape(input.title)}</title>
<style>
:root{--vscode-foreground:#1f2328;--vscode-descriptionForeground:#59636e;--vscode-focusBorder:#0969da;--vscode-editor-background:#ffffff;--vscode-font-family:system-ui,sans-serif;color-scheme:light}
body{font:14px system-ui,sans-serif;margin:2rem auto;max-width:1100px;padding:0 1rem;color:#1f2328;background:#fff}
h1{font-size:1.5rem;margin-bottom:.2rem}h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #d0d7de;padding-bottom:.3rem}h3{font-size:1rem}
table{border-collapse:collapse;margin:.5rem 0}td,th{border:1px solid #d0d7de;padding:4px 8px;text-align:right;vertical-align:top}
td:first-child,th:first-child,td.text{text-align:left}th{background:#f6f8fa}
tr.failed td{background:#fff5f5}tr.selected td{background:#f0f7ff;font-weight:600}
td{white-space:nowrap}td.text,td:first-child{white-space:normal}
pre{white-space:pre-wrap;background:#f6f8fa;padding:8px;border-radius:6px;margin:.3rem 0}
.muted{color:#59636e}.bad{color:#b42318}.banner{background:#fff8c5;border:1px solid #d4a72c;padding:6px 10px;border-radius:6px}
.totals{font-size:1.05rem}.chart{position:relative;height:360px;max-width:900px}
a{color:#0969da}
</style></head><body>
<h1>Prompt Profiler report</h1>
<p class="muted">${escape(input.title)}${input.dataset ? ` over ${escape(input.dataset.file)} (${plural(input.dataset.rows, 'row')})` : ''} · ${escape(at)} · ${plural(models.length, 'model')}: ${models.map(escape).join(', ')}</p>
${input.banner ? `<p class="banner">${escape(input.banner)}</p>` : ''}
<p class="totals"><strong>${escape(renderTotals(results, input.wallMs).replace(/^Total: /, ''))}</strong></p>
<h2>${input.dataset ? 'Template' : 'Prompt'}</h2>
<pre>${escape(promptText(input.prompt))}</pre>
<h2>${input.dataset ? 'Per model' : 'Calls'}</h2>
${input.dataset ? modelTable(results, input.dataset.models) : callTable(results)}
${chart}
<h2>Answers</h2>
${answers}
</body></html>
`;
}
