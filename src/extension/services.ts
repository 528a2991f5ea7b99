// The extension's long-lived services, built once in activate() and handed to every command.
import * as vscode from 'vscode';
import { AnswerCache, FileStore } from '../core/cache';
import { ProfilerEngine, type EngineRunOptions, type PromptInput } from '../core/engine';
import { formatMs, formatUsd } from '../core/format';
import type { RunSummary } from '../core/run';
import { ConfigService } from './config';
import { EndpointResolver } from './endpoints';
import { Disposable } from './lifecycle';
import { Log } from './log';
import { KeyStore } from './secrets';

export class Services extends Disposable {
  readonly log = this._register(new Log());
  readonly config = this._register(new ConfigService());
  readonly keys: KeyStore;
  readonly endpoints: EndpointResolver;
  readonly cache: AnswerCache;
  /** Folder of the answer cache: workspace storage, or global storage with no folder open. */
  readonly cacheDir: vscode.Uri;
  private engineInstance: ProfilerEngine | undefined;
  /** Only a run may ask the user (for a key, to approve a base URL); hovers never do. */
  private interactive = false;

  constructor(readonly context: vscode.ExtensionContext) {
    super();
    this.keys = this._register(new KeyStore(context.secrets, this.log));
    this.endpoints = new EndpointResolver(this.keys, context.workspaceState, this.log);
    this.cacheDir = vscode.Uri.joinPath(context.storageUri ?? context.globalStorageUri, 'answer-cache');
    this.cache = this.createCache();
    this._register(this.config.onDidChange(() => this.resetEngine()));
    this._register(this.keys.onDidChange(() => this.engineInstance?.resetProviders()));
    this._register(
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.engineInstance?.resetProviders()),
    );
  }

  get extensionUri(): vscode.Uri {
    return this.context.extensionUri;
  }

  /** The engine, rebuilt when settings change (price overrides, providers). */
  get engine(): ProfilerEngine {
    this.engineInstance ??= new ProfilerEngine({
      resolveProvider: async (name) => {
        const r = await this.endpoints.resolve(name, { interactive: this.interactive });
        if (r.ok) this.log.info(`${name}: ${r.config.type} at ${r.config.baseURL ?? 'the default endpoint'}${r.config.apiKey ? ' (key set)' : ''}`);
        else this.log.warn(`${name}: ${r.error.message}`);
        return r;
      },
      priceOverrides: this.config.value.prices,
      cache: this.cache,
    });
    return this.engineInstance;
  }

  resetEngine(): void {
    this.engineInstance = undefined;
  }

  /** Runs through the engine and logs every request (never a key: the log redacts them too). */
  async run(prompt: PromptInput, models: string[], options: EngineRunOptions): Promise<RunSummary> {
    this.log.info(`Profiling on ${models.join(', ')}${options.bypassCache ? ' (bypassing the answer cache)' : ''}`);
    // Resolve providers afresh, allowed to ask; hovers get their own quiet resolution afterwards.
    const engine = this.engine;
    engine.resetProviders();
    this.interactive = true;
    let summary: RunSummary;
    try {
      summary = await engine.run(prompt, models, options);
    } finally {
      this.interactive = false;
      engine.resetProviders();
    }
    for (const r of summary.results) {
      const u = r.usage;
      const what = r.ok
        ? `ok${r.cacheHit ? ' (answer cache)' : ''} in ${formatMs(r.latencyMs)}, TTFT ${formatMs(r.ttftMs)}, ` +
          `${u.estimated ? '≈' : ''}${u.inputTokens} in (${u.cacheReadTokens} cache read, ${u.cacheWriteTokens} cache write) / ${u.outputTokens} out, ${formatUsd(r.cost?.total)}`
        : `${r.error?.kind}: ${r.error?.message}${r.output ? ' (partial answer kept)' : ''}`;
      (r.ok ? this.log.info : this.log.warn).call(this.log, `${r.modelId}${r.repeat ? ` #${r.repeat + 1}` : ''}: ${what}`);
    }
    return summary;
  }

  private createCache(): AnswerCache {
    const c = this.config.value.cache;
    return new AnswerCache(
      new FileStore({
        dir: this.cacheDir.fsPath,
        onCorrupt: (file, reason) => this.log.warn(`Skipped a corrupted answer-cache entry ${file}: ${reason}`),
      }),
      {
        ttlMs: c.ttlMs,
        maxEntries: c.maxEntries,
        maxBytes: c.maxBytes,
        onError: (op, e) => this.log.warn(`Answer cache ${op} failed: ${(e as Error).message ?? e}`),
      },
    );
  }
}
