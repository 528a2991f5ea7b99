// The comparison table as Markdown (for a pull request) and CSV (for a spreadsheet), in the order
// the table is sorted. Pure strings: the webview posts them and the host copies or saves them.
// Model ids and error texts are data: escaped in Markdown, guarded against formulas in CSV.

import { csvField } from '../../core/text/csv';
import { FIELDS, isBestKey } from './fields';
import { bestValues, type CompareRow } from './rows';

/** Markdown inline text: no emphasis, link, HTML, code or table cell break can come out of it. */
export function escapeMarkdownCell(text: string): string {
  return text
    .replace(/[\r\n]+/g, ' ')
    .replace(/[\\`*_[\]<>|~#!]/g, (c) => `\\${c}`)
    .trim();
}

/**
 * One header row, an alignment row (figures right-aligned) and one row per model. The best value
 * of a column is bold with a ★, as in the panel.
 */
export function toMarkdown(rows: readonly CompareRow[], promptPreview?: string): string {
  const best = bestValues(rows);
  const lines: string[] = [];
  if (promptPreview) lines.push(`Prompt: ${escapeMarkdownCell(promptPreview)}`, '');
  lines.push(`| ${FIELDS.map((f) => f.label).join(' | ')} |`);
  lines.push(`| ${FIELDS.map((f) => (f.numeric ? '--:' : ':--')).join(' | ')} |`);
  for (const r of rows) {
    const cells = FIELDS.map((f) => {
      const text = escapeMarkdownCell(f.text(r));
      return isBestKey(f.key) && best[f.key].has(r.modelId) ? `**★ ${text}**` : text;
    });
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return `${lines.join('\n')}\n`;
}

/** RFC 4180 with CRLF line ends; raw numbers (ms, tokens, USD), one header row. */
export function toCsv(rows: readonly CompareRow[]): string {
  const columns = FIELDS.flatMap((f) => f.csv);
  const out = [columns.map((c) => csvField(c.header)).join(',')];
  for (const r of rows) out.push(columns.map((c) => csvField(c.value(r))).join(','));
  return `${out.join('\r\n')}\r\n`;
}
