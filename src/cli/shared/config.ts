// The CLI's configuration: `prompt-profiler.json` (found by --config, else in the working
// directory or the nearest folder above it) plus the SDKs' own environment variables
// (OPENAI_API_KEY, OPENAI_BASE_URL, ANTHROPIC_API_KEY, ANTHROPIC_BASE_URL). The file is checked
// against schemas/prompt-profiler.schema.json, the same schema VS Code uses for completion.
// The user's own config ($XDG_CONFIG_HOME/prompt-profiler/config.json, same schema) sits under
// it: what the user's file and environment name is the user's choice; what the project's file
// names is the repository's, and never receives a key unless the user trusts it for the run.
import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv, { type ErrorObject } from 'ajv';
import schema from '../../../schemas/prompt-profiler.schema.json';
import { BASE_URL_ENV, BUILTIN_PROVIDERS, missingSecretHeaders, secretHeaders, toProviderConfig, type ProviderSettings } from '../../core/config';
import { isInside } from '../../core/files';
import { checkSecretDelivery, type Chooser } from '../../core/trust';
import type { Budget } from '../../core/check';
import type { PriceOverride } from '../../core/pricing';
import type { ProviderConfig, ProviderError } from '../../core/types';
import { UsageError } from './io';

export const CONFIG_FILE = 'prompt-profiler.json';
export const DEFAULT_CACHE_DIR = path.join('.prompt-profiler', 'cache');
/** Opts in to the repository's base URLs and key variables for one run, like --trust-config. */
export const TRUST_CONFIG_ENV = 'PROMPT_PROFILER_TRUST_CONFIG';
export const TRUST_REMEDY = `Run with --trust-config (or ${TRUST_CONFIG_ENV}=1) if you trust this repository's config, or set the provider in your own config or environment.`;

/** The user's own config file: $XDG_CONFIG_HOME (or ~/.config, %APPDATA%)/prompt-profiler/config.json. */
export function userConfigFile(env: NodeJS.ProcessEnv): string | undefined {
  const base = env.XDG_CONFIG_HOME || (process.platform === 'win32' ? env.APPDATA : env.HOME ? path.join(env.HOME, '.config') : undefined);
  return base ? path.join(base, 'prompt-profiler', 'config.json') : undefined;
}

export type { Budget } from '../../core/check';

export interface CliConfig {
  models: string[];
  /** The project's (repository's) providers. */
  providers: Record<string, ProviderSettings>;
  /** The user's own providers (their config file in the user config folder). */
  userProviders: Record<string, ProviderSettings>;
  /** The user trusts the project's config for this run (--trust-config or PROMPT_PROFILER_TRUST_CONFIG=1). */
  trustConfig: boolean;
  concurrency?: number;
  /** A stream silent this long is cut (--idle-timeout, else the config's; a provider's own wins). */
  idleTimeoutSeconds?: number;
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
  /** The user's config file, if one was read. */
  userSource?: string;
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

function readConfigFile(file: string, name: string): { raw: Record<string, unknown>; warnings: string[] } {
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (e) {
    throw new UsageError(`${name}: not valid JSON (${(e as Error).message}).`);
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new UsageError(`${name}: must be a JSON object.`);
  const { problems, warnings } = checkConfig(raw);
  if (problems.length) throw new UsageError(`${name}: ${problems.join(' ')}`);
  return { raw, warnings: warnings.map((w) => `${name}: ${w}`) };
}

export interface LoadOptions {
  /** --config FILE */
  explicit?: string;
  /** --trust-config */
  trustConfig?: boolean;
  env?: NodeJS.ProcessEnv;
}

export function loadConfig(cwd: string, options: LoadOptions = {}): CliConfig {
  const env = options.env ?? {};
  const file = findConfigFile(cwd, options.explicit);
  const name = file ? path.relative(cwd, file) || CONFIG_FILE : CONFIG_FILE;
  const project = file ? readConfigFile(file, name) : { raw: {}, warnings: [] };
  const userFile = userConfigFile(env);
  const usersOwn = userFile && userFile !== file && fs.existsSync(userFile) ? readConfigFile(userFile, userFile) : undefined;
  const raw = project.raw;
  const user = usersOwn?.raw ?? {};
  const warnings = [...(usersOwn?.warnings ?? []), ...project.warnings];
  const trustConfig = !!options.trustConfig || /^(1|true|yes)$/i.test(env[TRUST_CONFIG_ENV] ?? '');
  const root = file ? path.dirname(file) : path.resolve(cwd);
  const pick = <T>(key: string): T | undefined => (raw[key] ?? user[key]) as T | undefined;
  return {
    models: pick<string[]>('models') ?? [],
    providers: (raw.providers as Record<string, ProviderSettings> | undefined) ?? {},
    userProviders: (user.providers as Record<string, ProviderSettings> | undefined) ?? {},
    trustConfig,
    concurrency: pick<number>('concurrency'),
    idleTimeoutSeconds: pick<number>('idleTimeoutSeconds'),
    cacheDir: cacheDirOf(raw, user, root, name, trustConfig),
    prices: {
      ...((user.prices ?? user.priceOverrides) as Record<string, PriceOverride> | undefined),
      ...((raw.prices ?? raw.priceOverrides) as Record<string, PriceOverride> | undefined),
    },
    maxOutputTokens: pick<number>('maxOutputTokens'),
    temperature: pick<number>('temperature'),
    prompts: raw.prompts as string[] | undefined,
    expectedOutputTokens: pick<number | Record<string, number>>('expectedOutputTokens'),
    traffic: raw.traffic as Record<string, number> | undefined,
    budgets: raw.budgets as Budget[] | undefined,
    source: file,
    userSource: usersOwn ? userFile : undefined,
    root,
    warnings,
  };
}

/**
 * The answer cache's folder. The project's config may only name one inside the project (a
 * `"cacheDir": "../../elsewhere"` would write wherever the repository likes); the user's own
 * config, or --trust-config, may name any.
 */
function cacheDirOf(raw: Record<string, unknown>, user: Record<string, unknown>, root: string, name: string, trusted: boolean): string {
  const own = raw.cacheDir as string | undefined;
  if (own !== undefined) {
    const dir = path.resolve(root, own);
    if (!isInside(dir, root) && !trusted) {
      throw new UsageError(
        `${name}: cacheDir "${own}" is outside the project (${root}): refused to write there. Set cacheDir in your own config, or run with --trust-config.`,
      );
    }
    return dir;
  }
  const mine = user.cacheDir as string | undefined;
  return path.resolve(root, mine ?? DEFAULT_CACHE_DIR);
}

/**
 * Resolves a provider name to a config with its key from the environment, under the trust rule
 * (src/core/trust): the key goes only to the vendor's host or a URL the user chose, and only
 * from a variable the user chose, unless the user trusts the project's config for this run.
 */
export function resolveFromEnv(
  name: string,
  config: CliConfig,
  env: NodeJS.ProcessEnv = process.env,
  warn: (message: string) => void = () => undefined,
): { ok: true; config: ProviderConfig } | { ok: false; error: ProviderError } {
  const builtin = BUILTIN_PROVIDERS[name];
  const mine = config.userProviders[name];
  const theirs = config.providers[name];
  if (!builtin && !mine && !theirs) {
    return {
      ok: false,
      error: { kind: 'config', message: `Unknown provider "${name}": add it to "providers" in ${CONFIG_FILE}.` },
    };
  }
  const settings: ProviderSettings = { ...builtin, ...mine, ...theirs } as ProviderSettings;
  const projectFile = config.source ? path.basename(config.source) : CONFIG_FILE;
  const envURL = BASE_URL_ENV[name] ? env[BASE_URL_ENV[name]] || undefined : undefined;
  const usersURL = mine?.baseURL ?? envURL;
  // The project's URL counts as the user's choice only where it is the very one the user set.
  const [baseURL, urlChosenBy, urlSource]: [string | undefined, Chooser, string | undefined] =
    theirs?.baseURL && theirs.baseURL !== usersURL
      ? [theirs.baseURL, 'repository', projectFile]
      : mine?.baseURL
        ? [mine.baseURL, 'user', config.userSource]
        : [envURL, 'user', BASE_URL_ENV[name]];
  // Which variable holds the key: the user's (or the SDK's own name), unless the project renames it.
  const usersVar = mine?.apiKeyEnv ?? builtin?.apiKeyEnv;
  const keyVar = theirs?.apiKeyEnv ?? usersVar;
  // A project that renames the variable, or turns `anthropic` into an OpenAI-format provider
  // (the Anthropic key to OpenAI's host), chooses which secret goes where.
  const usersType = (mine ?? builtin)?.type;
  const keyChosenBy: Chooser =
    (theirs?.apiKeyEnv !== undefined && theirs.apiKeyEnv !== usersVar) || (theirs?.type !== undefined && usersType !== undefined && theirs.type !== usersType) ? 'repository' : 'user';
  const apiKey = keyVar ? env[keyVar] || undefined : undefined;
  if (settings.type === 'openai-compatible' && !baseURL) {
    return { ok: false, error: { kind: 'config', message: `Provider "${name}" needs a baseURL in ${CONFIG_FILE}.` } };
  }
  if (!apiKey && settings.type !== 'openai-compatible') {
    return { ok: false, error: { kind: 'auth', message: `No API key for ${name}: set ${keyVar}.` } };
  }
  // Secret headers (headersFromEnv) obey the key's rule: a variable the project names is its choice.
  const headers = secretHeaders(settings, (variable) => env[variable] || undefined);
  const secrets = { apiKey, headers };
  const missing = missingSecretHeaders(settings, secrets);
  if (missing.length) {
    return { ok: false, error: { kind: 'config', message: `Provider "${name}" sends secret headers from the environment; not set: ${missing.join(', ')}.` } };
  }
  const headerChosenBy = (header: string): Chooser =>
    theirs?.headersFromEnv?.[header] !== undefined && theirs.headersFromEnv[header] !== mine?.headersFromEnv?.[header] ? 'repository' : 'user';
  const verdict = checkSecretDelivery({
    provider: name,
    type: settings.type,
    baseURL,
    urlChosenBy,
    urlSource,
    secrets: [
      ...(apiKey ? [{ label: `the API key in ${keyVar}`, chosenBy: keyChosenBy }] : []),
      ...Object.keys(headers).map((h) => ({ label: `the header ${h} (from ${settings.headersFromEnv![h]})`, chosenBy: headerChosenBy(h) })),
    ],
    repositoryTrusted: config.trustConfig,
  });
  if (!verdict.ok) return { ok: false, error: { kind: 'config', message: `${verdict.reason} ${TRUST_REMEDY}` } };
  for (const w of verdict.warnings) warn(w);
  const provider = toProviderConfig(name, settings, secrets, baseURL);
  if (provider.idleTimeoutMs === undefined && config.idleTimeoutSeconds !== undefined) provider.idleTimeoutMs = config.idleTimeoutSeconds * 1000;
  return { ok: true, config: provider };
}
