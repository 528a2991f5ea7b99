// Hover over a selection or a prompt: tokens per model (exact or ≈ estimate), input cost, and
// the cost at the configured max output — before anything is sent.
import * as vscode from 'vscode';
import type { Estimate } from '../../core/engine';
import { formatInt } from '../../core/format';
import { findPromptBlocks } from '../../core/prompt';
import { markdownCode, markdownText } from '../../core/text';
import type { Services } from '../services';
import { PROMPT_LANGUAGE_ID } from '../constants';
import { formatModelCost } from '../providers/vscodeLm';
import type { InlineEstimates } from './inlineEstimates';
import { coversDocument, isPromptDocument } from './promptDocuments';

/** Markdown shown near the top of a whole prompt's hover (the monthly cost and the change vs HEAD). */
export type HoverSection = (doc: vscode.TextDocument, position: vscode.Position) => Promise<string | undefined>;

export class PromptHoverProvider implements vscode.HoverProvider {
  constructor(
    private readonly services: Services,
    private readonly estimates: InlineEstimates,
    private readonly section?: HoverSection,
  ) {}

  async provideHover(doc: vscode.TextDocument, position: vscode.Position, token: vscode.CancellationToken): Promise<vscode.Hover | undefined> {
    const editor = vscode.window.activeTextEditor;
    // A hover is an explicit look: exact Claude counts (count_tokens) are worth a call, if trusted.
    const exactRemote = vscode.workspace.isTrusted;
    let range: vscode.Range;
    let estimates: Estimate[];
    let note: string | undefined;
    let section: Promise<string | undefined> | undefined;
    const selection = editor?.document === doc && !editor.selection.isEmpty && editor.selection.contains(position) ? editor.selection : undefined;
    if (selection && !(isPromptDocument(doc) && coversDocument(doc, selection))) {
      range = selection;
      if (!doc.getText(range).trim()) return undefined;
      estimates = await this.estimates.estimateRange(doc, range, undefined, exactRemote);
    } else if (isPromptDocument(doc)) {
      // The whole document is the prompt: counted from its chunks, never re-read as one text.
      if (this.estimates.documents.isBlank(doc)) return undefined;
      section = this.sectionFor(doc, position);
      const end = doc.lineAt(doc.lineCount - 1).range.end;
      range = new vscode.Range(0, 0, end.line, end.character);
      const r = await this.estimates.estimateDocument(doc, { exactRemote, waitForExact: true });
      estimates = r.estimates;
      note = r.description;
    } else {
      const block = findPromptBlocks(doc.getText(), doc.fileName, { fencedOnly: true }).find((b) => position.line >= b.startLine && position.line < b.endLine);
      if (!block || !block.text.trim()) return undefined;
      const end = Math.min(block.endLine, doc.lineCount) - 1;
      range = new vscode.Range(block.startLine, 0, end, doc.lineAt(end).text.length);
      section = this.sectionFor(doc, position);
      estimates = await this.estimates.estimate(block.text, undefined, exactRemote);
    }
    const extra = await section;
    if (token.isCancellationRequested || !estimates.length) return undefined;
    return new vscode.Hover(renderHover(estimates, note, extra), range);
  }

  /** A section that fails (git, a bad prompt-profiler.json) leaves the hover as it was. */
  private sectionFor(doc: vscode.TextDocument, position: vscode.Position): Promise<string | undefined> | undefined {
    return this.section?.(doc, position).catch((e) => {
      this.services.log.warn(`hover cost section: ${(e as Error).message}`);
      return undefined;
    });
  }
}

/**
 * `description`: the prompt file's own (front matter), shown as text. `section`: Markdown built
 * with its data escaped, shown right under the title (short, so it stays in view).
 */
export function renderHover(estimates: Estimate[], description?: string, section?: string): vscode.MarkdownString {
  // No theme icons, no command links: text from prompt files renders as text.
  const md = new vscode.MarkdownString(undefined, false);
  md.isTrusted = false;
  const maxOut = estimates[0].maxOutputTokens;
  md.appendMarkdown(`**Prompt Profiler** — before sending\n\n`);
  if (section) md.appendMarkdown(`${section}\n`);
  if (description) {
    md.appendText(description);
    md.appendMarkdown('\n\n');
  }
  md.appendMarkdown(`| model | input tokens | input cost | with ${formatInt(maxOut)} output tokens |\n|---|--:|--:|--:|\n`);
  for (const e of estimates) {
    const tokens = `${e.estimated ? '≈ ' : ''}${formatInt(e.inputTokens)}`;
    const warn = e.overContextWindow ? ` ⚠ over the ${formatInt(e.contextWindow ?? 0)}-token window` : '';
    // The model id may come from a prompt file's front matter: a code span it cannot close.
    md.appendMarkdown(`| ${markdownCode(e.modelId, true)} | ${tokens}${warn} | ${formatModelCost(e.modelId, e.inputCost)} | ${formatModelCost(e.modelId, e.costAtMaxOutput)} |\n`);
  }
  const methods = [...new Set(estimates.map((e) => `${e.estimated ? '≈ ' : ''}${e.method}`))];
  md.appendMarkdown(`\nCounted by: ${markdownText(methods.join(', '))}.`);
  const sources = [...new Set(estimates.map((e) => e.priceSource).filter((s): s is string => !!s))];
  if (sources.length) md.appendMarkdown(` Prices: ${markdownText(sources.join('; '))}.`);
  return md;
}
