// The CLI's configuration: `prompt-profiler.json` in the working directory plus the SDKs' own
// environment variables (OPENAI_API_KEY, OPENAI_BASE_URL, ANTHROPIC_API_KEY, ANTHROPIC_BASE_URL).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BASE_URL_ENV, providerSettings, validateProviders, type ProviderSettings } from '../core/config';
import type { PriceOverride } from '../core/pricing';
import type { ProviderConfig, ProviderError } from '../core/types';

export const CONFIG_FILE = 'prompt-profiler.json';
export const DEFAULT_CACHE_DIR = path.join('.prompt-profiler', 'cache');

export interface CliConfig {
  models: string[];
  providers: Record<string, ProviderSettings>;
  concurrency?: number;
  cacheDir: string;
  prices: Record<string, PriceOverride>;
  maxOutputTokens?: number;
  temperature?: number;
  /** Path of the file read, if any. */
  source?: string;
}

export class UsageError extends Error {}

export function loadConfig(cwd: string): CliConfig {
  const file = path.join(cwd, CONFIG_FILE);
  let raw: Record<string, unknown> = {};
  if (fs.existsSync(file)) {
    try {
      raw = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
    } catch (e) {
      throw new UsageError(`${CONFIG_FILE}: not valid JSON (${(e as Error).message}).`);
    }
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new UsageError(`${CONFIG_FILE}: must be a JSON object.`);
  }
  const problems = validateProviders(raw.providers);
  if (raw.models !== undefined && (!Array.isArray(raw.models) || raw.models.some((m) => typeof m !== 'string'))) {
    problems.push('"models" must be an array of "provider:model" strings.');
  }
  for (const key of ['concurrency', 'maxOutputTokens', 'temperature'] as const) {
    if (raw[key] !== undefined && typeof raw[key] !== 'number') problems.push(`"${key}" must be a number.`);
  }
  if (raw.cacheDir !== undefined && typeof raw.cacheDir !== 'string') problems.push('"cacheDir" must be a string.');
  const prices = raw.prices ?? raw.priceOverrides;
  if (prices !== undefined && (typeof prices !== 'object' || prices === null || Array.isArray(prices))) {
    problems.push('"prices" must be an object of model id → { input, output, … } (USD per million tokens).');
  }
  if (problems.length) throw new UsageError(`${CONFIG_FILE}: ${problems.join(' ')}`);
  return {
    models: (raw.models as string[] | undefined) ?? [],
    providers: (raw.providers as Record<string, ProviderSettings> | undefined) ?? {},
    concurrency: raw.concurrency as number | undefined,
    cacheDir: path.resolve(cwd, (raw.cacheDir as string | undefined) ?? DEFAULT_CACHE_DIR),
    prices: (prices as Record<string, PriceOverride> | undefined) ?? {},
    maxOutputTokens: raw.maxOutputTokens as number | undefined,
    temperature: raw.temperature as number | undefined,
    source: fs.existsSync(file) ? file : undefined,
  };
}

/** Resolves a provider name to a config with its key from the environment. */
export function resolveFromEnv(
  name: string,
  config: CliConfig,
  env: NodeJS.ProcessEnv = process.env,
): { ok: true; config: ProviderConfig } | { ok: false; error: ProviderError } {
  const settings = providerSettings(name, config.providers);
  if (!settings) {
    return {
      ok: false,
      error: { kind: 'config', message: `Unknown provider "${name}": add it to "providers" in ${CONFIG_FILE}.` },
    };
  }
  const apiKey = settings.apiKeyEnv ? env[settings.apiKeyEnv] || undefined : undefined;
  const baseURL = settings.baseURL ?? (BASE_URL_ENV[name] ? env[BASE_URL_ENV[name]] || undefined : undefined);
  if (settings.type === 'openai-compatible' && !baseURL) {
    return { ok: false, error: { kind: 'config', message: `Provider "${name}" needs a baseURL in ${CONFIG_FILE}.` } };
  }
  if (!apiKey && settings.type !== 'openai-compatible') {
    return { ok: false, error: { kind: 'auth', message: `No API key for ${name}: set ${settings.apiKeyEnv}.` } };
  }
  return { ok: true, config: { name, type: settings.type, baseURL, apiKey } };
}
