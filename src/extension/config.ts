// Typed configuration, read in one place and refreshed only when `promptProfiler.*` changes.
import * as vscode from 'vscode';
import type { ProviderSettings } from '../core/config';
import type { PriceOverride } from '../core/pricing';
import { CONFIG_SECTION } from './constants';
import { Disposable } from './lifecycle';

export interface ProfilerConfig {
  models: string[];
  concurrency: number;
  perProviderConcurrency: number;
  maxOutputTokens: number;
  temperature: number | undefined;
  repeats: number;
  /** `backend`/`redisUrl` included: a change to any of them rebuilds the answer cache. */
  cache: { ttlMs: number; maxEntries: number; maxBytes: number; backend: CacheBackend; redisUrl: string };
  prices: Record<string, PriceOverride>;
  statusBarModel: string | undefined;
  codeLensEnabled: boolean;
  /** Calls per day of the monthly projection (a prompt's calls_per_day: or prompt-profiler.json traffic comes first). */
  projectionCallsPerDay: number | undefined;
  history: { enabled: boolean; includePrompts: boolean };
  batchPollIntervalMs: number;
  /** Decide (issue 5): requirements, quality sources, option assumptions, routing. */
  decide: DecideConfig;
}

export type CacheBackend = 'workspace' | 'redis';

/** Settings whose value may send a key somewhere: kept apart with where each value came from. */
export interface ScopedValue<T> {
  user: T | undefined;
  workspace: T | undefined;
}

export interface EndpointConfig {
  providers: ScopedValue<Record<string, ProviderSettings>>;
  baseUrls: ScopedValue<Record<string, string>>;
}

/**
 * Settings that spend money or change a figure, which a repository's workspace settings may not
 * set in Restricted Mode (package.json's restrictedConfigurations lists them too): there only the
 * user's own value counts.
 */
export const SPEND_SETTINGS = ['prices', 'quality.judgeModel', 'repeats', 'maxOutputTokens'] as const;
/** The largest output cap a setting may ask for (a repository's huge value cannot run up a bill). */
export const MAX_OUTPUT_TOKENS_LIMIT = 128_000;
/** The origin shown beside a cost priced by a workspace's price override. */
export const WORKSPACE_PRICE_ORIGIN = 'workspace settings';

/** A spend setting's value: the user's own in Restricted Mode, else the effective one. */
function spendSetting<T>(c: vscode.WorkspaceConfiguration, key: (typeof SPEND_SETTINGS)[number]): T | undefined {
  if (vscode.workspace.isTrusted) return c.get<T>(key);
  const i = c.inspect<T>(key);
  return i?.globalValue ?? i?.defaultValue;
}

/** Price overrides: the user's, then (trusted workspaces only) the workspace's, marked as such. */
function readPrices(c: vscode.WorkspaceConfiguration): Record<string, PriceOverride> {
  const i = c.inspect<Record<string, PriceOverride>>('prices');
  const prices: Record<string, PriceOverride> = { ...(i?.globalValue ?? {}) };
  if (!vscode.workspace.isTrusted) return prices;
  for (const scope of [i?.workspaceValue, i?.workspaceFolderValue]) {
    for (const [model, price] of Object.entries(scope ?? {})) {
      prices[model] = price && typeof price === 'object' ? { ...price, origin: WORKSPACE_PRICE_ORIGIN } : price;
    }
  }
  return prices;
}

export function readConfig(): ProfilerConfig {
  const c = vscode.workspace.getConfiguration(CONFIG_SECTION);
  const num = (key: string, fallback: number, v = c.get<number>(key)) => (typeof v === 'number' && Number.isFinite(v) ? v : fallback);
  const temperature = c.get<number | null>('temperature');
  return {
    models: (c.get<string[]>('models') ?? []).filter((m) => typeof m === 'string' && m.includes(':')),
    concurrency: Math.max(1, num('concurrency', 8)),
    perProviderConcurrency: Math.max(1, num('perProviderConcurrency', 4)),
    maxOutputTokens: Math.min(MAX_OUTPUT_TOKENS_LIMIT, Math.max(1, num('maxOutputTokens', 1024, spendSetting(c, 'maxOutputTokens')))),
    temperature: typeof temperature === 'number' ? temperature : undefined,
    repeats: Math.min(20, Math.max(1, num('repeats', 1, spendSetting(c, 'repeats')))),
    cache: {
      ttlMs: num('cache.ttlHours', 168) * 3600_000,
      maxEntries: num('cache.maxEntries', 5000),
      maxBytes: num('cache.maxMegabytes', 100) * 1024 * 1024,
      backend: c.get<string>('cache.backend') === 'redis' ? 'redis' : 'workspace',
      // Application scope: only the user's own settings may point the cache at a server.
      redisUrl: (c.inspect<string>('cache.redisUrl')?.globalValue ?? '').trim(),
    },
    prices: readPrices(c),
    statusBarModel: c.get<string | null>('statusBar.model') ?? undefined,
    codeLensEnabled: c.get<boolean>('codeLens.enabled') ?? true,
    // Unset by default: a monthly figure appears only where traffic is known (this, calls_per_day:, traffic).
    projectionCallsPerDay: ((v) => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined))(c.get<number | null>('projection.callsPerDay')),
    history: { enabled: c.get<boolean>('history.enabled') ?? true, includePrompts: c.get<boolean>('history.includePrompts') ?? false },
    batchPollIntervalMs: Math.max(10, num('batch.pollIntervalSeconds', 30) * 1000),
    decide: readDecideConfig(c),
  };
}

/** promptProfiler.requirements.*, quality.*, decide.* and routing, typed. */
export interface DecideConfig {
  /** Absent = no limit (the settings' `null`). Seconds, USD per 1,000 calls, 0–1. */
  requirements: { maxLatencyS?: number; maxCostPer1k?: number; minQuality?: number };
  /** `provider:model` of the LLM judge; undefined = no judge. */
  judgeModel: string | undefined;
  /** The judge's rubric; undefined = the default one. */
  rubric: string | undefined;
  /** Quality prior per model id, 0–1. */
  priors: Record<string, number>;
  answerCacheHitRate: number;
  /** `history`: the hit rate measured in the call history when it holds enough calls, else the setting. */
  hitRateSource: 'history' | 'setting';
  batchCompletionS: number;
  callsPerCacheWindow: number;
  cascadeThreshold: number;
  /** Offer the prompt-cache measurement (a cold and a warm call per model). */
  measurePromptCache: boolean;
  /** Task → "cheap" | "strong" | model id, as written in settings ("cheap"/"strong" keys name a tier's model). */
  routing: Record<string, string>;
}

/** Setting keys of the three requirements, by `Requirements` field. */
export const REQUIREMENT_KEYS = {
  maxLatencyS: 'requirements.maxLatencySeconds',
  maxCostPer1k: 'requirements.maxCostPer1k',
  minQuality: 'requirements.minQuality',
} as const;

function readDecideConfig(c: vscode.WorkspaceConfiguration): DecideConfig {
  const opt = (key: string, ok: (x: number) => boolean) => {
    const v = c.get<number | null>(key);
    return typeof v === 'number' && Number.isFinite(v) && ok(v) ? v : undefined;
  };
  const unit = (x: number) => x >= 0 && x <= 1;
  const str = (key: string, v = c.get<string | null>(key)) => {
    return typeof v === 'string' && v.trim() ? v.trim() : undefined;
  };
  const obj = <T>(key: string, ok: (v: unknown) => v is T): Record<string, T> => {
    const v = c.get<Record<string, unknown>>(key);
    if (!v || typeof v !== 'object' || Array.isArray(v)) return {};
    return Object.fromEntries(Object.entries(v).filter((e): e is [string, T] => ok(e[1])));
  };
  return {
    requirements: {
      maxLatencyS: opt(REQUIREMENT_KEYS.maxLatencyS, (x) => x > 0),
      maxCostPer1k: opt(REQUIREMENT_KEYS.maxCostPer1k, (x) => x >= 0),
      minQuality: opt(REQUIREMENT_KEYS.minQuality, unit),
    },
    judgeModel: str('quality.judgeModel', spendSetting<string | null>(c, 'quality.judgeModel')),
    rubric: str('quality.rubric'),
    priors: obj('quality.priors', (v): v is number => typeof v === 'number' && Number.isFinite(v) && unit(v)),
    answerCacheHitRate: opt('decide.answerCacheHitRate', unit) ?? 0.3,
    hitRateSource: c.get<string>('decide.hitRateSource') === 'setting' ? 'setting' : 'history',
    batchCompletionS: (opt('decide.batchCompletionHours', (x) => x >= 0) ?? 24) * 3600,
    callsPerCacheWindow: opt('decide.callsPerCacheWindow', (x) => x >= 1) ?? 10,
    cascadeThreshold: opt('decide.cascadeThreshold', unit) ?? 0.7,
    measurePromptCache: c.get<boolean>('decide.measurePromptCache') ?? true,
    routing: obj('routing', (v): v is string => typeof v === 'string'),
  };
}

export function readEndpointConfig(): EndpointConfig {
  const c = vscode.workspace.getConfiguration(CONFIG_SECTION);
  const scoped = <T>(key: string): ScopedValue<T> => {
    const i = c.inspect<T>(key);
    // Folder values count as workspace values: both come from files in the repository.
    return { user: i?.globalValue, workspace: i?.workspaceFolderValue ?? i?.workspaceValue };
  };
  return { providers: scoped('providers'), baseUrls: scoped('baseUrls') };
}

/** Holds the current configuration; fires when a `promptProfiler.*` setting changes. */
export class ConfigService extends Disposable {
  /** Read on first use: activation only wires. */
  private current: ProfilerConfig | undefined;
  private readonly emitter = this._register(new vscode.EventEmitter<ProfilerConfig>());
  readonly onDidChange = this.emitter.event;

  constructor() {
    super();
    const refresh = () => {
      this.current = readConfig();
      this.emitter.fire(this.current);
    };
    this._register(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration(CONFIG_SECTION)) refresh();
      }),
    );
    // Trusting the workspace makes its spend settings count (see SPEND_SETTINGS).
    this._register(vscode.workspace.onDidGrantWorkspaceTrust(refresh));
  }

  get value(): ProfilerConfig {
    return (this.current ??= readConfig());
  }
}
