// Select Models…: a quick pick of known models with their prices, and the models VS Code itself
// offers (its Language Model API: Copilot's, other extensions'); writes promptProfiler.models.
import * as vscode from 'vscode';
import { formatInt, formatUsd } from '../../core/format';
import { CONFIG_SECTION } from '../constants';
import { formatModelCost, listVsCodeModels, type VsCodeModelInfo } from '../providers/vscodeLm';
import type { Services } from '../services';

export async function selectModels(services: Services): Promise<string[] | undefined> {
  const current = services.config.value.models;
  const prices = services.engine.prices;
  const known = prices.knownModels(['openai', 'anthropic']);
  const editorModels = await listVsCodeModels().catch((e: unknown) => {
    services.log.warn(`VS Code's language models could not be listed: ${(e as Error)?.message ?? e}`);
    return [] as VsCodeModelInfo[];
  });
  const inEditor = new Map(editorModels.map((m) => [m.id, m]));
  const ids = [...new Set([...current, ...editorModels.map((m) => m.id), ...known.map((k) => k.modelId)])];
  const items = ids.map((id): vscode.QuickPickItem => {
    const p = prices.lookup(id);
    const price = p ? `in ${formatUsd(p.input)} · out ${formatUsd(p.output)} per 1M tokens` : formatModelCost(id, null);
    const m = inEditor.get(id);
    return {
      label: id,
      description: m ? `VS Code · ${m.name} · up to ${formatInt(m.maxInputTokens)} input tokens · ${price}` : price,
      picked: current.includes(id),
    };
  });
  const picked = await vscode.window.showQuickPick(items, {
    title: 'Prompt Profiler: models to profile',
    placeHolder: 'Pick the models (type to filter; provider:model)',
    canPickMany: true,
    matchOnDescription: true,
  });
  if (!picked) return undefined;
  const models = picked.map((p) => p.label);
  await updateSetting('models', models);
  return models;
}

export async function selectStatusBarModel(services: Services): Promise<string | undefined> {
  const models = services.config.value.models;
  const picked = await vscode.window.showQuickPick(models, { title: 'Prompt Profiler: model shown in the status bar' });
  if (picked) await updateSetting('statusBar.model', picked);
  return picked;
}

/** Writes where the user keeps it: the workspace if it already sets the value, else user settings. */
async function updateSetting(key: string, value: unknown): Promise<void> {
  const c = vscode.workspace.getConfiguration(CONFIG_SECTION);
  const i = c.inspect(key);
  const target = i?.workspaceValue !== undefined ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
  await c.update(key, value, target);
}
