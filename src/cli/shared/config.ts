// The CLI's configuration: `prompt-profiler.json` (found by --config, else in the working
// directory or the nearest folder above it) plus the SDKs' own environment variables
// (OPENAI_API_KEY, OPENAI_BASE_URL, ANTHROPIC_API_KEY, ANTHROPIC_BASE_URL). The file is checked
// against schemas/prompt-profiler.schema.json, the same schema VS Code uses for completion.
import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv, { type ErrorObject } from 'ajv';
import schema from '../../../schemas/prompt-profiler.schema.json';
import { BASE_URL_ENV, providerSettings, type ProviderSettings } from '../../core/config';
import type { Budget } from '../../core/check';
import type { PriceOverride } from '../../core/pricing';
import type { ProviderConfig, ProviderError } from '../../core/types';
import { UsageError } from './io';

export const CONFIG_FILE = 'prompt-profiler.json';
export const DEFAULT_CACHE_DIR = path.join('.prompt-profiler', 'cache');

export type { Budget } from '../../core/check';

export interface CliConfig {
  models: string[];
  providers: Record<string, ProviderSettings>;
  concurrency?: number;
  cacheDir: string;
  prices: Record<string, PriceOverride>;
  maxOutputTokens?: number;
  temperature?: number;
  prompts?: string[];
  expectedOutputTokens?: number | Record<string, number>;
  traffic?: Record<string, number>;
  budgets?: Budget[];
  /** Path of the file read, if any. */
  source?: string;
  /** The project's folder: the config file's folder, else the working directory. */
  root: string;
  /** Unknown keys and other things worth saying that do not stop the run. */
  warnings: string[];
}

/** The config file to read: --config FILE, else the nearest prompt-profiler.json from cwd upward. */
export function findConfigFile(cwd: string, explicit?: string): string | undefined {
  if (explicit !== undefined) {
    const file = path.resolve(cwd, explicit);
    if (!fs.existsSync(file)) throw new UsageError(`--config: no such file: ${explicit}`);
    if (fs.statSync(file).isDirectory()) throw new UsageError(`--config: ${explicit} is a folder, not a JSON file.`);
    return file;
  }
  for (let dir = path.resolve(cwd); ; dir = path.dirname(dir)) {
    const file = path.join(dir, CONFIG_FILE);
    if (fs.existsSync(file) && fs.statSync(file).isFile()) return file;
    if (path.dirname(dir) === dir) return undefined;
  }
}

let validator: ReturnType<Ajv['compile']> | undefined;

/** Problems (refused) and warnings (unknown keys outside prices and budgets) of a parsed config. */
export function checkConfig(raw: unknown): { problems: string[]; warnings: string[] } {
  validator ??= new Ajv({ allErrors: true, strict: false }).compile(schema);
  if (validator(raw)) return { problems: [], warnings: [] };
  const problems: string[] = [];
  const warnings: string[] = [];
  for (const e of validator.errors ?? []) {
    // "if" is said by its "then" error, a bad key's pattern by the "propertyNames" error after it.
    if (e.keyword === 'if' || e.propertyName !== undefined) continue;
    const where = jsonPath(e.instancePath);
    if (e.keyword === 'additionalProperties') {
      const key = (e.params as { additionalProperty: string }).additionalProperty;
      const full = where ? `${where}.${key}` : key;
      // A typo in a price or a budget would silently change a figure or a gate: refuse it.
      if (/^(prices|priceOverrides)\[|^budgets\[/.test(where)) problems.push(`${full}: unknown field.`);
      else warnings.push(`${full}: unknown key, ignored.`);
      continue;
    }
    problems.push(`${where || '(top level)'} ${describe(e, raw)}.`);
  }
  return { problems, warnings };
}

/** `/prices/openai:x/input` → `prices["openai:x"].input`. */
function jsonPath(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s, i) => (/^\d+$/.test(s) ? `[${s}]` : /^[A-Za-z_$][\w$]*$/.test(s) ? `${i ? '.' : ''}${s}` : `[${JSON.stringify(s)}]`))
    .join('');
}

function describe(e: ErrorObject, raw: unknown): string {
  let value: unknown = raw;
  for (const s of e.instancePath.split('/').slice(1)) value = (value as Record<string, unknown>)?.[s.replace(/~1/g, '/').replace(/~0/g, '~')];
  const got = ` (got ${JSON.stringify(value)})`;
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'type': return `must be ${p.type === 'integer' ? 'a whole number' : `a${/^[aeiou]/.test(String(p.type)) ? 'n' : ''} ${p.type}`}${got}`;
    case 'minimum': return `must be ≥ ${p.limit}${got}`;
    case 'maximum': return `must be ≤ ${p.limit}${got}`;
    case 'enum': return `must be one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}${got}`;
    case 'required': return `needs "${p.missingProperty}"`;
    case 'pattern':
      return e.instancePath.endsWith('baseURL') ? `must start with http:// or https://${got}` : `is not valid${got}: expected ${e.parentSchema?.description ?? `the pattern ${p.pattern}`}`;
    case 'propertyNames': return `has a key that is not a provider:model id (${JSON.stringify(p.propertyName)})`;
    case 'minLength': return `must not be empty`;
    default: return `${e.message}${got}`;
  }
}

export function loadConfig(cwd: string, explicit?: string): CliConfig {
  const file = findConfigFile(cwd, explicit);
  let raw: Record<string, unknown> = {};
  const name = file ? path.relative(cwd, file) || CONFIG_FILE : CONFIG_FILE;
  if (file) {
    try {
      raw = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
    } catch (e) {
      throw new UsageError(`${name}: not valid JSON (${(e as Error).message}).`);
    }
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new UsageError(`${name}: must be a JSON object.`);
  }
  const { problems, warnings } = checkConfig(raw);
  if (problems.length) throw new UsageError(`${name}: ${problems.join(' ')}`);
  const root = file ? path.dirname(file) : path.resolve(cwd);
  return {
    models: (raw.models as string[] | undefined) ?? [],
    providers: (raw.providers as Record<string, ProviderSettings> | undefined) ?? {},
    concurrency: raw.concurrency as number | undefined,
    cacheDir: path.resolve(root, (raw.cacheDir as string | undefined) ?? DEFAULT_CACHE_DIR),
    prices: ((raw.prices ?? raw.priceOverrides) as Record<string, PriceOverride> | undefined) ?? {},
    maxOutputTokens: raw.maxOutputTokens as number | undefined,
    temperature: raw.temperature as number | undefined,
    prompts: raw.prompts as string[] | undefined,
    expectedOutputTokens: raw.expectedOutputTokens as number | Record<string, number> | undefined,
    traffic: raw.traffic as Record<string, number> | undefined,
    budgets: raw.budgets as Budget[] | undefined,
    source: file,
    root,
    warnings: warnings.map((w) => `${name}: ${w}`),
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
