// Prices and costs. `PriceBook` resolves a model id to its prices (genai-prices data or a user
// override; null = no price, never $0); `computeCost` turns a call's Usage into a per-bucket
// CostBreakdown with provenance.
//
//   const book = new PriceBook({ 'ollama:llama3.2': { input: 0, output: 0 } });
//   const cost = book.cost('openai:gpt-4o-mini', usage);          // CostBreakdown | null
//   const window = book.contextWindow('anthropic:claude-haiku-4-5'); // 200000
export {
  DEFAULT_GENAI_PROVIDERS,
  PriceBook,
  validatePriceOverride,
  type KnownModel,
  type PriceBookOptions,
  type PriceOverride,
} from './book';
export { ANTHROPIC_MIN_CACHEABLE_TOKENS, OPENAI_MIN_CACHEABLE_TOKENS, minCacheableTokens } from './caching';
export {
  GENAI_PRICES_DATA_DATE,
  GENAI_PRICES_VERSION,
  genaiChatModels,
  genaiModelPrice,
  type GenaiModelInfo,
  type GenaiModelPrice,
} from './genai';
export {
  ANTHROPIC_CACHE_READ_MULTIPLIER,
  ANTHROPIC_CACHE_WRITE_1H_MULTIPLIER,
  ANTHROPIC_CACHE_WRITE_5M_MULTIPLIER,
  BATCH_DISCOUNT,
  computeCost,
  effectiveRates,
  ratesAt,
  type CostOptions,
  type EffectiveRates,
  type ModelPrice,
  type PriceVendor,
  type PriceRates,
  type PriceTier,
} from './ledger';
export { compareGatewayCost, describeGatewayCost, GATEWAY_COST_TOLERANCE, type GatewayCostComparison } from './gateway';
