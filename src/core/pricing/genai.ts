// Adapter over @pydantic/genai-prices' bundled data (no network: auto-update is never enabled).
//
// Facts about the package (0.1.8) this relies on:
// - `calcPrice(usage, model, { providerId, timestamp })` resolves a model exactly as the package
//   intends (match rules, dated-snapshot normalisation, date-constrained price sets) and returns
//   the matched `model` (id, name, context_window) and the `model_price` in force at `timestamp`.
//   We call it with empty usage purely for that resolution, then price every bucket ourselves
//   (see ledger.ts for why).
// - Prices are USD per million tokens: input_mtok, output_mtok, cache_read_mtok,
//   cache_write_mtok (default-TTL write; Anthropic's 5 minutes), cache_write_1h_mtok. Each is a
//   number or `{ base, tiers: [{ start, price }] }`, a tier applying when the total prompt
//   tokens exceed `start`.
// - The package embeds no snapshot date, so the data date is the npm publish date of the version
//   (`npm view @pydantic/genai-prices time`). The unit tests check GENAI_PRICES_VERSION against the
//   installed package, so a bump cannot go unnoticed.
import type { calcPrice } from '@pydantic/genai-prices';
import { genaiPrices } from '../lazy';
import type { PriceRates, PriceTier } from './ledger';

export const GENAI_PRICES_VERSION = '0.1.8';
/** npm publish date of GENAI_PRICES_VERSION = the date of its bundled price data. */
export const GENAI_PRICES_DATA_DATE = '2026-09-23';

/** What genai-prices knows about one model. Rates in USD per million tokens. */
export interface GenaiModelPrice extends PriceRates {
  providerId: string;
  providerName: string;
  modelId: string;
  modelName: string;
  /** Long-context tiers, ascending (see ledger.ts). */
  tiers: PriceTier[];
  contextWindow: number | null;
}

/** genai-prices' per-key rate: a number, or `{ base, tiers: [{ start, price }] }`. */
type RawRate = number | { base: number; tiers: { start: number; price: number }[] };

function rawRate(value: unknown): RawRate | null {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : null;
  if (value && typeof value === 'object') {
    const v = value as { base?: unknown; tiers?: unknown };
    if (typeof v.base !== 'number' || !Array.isArray(v.tiers)) return null;
    const tiers = (v.tiers as { start?: unknown; price?: unknown }[])
      .filter((t) => typeof t?.start === 'number' && typeof t?.price === 'number')
      .map((t) => ({ start: t.start as number, price: t.price as number }));
    return { base: v.base, tiers };
  }
  return null;
}

/** genai-prices' rule: the last tier whose `start` the total prompt exceeds, else the base. */
function priceAt(rate: RawRate, promptTokens: number): number {
  if (typeof rate === 'number') return rate;
  let price = rate.base;
  for (const t of rate.tiers) if (promptTokens > t.start) price = t.price;
  return price;
}

const KEYS = {
  input: 'input_mtok',
  output: 'output_mtok',
  cacheRead: 'cache_read_mtok',
  cacheWrite5m: 'cache_write_mtok',
  cacheWrite1h: 'cache_write_1h_mtok',
} as const;

/**
 * Per-key tiers → whole-rate tiers: one PriceTier per distinct `start`, every rate evaluated just
 * above it. For integer prompt sizes this reproduces genai-prices' per-key selection exactly.
 */
function toRates(modelPrice: Record<string, unknown>): { base: PriceRates; tiers: PriceTier[] } | null {
  const raw = {
    input: rawRate(modelPrice[KEYS.input]),
    output: rawRate(modelPrice[KEYS.output]),
    cacheRead: rawRate(modelPrice[KEYS.cacheRead]),
    cacheWrite5m: rawRate(modelPrice[KEYS.cacheWrite5m]),
    cacheWrite1h: rawRate(modelPrice[KEYS.cacheWrite1h]),
  };
  const { input, output } = raw;
  if (input === null || output === null) return null; // not a token-priced model
  const at = (promptTokens: number): PriceRates => ({
    input: priceAt(input, promptTokens),
    output: priceAt(output, promptTokens),
    cacheRead: raw.cacheRead === null ? null : priceAt(raw.cacheRead, promptTokens),
    cacheWrite5m: raw.cacheWrite5m === null ? null : priceAt(raw.cacheWrite5m, promptTokens),
    cacheWrite1h: raw.cacheWrite1h === null ? null : priceAt(raw.cacheWrite1h, promptTokens),
  });
  const starts = new Set<number>();
  for (const r of Object.values(raw)) if (r !== null && typeof r === 'object') for (const t of r.tiers) starts.add(t.start);
  const tiers = [...starts].sort((a, b) => a - b).map((above) => ({ above, ...at(above + 1) }));
  return { base: at(0), tiers };
}

/**
 * Prices of `model` from genai-prices provider `providerId` (`openai`, `anthropic`, …) in force
 * at `timestamp`, or null when the package does not know the model (or has no token prices).
 */
export function genaiModelPrice(providerId: string, model: string, timestamp: Date = new Date()): GenaiModelPrice | null {
  let result: ReturnType<typeof calcPrice>;
  try {
    result = genaiPrices().calcPrice({}, model, { providerId, timestamp });
  } catch {
    return null;
  }
  if (!result) return null;
  const rates = toRates(result.model_price);
  if (!rates) return null;
  const window = result.model.context_window;
  return {
    providerId: result.provider.id,
    providerName: result.provider.name,
    modelId: result.model.id,
    modelName: result.model.name ?? result.model.id,
    ...rates.base,
    tiers: rates.tiers,
    contextWindow: typeof window === 'number' && window > 0 ? window : null,
  };
}

export interface GenaiModelInfo {
  /** genai-prices' model id (usually the API name, sometimes a family name). */
  id: string;
  name: string;
  contextWindow: number | null;
  deprecated: boolean;
}

/** Not chat models, or ids that are match prefixes rather than names one can call. */
const NOT_CHAT = /(tts|transcribe|realtime|audio|image|embedding|moderation|whisper|dall-e|sora|computer-use)|(^ft:)|(\.ft-)|(-$)/;

/** Chat models genai-prices prices for `providerId` (for pickers), in its order. */
export function genaiChatModels(providerId: string): GenaiModelInfo[] {
  const provider = genaiPrices().findProvider({ providerId });
  if (!provider) return [];
  return provider.models
    .filter((m) => !NOT_CHAT.test(m.id))
    .filter((m) => {
      const prices = Array.isArray(m.prices) ? m.prices[m.prices.length - 1]?.prices : m.prices;
      return !!prices && prices[KEYS.input] !== undefined && prices[KEYS.output] !== undefined;
    })
    .map((m) => ({
      id: m.id,
      name: m.name ?? m.id,
      contextWindow: typeof m.context_window === 'number' && m.context_window > 0 ? m.context_window : null,
      deprecated: m.deprecated === true,
    }));
}
