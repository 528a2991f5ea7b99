// Provider prompt caching, measured: the prompt with a cache breakpoint at the end of its static
// prefix is sent twice, one after the other (cold, then warm); the warm call's real cache-read
// tokens are the saving. Nothing is invented: when the warm call reads nothing, the option says
// why (the prefix is under the model's minimum cacheable length, or no read was seen).
import { toRequest, type ProfilerEngine, type PromptInput } from '../engine';
import { minCacheableTokens, OPENAI_MIN_CACHEABLE_TOKENS } from '../pricing';
import { OPENAI_REPLY_PRIMING } from '../tokens';
import type { Usage } from '../types';
import { parseModelId } from '../types';
import { formatInt } from '../format';
import { withStaticPrefixBreakpoint, type StaticPrefix } from './prefix';

export type CachingVendor = 'openai' | 'anthropic';

export type PromptCacheMeasurement =
  | {
      status: 'measured';
      vendor: CachingVendor;
      /** Tokens of the static prefix (framing included); null when it could not be counted. */
      prefixTokens: number | null;
      prefixEstimated: boolean;
      minTokens: number | null;
      /** Cache-read tokens the warm call reported. */
      readTokens: number;
      /**
       * Read tokens credited to the option. Anthropic: the read (the breakpoint ends the static
       * prefix). OpenAI: the read, but at most the static prefix rounded down to the cacheable
       * length (1,024 + k × 128): an identical repeat reads past the first {{variable}}, a call
       * with other values cannot.
       */
      creditedReadTokens: number;
      cold: Usage;
      warm: Usage;
      ttl: '5m' | '1h';
      warmLatencyMs: number;
      /** A message was split at the first {{variable}} to place the breakpoint (adds a few framing tokens). */
      split: boolean;
    }
  | { status: 'too-short'; vendor: CachingVendor; prefixTokens: number | null; prefixEstimated: boolean; minTokens: number; readTokens: number; message: string }
  | { status: 'unavailable'; message: string };

/** Whose prompt-cache rules apply to a model id, or null when unknown. */
export function cachingVendor(modelId: string): CachingVendor | null {
  const { provider, model } = parseModelId(modelId);
  const p = provider.toLowerCase();
  if (p === 'openai') return 'openai';
  if (p === 'anthropic' || model.toLowerCase().startsWith('claude')) return 'anthropic';
  return null;
}

/** What OpenAI can cache of a prefix of `tokens`: 0 under 1,024, else rounded down to 1,024 + k × 128. */
export function openaiCacheableTokens(tokens: number): number {
  if (tokens < OPENAI_MIN_CACHEABLE_TOKENS) return 0;
  return OPENAI_MIN_CACHEABLE_TOKENS + Math.floor((tokens - OPENAI_MIN_CACHEABLE_TOKENS) / 128) * 128;
}

export interface MeasureCachingOptions {
  signal?: AbortSignal;
}

/**
 * Measures provider prompt caching for each model (models in parallel; the two calls of one
 * model in sequence). Sends 2 calls per model whose provider has a known prompt cache. The
 * answer cache is bypassed for these calls.
 */
export async function measurePromptCaching(
  engine: ProfilerEngine,
  prompt: PromptInput,
  modelIds: readonly string[],
  staticPrefix: StaticPrefix,
  options: MeasureCachingOptions = {},
): Promise<Record<string, PromptCacheMeasurement>> {
  const entries = await Promise.all(
    modelIds.map(async (modelId) => [modelId, await measureOne(engine, prompt, modelId, staticPrefix, options)] as const),
  );
  return Object.fromEntries(entries);
}

async function measureOne(
  engine: ProfilerEngine,
  prompt: PromptInput,
  modelId: string,
  sp: StaticPrefix,
  options: MeasureCachingOptions,
): Promise<PromptCacheMeasurement> {
  const vendor = cachingVendor(modelId);
  if (!vendor) {
    return { status: 'unavailable', message: `no known provider prompt cache for ${parseModelId(modelId).provider}` };
  }
  const bp = withStaticPrefixBreakpoint(prompt, sp);
  if (!bp.ok && vendor === 'anthropic') return { status: 'unavailable', message: bp.reason };
  // OpenAI caches on its own: the prompt goes as it is; the breakpoint only tells us the prefix.
  const variant = vendor === 'anthropic' && bp.ok ? bp.prompt : prompt;
  const minTokens = minCacheableTokens(modelId);

  let prefixTokens: number | null = null;
  let prefixEstimated = false;
  if (bp.ok) {
    const count = await engine.countTokens(modelId, toRequest(bp.prefix, modelId), true);
    // A prefix has no reply priming: OpenAI's chat count adds it to every request.
    prefixTokens = vendor === 'openai' && !count.estimated ? Math.max(0, count.tokens - OPENAI_REPLY_PRIMING) : count.tokens;
    prefixEstimated = count.estimated;
  }

  const probe = async () => (await engine.run(variant, [modelId], { bypassCache: true, signal: options.signal })).results[0];
  const cold = await probe();
  if (!cold.ok) return { status: 'unavailable', message: `the cold call failed (${cold.error?.kind}: ${cold.error?.message})` };
  const warm = await probe();
  if (!warm.ok) return { status: 'unavailable', message: `the warm call failed (${warm.error?.kind}: ${warm.error?.message})` };

  const readTokens = warm.usage.cacheReadTokens;
  let credited = readTokens;
  if (vendor === 'openai' && sp.firstVariable !== null && prefixTokens !== null) {
    credited = Math.min(readTokens, openaiCacheableTokens(prefixTokens));
  }
  if (credited === 0) {
    const approx = prefixEstimated ? '≈ ' : '';
    const min = minTokens ?? (vendor === 'openai' ? OPENAI_MIN_CACHEABLE_TOKENS : null);
    if (min !== null && prefixTokens !== null && prefixTokens < min) {
      return {
        status: 'too-short',
        vendor,
        prefixTokens,
        prefixEstimated,
        minTokens: min,
        readTokens,
        message: `static prefix is ${approx}${formatInt(prefixTokens)} tokens, under ${modelId}'s minimum cacheable length of ${formatInt(min)}: no prompt-cache saving`,
      };
    }
    return {
      status: 'unavailable',
      message: `the warm call read nothing from the prompt cache${prefixTokens !== null ? ` (static prefix ${approx}${formatInt(prefixTokens)} tokens)` : ''}: no saving measured`,
    };
  }
  return {
    status: 'measured',
    vendor,
    prefixTokens,
    prefixEstimated,
    minTokens,
    readTokens,
    creditedReadTokens: credited,
    cold: cold.usage,
    warm: warm.usage,
    ttl: prompt.cacheTtl ?? '5m',
    warmLatencyMs: warm.latencyMs,
    split: bp.ok && vendor === 'anthropic' ? bp.split : false,
  };
}
