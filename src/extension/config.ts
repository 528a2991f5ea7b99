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
  cache: { ttlMs: number; maxEntries: number; maxBytes: number };
  prices: Record<string, PriceOverride>;
  statusBarModel: string | undefined;
  codeLensEnabled: boolean;
}

/** Settings whose value may send a key somewhere: kept apart with where each value came from. */
export interface ScopedValue<T> {
  user: T | undefined;
  workspace: T | undefined;
}

export interface EndpointConfig {
  providers: ScopedValue<Record<string, ProviderSettings>>;
  baseUrls: ScopedValue<Record<string, string>>;
}

export function readConfig(): ProfilerConfig {
  const c = vscode.workspace.getConfiguration(CONFIG_SECTION);
  const num = (key: string, fallback: number) => {
    const v = c.get<number>(key);
    return typeof v === 'number' && Number.isFinite(v) ? v : fallback;
  };
  const temperature = c.get<number | null>('temperature');
  return {
    models: (c.get<string[]>('models') ?? []).filter((m) => typeof m === 'string' && m.includes(':')),
    concurrency: Math.max(1, num('concurrency', 8)),
    perProviderConcurrency: Math.max(1, num('perProviderConcurrency', 4)),
    maxOutputTokens: Math.max(1, num('maxOutputTokens', 1024)),
    temperature: typeof temperature === 'number' ? temperature : undefined,
    repeats: Math.max(1, num('repeats', 1)),
    cache: {
      ttlMs: num('cache.ttlHours', 168) * 3600_000,
      maxEntries: num('cache.maxEntries', 5000),
      maxBytes: num('cache.maxMegabytes', 100) * 1024 * 1024,
    },
    prices: c.get<Record<string, PriceOverride>>('prices') ?? {},
    statusBarModel: c.get<string | null>('statusBar.model') ?? undefined,
    codeLensEnabled: c.get<boolean>('codeLens.enabled') ?? true,
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
  private current = readConfig();
  private readonly emitter = this._register(new vscode.EventEmitter<ProfilerConfig>());
  readonly onDidChange = this.emitter.event;

  constructor() {
    super();
    this._register(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (!e.affectsConfiguration(CONFIG_SECTION)) return;
        this.current = readConfig();
        this.emitter.fire(this.current);
      }),
    );
  }

  get value(): ProfilerConfig {
    return this.current;
  }
}
