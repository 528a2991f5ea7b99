// CodeLens above each prompt in a prompt file: `≈ 1,234 tok · $0.0031–$0.012 · Profile`.
import * as vscode from 'vscode';
import type { Estimate } from '../../core/engine';
import { formatInt, formatUsd } from '../../core/format';
import { findPromptBlocks, type PromptBlock } from '../../core/prompt';
import { CommandId } from '../constants';
import { Disposable } from '../lifecycle';
import type { Services } from '../services';
import { formatModelCost } from '../providers/vscodeLm';
import type { InlineEstimates } from './inlineEstimates';
import { isPromptDocument } from './promptDocuments';

/**
 * VS Code asks again by itself when a document it shows lenses for changes, so typing is not
 * listened to here: a change to any other document costs nothing. The lenses are refreshed on
 * a setting change, and when an approximate count of a large prompt has become exact.
 */
export class PromptCodeLensProvider extends Disposable implements vscode.CodeLensProvider {
  private readonly changed = this._register(new vscode.EventEmitter<void>());
  readonly onDidChangeCodeLenses = this.changed.event;
  /** Fenced blocks of a Markdown document, by version. */
  private blocks: { uri: string; version: number; blocks: PromptBlock[] } | undefined;

  constructor(
    private readonly services: Services,
    private readonly estimates: InlineEstimates,
  ) {
    super();
    this._register(services.config.onDidChange(() => this.changed.fire()));
    this._register(estimates.documents.onDidCount(() => this.changed.fire()));
  }

  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    if (!this.services.config.value.codeLensEnabled) return [];
    const blocks: { startLine: number; endLine: number }[] = isPromptDocument(doc)
      ? this.estimates.documents.isBlank(doc)
        ? []
        : [{ startLine: 0, endLine: doc.lineCount }]
      : this.markdownBlocks(doc);
    return blocks.flatMap((b) => {
      const range = new vscode.Range(b.startLine, 0, b.startLine, 0);
      const info: BlockLens = Object.assign(new vscode.CodeLens(range), { doc, block: b });
      const profile = new vscode.CodeLens(range, {
        title: 'Profile',
        tooltip: 'Run this prompt on every configured model',
        command: CommandId.ProfileBlock,
        arguments: [doc.uri, b.startLine, b.endLine],
      });
      return [info, profile];
    });
  }

  async resolveCodeLens(lens: vscode.CodeLens): Promise<vscode.CodeLens> {
    const { doc, block } = lens as BlockLens;
    if (!doc || !block) return lens;
    const estimates = isPromptDocument(doc)
      ? (await this.estimates.estimateDocument(doc)).estimates
      : await this.estimates.estimate((block as PromptBlock).text);
    lens.command = { title: lensTitle(estimates), command: '', tooltip: tooltip(estimates) };
    return lens;
  }

  private markdownBlocks(doc: vscode.TextDocument): PromptBlock[] {
    const uri = doc.uri.toString();
    if (this.blocks?.uri !== uri || this.blocks.version !== doc.version) {
      this.blocks = { uri, version: doc.version, blocks: findPromptBlocks(doc.getText(), doc.fileName, { fencedOnly: true }) };
    }
    return this.blocks.blocks;
  }
}

/** A whole prompt document's block has no text: it is counted from the document. */
type BlockLens = vscode.CodeLens & { doc?: vscode.TextDocument; block?: { startLine: number; endLine: number } | PromptBlock };

export function lensTitle(estimates: Estimate[]): string {
  if (!estimates.length) return 'no models configured';
  const first = estimates[0];
  const tokens = `${first.estimated ? '≈ ' : ''}${formatInt(first.inputTokens)} tok`;
  const low = Math.min(...estimates.map((e) => e.inputCost ?? Infinity));
  const high = Math.max(...estimates.map((e) => e.costAtMaxOutput ?? -Infinity));
  // One "≈" is enough: on the token count when that is an estimate, else on a range that
  // mixes in another model's estimate.
  const approx = !first.estimated && estimates.some((e) => e.estimated) ? '≈ ' : '';
  const cost = Number.isFinite(low) && Number.isFinite(high) ? `${approx}${formatUsd(low)}–${formatUsd(high)}` : formatModelCost(first.modelId, null);
  return `${tokens} · ${cost}`;
}

/** A price override (a workspace's says so) is named beside the cost it produced. */
export const overrideNote = (priceSource: string | null) => (priceSource?.startsWith('price override') ? ` (${priceSource})` : '');

function tooltip(estimates: Estimate[]): string {
  return estimates
    .map((e) => `${e.modelId}: ${e.estimated ? '≈ ' : ''}${formatInt(e.inputTokens)} tokens (${e.method}), ${formatModelCost(e.modelId, e.inputCost)} in, ${formatModelCost(e.modelId, e.costAtMaxOutput)} with ${formatInt(e.maxOutputTokens)} out${overrideNote(e.priceSource)}`)
    .join('\n');
}
