// Read-only Markdown documents for reports (a prompt-cache plan, batch results): a virtual
// document per report, shown as a Markdown preview. Unlike an untitled document it never asks
// to be saved, and its content can be updated in place (the plan's Verify result).
import * as vscode from 'vscode';
import { Disposable } from '../lifecycle';

export const REPORT_SCHEME = 'prompt-profiler-report';
const MAX_REPORTS = 20;

export class ReportDocuments extends Disposable implements vscode.TextDocumentContentProvider {
  private readonly contents = new Map<string, string>();
  private readonly emitter = this._register(new vscode.EventEmitter<vscode.Uri>());
  readonly onDidChange = this.emitter.event;
  private counter = 0;

  constructor() {
    super();
    this._register(vscode.workspace.registerTextDocumentContentProvider(REPORT_SCHEME, this));
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.contents.get(uri.toString()) ?? '# Prompt Profiler\n\nThis report is no longer available: run the command again.\n';
  }

  /** A new report URI named `title` (a file name ending in .md, so the Markdown preview applies). */
  create(title: string, markdown: string): vscode.Uri {
    const safe = title.replace(/[^\w.-]+/g, '-').replace(/^-+|-+$/g, '') || 'report';
    const uri = vscode.Uri.from({ scheme: REPORT_SCHEME, path: `/${++this.counter}/${safe}.md` });
    this.contents.set(uri.toString(), markdown);
    // The preview may re-read a report at any time: keep the latest ones, forget older ones.
    for (const key of this.contents.keys()) {
      if (this.contents.size <= MAX_REPORTS) break;
      this.contents.delete(key);
    }
    return uri;
  }

  get(uri: vscode.Uri): string | undefined {
    return this.contents.get(uri.toString());
  }

  update(uri: vscode.Uri, markdown: string): void {
    this.contents.set(uri.toString(), markdown);
    this.emitter.fire(uri);
  }

  /** Opens the report as a Markdown preview beside the editor (the source text when no preview is available). */
  async show(uri: vscode.Uri): Promise<void> {
    try {
      await vscode.commands.executeCommand('markdown.showPreviewToSide', uri);
      return;
    } catch {
      // the built-in Markdown extension is disabled
    }
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.languages.setTextDocumentLanguage(doc, 'markdown');
    await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.Beside, preview: true, preserveFocus: true });
  }
}

/** Text (answers, ids, prompt text) as a Markdown table cell: one line, every construct escaped. */
export { markdownCell as cell } from '../../core/text';
