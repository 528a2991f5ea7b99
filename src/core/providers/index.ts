// One factory for every vendor: the rest of the engine only sees the Provider interface.
import type { Provider, ProviderConfig } from '../types';
import { AnthropicProvider } from './anthropic';
import { estimateUsageLocally, type UsageEstimator } from './estimate';
import { OpenAIProvider } from './openai';

export { toProviderError, redact } from './errors';
export { OPENAI_DEFAULT_BASE_URL } from './openai';
export { ANTHROPIC_DEFAULT_BASE_URL } from './anthropic';
export type { UsageEstimator } from './estimate';

export function createProvider(config: ProviderConfig, estimator: UsageEstimator = estimateUsageLocally): Provider {
  switch (config.type) {
    case 'anthropic':
      return new AnthropicProvider(config, estimator);
    case 'openai':
    case 'openai-compatible':
      return new OpenAIProvider(config, estimator);
    default:
      throw new Error(`Unknown provider type "${(config as ProviderConfig).type}" for provider "${config.name}".`);
  }
}
