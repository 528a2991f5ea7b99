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
  RunAsBatch = 'promptProfiler.runAsBatch',
  ShowDashboard = 'promptProfiler.showDashboard',
  PlanPromptCache = 'promptProfiler.planPromptCache',
  ShowCostChanges = 'promptProfiler.showCostChanges',
  OpenHeadDiff = 'promptProfiler.openHeadDiff',
}

export const CONFIG_SECTION = 'promptProfiler';
export const PANEL_VIEW_TYPE = 'promptProfiler.profile';
export const DASHBOARD_VIEW_TYPE = 'promptProfiler.dashboard';
/** Each batch's state is kept under this prefix + its job id in workspace state. */
export const BATCH_STATE_PREFIX = 'promptProfiler.batch.';
/** Our language (`.prompt`, `.prompty`): an id of our own, so VS Code's prompt-file and Markdown features leave our files alone. */
export const PROMPT_LANGUAGE_ID = 'prompt-profiler.prompt';
/** VS Code's own prompt files (`.prompt.md`, e.g. in .github/prompts/): prompts too. */
export const VSCODE_PROMPT_LANGUAGE_ID = 'prompt';

/** Is a document of this language one prompt from its first line to its last? */
export function isPromptLanguage(languageId: string): boolean {
  return languageId === PROMPT_LANGUAGE_ID || languageId === VSCODE_PROMPT_LANGUAGE_ID;
}

/** SecretStorage key for a provider's API key. */
export function secretKeyFor(provider: string): string {
  return `promptProfiler.${provider}.apiKey`;
}

/** A secret header's value for a provider (see headersFromEnv). */
export function secretHeaderKeyFor(provider: string, header: string): string {
  return `promptProfiler.${provider}.header.${header.toLowerCase()}`;
}
