// The extension's long-lived services, built once in activate() and handed to every command.
import * as vscode from 'vscode';
import type { AnswerCache, CacheStore, RedisStore } from '../core/cache';
import { ProfilerEngine, VSCODE_PROVIDER, type EngineRunOptions, type PromptInput } from '../core/engine';
import { formatMs, formatUsd, waitsSummary } from '../core/format';
import type { RunSummary } from '../core/run';
import { ConfigService } from './config';
import type { EndpointResolver } from './endpoints';
import { HistoryService, type RunTimes } from './history/historyService';
import { Disposable } from './lifecycle';
import { Log } from './log';
import { VsCodeLmProvider } from './providers/vscodeLm';
import { KeyStore } from './secrets';

export class Services extends Disposable {
  readonly log: Log;
  readonly config = this._register(new ConfigService());
  readonly keys: KeyStore;
  private endpointsInstance: Promise<EndpointResolver> | undefined;
  /** Folder of the answer cache: workspace storage, or global storage with no folder open. */
  readonly cacheDir: vscode.Uri;
  /** Undefined until the first call that needs the cache: its code loads then. */
  private cacheInstance: Promise<AnswerCache> | undefined;
  /** Caches replaced by a settings change whose background writes may not have landed yet. */
  private readonly retiredCaches = new Set<Promise<AnswerCache>>();
  /** The settings the current cache was built with. */
  private cacheSettings = '';
  /** The shared Redis store behind the cache (backend `redis`), closed when replaced or disposed. */
  private redisStore: RedisStore | undefined;
  /** Redis URLs already reported unreachable: said once, not on every call. */
  private readonly redisWarned = new Set<string>();
  /** The call history (promptProfiler.history.*), appended after every run. */
  readonly history: HistoryService;
  /** Hovers, CodeLens and the status bar: resolves providers quietly, never asks the user. */
  private engineInstance: ProfilerEngine | undefined;
  /** Runs: may ask the user (for a key, to approve a workspace base URL). */
  private runEngineInstance: ProfilerEngine | undefined;
  /** VS Code's own models (`vscode:<vendor>/<family>`); nothing to resolve, nothing loaded up front. */
  private readonly vscodeModels = new VsCodeLmProvider();

  /**
   * `log`: an existing channel to write to (tests rebuild Services over the extension's context,
   * as a reload does; a second channel of the same name would share, and on dispose close, the
   * extension's own). Without it the services own a new channel.
   */
  constructor(
    readonly context: vscode.ExtensionContext,
    log?: Log,
  ) {
    super();
    this.log = log ?? this._register(new Log());
    this.keys = this._register(new KeyStore(context.secrets, this.log));
    this.cacheDir = vscode.Uri.joinPath(context.storageUri ?? context.globalStorageUri, 'answer-cache');
    this.history = this._register(new HistoryService(context, this.config, this.log));
    this._register({ dispose: () => void this.redisStore?.close() });
    this._register(
      this.config.onDidChange((c) => {
        // New TTL or limits: a new cache over the same folder (the entries stay).
        if (JSON.stringify(c.cache) !== this.cacheSettings) {
          this.cacheSettings = JSON.stringify(c.cache);
          const retired = this.cacheInstance;
          if (retired) {
            this.retiredCaches.add(retired);
            void retired.then((r) => r.flush()).then(() => this.retiredCaches.delete(retired));
            this.cacheInstance = this.createCache();
          }
        }
        this.resetEngine();
      }),
    );
    const resetProviders = () => {
      this.engineInstance?.resetProviders();
      this.runEngineInstance?.resetProviders();
    };
    this._register(this.keys.onDidChange(resetProviders));
    this._register(vscode.workspace.onDidGrantWorkspaceTrust(resetProviders));
  }

  /** Where each provider's requests go and with which key (the trust rules); loaded with the first provider. */
  endpoints(): Promise<EndpointResolver> {
    return (this.endpointsInstance ??= import('./endpoints').then(({ EndpointResolver }) => new EndpointResolver(this.keys, this.context.workspaceState, this.log)));
  }

  get extensionUri(): vscode.Uri {
    return this.context.extensionUri;
  }

  /** The answer cache (rebuilt when its settings change). */
  cache(): Promise<AnswerCache> {
    return (this.cacheInstance ??= this.createCache());
  }

  /** Waits for every answer-cache write still in the background (deactivation: nothing is lost). */
  async flushCaches(): Promise<void> {
    const caches = [this.cacheInstance, ...this.retiredCaches].filter((c) => c !== undefined);
    await Promise.all(caches.map(async (c) => (await c).flush()));
  }

  /** The engine for estimates, rebuilt when settings change (price overrides, providers). */
  get engine(): ProfilerEngine {
    this.engineInstance ??= this.createEngine(false);
    return this.engineInstance;
  }

  resetEngine(): void {
    this.engineInstance = undefined;
    this.runEngineInstance = undefined;
  }

  private createEngine(interactive: boolean): ProfilerEngine {
    return new ProfilerEngine({
      resolveProvider: async (name) => {
        const r = await (await this.endpoints()).resolve(name, { interactive });
        if (r.ok) this.log.info(`${name}: ${r.config.type} at ${r.config.baseURL ?? 'the default endpoint'}${r.config.apiKey ? ' (key set)' : ''}`);
        else this.log.warn(`${name}: ${r.error.message}`);
        return r;
      },
      priceOverrides: this.config.value.prices,
      cache: () => this.cache(),
      shellProviders: { [VSCODE_PROVIDER]: this.vscodeModels },
    });
  }

  /** Runs through the engine and logs every request (never a key: the log redacts them too). */
  async run(prompt: PromptInput, models: string[], options: EngineRunOptions): Promise<RunSummary> {
    this.log.info(`Profiling on ${models.join(', ')}${options.bypassCache ? ' (bypassing the answer cache)' : ''}`);
    // Providers are resolved afresh for every run (a key or a setting may have changed), by an
    // engine that may ask; hovers keep their own quiet one, so they never pop up a prompt.
    this.runEngineInstance ??= this.createEngine(true);
    const engine = this.runEngineInstance;
    engine.resetProviders();
    // Each call's history record is stamped with the time the runner reported it finished.
    const times: RunTimes = { finishedAt: new Map(), started: new Set() };
    const summary = await engine.run(prompt, models, {
      ...options,
      onProgress: (e) => {
        if (e.type === 'started') times.started.add(e.index);
        else if (e.type === 'finished') times.finishedAt.set(e.index, Date.now());
        options.onProgress?.(e);
      },
    });
    await this.history.recordRun(prompt, summary.results, times);
    for (const r of summary.results) {
      const u = r.usage;
      const what = r.ok
        ? `ok${r.cacheHit ? '' : ` in ${formatMs(r.latencyMs)}, TTFT ${formatMs(r.ttftMs)}`}${waitsSummary(r) ? ` (${waitsSummary(r)})` : ''}, ` +
          `${u.estimated ? '≈' : ''}${u.inputTokens} in (${u.cacheReadTokens} cache read, ${u.cacheWriteTokens} cache write) / ${u.outputTokens} out, ${formatUsd(r.cost?.total)}`
        : `${r.error?.kind}: ${r.error?.message}${r.output ? ' (partial answer kept)' : ''}`;
      (r.ok ? this.log.info : this.log.warn).call(this.log, `${r.modelId}${r.repeat ? ` #${r.repeat + 1}` : ''}: ${what}`);
    }
    return summary;
  }

  private async createCache(): Promise<AnswerCache> {
    const c = this.config.value.cache;
    this.cacheSettings = JSON.stringify(c);
    const { AnswerCache, FallbackStore, FileStore, RedisStore } = await import('../core/cache');
    const files = new FileStore({
      dir: this.cacheDir.fsPath,
      onCorrupt: (file, reason) => this.log.warn(`Skipped a corrupted answer-cache entry ${file}: ${reason}`),
    });
    void this.redisStore?.close();
    this.redisStore = undefined;
    let store: CacheStore = files;
    if (c.backend === 'redis') {
      // Redis in front, the workspace files behind it: while Redis is unreachable, answers go to
      // (and come from) the files, and a read that misses in Redis still finds them afterwards.
      const where = c.redisUrl ? redactUrl(c.redisUrl) : '';
      const fallBack = (why: string) => {
        this.log.warn(`Answer cache: ${why}; using the workspace cache (${this.cacheDir.fsPath}).`);
        if (this.redisWarned.has(where)) return;
        this.redisWarned.add(where);
        void vscode.window.showWarningMessage(`Prompt Profiler: ${why}. The workspace answer cache is used instead; nothing is lost.`);
      };
      if (!c.redisUrl) fallBack('promptProfiler.cache.backend is "redis" but promptProfiler.cache.redisUrl is not set in your user settings');
      else {
        this.redisStore = new RedisStore({
          url: c.redisUrl,
          ttlMs: c.ttlMs,
          onCorrupt: (key, reason) => this.log.warn(`Skipped a corrupted answer-cache entry ${key} in Redis: ${reason}`),
        });
        store = new FallbackStore({
          primary: this.redisStore,
          fallback: files,
          onFallback: (e) => fallBack(`Redis at ${where} is unreachable (${String((e as Error)?.message ?? e).replaceAll(c.redisUrl, where)})`),
          onRecover: () => this.log.info(`Answer cache: Redis at ${where} answers again.`),
        });
        this.log.info(`Answer cache: Redis at ${where}, the workspace cache as fallback.`);
      }
    }
    return new AnswerCache(
      store,
      {
        ttlMs: c.ttlMs,
        maxEntries: c.maxEntries,
        maxBytes: c.maxBytes,
        onError: (op, e) => this.log.warn(`Answer cache ${op} failed: ${(e as Error).message ?? e}`),
      },
    );
  }
}

/** A URL for messages: the password (if any) masked. */
function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString().replace(/\/$/, '');
  } catch {
    return url.replace(/\/\/[^@/]*@/, '//***@');
  }
}
