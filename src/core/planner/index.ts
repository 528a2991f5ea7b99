// The prompt-cache planner: stable prefix, cache breakers, cache_control placement, TTL, break-even,
// and a verification against the provider's reported cache tokens.
export {
  applyCachePlan,
  planPromptCache,
  sampleValues,
  DEFAULT_CALLS_PER_HOUR,
  LOST_STATIC_MIN_TOKENS,
  MAX_CACHE_BREAKPOINTS,
  OPENAI_CACHE_STEP_TOKENS,
  type CacheBreakpoint,
  type CacheFinding,
  type CacheFindingKind,
  type CachePlan,
  type CachePrediction,
  type CacheVendor,
  type PlannerOptions,
  type PromptLocation,
} from './plan';
export {
  cacheEconomics,
  ttlEconomics,
  OPENAI_CACHE_RETENTION_MINUTES,
  TTL_MINUTES,
  type CacheEconomics,
  type CacheTtl,
  type TtlEconomics,
} from './economics';
export { verifyCachePlan, VERIFY_MAX_OUTPUT_TOKENS, type CacheVerification, type CacheVerifyCall, type CacheVerifyOptions } from './verify';
