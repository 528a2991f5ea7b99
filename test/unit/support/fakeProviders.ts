// The official SDKs pointed at the fake LLM server: provider configs with the test keys, and the
// resolver the engine and the batch service take (unknown names fail as the extension's would).
import type { ProviderResolution } from '../../../src/core/engine';
import type { ProviderConfig } from '../../../src/core/types';
import type { FakeLlm } from '../../fake-llm/server';

export function fakeProviders(fake: FakeLlm): Record<string, ProviderConfig> {
  return {
    openai: { name: 'openai', type: 'openai', baseURL: fake.openaiBaseURL, apiKey: 'sk-test-openai' },
    anthropic: { name: 'anthropic', type: 'anthropic', baseURL: fake.anthropicBaseURL, apiKey: 'sk-ant-test' },
  };
}

export function fakeResolver(fake: FakeLlm): (name: string) => ProviderResolution {
  return (name) => {
    const config = fakeProviders(fake)[name];
    return config ? { ok: true, config } : { ok: false, error: { kind: 'config', message: `Unknown provider "${name}".` } };
  };
}
