// The built-in diff of a file's git HEAD version against the working copy (from a cost CodeLens
// or Show Cost Changes); a file HEAD does not have opens as it is.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { CostChanges } from '../check/costChanges';

export async function openHeadDiff(costs: CostChanges, uri: vscode.Uri, isNew = false): Promise<void> {
  const head = isNew ? undefined : await costs.headUri(uri);
  if (!head) {
    await vscode.window.showTextDocument(uri);
    return;
  }
  await vscode.commands.executeCommand('vscode.diff', head, uri, `${path.basename(uri.fsPath)} (HEAD ↔ Working Tree)`);
}
