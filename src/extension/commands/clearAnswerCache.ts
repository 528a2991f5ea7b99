import * as vscode from 'vscode';
import type { Services } from '../services';

export async function clearAnswerCache(services: Services): Promise<number> {
  const { entries } = await (await services.cache()).stats();
  await (await services.cache()).clear();
  services.log.info(`Cleared the answer cache (${entries} entr${entries === 1 ? 'y' : 'ies'}) in ${services.cacheDir.fsPath}`);
  void vscode.window.showInformationMessage(`Prompt Profiler: cleared ${entries} cached answer${entries === 1 ? '' : 's'}.`);
  return entries;
}
