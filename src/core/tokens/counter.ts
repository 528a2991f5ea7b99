// Token counts per model id (`provider:model`), exact where possible.
// - OpenAI models: exact, local (o200k_base / cl100k_base with chat framing).
// - Models without a public tokenizer (Anthropic, unknown OpenAI-compatible models): an injected
//   exact counter (Anthropic's `POST /v1/messages/count_tokens`, wired by the engine) when it can
//   answer, its results cached by a sha256 of the content; otherwise a labelled local estimate.
import { createHash } from 'node:crypto';
import type { LRUCache } from 'lru-cache';
import { lazyLru } from '../lazy';
import type { ChatRequest, TokenCount } from '../types';
import { parseModelId } from '../types';
import { chatTokensAtMost, loadTokenizer, tokenizerIfLoaded, type ModelTokenizer } from './count';
import { tokenizerSpecFor } from './models';

/**
 * Exact remote count for a request (the provider's count_tokens). Returns undefined when it
 * cannot answer (no key, no such endpoint); a throw is treated the same way.
 */
export type ExactTokenCounter = (
  modelId: string,
  request: ChatRequest,
) => Promise<TokenCount | number | undefined>;

export interface TokenCounterOptions {
  exactCounter?: ExactTokenCounter;
  /** Exact counts kept (LRU). Default 1000. */
  cacheSize?: number;
  /** Loads a model's local tokenizer (default: the bundled encodings, once each). */
  loadTokenizer?: (model: string, provider: string) => Promise<ModelTokenizer>;
}

export interface CountOptions {
  /** May the exact (remote) counter be called? Default true. A cached exact count is always used. */
  remote?: boolean;
}

export class TokenCounter {
  private readonly exactCounter?: ExactTokenCounter;
  private readonly exact: () => LRUCache<string, TokenCount>;
  private readonly inFlight = new Map<string, Promise<TokenCount | undefined>>();
  private readonly loadTokenizer: (model: string, provider: string) => Promise<ModelTokenizer>;

  constructor(options: TokenCounterOptions = {}) {
    this.exactCounter = options.exactCounter;
    this.loadTokenizer = options.loadTokenizer ?? loadTokenizer;
    this.exact = lazyLru<string, TokenCount>(options.cacheSize ?? 1000);
  }

  /**
   * Cache key of a request's countable content: sha256 of (model id, system, messages).
   * Sampling settings and cache breakpoints do not change the prompt's token count.
   */
  static contentKey(modelId: string, request: Pick<ChatRequest, 'system' | 'messages'>): string {
    const canonical = JSON.stringify([
      modelId,
      request.system ?? null,
      request.messages.map((m) => [m.role, m.content]),
    ]);
    return createHash('sha256').update(canonical).digest('hex');
  }

  /** Prompt tokens of `request` on `modelId` (`provider:model`). Never throws for a counting failure. */
  async count(modelId: string, request: ChatRequest, options: CountOptions = {}): Promise<TokenCount> {
    const tokenizer = await this.tokenizer(modelId);
    if (tokenizer.exact) return tokenizer.countChat(request);

    const key = TokenCounter.contentKey(modelId, request);
    const cached = this.exact().get(key);
    if (cached) return { ...cached };
    if (this.exactCounter && options.remote !== false) {
      const remote = await this.remoteCount(key, modelId, request);
      if (remote) return { ...remote };
    }
    return tokenizer.countChat(request);
  }

  /**
   * Synchronous count for hovers and the status bar: a cached exact count, else the local count
   * when the encoding is loaded; undefined when nothing is available yet (call `count` or
   * `prepare` to load it). Never calls the remote counter.
   */
  countSync(modelId: string, request: ChatRequest): TokenCount | undefined {
    const { provider, model } = parseModelId(modelId);
    const tokenizer = tokenizerIfLoaded(model, provider);
    if (tokenizer?.exact) return tokenizer.countChat(request);
    const cached = this.exact().get(TokenCounter.contentKey(modelId, request));
    if (cached) return { ...cached };
    return tokenizer?.countChat(request);
  }

  /**
   * The exact count from the injected counter (cached by content), or undefined when it cannot
   * answer; never counts locally (the caller has its own local figure).
   */
  async countExact(modelId: string, request: ChatRequest): Promise<TokenCount | undefined> {
    const key = TokenCounter.contentKey(modelId, request);
    const cached = this.exact().get(key);
    if (cached) return { ...cached };
    if (!this.exactCounter) return undefined;
    const remote = await this.remoteCount(key, modelId, request);
    return remote ? { ...remote } : undefined;
  }

  /** Tokens of a bare text on `modelId`, counted locally (exact or estimated). */
  async countText(modelId: string, text: string): Promise<TokenCount> {
    return (await this.tokenizer(modelId)).countText(text);
  }

  /** At least the count of `request` on `modelId`, without encoding anything (see chatTokensAtMost). */
  atMost(modelId: string, request: Pick<ChatRequest, 'system' | 'messages'>): number {
    const { provider, model } = parseModelId(modelId);
    return chatTokensAtMost(request, tokenizerSpecFor(model, provider).factor);
  }

  /** Loads the local tokenizer of `modelId` so that `countSync` answers. */
  async prepare(modelId: string): Promise<void> {
    await this.tokenizer(modelId);
  }

  /** Forgets cached exact counts. */
  clear(): void {
    this.exact().clear();
  }

  private tokenizer(modelId: string): Promise<ModelTokenizer> {
    const { provider, model } = parseModelId(modelId);
    return this.loadTokenizer(model, provider);
  }

  /** One remote call per distinct content, even for concurrent callers. */
  private remoteCount(key: string, modelId: string, request: ChatRequest): Promise<TokenCount | undefined> {
    let p = this.inFlight.get(key);
    if (!p) {
      const counter = this.exactCounter!;
      p = Promise.resolve()
        .then(() => counter(modelId, request))
        .then((r) => {
          const count = normalise(r, modelId);
          if (count) this.exact().set(key, count);
          return count;
        })
        // A failure falls back to the local estimate and is not cached: a later call retries.
        .catch(() => undefined)
        .finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, p);
    }
    return p;
  }
}

function normalise(r: TokenCount | number | undefined, modelId: string): TokenCount | undefined {
  if (r === undefined || r === null) return undefined;
  if (typeof r === 'number') {
    if (!Number.isFinite(r) || r < 0) return undefined;
    return { tokens: r, estimated: false, method: `${parseModelId(modelId).provider} count_tokens` };
  }
  if (!Number.isFinite(r.tokens) || r.tokens < 0) return undefined;
  return { tokens: r.tokens, estimated: r.estimated, method: r.method };
}
