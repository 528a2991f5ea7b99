// `run --html FILE`: a self-contained report to attach to a CI run or a pull request.
import { formatCost, formatInt, formatMs, truncationNote } from '../../core/format';
import type { RunResult } from '../../core/run';

const escape = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export function renderHtmlReport(results: RunResult[], wallMs: number): string {
  const rows = results
    .map(
      (r) => `<tr>
  <td>${escape(r.modelId)}${r.repeat ? ` #${r.repeat + 1}` : ''}</td><td>${formatMs(r.ttftMs)}</td><td>${formatMs(r.latencyMs)}</td>
  <td>${r.outputTokensPerSec === null ? '—' : r.outputTokensPerSec.toFixed(1)}</td>
  <td>${r.usage.estimated ? '≈ ' : ''}${formatInt(r.usage.inputTokens)} / ${formatInt(r.usage.outputTokens)}</td>
  <td title="${escape(r.cost?.provenance.detail ?? 'no price')}">${r.ok || r.output ? formatCost(r.cost?.total, r.usage.estimated) : '—'}</td>
  <td>${r.cacheHit ? 'hit' : ''}</td><td>${r.error ? escape(`${r.error.kind}: ${r.error.message}`) : escape(truncationNote(r) ?? '')}</td>
</tr>`,
    )
    .join('\n');
  const answers = results
    .map((r) => {
      const note = r.ok ? truncationNote(r) : r.output ? `partial answer: ${r.error?.kind}` : null;
      return `<section><h2>${escape(r.modelId)}${r.repeat ? ` #${r.repeat + 1}` : ''}${note ? ` <small>(${escape(note)})</small>` : ''}</h2><pre>${escape(r.output)}</pre></section>`;
    })
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>Prompt Profiler report</title>
<style>
body{font:14px system-ui,sans-serif;margin:2rem;color:#222}table{border-collapse:collapse}
td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}td:first-child,th:first-child,td:last-child{text-align:left}
pre{white-space:pre-wrap;background:#f6f6f6;padding:8px}
</style></head><body>
<h1>Prompt Profiler report</h1>
<p>Wall time ${formatMs(wallMs)} · ${results.length} request${results.length === 1 ? '' : 's'}</p>
<table><thead><tr><th>model</th><th>TTFT</th><th>latency</th><th>tok/s</th><th>tokens in / out</th><th>cost</th><th>cache</th><th>error</th></tr></thead>
<tbody>
${rows}
</tbody></table>
${answers}
</body></html>
`;
}
