// How a batch looks to people: the progress line of the notification, the one-line summary, and
// the Markdown results report (totals, cost at batch prices beside real time, failed and expired
// rows with their reasons, the first answers). Pure functions: no `vscode`.
import type { BatchProgress, BatchReport, BatchState } from '../../core/batch';
import { formatInt, formatUsd } from '../../core/format';
import { markdownText } from '../../core/text';
import { cell } from '../planner/reportDocuments';

/** Answers listed in the report; every row is in the export. */
export const REPORT_MAX_ANSWERS = 200;


/** `12/20 done · 11 ok · 1 failed · in_progress` */
export function progressMessage(p: BatchProgress): string {
  const done = p.total - p.processing;
  const parts = [`${formatInt(done)}/${formatInt(p.total)} done`, `${formatInt(p.succeeded)} ok`, `${formatInt(p.failed)} failed`];
  if (p.canceled) parts.push(`${formatInt(p.canceled)} canceled`);
  if (p.expired) parts.push(`${formatInt(p.expired)} expired`);
  const statuses = [...new Set(p.parts.map((x) => x.status))].join(', ') || p.status;
  parts.push(statuses);
  return parts.join(' · ');
}

/** Share of the rows that have ended, 0–100. */
export function percentDone(p: BatchProgress): number {
  return p.total > 0 ? (100 * (p.total - p.processing)) / p.total : 0;
}

export function savedUsd(report: BatchReport): number | null {
  return report.totalCost !== null && report.realtimeCost !== null ? Math.round((report.realtimeCost - report.totalCost) * 1e12) / 1e12 : null;
}

/** `20 succeeded, 1 failed · $0.0012 at batch prices ($0.0024 in real time)` */
export function summaryLine(report: BatchReport): string {
  const costs =
    report.totalCost === null
      ? 'no price for this model'
      : `${formatUsd(report.totalCost)} at batch prices (${formatUsd(report.realtimeCost)} in real time)`;
  return `${formatInt(report.succeeded)} succeeded, ${formatInt(report.failed)} failed · ${costs}`;
}

/** The results report as Markdown. */
export function renderBatchReport(report: BatchReport, state: BatchState): string {
  const lines: string[] = [];
  lines.push(`# Batch results: ${markdownText(report.modelId)}`, '');
  const saved = savedUsd(report);
  const rows: [string, string][] = [
    ['Batch', report.batchId || 'none (no row was sent)'],
    ['Template', state.template ?? ''],
    ['Dataset', state.dataset ?? ''],
    ['Submitted', state.createdAt],
    ['Rows', `${formatInt(report.rows.length)}: ${formatInt(report.succeeded)} succeeded, ${formatInt(report.failed)} failed`],
    ['Cost at batch prices', formatUsd(report.totalCost)],
    ['Same rows in real time', formatUsd(report.realtimeCost)],
  ];
  if (saved !== null && report.realtimeCost) rows.push(['Saved', `${formatUsd(saved)} (${Math.round((100 * saved) / report.realtimeCost)}%)`]);
  const kinds = Object.entries(report.failures);
  if (kinds.length) rows.push(['Failures by kind', kinds.map(([k, n]) => `${k}: ${formatInt(n ?? 0)}`).join(', ')]);
  if (state.interrupted) rows.push(['Note', `The submission was interrupted after row ${formatInt(state.rows)}: later rows were never sent.`]);
  lines.push('| | |', '|---|---|', ...rows.map(([k, v]) => `| ${k} | ${cell(v, 400)} |`), '');

  const failed = report.rows.filter((r) => !r.ok);
  if (failed.length) {
    lines.push(`## Failed rows (${formatInt(failed.length)})`, '', '| Row | Reason | Message |', '|---:|---|---|');
    for (const r of failed) lines.push(`| ${r.row} | ${cell(r.error?.kind)} | ${cell(r.error?.message, 400)} |`);
    lines.push('');
  }

  const ok = report.rows.filter((r) => r.ok);
  if (ok.length) {
    const shown = ok.slice(0, REPORT_MAX_ANSWERS);
    lines.push(
      ok.length > shown.length ? `## Answers (the first ${formatInt(shown.length)} of ${formatInt(ok.length)}: export for all)` : `## Answers (${formatInt(ok.length)})`,
      '',
      '| Row | Tokens in / out | Batch cost | Real time | Answer |',
      '|---:|---:|---:|---:|---|',
    );
    for (const r of shown) {
      const tokens = r.usage ? `${formatInt(r.usage.inputTokens)} / ${formatInt(r.usage.outputTokens)}` : '';
      lines.push(`| ${r.row} | ${tokens} | ${formatUsd(r.cost?.total)} | ${formatUsd(r.realtimeCost?.total)} | ${cell(r.output, 300)} |`);
    }
    lines.push('');
  }
  if (!report.rows.length) lines.push('The dataset had no rows.', '');
  return lines.join('\n');
}


