// The built-in diff of a file's git HEAD version against the working copy (from a cost CodeLens
// or Show Cost Changes); a file HEAD does not have opens as it is, a deleted one at HEAD.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ChangeStatus } from '../../core/check';
import type { CostChanges } from '../check/costChanges';

export async function openHeadDiff(costs: CostChanges, uri: vscode.Uri, status: ChangeStatus = 'changed'): Promise<void> {
  const head = status === 'new' ? undefined : await costs.headUri(uri);
  if (!head || status === 'deleted') {
    await vscode.window.showTextDocument(head ?? uri);
    return;
  }
  await vscode.commands.executeCommand('vscode.diff', head, uri, `${path.basename(uri.fsPath)} (HEAD ↔ Working Tree)`);
}
