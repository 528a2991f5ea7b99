// The budgets of prompt-profiler.json as diagnostics: a warning squiggle on each prompt that
// breaks one, listed in the Problems view (the same breach lines as `prompt-profiler check`).
import * as vscode from 'vscode';
import { Disposable } from '../lifecycle';
import { isCostedDocument, type CostChanges } from './costChanges';

const DEBOUNCE_MS = 400;

export class BudgetDiagnostics extends Disposable {
  readonly collection = this._register(vscode.languages.createDiagnosticCollection('promptProfiler.budgets'));
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(private readonly costs: CostChanges) {
    super();
    this._register(vscode.workspace.onDidOpenTextDocument((d) => this.updateSoon(d)));
    this._register(vscode.workspace.onDidChangeTextDocument((e) => this.updateSoon(e.document)));
    this._register(vscode.workspace.onDidCloseTextDocument((d) => this.collection.delete(d.uri)));
    this._register(costs.onDidChange(() => vscode.workspace.textDocuments.forEach((d) => this.updateSoon(d))));
    this._register({ dispose: () => this.timers.forEach((t) => clearTimeout(t)) });
    vscode.workspace.textDocuments.forEach((d) => this.updateSoon(d));
  }

  private updateSoon(doc: vscode.TextDocument): void {
    if (!isCostedDocument(doc)) return;
    const key = doc.uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.set(key, setTimeout(() => void this.update(doc), DEBOUNCE_MS));
  }

  async update(doc: vscode.TextDocument): Promise<void> {
    const version = doc.version;
    const costs = await this.costs.forDocument(doc).catch(() => undefined);
    if (doc.isClosed || doc.version !== version) return; // a newer edit will report
    const diagnostics = (costs?.breaches ?? []).map((b) => {
      const line = Math.min(b.line - 1, doc.lineCount - 1);
      const d = new vscode.Diagnostic(doc.lineAt(line).range, b.message, vscode.DiagnosticSeverity.Warning);
      d.source = 'Prompt Profiler';
      d.code = b.limit;
      return d;
    });
    this.collection.set(doc.uri, diagnostics);
  }
}
