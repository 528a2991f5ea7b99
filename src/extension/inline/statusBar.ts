// Status bar: tokens and cost of the current selection for one model; click to pick the model.
import * as vscode from 'vscode';
import { formatInt } from '../../core/format';
import { CommandId } from '../constants';
import { Disposable } from '../lifecycle';
import type { Services } from '../services';
import { formatModelCost } from '../providers/vscodeLm';
import { overrideNote } from './codeLens';
import type { Estimate } from '../../core/engine';
import type { InlineEstimates } from './inlineEstimates';
import { coversDocument, isPromptDocument } from './promptDocuments';

const DEBOUNCE_MS = 150;
/** A selection larger than this (and not a whole prompt document) is not read on the host's thread: ≈ 4 characters a token. */
const MAX_SELECTION_CHARS = 1_000_000;

export class SelectionCostStatusBar extends Disposable {
  private readonly item = this._register(vscode.window.createStatusBarItem('promptProfiler.selectionCost', vscode.StatusBarAlignment.Right, 100));
  private timer: NodeJS.Timeout | undefined;
  private generation = 0;

  constructor(
    private readonly services: Services,
    private readonly estimates: InlineEstimates,
  ) {
    super();
    this.item.name = 'Prompt Profiler: selection cost';
    this.item.command = CommandId.SelectStatusBarModel;
    this._register(vscode.window.onDidChangeTextEditorSelection(() => this.updateSoon()));
    this._register(vscode.window.onDidChangeActiveTextEditor(() => this.updateSoon()));
    this._register(services.config.onDidChange(() => this.updateSoon()));
    this._register(estimates.documents.onDidCount(() => this.updateSoon()));
    this._register({ dispose: () => clearTimeout(this.timer) });
    this.updateSoon();
  }

  /** The model shown: the setting, else the first configured model. */
  get model(): string | undefined {
    const c = this.services.config.value;
    return c.statusBarModel ?? c.models[0];
  }

  private updateSoon(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.update(), DEBOUNCE_MS);
  }

  async update(): Promise<void> {
    const generation = ++this.generation;
    const editor = vscode.window.activeTextEditor;
    const model = this.model;
    if (!editor || editor.selection.isEmpty || !model) {
      this.item.hide();
      return;
    }
    const doc = editor.document;
    const selection = editor.selection;
    let e: Estimate | undefined;
    try {
      if (isPromptDocument(doc) && coversDocument(doc, selection)) {
        // The whole prompt selected: its chunked counts, not the text read again.
        [e] = (await this.estimates.estimateDocument(doc, { models: [model] })).estimates;
      } else if (doc.offsetAt(selection.end) - doc.offsetAt(selection.start) > MAX_SELECTION_CHARS) {
        e = this.approximate(model, doc.offsetAt(selection.end) - doc.offsetAt(selection.start));
      } else {
        [e] = await this.estimates.estimateRange(doc, selection, [model]);
      }
    } catch (err) {
      // e.g. promptProfiler.statusBar.model is not a `provider:model` id: say nothing rather than fail.
      this.services.log.warn(`Status bar estimate for ${model} failed: ${(err as Error).message ?? err}`);
      if (generation === this.generation) this.item.hide();
      return;
    }
    if (generation !== this.generation || !e) return; // a newer selection won
    this.item.text = `$(symbol-numeric) ${e.estimated ? '≈ ' : ''}${formatInt(e.inputTokens)} tok · ${formatModelCost(model, e.inputCost)}`;
    this.item.tooltip = `${model}: ${formatInt(e.inputTokens)} input tokens (${e.method}), ${formatModelCost(model, e.inputCost)} to send, ${formatModelCost(model, e.costAtMaxOutput)} with ${formatInt(e.maxOutputTokens)} output tokens${overrideNote(e.priceSource)}. Click to choose the model.`;
    this.item.show();
  }

  private approximate(model: string, chars: number): Estimate {
    const config = this.services.config.value;
    const count = { tokens: Math.ceil(chars / 4), estimated: true, method: '≈ approximate (≈ 4 characters a token; the selection is too large to count here)' };
    return this.services.engine.estimateFromCount(model, count, config.maxOutputTokens);
  }

  /** For tests: what the status bar shows now. */
  get text(): string | undefined {
    return this.item.text;
  }
}
