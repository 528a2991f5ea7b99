// Ids used across the shell. Commands, the view type and settings must match package.json.
export const enum CommandId {
  ProfilePrompt = 'promptProfiler.profilePrompt',
  ProfilePromptBypassCache = 'promptProfiler.profilePromptBypassCache',
  ProfileBlock = 'promptProfiler.profileBlock',
  SelectModels = 'promptProfiler.selectModels',
  SetApiKey = 'promptProfiler.setApiKey',
  ClearAnswerCache = 'promptProfiler.clearAnswerCache',
  ShowLog = 'promptProfiler.showLog',
  SelectStatusBarModel = 'promptProfiler.selectStatusBarModel',
}

export const CONFIG_SECTION = 'promptProfiler';
export const PANEL_VIEW_TYPE = 'promptProfiler.profile';
export const PROMPT_LANGUAGE_ID = 'prompt';

/** SecretStorage key for a provider's API key. */
export function secretKeyFor(provider: string): string {
  return `promptProfiler.${provider}.apiKey`;
}

/** A secret header's value for a provider (see headersFromEnv). */
export function secretHeaderKeyFor(provider: string, header: string): string {
  return `promptProfiler.${provider}.header.${header.toLowerCase()}`;
}
