// Select Models…: a quick pick of known models with their prices; writes promptProfiler.models.
import * as vscode from 'vscode';
import { formatUsd } from '../../core/format';
import { CONFIG_SECTION } from '../constants';
import type { Services } from '../services';

export async function selectModels(services: Services): Promise<string[] | undefined> {
  const current = services.config.value.models;
  const prices = services.engine.prices;
  const known = prices.knownModels(['openai', 'anthropic']);
  const ids = [...new Set([...current, ...known.map((k) => k.modelId)])];
  const items = ids.map((id): vscode.QuickPickItem => {
    const p = prices.lookup(id);
    return {
      label: id,
      description: p ? `in ${formatUsd(p.input)} · out ${formatUsd(p.output)} per 1M tokens` : 'no price',
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
