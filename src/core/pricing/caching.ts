// Minimum cacheable prompt length per model: below it a provider caches nothing (and reports no
// error — both cache counters are simply 0). Source: llm-wire-protocols.md §4 "Prompt caching";
// the documented minimums change over time, so they live in this one table.
import type { ModelId } from '../types';
import { parseModelId } from '../types';

/** OpenAI caches automatically once a prefix reaches 1024 tokens (then in 128-token steps). */
export const OPENAI_MIN_CACHEABLE_TOKENS = 1024;

/** A dated snapshot (`-20250514`) or `-latest` may follow any family name. */
const SUFFIX = '(-\\d{8}|-latest)?$';
const family = (name: string) => new RegExp(`^${name}${SUFFIX}`);

/**
 * Anthropic minimum cacheable prompt (tokens) per model family, first match wins. Names are
 * matched after lower-casing and turning dots into dashes (`claude-opus-4.5` = `claude-opus-4-5`).
 * Sources conflict on Sonnet 4.6 (1024 vs 2048); the table follows the protocol doc's 1024.
 */
export const ANTHROPIC_MIN_CACHEABLE_TOKENS: readonly { family: string; pattern: RegExp; tokens: number }[] = [
  { family: 'Opus 4.5', pattern: family('claude-opus-4-5'), tokens: 4096 },
  { family: 'Opus 4.6', pattern: family('claude-opus-4-6'), tokens: 4096 },
  { family: 'Haiku 4.5', pattern: family('claude-haiku-4-5'), tokens: 4096 },
  { family: 'Opus 4.7', pattern: family('claude-opus-4-7'), tokens: 2048 },
  { family: 'Haiku 3.5', pattern: family('claude-3-5-haiku'), tokens: 2048 },
  { family: 'Haiku 3', pattern: family('claude-3-haiku'), tokens: 2048 },
  { family: 'Sonnet 4', pattern: family('claude-sonnet-4(-0)?'), tokens: 1024 },
  { family: 'Sonnet 4.5', pattern: family('claude-sonnet-4-5'), tokens: 1024 },
  { family: 'Sonnet 4.6', pattern: family('claude-sonnet-4-6'), tokens: 1024 },
  { family: 'Opus 4', pattern: family('claude-opus-4(-0)?'), tokens: 1024 },
  { family: 'Opus 4.1', pattern: family('claude-opus-4-1'), tokens: 1024 },
  { family: 'Opus 4.8', pattern: family('claude-opus-4-8'), tokens: 1024 },
  { family: 'Sonnet 5', pattern: family('claude-sonnet-5(-0)?'), tokens: 1024 },
  { family: 'Opus 5', pattern: family('claude-opus-5(-0)?'), tokens: 512 },
  { family: 'Fable 5', pattern: family('claude-fable-5(-0)?'), tokens: 512 },
];

function normalise(model: string): string {
  return model.trim().toLowerCase().replace(/^anthropic\//, '').replace(/\./g, '-');
}

/**
 * The minimum prompt length a provider caches for `modelId` (`provider:model`), or null when
 * unknown (unknown Claude family, OpenAI-compatible servers).
 */
export function minCacheableTokens(modelId: string | ModelId): number | null {
  const { provider, model } = typeof modelId === 'string' ? parseModelId(modelId) : modelId;
  const p = provider.toLowerCase();
  const m = normalise(model);
  if (p === 'openai') return OPENAI_MIN_CACHEABLE_TOKENS;
  if (p === 'anthropic' || m.startsWith('claude')) {
    return ANTHROPIC_MIN_CACHEABLE_TOKENS.find((e) => e.pattern.test(m))?.tokens ?? null;
  }
  return null;
}
