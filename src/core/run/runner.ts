// Runs one prompt against N models × R repeats in parallel: a global concurrency limit, a
// per-provider limit, a cool-down on 429, one AbortSignal that cancels everything. Each call's
// TTFT and latency are the wire's (wire.ts); waits for a slot and for retries are their own figures.
import type { ChatRequest, CostBreakdown, FinishReason, Provider, ProviderError, Usage } from '../types';
import { emptyUsage } from '../types';
import { Semaphore } from './semaphore';
import { AbortScope } from './signal';
import { WireClock, type WireTiming } from './wire';
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
  /**
   * The model's time to first token, on the wire: from handing the answering attempt to the HTTP
   * client to its first token. null when no token arrived, and for a cache hit.
   */
  ttftMs: number | null;
  /**
   * The model's latency, on the wire: from handing the answering attempt to the HTTP client to the
   * stream's last byte. 0 when no request was made: a cache hit (see cacheReadMs) or a call
   * refused before sending.
   */
  latencyMs: number;
  /** Waiting for a slot (the concurrency limits) and for a provider's 429 cool-down, before the first attempt. */
  queuedMs: number;
  /**
   * From the first attempt to the one that answered: the failed attempts and the waits between
   * them (the SDK's back-off, retry-after, the runner's cool-down). 0 without a retry.
   */
  retryWaitMs: number;
  /** HTTP attempts made (the SDK's retries and the runner's included); 0 when nothing was sent. */
  attempts: number;
  /** For a cache hit, the time to read the answer from the cache; null otherwise. */
  cacheReadMs: number | null;
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
  // One listener on the caller's signal; each request aborts through its own child.
  const scope = new AbortScope(options.signal);

  const jobs: { target: RunTarget; repeat: number }[] = [];
  // Repeat-major order: the first answer of every model arrives before any model's second.
  for (let r = 0; r < repeats; r++) for (const target of targets) jobs.push({ target, repeat: r });

  const started = now();
  try {
    const results = await Promise.all(
      jobs.map(async ({ target, repeat }, index): Promise<RunResult> => {
        const child = scope.child();
        try {
          return await runJob(target, repeat, index, child.signal);
        } finally {
          child.dispose();
        }
      }),
    );
    return { results, wallMs: now() - started };
  } finally {
    scope.dispose();
  }

  async function runJob(target: RunTarget, repeat: number, index: number, signal: AbortSignal): Promise<RunResult> {
    const providerName = target.provider.config.name;
    const queuedAt = now();
    let releaseProvider: (() => void) | undefined;
    let releaseGlobal: (() => void) | undefined;
    try {
      releaseProvider = await providerGate(providerName)?.acquire(signal);
      releaseGlobal = await global.acquire(signal);
    } catch {
      releaseProvider?.();
      return finish(index, notSent(target.modelId, repeat, { kind: 'cancelled', message: 'Cancelled before it started.' }));
    }
    let answer: Answered;
    try {
      options.onProgress?.({ type: 'started', index, modelId: target.modelId, repeat });
      answer = await attemptAll(target, repeat, index, signal, now() - queuedAt);
    } finally {
      releaseGlobal?.();
      releaseProvider?.();
    }
    // The answer cache is written after the slot is free and outside every measured interval.
    await answer.save?.();
    return finish(index, answer.result);
  }

  async function attemptAll(target: RunTarget, repeat: number, index: number, signal: AbortSignal, slotWaitMs: number): Promise<Answered> {
    const providerName = target.provider.config.name;
    if (signal.aborted) return { result: notSent(target.modelId, repeat, { kind: 'cancelled', message: 'Cancelled.' }) };
    const key = options.cache?.keyFor(target);
    // Repeats are there to measure the model: only the first one may come from the cache.
    if (options.cache && key && !options.bypassCache && repeat === 0) {
      const hit = await readCache(target, repeat, index, key, options.cache, slotWaitMs);
      if (hit) return { result: hit };
    }
    const preflightError = await options.preflight?.(target);
    if (preflightError) return { result: { ...notSent(target.modelId, repeat, preflightError), queuedMs: slotWaitMs } };

    let queuedMs = slotWaitMs;
    let firstAttemptAt: number | undefined;
    let attempts = 0;
    for (let tries = 0; ; tries++) {
      const cooldownFrom = now();
      await waitCooldown(cooldownUntil.get(providerName), now, signal);
      // A cool-down before the first attempt is queueing; between attempts it is a retry wait.
      if (firstAttemptAt === undefined) queuedMs += now() - cooldownFrom;
      const call = await callOnce(target, index, signal);
      firstAttemptAt ??= call.wire.firstAttemptAt;
      attempts += call.wire.attempts;
      const retryAfter = (call.error as (ProviderError & { retryAfterMs?: number }) | null)?.retryAfterMs;
      if (call.error?.kind === 'rate_limit' && !call.output && tries < (options.rateLimitRetries ?? 1) && !signal.aborted) {
        const wait = retryAfter ?? DEFAULT_COOLDOWN_MS;
        cooldownUntil.set(providerName, Math.max(cooldownUntil.get(providerName) ?? 0, now() + wait));
        continue;
      }
      const { wire } = call;
      const result: RunResult = {
        modelId: target.modelId,
        repeat,
        ok: call.error === null,
        output: call.output,
        finishReason: call.finishReason,
        cacheHit: false,
        ttftMs: wire.ttftMs,
        latencyMs: wire.latencyMs,
        queuedMs,
        retryWaitMs: wire.answeringAttemptAt - firstAttemptAt,
        attempts,
        cacheReadMs: null,
        outputTokensPerSec: tokensPerSec(call.usage?.outputTokens ?? 0, wire.ttftMs, wire.latencyMs),
        usage: call.usage ?? emptyUsage(),
        cost: call.usage ? options.price(target.modelId, call.usage) : null,
        error: call.error,
      };
      const cache = options.cache;
      const save =
        result.ok && cache && key && call.finishReason
          ? () =>
              cache.set({
                key,
                model: target.modelId,
                createdAt: Date.now(),
                output: result.output,
                usage: result.usage,
                finishReason: call.finishReason!,
                ttftMs: result.ttftMs,
                latencyMs: result.latencyMs,
              })
          : undefined;
      return { result, save };
    }
  }

  async function readCache(target: RunTarget, repeat: number, index: number, key: string, cache: AnswerStore, queuedMs: number): Promise<RunResult | undefined> {
    const readFrom = now();
    const hit = await cache.get(key);
    if (!hit) return undefined;
    const cacheReadMs = now() - readFrom;
    options.onProgress?.({ type: 'text', index, text: hit.output });
    return {
      ...notSent(target.modelId, repeat, null),
      ok: true,
      output: hit.output,
      finishReason: hit.finishReason,
      cacheHit: true,
      queuedMs,
      cacheReadMs,
      outputTokensPerSec: tokensPerSec(hit.usage.outputTokens, hit.ttftMs, hit.latencyMs),
      usage: hit.usage,
      cost: options.price(target.modelId, hit.usage),
      original: { ttftMs: hit.ttftMs, latencyMs: hit.latencyMs, createdAt: hit.createdAt },
    };
  }

  /** One call of the provider (which may make several HTTP attempts): the stream and its wire times. */
  async function callOnce(target: RunTarget, index: number, signal: AbortSignal): Promise<Call> {
    const wire = new WireClock(now);
    // Chunks are joined once at the end: no per-token copy of the answer so far.
    const chunks: string[] = [];
    let usage: Usage | undefined;
    let finishReason: FinishReason | null = null;
    let error: ProviderError | null = null;
    wire.streamCalled();
    for await (const event of target.provider.stream(target.request, signal, wire)) {
      switch (event.type) {
        case 'text':
          if (!chunks.length) wire.firstToken();
          chunks.push(event.text);
          options.onProgress?.({ type: 'text', index, text: event.text });
          break;
        case 'usage':
          usage = event.usage;
          break;
        case 'finish':
          finishReason = event.reason;
          // The answer is complete: for a provider that marks no last byte (no HTTP, e.g. VS Code's
          // language models), what it does after this (count the tokens) is not the model's time.
          wire.lastByte();
          break;
        case 'error':
          error = event.error;
          break;
      }
    }
    // A provider that does not mark its last byte ends here.
    wire.lastByte();
    return { output: chunks.join(''), usage, finishReason, error, wire: wire.timing() };
  }

  function finish(index: number, result: RunResult): RunResult {
    options.onProgress?.({ type: 'finished', index, result });
    return result;
  }
}

interface Call {
  output: string;
  usage: Usage | undefined;
  finishReason: FinishReason | null;
  error: ProviderError | null;
  wire: WireTiming;
}

interface Answered {
  result: RunResult;
  /** Writes the answer to the cache. */
  save?: () => Promise<void>;
}

async function waitCooldown(until: number | undefined, now: () => number, signal: AbortSignal): Promise<void> {
  const ms = until === undefined ? 0 : until - now();
  if (ms <= 0 || signal.aborted) return;
  await new Promise<void>((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/** A result for a call that sent nothing (cancelled in the queue, refused before sending). */
function notSent(modelId: string, repeat: number, error: ProviderError | null): RunResult {
  return {
    modelId,
    repeat,
    ok: false,
    output: '',
    finishReason: null,
    cacheHit: false,
    ttftMs: null,
    latencyMs: 0,
    queuedMs: 0,
    retryWaitMs: 0,
    attempts: 0,
    cacheReadMs: null,
    outputTokensPerSec: null,
    usage: emptyUsage(),
    cost: null,
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
