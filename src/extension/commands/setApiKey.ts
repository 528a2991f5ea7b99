// Set API Key…: per provider, into SecretStorage (or remove it).
import * as vscode from 'vscode';
import { BUILTIN_PROVIDERS } from '../../core/config';
import { readEndpointConfig } from '../config';
import { secretKeyFor } from '../constants';
import type { Services } from '../services';

export async function setApiKey(services: Services, provider?: string): Promise<void> {
  const ec = readEndpointConfig();
  const names = [...new Set([...Object.keys(BUILTIN_PROVIDERS), ...Object.keys(ec.providers.user ?? {}), ...Object.keys(ec.providers.workspace ?? {})])];
  const name =
    provider ??
    (
      await vscode.window.showQuickPick(
        names.map((n) => ({ label: n, description: BUILTIN_PROVIDERS[n] ? 'built-in' : 'from settings' })),
        { title: 'Prompt Profiler: set the API key of…', placeHolder: 'Provider' },
      )
    )?.label;
  if (!name) return;
  const stored = await services.context.secrets.get(secretKeyFor(name));
  if (stored) {
    const replace = 'Replace';
    const remove = 'Remove';
    const choice = await vscode.window.showQuickPick([replace, remove], { title: `A key for ${name} is stored.` });
    if (choice === remove) {
      await services.keys.delete(name);
      void vscode.window.showInformationMessage(`Prompt Profiler: removed the ${name} API key.`);
      return;
    }
    if (choice !== replace) return;
  }
  if (await services.keys.prompt(name)) {
    void vscode.window.showInformationMessage(`Prompt Profiler: the ${name} API key is stored in Secret Storage.`);
  }
}
