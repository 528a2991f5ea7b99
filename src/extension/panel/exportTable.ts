// The comparison table's export from the profile panel: the webview builds the Markdown or CSV
// (src/webview/compare/export.ts, model text escaped or formula-guarded there) and posts it; the
// host copies it to the clipboard or writes it where the user chose in a save dialog.
import * as vscode from 'vscode';
import type { WebviewToHost } from '../../webview/protocol';
import type { Log } from '../log';

type ExportMessage = Extract<WebviewToHost, { type: 'exportTable' }>;

/** A table of 12 models is a few kB: anything this large did not come from the panel. */
const MAX_CHARS = 2_000_000;

const FORMATS: Record<ExportMessage['format'], { label: string; ext: string }> = {
  markdown: { label: 'Markdown', ext: 'md' },
  csv: { label: 'CSV', ext: 'csv' },
};

/** Copies or saves the table; returns the file written (save) or undefined. */
export async function exportTable(m: ExportMessage, log: Log): Promise<vscode.Uri | undefined> {
  const spec = Object.hasOwn(FORMATS, m.format) ? FORMATS[m.format] : undefined;
  if (!spec || typeof m.content !== 'string' || m.content.length > MAX_CHARS || (m.action !== 'copy' && m.action !== 'save')) {
    log.warn('Ignored a malformed table export from the profile panel.');
    return undefined;
  }
  if (m.action === 'copy') {
    await vscode.env.clipboard.writeText(m.content);
    void vscode.window.setStatusBarMessage(`Copied the comparison table as ${spec.label}.`, 3000);
    return undefined;
  }
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  const name = `prompt-profile-comparison.${spec.ext}`;
  const target = await vscode.window.showSaveDialog({
    title: `Save the comparison table as ${spec.label}`,
    saveLabel: 'Save',
    defaultUri: folder ? vscode.Uri.joinPath(folder, name) : undefined,
    filters: { [spec.label]: [spec.ext] },
  });
  if (!target) return undefined;
  await vscode.workspace.fs.writeFile(target, Buffer.from(m.content, 'utf8'));
  log.info(`Saved the comparison table (${spec.label}) to ${target.fsPath}`);
  void vscode.window.setStatusBarMessage(`Saved the comparison table to ${target.fsPath}.`, 3000);
  return target;
}
