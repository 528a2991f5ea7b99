// Prompt Profiler: Show Cost Changes — the workspace's prompts that differ from git HEAD, with
// what each change costs per month, largest first; picking one opens the diff.
import * as vscode from 'vscode';
import { changeLine } from '../../core/check';
import { HEAD, type CostChangeItem, type CostChanges } from '../check/costChanges';
import { openHeadDiff } from './openHeadDiff';

export interface CostChangePick extends vscode.QuickPickItem {
  item: CostChangeItem;
}

export function costChangePicks(items: CostChangeItem[]): CostChangePick[] {
  return items.map((item) => {
    const [first, ...others] = item.change.models;
    return {
      label: item.change.name,
      description: first ? (changeLine(first, HEAD) ?? '') : item.change.status,
      detail: [first, ...others].filter(Boolean).map((m) => `${m.modelId}: ${changeLine(m, HEAD)?.replace(/ vs HEAD$/, '') ?? 'unchanged'}`).join('   '),
      item,
    };
  });
}

export async function showCostChanges(costs: CostChanges): Promise<void> {
  const picks = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'Prompt Profiler: cost changes' }, async () => costChangePicks(await costs.changedPrompts()));
  if (!picks.length) {
    void vscode.window.showInformationMessage('Prompt Profiler: no prompt differs from HEAD.');
    return;
  }
  const picked = await vscode.window.showQuickPick(picks, { title: 'Prompt cost changes vs HEAD (per month, largest first)', matchOnDescription: true, matchOnDetail: true });
  if (picked) await openHeadDiff(costs, picked.item.uri, picked.item.change.status);
}
