// CodeLens above each prompt in a prompt file: `≈ 1,234 tok · $0.0031–$0.012 · Profile`.
import * as vscode from 'vscode';
import { formatInt, formatUsd } from '../../core/format';
import { findPromptBlocks } from '../../core/prompt';
import { CommandId, PROMPT_LANGUAGE_ID } from '../constants';
import { Disposable } from '../lifecycle';
import type { Services } from '../services';
import { formatModelCost } from '../providers/vscodeLm';
import type { InlineEstimates } from './inlineEstimates';

const REFRESH_DEBOUNCE_MS = 300;

export class PromptCodeLensProvider extends Disposable implements vscode.CodeLensProvider {
  private readonly changed = this._register(new vscode.EventEmitter<void>());
  readonly onDidChangeCodeLenses = this.changed.event;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly services: Services,
    private readonly estimates: InlineEstimates,
  ) {
    super();
    // Typing changes the counts: refresh once the typing pauses, not on every keystroke.
    this._register(vscode.workspace.onDidChangeTextDocument(() => this.refreshSoon()));
    this._register(services.config.onDidChange(() => this.refreshSoon()));
    this._register({ dispose: () => clearTimeout(this.timer) });
  }

  private refreshSoon(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.changed.fire(), REFRESH_DEBOUNCE_MS);
  }

  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    if (!this.services.config.value.codeLensEnabled) return [];
    return findPromptBlocks(doc.getText(), doc.fileName, { fencedOnly: doc.languageId !== PROMPT_LANGUAGE_ID }).flatMap((b) => {
      const range = new vscode.Range(b.startLine, 0, b.startLine, 0);
      const info = new vscode.CodeLens(range);
      (info as BlockLens).block = b.text;
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
    const text = (lens as BlockLens).block;
    if (text === undefined) return lens;
    const estimates = await this.estimates.estimate(text);
    lens.command = { title: lensTitle(estimates), command: '', tooltip: tooltip(estimates) };
    return lens;
  }
}

type BlockLens = vscode.CodeLens & { block?: string };

export function lensTitle(estimates: Awaited<ReturnType<InlineEstimates['estimate']>>): string {
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

function tooltip(estimates: Awaited<ReturnType<InlineEstimates['estimate']>>): string {
  return estimates
    .map((e) => `${e.modelId}: ${e.estimated ? '≈ ' : ''}${formatInt(e.inputTokens)} tokens, ${formatModelCost(e.modelId, e.inputCost)} in, ${formatModelCost(e.modelId, e.costAtMaxOutput)} with ${formatInt(e.maxOutputTokens)} out${overrideNote(e.priceSource)}`)
    .join('\n');
}
