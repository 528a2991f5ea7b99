// Provider settings shared by the CLI's prompt-profiler.json and the extension's settings.
import type { OutputTokensParam, ProviderConfig, ProviderType } from './types';

export interface ProviderSettings {
  type: ProviderType;
  baseURL?: string;
  /** Environment variable that holds this provider's key (the CLI's source, the extension's fallback). */
  apiKeyEnv?: string;
  /** Headers sent as written (a gateway's routing headers, OpenRouter's `HTTP-Referer`/`X-Title`). */
  headers?: Record<string, string>;
  /**
   * Secret headers: header name → environment variable holding its value (the extension looks in
   * SecretStorage first). They go where the key may go, and nowhere else.
   */
  headersFromEnv?: Record<string, string>;
  /** `max_tokens` or `max_completion_tokens`; default by host (see outputTokensParam()). */
  outputTokensParam?: OutputTokensParam;
  /** Requests in flight at once for this provider; default 1 for openai-compatible on loopback. */
  concurrency?: number;
  /** A stream silent this long is cut (default 120). */
  idleTimeoutSeconds?: number;
}

/**
 * What only an endpoint the user chose may receive: the API key and the secret header values.
 * Both shells decide once, for this bundle, whether a base URL may have it.
 */
export interface ProviderSecrets {
  apiKey?: string;
  /** Header name → value (from headersFromEnv). */
  headers: Record<string, string>;
}

export function hasSecrets(secrets: ProviderSecrets): boolean {
  return !!secrets.apiKey || Object.keys(secrets.headers).length > 0;
}

/** The secret header values named by `headersFromEnv`, from the environment (or another lookup). */
export function secretHeaders(
  settings: Pick<ProviderSettings, 'headersFromEnv'>,
  lookup: (variable: string, header: string) => string | undefined,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [header, variable] of Object.entries(settings.headersFromEnv ?? {})) {
    const value = lookup(variable, header);
    if (value) out[header] = value;
  }
  return out;
}

/** Secret header variables that are not set, for a message that says which. */
export function missingSecretHeaders(settings: Pick<ProviderSettings, 'headersFromEnv'>, secrets: ProviderSecrets): string[] {
  return Object.entries(settings.headersFromEnv ?? {})
    .filter(([header]) => secrets.headers[header] === undefined)
    .map(([header, variable]) => `${header} (${variable})`);
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

/**
 * The config a provider runs with. `baseURL` is the one the shell decided on (never filled in
 * from `settings`), and `secrets` are only passed once the shell allowed them for it.
 */
export function toProviderConfig(name: string, settings: ProviderSettings, secrets: ProviderSecrets, baseURL: string | undefined): ProviderConfig {
  const headers = { ...settings.headers, ...secrets.headers };
  return {
    name,
    type: settings.type,
    baseURL,
    apiKey: secrets.apiKey,
    ...(Object.keys(headers).length ? { headers } : {}),
    ...(Object.keys(secrets.headers).length ? { secretHeaders: Object.keys(secrets.headers) } : {}),
    ...(settings.outputTokensParam ? { outputTokensParam: settings.outputTokensParam } : {}),
    ...(settings.concurrency ? { concurrency: settings.concurrency } : {}),
    ...(settings.idleTimeoutSeconds !== undefined ? { idleTimeoutMs: settings.idleTimeoutSeconds * 1000 } : {}),
  };
}

/** An openai-compatible server on this machine usually answers one request at a time. */
export function defaultConcurrency(config: Pick<ProviderConfig, 'type' | 'baseURL' | 'concurrency'>): number | undefined {
  if (config.concurrency) return config.concurrency;
  return config.type === 'openai-compatible' && isLoopbackURL(config.baseURL) ? 1 : undefined;
}

export function isLoopbackURL(url: string | undefined): boolean {
  if (!url) return false;
  let host: string;
  try {
    host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  } catch {
    return false;
  }
  return host === 'localhost' || host.endsWith('.localhost') || /^127\./.test(host) || host === '::1' || host === '0.0.0.0';
}
