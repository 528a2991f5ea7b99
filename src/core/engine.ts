// The engine's front door, shared by the CLI and the extension: estimate a prompt offline, run
// it against several models. Shells differ only in how they resolve providers (environment vs
// SecretStorage + trust rules) and where the answer cache lives.
import { defaultConcurrency } from './config';
import type { AnswerCache } from './cache';
import { PriceBook, type PriceOverride } from './pricing';
import type { AnswerStore, RunOptions, RunSummary, RunTarget } from './run';
import { TokenCounter, type TokenCounterOptions } from './tokens';
import type { ChatMessage, ChatRequest, Provider, ProviderConfig, ProviderError, StreamEvent, TokenCount } from './types';
import { parseModelId } from './types';

/** A prompt without a model: what the user wrote. */
export interface PromptInput {
  system?: string;
  cacheSystem?: boolean;
  cacheTtl?: '5m' | '1h';
  messages: ChatMessage[];
  temperature?: number;
  maxOutputTokens?: number;
}

export type ProviderResolution = { ok: true; config: ProviderConfig } | { ok: false; error: ProviderError };

export interface EngineOptions {
  resolveProvider: (name: string) => Promise<ProviderResolution> | ProviderResolution;
  priceOverrides?: Record<string, PriceOverride>;
  /** The answer cache, or how to open it on the first run (the extension's code for it loads then). */
  cache?: AnswerCache | (() => Promise<AnswerCache>);
  /** For tests and special transports: build the provider from a resolved config. */
  createProvider?: (config: ProviderConfig) => Provider;
  /**
   * Providers the shell supplies itself, by name, with no configuration to resolve: the
   * extension's `vscode` (VS Code's Language Model API). They count tokens in-process, so their
   * exact count is always asked for.
   */
  shellProviders?: Record<string, Provider>;
  /** Loads a model's local tokenizer (default: the bundled encodings). */
  loadTokenizer?: TokenCounterOptions['loadTokenizer'];
  /** Starts the HTTP client ahead of the first request (default: `warmHttpClient`). */
  warmUp?: () => Promise<void>;
}

/** Models of VS Code's Language Model API: `vscode:<vendor>/<family>`. Only the extension has them. */
export const VSCODE_PROVIDER = 'vscode';

/**
 * Why a provider cannot be used in a shell that does not supply it itself (`vscode` in the CLI),
 * in one line; undefined for every other provider. A shell may check its model list with it.
 */
export function shellOnlyReason(providerName: string): string | undefined {
  return providerName === VSCODE_PROVIDER
    ? `"${VSCODE_PROVIDER}:" models are VS Code's own (its Language Model API): profile them in the Prompt Profiler extension; the CLI cannot reach them.`
    : undefined;
}

/** Real-time calls over a dataset stop at this many rows: more belongs in the Batch API (half price). */
export const MAX_REALTIME_ROWS = 1000;

export interface Estimate {
  modelId: string;
  inputTokens: number;
  estimated: boolean;
  /** What counted the tokens (`o200k_base`, `Anthropic count_tokens`, `≈ estimate …`). */
  method: string;
  /** USD for the prompt alone; null = no price. */
  inputCost: number | null;
  maxOutputTokens: number;
  /** USD for the prompt plus `maxOutputTokens` of output; null = no price. */
  costAtMaxOutput: number | null;
  contextWindow: number | null;
  overContextWindow: boolean;
  /** Where the price came from; null = no price. */
  priceSource: string | null;
}

export interface EngineRunOptions extends Pick<RunOptions, 'concurrency' | 'repeats' | 'signal' | 'bypassCache' | 'onProgress'> {
  perProviderConcurrency?: number;
}

// The providers, the runner and the cache keys load on the first call that needs them: estimates
// (the editor's, from its activation on) use neither.
const providers = () => import('./providers');
const wire = () => import('./providers/wire');
const runner = () => import('./run');
const cacheKeys = () => import('./cache/key');

export class ProfilerEngine {
  readonly prices: PriceBook;
  readonly tokens: TokenCounter;
  private readonly providers = new Map<string, Promise<Provider>>();

  constructor(private readonly options: EngineOptions) {
    this.prices = new PriceBook(options.priceOverrides ?? {});
    this.tokens = new TokenCounter({
      loadTokenizer: options.loadTokenizer,
      // Exact Claude counts come from Anthropic's count_tokens, when a key is at hand.
      exactCounter: async (modelId, request) => {
        const name = parseModelId(modelId).provider;
        const provider = await this.provider(name);
        const canCount = provider.config.apiKey || this.options.shellProviders?.[name];
        return provider.countTokens && canCount ? provider.countTokens(request) : undefined;
      },
    });
  }

  /** The answer cache when it was given as one (the CLI's). */
  get cache(): AnswerCache | undefined {
    return typeof this.options.cache === 'function' ? undefined : this.options.cache;
  }

  /** Forget resolved providers (keys or settings changed). */
  resetProviders(): void {
    this.providers.clear();
  }

  /** Offline (or count_tokens-only) estimate of a prompt on each model. */
  async estimate(prompt: PromptInput, modelIds: string[], maxOutputTokens: number, exactRemote = false): Promise<Estimate[]> {
    return Promise.all(
      modelIds.map(async (modelId): Promise<Estimate> => {
        const count = await this.countTokens(modelId, toRequest(prompt, modelId), exactRemote);
        return this.estimateFromCount(modelId, count, maxOutputTokens);
      }),
    );
  }

  /** The estimate for a prompt already counted (inline estimates count documents chunk by chunk). */
  estimateFromCount(modelId: string, count: TokenCount, maxOutputTokens: number): Estimate {
    const price = this.prices.lookup(modelId);
    const contextWindow = price?.contextWindow ?? null;
    const usage = (output: number) => ({
      inputTokens: count.tokens,
      outputTokens: output,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      cacheWrite1hTokens: 0,
      reasoningTokens: 0,
      estimated: count.estimated,
    });
    const inputCost = this.prices.cost(modelId, usage(0));
    const maxCost = this.prices.cost(modelId, usage(maxOutputTokens));
    return {
      modelId,
      inputTokens: count.tokens,
      estimated: count.estimated,
      method: count.method,
      inputCost: inputCost?.total ?? null,
      maxOutputTokens,
      costAtMaxOutput: maxCost?.total ?? null,
      contextWindow,
      overContextWindow: contextWindow !== null && count.tokens + maxOutputTokens > contextWindow,
      priceSource: inputCost?.provenance.detail ?? null,
    };
  }

  async countTokens(modelId: string, request: ChatRequest, exactRemote = false): Promise<TokenCount> {
    const inProcess = !!this.options.shellProviders?.[parseModelId(modelId).provider];
    return this.tokens.count(modelId, request, { remote: exactRemote || inProcess });
  }

  /** Runs the prompt on every model (× repeats) in parallel. */
  async run(prompt: PromptInput, modelIds: string[], options: EngineRunOptions = {}): Promise<RunSummary> {
    return this.runTargets(await this.targets([prompt], modelIds), modelIds, options);
  }

  /**
   * Runs each prompt (a dataset's rows) on every model, all under one concurrency limit; each
   * result's `repeat` is its row's index. More than MAX_REALTIME_ROWS rows are refused.
   */
  async runRows(prompts: PromptInput[], modelIds: string[], options: Omit<EngineRunOptions, 'repeats'> = {}): Promise<RunSummary> {
    if (prompts.length > MAX_REALTIME_ROWS) {
      throw new RangeError(`${prompts.length.toLocaleString('en-US')} rows is over the real-time limit of ${MAX_REALTIME_ROWS.toLocaleString('en-US')}: send them through the Batch API (half price).`);
    }
    const summary = await this.runTargets(await this.targets(prompts, modelIds), modelIds, { ...options, repeats: 1 });
    return { ...summary, results: summary.results.map((r, i) => ({ ...r, repeat: Math.floor(i / modelIds.length) })) };
  }

  private async targets(prompts: PromptInput[], modelIds: string[]): Promise<RunTarget[]> {
    const providers = await Promise.all(modelIds.map((modelId) => this.provider(parseModelId(modelId).provider)));
    return prompts.flatMap((prompt) => modelIds.map((modelId, m) => ({ modelId, provider: providers[m]!, request: toRequest(prompt, modelId) })));
  }

  private async runTargets(targets: RunTarget[], modelIds: string[], options: EngineRunOptions): Promise<RunSummary> {
    // The tokenizers load, and the HTTP client starts, before the first request: no call's measured time holds them.
    await Promise.all([...modelIds.map((id) => this.tokens.prepare(id)), this.options.warmUp ? this.options.warmUp() : wire().then((w) => w.warmHttpClient())]);
    const perProvider: Record<string, number> = {};
    for (const t of targets) {
      // A provider's own limit (1 for a local server) comes before the shared one.
      const limit = defaultConcurrency(t.provider.config) ?? options.perProviderConcurrency;
      if (limit) perProvider[t.provider.config.name] = limit;
    }
    const [{ runPrompt }, keys, cache] = await Promise.all([runner(), cacheKeys(), typeof this.options.cache === 'function' ? this.options.cache() : this.options.cache]);
    return runPrompt(targets, {
      ...options,
      perProviderConcurrency: perProvider,
      cache: cache ? cacheAdapter(cache, keys) : undefined,
      price: (modelId, usage) => this.prices.cost(modelId, usage),
      preflight: (target) => this.checkContextWindow(target),
    });
  }

  /** A prompt that cannot fit is refused before it is sent (no tokens wasted, a clear reason). */
  private async checkContextWindow(target: RunTarget): Promise<ProviderError | undefined> {
    const window = this.prices.lookup(target.modelId)?.contextWindow;
    if (!window) return undefined;
    // A prompt too short to be over the window is not counted: no tokenizer on every request's path.
    if (this.tokens.atMost(target.modelId, target.request) <= window) return undefined;
    const count = await this.tokens.count(target.modelId, target.request, { remote: false });
    // An estimate may be off by a few percent: only refuse what is clearly too long.
    const limit = count.estimated ? window * 1.1 : window;
    if (count.tokens <= limit) return undefined;
    return {
      kind: 'context_length',
      message: `The prompt has ${count.estimated ? 'about ' : ''}${count.tokens.toLocaleString('en-US')} tokens; ${target.modelId} accepts at most ${window.toLocaleString('en-US')}. Not sent.`,
    };
  }

  private provider(name: string): Promise<Provider> {
    const own = this.options.shellProviders?.[name];
    if (own) return Promise.resolve(own);
    const shellOnly = shellOnlyReason(name);
    if (shellOnly) return Promise.resolve(new UnavailableProvider(name, { kind: 'config', message: shellOnly }));
    let p = this.providers.get(name);
    if (!p) {
      p = (async () => {
        const resolved = await this.options.resolveProvider(name);
        if (!resolved.ok) {
          // Not remembered: a key may be set, or a setting fixed, before the next call.
          this.providers.delete(name);
          return new UnavailableProvider(name, resolved.error);
        }
        return (this.options.createProvider ?? (await providers()).createProvider)(resolved.config);
      })();
      this.providers.set(name, p);
    }
    return p;
  }
}

export function toRequest(prompt: PromptInput, modelId: string): ChatRequest {
  return {
    model: parseModelId(modelId).model,
    system: prompt.system,
    cacheSystem: prompt.cacheSystem,
    cacheTtl: prompt.cacheTtl,
    messages: prompt.messages,
    temperature: prompt.temperature,
    maxOutputTokens: prompt.maxOutputTokens,
  };
}

function cacheAdapter(cache: AnswerCache, keys: typeof import('./cache/key')): AnswerStore {
  return {
    keyFor: (t) => keys.answerCacheKey(keys.answerKeyParts(t.provider.config, t.request)),
    get: (key) => cache.get(key),
    set: (entry) => cache.set(entry),
  };
}

/** Stands in for a provider that could not be set up: every call yields its reason. */
class UnavailableProvider implements Provider {
  readonly config: ProviderConfig;
  constructor(
    name: string,
    private readonly error: ProviderError,
  ) {
    this.config = { name, type: 'openai-compatible' };
  }
  async *stream(): AsyncIterable<StreamEvent> {
    yield { type: 'error', error: this.error };
  }
}
