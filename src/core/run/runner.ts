// Runs one prompt against N models × R repeats in parallel: a global concurrency limit, a
// per-provider limit, a cool-down on 429, one AbortSignal that cancels everything.
import type { ChatRequest, CostBreakdown, FinishReason, Provider, ProviderError, Usage } from '../types';
import { emptyUsage } from '../types';
import { Semaphore } from './semaphore';
import type { AnswerCacheEntry } from '../cache';

export interface RunTarget {
  /** `provider:model`, as the user wrote it. */
  modelId: string;
  provider: Provider;
  request: ChatRequest;
}

/** What the runner needs of the answer cache (src/core/cache implements it). */
export interface AnswerStore {
  keyFor(target: RunTarget): string;
  get(key: string): Promise<CachedAnswer | undefined>;
  set(answer: CachedAnswer): Promise<void>;
}

export type CachedAnswer = AnswerCacheEntry;

export interface RunResult {
  modelId: string;
  /** 0-based repeat number. */
  repeat: number;
  ok: boolean;
  /** The answer, or the part that arrived before an error. */
  output: string;
  finishReason: FinishReason | null;
  cacheHit: boolean;
  /** Time to first token; null when no token arrived. For a cache hit: the time to read it. */
  ttftMs: number | null;
  latencyMs: number;
  /** Output tokens per second of generation (after the first token). */
  outputTokensPerSec: number | null;
  usage: Usage;
  /** Priced usage; null = no price known for this model (never shown as $0). */
  cost: CostBreakdown | null;
  error: ProviderError | null;
  /** For a cache hit, the timings measured when the answer was first generated. */
  original?: { ttftMs: number | null; latencyMs: number; createdAt: number };
}

export type RunProgress =
  | { type: 'started'; index: number; modelId: string; repeat: number }
  | { type: 'text'; index: number; text: string }
  | { type: 'finished'; index: number; result: RunResult };

export interface RunOptions {
  /** At most this many requests in flight overall (default 8). */
  concurrency?: number;
  /** At most this many in flight per provider name (default: no extra limit). */
  perProviderConcurrency?: Record<string, number>;
  /** Each target runs this many times (default 1). */
  repeats?: number;
  signal?: AbortSignal;
  cache?: AnswerStore;
  /** Skip reading the cache (answers are still written). */
  bypassCache?: boolean;
  price: (modelId: string, usage: Usage) => CostBreakdown | null;
  /** Checked before a request is sent (e.g. the prompt is over the context window). */
  preflight?: (target: RunTarget) => Promise<ProviderError | undefined>;
  onProgress?: (event: RunProgress) => void;
  /** Extra tries the runner makes after a 429 survives the SDK's own retries (default 1). */
  rateLimitRetries?: number;
  now?: () => number;
}

export interface RunSummary {
  results: RunResult[];
  wallMs: number;
}

const DEFAULT_COOLDOWN_MS = 1000;

export async function runPrompt(targets: RunTarget[], options: RunOptions): Promise<RunSummary> {
  const now = options.now ?? (() => performance.now());
  const repeats = Math.max(1, options.repeats ?? 1);
  const global = new Semaphore(options.concurrency ?? 8);
  const perProvider = new Map<string, Semaphore>();
  const cooldownUntil = new Map<string, number>();
  const providerGate = (name: string) => {
    const limit = options.perProviderConcurrency?.[name];
    if (!limit) return undefined;
    let s = perProvider.get(name);
    if (!s) perProvider.set(name, (s = new Semaphore(limit)));
    return s;
  };

  const jobs: { target: RunTarget; repeat: number }[] = [];
  // Repeat-major order: the first answer of every model arrives before any model's second.
  for (let r = 0; r < repeats; r++) for (const target of targets) jobs.push({ target, repeat: r });

  const started = now();
  const results = await Promise.all(
    jobs.map(async ({ target, repeat }, index): Promise<RunResult> => {
      const providerName = target.provider.config.name;
      let releaseProvider: (() => void) | undefined;
      let releaseGlobal: (() => void) | undefined;
      try {
        releaseProvider = await providerGate(providerName)?.acquire(options.signal);
        releaseGlobal = await global.acquire(options.signal);
      } catch {
        releaseProvider?.();
        return finish(index, cancelledResult(target.modelId, repeat));
      }
      try {
        options.onProgress?.({ type: 'started', index, modelId: target.modelId, repeat });
        let attempt = 0;
        for (;;) {
          await waitCooldown(cooldownUntil.get(providerName), now, options.signal);
          const result = await runOne(target, repeat, index, options, now);
          const retries = options.rateLimitRetries ?? 1;
          if (result.error?.kind === 'rate_limit' && !result.output && attempt < retries && !options.signal?.aborted) {
            attempt++;
            const wait = (result.error as ProviderError & { retryAfterMs?: number }).retryAfterMs ?? DEFAULT_COOLDOWN_MS;
            cooldownUntil.set(providerName, Math.max(cooldownUntil.get(providerName) ?? 0, now() + wait));
            continue;
          }
          return finish(index, result);
        }
      } finally {
        releaseGlobal?.();
        releaseProvider?.();
      }
    }),
  );
  return { results, wallMs: now() - started };

  function finish(index: number, result: RunResult): RunResult {
    options.onProgress?.({ type: 'finished', index, result });
    return result;
  }
}

async function waitCooldown(until: number | undefined, now: () => number, signal?: AbortSignal): Promise<void> {
  const ms = until === undefined ? 0 : until - now();
  if (ms <= 0 || signal?.aborted) return;
  await new Promise<void>((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

function cancelledResult(modelId: string, repeat: number): RunResult {
  return {
    modelId,
    repeat,
    ok: false,
    output: '',
    finishReason: null,
    cacheHit: false,
    ttftMs: null,
    latencyMs: 0,
    outputTokensPerSec: null,
    usage: emptyUsage(),
    cost: null,
    error: { kind: 'cancelled', message: 'Cancelled before it started.' },
  };
}

async function runOne(
  target: RunTarget,
  repeat: number,
  index: number,
  options: RunOptions,
  now: () => number,
): Promise<RunResult> {
  const t0 = now();
  if (options.signal?.aborted) return cancelledResult(target.modelId, repeat);
  const key = options.cache?.keyFor(target);
  // Repeats are there to measure the model: only the first one may come from the cache.
  if (options.cache && key && !options.bypassCache && repeat === 0) {
    const hit = await options.cache.get(key);
    if (hit) {
      const elapsed = now() - t0;
      options.onProgress?.({ type: 'text', index, text: hit.output });
      return {
        modelId: target.modelId,
        repeat,
        ok: true,
        output: hit.output,
        finishReason: hit.finishReason,
        cacheHit: true,
        ttftMs: elapsed,
        latencyMs: elapsed,
        outputTokensPerSec: tokensPerSec(hit.usage.outputTokens, hit.ttftMs, hit.latencyMs),
        usage: hit.usage,
        cost: options.price(target.modelId, hit.usage),
        error: null,
        original: { ttftMs: hit.ttftMs, latencyMs: hit.latencyMs, createdAt: hit.createdAt },
      };
    }
  }

  const preflightError = await options.preflight?.(target);
  if (preflightError) {
    return { ...cancelledResult(target.modelId, repeat), error: preflightError, latencyMs: now() - t0 };
  }

  let output = '';
  let ttftMs: number | null = null;
  let usage: Usage | undefined;
  let finishReason: FinishReason | null = null;
  let error: ProviderError | null = null;
  for await (const event of target.provider.stream(target.request, options.signal)) {
    switch (event.type) {
      case 'text':
        if (ttftMs === null) ttftMs = now() - t0;
        output += event.text;
        options.onProgress?.({ type: 'text', index, text: event.text });
        break;
      case 'usage':
        usage = event.usage;
        break;
      case 'finish':
        finishReason = event.reason;
        break;
      case 'error':
        error = event.error;
        break;
    }
  }
  const latencyMs = now() - t0;
  const finalUsage = usage ?? emptyUsage();
  const ok = error === null;
  if (ok && options.cache && key && finishReason) {
    // Not awaited: the column is finished when its answer is; the cache writes in the background
    // (AnswerCache.flush() waits for it) and reports its own failures.
    options.cache.set({
      key,
      model: target.modelId,
      createdAt: Date.now(),
      output,
      usage: finalUsage,
      finishReason,
      ttftMs,
      latencyMs,
    }).catch(() => undefined);
  }
  return {
    modelId: target.modelId,
    repeat,
    ok,
    output,
    finishReason,
    cacheHit: false,
    ttftMs,
    latencyMs,
    outputTokensPerSec: tokensPerSec(finalUsage.outputTokens, ttftMs, latencyMs),
    usage: finalUsage,
    cost: usage ? options.price(target.modelId, finalUsage) : null,
    error,
  };
}

/** Below this, the time between the first token and the end measures nothing (one chunk, one read). */
const MIN_GENERATION_WINDOW_MS = 20;

/** Generation speed after the first token; null when the answer came too fast to measure a rate. */
function tokensPerSec(outputTokens: number, ttftMs: number | null, latencyMs: number): number | null {
  if (!outputTokens || ttftMs === null) return null;
  const ms = latencyMs - ttftMs;
  return ms >= MIN_GENERATION_WINDOW_MS ? (outputTokens / ms) * 1000 : null;
}
