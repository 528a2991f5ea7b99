// Provider settings shared by the CLI's prompt-profiler.json and the extension's settings.
import type { ProviderConfig, ProviderType } from './types';

export interface ProviderSettings {
  type: ProviderType;
  baseURL?: string;
  /** Environment variable that holds this provider's key (the CLI's source, the extension's fallback). */
  apiKeyEnv?: string;
}

/** Providers every user has without configuring anything. */
export const BUILTIN_PROVIDERS: Readonly<Record<string, ProviderSettings>> = {
  openai: { type: 'openai', apiKeyEnv: 'OPENAI_API_KEY' },
  anthropic: { type: 'anthropic', apiKeyEnv: 'ANTHROPIC_API_KEY' },
};

/** The SDKs' own base-URL variables, honoured for the built-in providers. */
export const BASE_URL_ENV: Readonly<Record<string, string>> = {
  openai: 'OPENAI_BASE_URL',
  anthropic: 'ANTHROPIC_BASE_URL',
};

export function providerSettings(
  name: string,
  custom: Record<string, ProviderSettings> | undefined,
): ProviderSettings | undefined {
  const own = custom?.[name];
  const builtin = BUILTIN_PROVIDERS[name];
  if (own && builtin) return { ...builtin, ...own };
  return own ?? builtin;
}

export function isProviderType(t: unknown): t is ProviderType {
  return t === 'openai' || t === 'anthropic' || t === 'openai-compatible';
}

/** Checks a `providers` object from a config file; returns readable problems. */
export function validateProviders(providers: unknown): string[] {
  if (providers === undefined) return [];
  if (!providers || typeof providers !== 'object' || Array.isArray(providers)) return ['"providers" must be an object.'];
  const problems: string[] = [];
  for (const [name, p] of Object.entries(providers as Record<string, unknown>)) {
    const s = p as Partial<ProviderSettings> | null;
    if (!s || typeof s !== 'object') problems.push(`providers.${name} must be an object.`);
    else if (!isProviderType(s.type)) problems.push(`providers.${name}.type must be "openai", "anthropic" or "openai-compatible".`);
    else if (s.type === 'openai-compatible' && !s.baseURL) problems.push(`providers.${name} needs a baseURL.`);
  }
  return problems;
}

export function toProviderConfig(name: string, settings: ProviderSettings, apiKey: string | undefined, baseURL?: string): ProviderConfig {
  return { name, type: settings.type, baseURL: baseURL ?? settings.baseURL, apiKey };
}
