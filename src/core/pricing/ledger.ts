// The cost ledger: one call's Usage × a model's prices → a per-bucket CostBreakdown.
//
// Semantics (docs: llm-wire-protocols.md §7):
// - `usage.inputTokens` is the TOTAL prompt (cached included): uncached = input − cacheRead − cacheWrite.
// - cache writes: the 1-hour ones (`cacheWrite1hTokens`) at the 1h rate, the rest at the 5-minute
//   (default-TTL) rate. When the price data has no absolute cache rates:
//     Anthropic: read 0.1× input, 5m write 1.25× input, 1h write 2× input;
//     OpenAI / others: reads and writes bill as plain input (no discount, no surcharge — what
//     "cache writes are free" means before GPT-5.6), 1h writes at the 5m rate.
//   Absolute prices from the data (or an override) always win over these multipliers.
// - reasoning tokens are inside outputTokens: never added on top.
// - batch: 50 % of every bucket.
// - long-context tiers: when a rate is tiered, the tier whose `start` the TOTAL prompt exceeds
//   applies to the whole request (every bucket priced with that rate) — genai-prices' rule.
//
// The arithmetic is done here rather than by genai-prices' calcPrice because calcPrice only
// returns input/output/total, while the report needs every bucket (uncached, cache read, 5m/1h
// write, output), batch halving, and the Anthropic defaults above. Both agree on the total for
// every model whose data is complete (checked in test/unit/pricing.test.ts).
import type { CostBreakdown, PriceProvenance, Usage } from '../types';

/** Flat rates, USD per million tokens. A null cache rate means "not in the data" (see defaults above). */
export interface PriceRates {
  input: number;
  output: number;
  cacheRead: number | null;
  /** Cache write with the default TTL (Anthropic 5 minutes; OpenAI's 30-minute retention). */
  cacheWrite5m: number | null;
  cacheWrite1h: number | null;
}

/** Long-context rates: they bill the WHOLE request when its total prompt tokens exceed `above`. */
export interface PriceTier extends PriceRates {
  above: number;
}

export type PriceVendor = 'openai' | 'anthropic' | 'other';

/** A model's prices, from genai-prices or a user override. Base rates in USD per million tokens. */
export interface ModelPrice extends PriceRates {
  /** The model id asked for, `provider:model`. */
  modelId: string;
  /** Whose caching rules apply when a cache rate is missing. */
  vendor: PriceVendor;
  /** Long-context tiers, ascending by `above`; the last one the prompt exceeds applies. Often empty. */
  tiers: PriceTier[];
  /** Max prompt + output tokens, when known. */
  contextWindow: number | null;
  provenance: PriceProvenance;
}

/** Flat USD-per-MTok rates in force for one request, every bucket resolved. */
export interface EffectiveRates {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite5m: number;
  cacheWrite1h: number;
  /** The tier threshold applied (prompt tokens above it), or null for base prices. */
  tierAbove: number | null;
  /** Rates that were derived rather than read, e.g. `cache write 1h = 2× input`. */
  assumed: { bucket: 'cacheRead' | 'cacheWrite5m' | 'cacheWrite1h'; note: string }[];
}

export const ANTHROPIC_CACHE_READ_MULTIPLIER = 0.1;
export const ANTHROPIC_CACHE_WRITE_5M_MULTIPLIER = 1.25;
export const ANTHROPIC_CACHE_WRITE_1H_MULTIPLIER = 2;
export const BATCH_DISCOUNT = 0.5;

/** The rates (base or a tier) that bill a request whose total prompt is `promptTokens`. */
export function ratesAt(price: ModelPrice, promptTokens: number): { rates: PriceRates; tierAbove: number | null } {
  let rates: PriceRates = price;
  let tierAbove: number | null = null;
  for (const tier of price.tiers) {
    if (promptTokens > tier.above) {
      rates = tier;
      tierAbove = tier.above;
    }
  }
  return { rates, tierAbove };
}

/** Resolves tiers and missing cache rates into the flat rates that bill this request. */
export function effectiveRates(price: ModelPrice, promptTokens: number): EffectiveRates {
  const { rates, tierAbove } = ratesAt(price, promptTokens);
  const assumed: EffectiveRates['assumed'] = [];
  const { input, output } = rates;
  const anthropic = price.vendor === 'anthropic';

  let cacheRead: number;
  if (rates.cacheRead !== null) cacheRead = rates.cacheRead;
  else if (anthropic) {
    cacheRead = input * ANTHROPIC_CACHE_READ_MULTIPLIER;
    assumed.push({ bucket: 'cacheRead', note: `cache read = ${ANTHROPIC_CACHE_READ_MULTIPLIER}× input` });
  } else {
    cacheRead = input;
    assumed.push({ bucket: 'cacheRead', note: 'cache read = input' });
  }

  let cacheWrite5m: number;
  if (rates.cacheWrite5m !== null) cacheWrite5m = rates.cacheWrite5m;
  else if (anthropic) {
    cacheWrite5m = input * ANTHROPIC_CACHE_WRITE_5M_MULTIPLIER;
    assumed.push({ bucket: 'cacheWrite5m', note: `cache write 5m = ${ANTHROPIC_CACHE_WRITE_5M_MULTIPLIER}× input` });
  } else {
    cacheWrite5m = input;
    assumed.push({ bucket: 'cacheWrite5m', note: 'cache write = input (no surcharge)' });
  }

  let cacheWrite1h: number;
  if (rates.cacheWrite1h !== null) cacheWrite1h = rates.cacheWrite1h;
  else if (anthropic) {
    cacheWrite1h = input * ANTHROPIC_CACHE_WRITE_1H_MULTIPLIER;
    assumed.push({ bucket: 'cacheWrite1h', note: `cache write 1h = ${ANTHROPIC_CACHE_WRITE_1H_MULTIPLIER}× input` });
  } else {
    cacheWrite1h = cacheWrite5m;
    assumed.push({ bucket: 'cacheWrite1h', note: 'cache write 1h = default-TTL write' });
  }

  return { input, output, cacheRead, cacheWrite5m, cacheWrite1h, tierAbove, assumed };
}

/** USD rounded to 1e-12 so that sums print cleanly (0.0005238, not 0.0005238000000000001). */
function usd(x: number): number {
  return Math.round(x * 1e12) / 1e12;
}

function count(n: number | undefined): number {
  return typeof n === 'number' && Number.isFinite(n) && n > 0 ? n : 0;
}

export interface CostOptions {
  /** Batch API: every bucket at 50 %. */
  batch?: boolean;
}

/** Cost of one call. Reasoning tokens are part of outputTokens and never billed twice. */
export function computeCost(usage: Usage, price: ModelPrice, options: CostOptions = {}): CostBreakdown {
  const batch = options.batch === true;
  const inputTokens = count(usage.inputTokens);
  const cacheRead = count(usage.cacheReadTokens);
  const cacheWrite = count(usage.cacheWriteTokens);
  const write1h = Math.min(count(usage.cacheWrite1hTokens), cacheWrite);
  const write5m = cacheWrite - write1h;
  const uncached = Math.max(0, inputTokens - cacheRead - cacheWrite);
  const output = count(usage.outputTokens);

  const r = effectiveRates(price, inputTokens);
  const k = batch ? BATCH_DISCOUNT : 1;
  // tokens × USD/MTok = micro-dollars.
  const bucket = (tokens: number, rate: number) => usd((tokens * rate * k) / 1e6);
  const cost = {
    input: bucket(uncached, r.input),
    cacheRead: bucket(cacheRead, r.cacheRead),
    cacheWrite5m: bucket(write5m, r.cacheWrite5m),
    cacheWrite1h: bucket(write1h, r.cacheWrite1h),
    output: bucket(output, r.output),
  };
  const cacheWriteCost = usd(cost.cacheWrite5m + cost.cacheWrite1h);
  const total = usd(cost.input + cost.cacheRead + cacheWriteCost + cost.output);

  const notes: string[] = [];
  if (r.tierAbove !== null) notes.push(`long-context rates (prompt > ${r.tierAbove.toLocaleString('en-US')} tokens)`);
  // Only mention assumed cache rates that actually billed something.
  const billed = { cacheRead: cacheRead > 0, cacheWrite5m: write5m > 0, cacheWrite1h: write1h > 0 };
  for (const a of r.assumed) if (billed[a.bucket]) notes.push(a.note);
  if (batch) notes.push('batch −50 %');
  const provenance: PriceProvenance = notes.length
    ? { ...price.provenance, detail: `${price.provenance.detail} · ${notes.join(' · ')}` }
    : { ...price.provenance };

  return {
    total,
    input: cost.input,
    cacheRead: cost.cacheRead,
    cacheWrite: cacheWriteCost,
    cacheWrite5m: cost.cacheWrite5m,
    cacheWrite1h: cost.cacheWrite1h,
    output: cost.output,
    batch,
    provenance,
  };
}
