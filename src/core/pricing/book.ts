// The price book: genai-prices' data for OpenAI and Anthropic models, plus the user's overrides.
// A model with no known price has NO price (null), never $0.
import type { CostBreakdown, ModelId, Usage } from '../types';
import { formatModelId, parseModelId } from '../types';
import { GENAI_PRICES_DATA_DATE, GENAI_PRICES_VERSION, genaiChatModels, genaiModelPrice } from './genai';
import { computeCost, type CostOptions, type ModelPrice, type PriceVendor } from './ledger';

/**
 * A user price, keyed by model id `provider:model` (e.g. `"openai:gpt-4o-mini"`,
 * `"ollama:llama3.2"`). USD per million tokens. It replaces the data's price for that model.
 */
export interface PriceOverride {
  input: number;
  output: number;
  cacheRead?: number;
  cacheWrite5m?: number;
  cacheWrite1h?: number;
  /** Tokens; when absent, genai-prices' context window (if it knows the model) is kept. */
  contextWindow?: number;
  /** When these prices were read, ISO yyyy-mm-dd. */
  dataDate?: string;
  /** Who set it when that is worth saying wherever its cost appears (`workspace settings`: a repository's). */
  origin?: string;
}

export interface PriceBookOptions {
  /**
   * Our provider names → genai-prices provider ids. Default `{ openai: 'openai', anthropic:
   * 'anthropic' }`: other providers (OpenAI-compatible servers) have no price unless overridden.
   */
  genaiProviders?: Record<string, string>;
  /** Prices in force at this date (genai-prices has date-constrained prices). Default: now. */
  timestamp?: Date;
}

export interface KnownModel {
  modelId: string;
  name: string;
  contextWindow: number | null;
  source: 'genai-prices' | 'override';
}

export const DEFAULT_GENAI_PROVIDERS: Readonly<Record<string, string>> = { openai: 'openai', anthropic: 'anthropic' };

const OPTIONAL_RATES = ['cacheRead', 'cacheWrite5m', 'cacheWrite1h'] as const;

/** Problems with one override entry (empty when valid). */
export function validatePriceOverride(key: string, value: unknown): string[] {
  const problems: string[] = [];
  try {
    parseModelId(key);
  } catch (e) {
    problems.push((e as Error).message);
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    problems.push(`Price for "${key}" must be an object like { "input": 0.15, "output": 0.6 } (USD per million tokens).`);
    return problems;
  }
  const v = value as Record<string, unknown>;
  const isPrice = (x: unknown) => typeof x === 'number' && Number.isFinite(x) && x >= 0;
  for (const field of ['input', 'output'] as const) {
    if (!isPrice(v[field])) problems.push(`Price for "${key}": "${field}" must be a number ≥ 0 (USD per million tokens).`);
  }
  for (const field of OPTIONAL_RATES) {
    if (v[field] !== undefined && !isPrice(v[field])) {
      problems.push(`Price for "${key}": "${field}" must be a number ≥ 0 (USD per million tokens).`);
    }
  }
  if (v.contextWindow !== undefined && !(Number.isInteger(v.contextWindow) && (v.contextWindow as number) > 0)) {
    problems.push(`Price for "${key}": "contextWindow" must be a positive integer (tokens).`);
  }
  if (v.dataDate !== undefined && !(typeof v.dataDate === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v.dataDate))) {
    problems.push(`Price for "${key}": "dataDate" must be a date like "2026-09-23".`);
  }
  return problems;
}

function vendorOf(genaiProviderId: string | undefined): PriceVendor {
  return genaiProviderId === 'openai' || genaiProviderId === 'anthropic' ? genaiProviderId : 'other';
}

export class PriceBook {
  /** Override entries that were ignored, with why. */
  readonly problems: string[] = [];
  private readonly overrides = new Map<string, PriceOverride>();
  private readonly genaiProviders: Record<string, string>;
  private readonly timestamp?: Date;
  private readonly memo = new Map<string, ModelPrice | null>();

  constructor(overrides: Record<string, PriceOverride> = {}, options: PriceBookOptions = {}) {
    this.genaiProviders = { ...DEFAULT_GENAI_PROVIDERS, ...(options.genaiProviders ?? {}) };
    this.timestamp = options.timestamp;
    for (const [key, value] of Object.entries(overrides ?? {})) {
      const problems = validatePriceOverride(key, value);
      if (problems.length) this.problems.push(...problems);
      else this.overrides.set(formatModelId(parseModelId(key.trim())), value);
    }
  }

  /** The model's prices, or null when nothing is known (no price — not $0). */
  lookup(modelId: string | ModelId): ModelPrice | null {
    const id = typeof modelId === 'string' ? parseModelId(modelId.trim()) : modelId;
    const key = formatModelId(id);
    if (!this.memo.has(key)) this.memo.set(key, this.resolve(id, key));
    return this.memo.get(key) ?? null;
  }

  /** Cost of one call, or null when the model has no known price. */
  cost(modelId: string | ModelId, usage: Usage, options: CostOptions = {}): CostBreakdown | null {
    const price = this.lookup(modelId);
    return price ? computeCost(usage, price, options) : null;
  }

  /** Context window in tokens when known (override or genai-prices), else null. */
  contextWindow(modelId: string | ModelId): number | null {
    return this.lookup(modelId)?.contextWindow ?? null;
  }

  /**
   * Model ids with a price, for pickers: every override, then genai-prices' current chat models
   * of the given providers (our provider names, e.g. `['openai', 'anthropic']`).
   */
  knownModels(providers: readonly string[] = Object.keys(this.genaiProviders)): KnownModel[] {
    const out: KnownModel[] = [];
    const seen = new Set<string>();
    for (const [modelId, o] of this.overrides) {
      seen.add(modelId);
      out.push({ modelId, name: modelId, contextWindow: o.contextWindow ?? null, source: 'override' });
    }
    for (const provider of providers) {
      const genaiProvider = this.genaiProviderOf(provider);
      if (!genaiProvider) continue;
      for (const m of genaiChatModels(genaiProvider)) {
        const modelId = `${provider}:${m.id}`;
        if (m.deprecated || seen.has(modelId)) continue;
        seen.add(modelId);
        out.push({ modelId, name: m.name, contextWindow: m.contextWindow, source: 'genai-prices' });
      }
    }
    return out;
  }

  private genaiProviderOf(provider: string): string | undefined {
    return this.genaiProviders[provider] ?? this.genaiProviders[provider.toLowerCase()];
  }

  private resolve(id: ModelId, key: string): ModelPrice | null {
    const genaiProvider = this.genaiProviderOf(id.provider);
    const vendor = vendorOf(genaiProvider);
    const data = genaiProvider ? genaiModelPrice(genaiProvider, id.model, this.timestamp) : null;
    const override = this.overrides.get(key);
    if (override) {
      return {
        modelId: key,
        vendor,
        input: override.input,
        output: override.output,
        cacheRead: override.cacheRead ?? null,
        cacheWrite5m: override.cacheWrite5m ?? null,
        cacheWrite1h: override.cacheWrite1h ?? null,
        tiers: [],
        contextWindow: override.contextWindow ?? data?.contextWindow ?? null,
        provenance: {
          source: 'override',
          ...(override.dataDate ? { dataDate: override.dataDate } : {}),
          detail: `price override for ${key}${override.origin ? ` from ${override.origin}` : ''}${override.dataDate ? ` (${override.dataDate})` : ''}`,
        },
      };
    }
    if (!data) return null;
    return {
      modelId: key,
      vendor,
      input: data.input,
      output: data.output,
      cacheRead: data.cacheRead,
      cacheWrite5m: data.cacheWrite5m,
      cacheWrite1h: data.cacheWrite1h,
      tiers: data.tiers,
      contextWindow: data.contextWindow,
      provenance: {
        source: 'genai-prices',
        dataDate: GENAI_PRICES_DATA_DATE,
        detail: `@pydantic/genai-prices ${GENAI_PRICES_VERSION} (data of ${GENAI_PRICES_DATA_DATE}) · ${data.providerName} · ${data.modelName}`,
      },
    };
  }
}
