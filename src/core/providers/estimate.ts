// When a server sends no usage (some OpenAI-compatible servers, or a stream cut before the
// usage frame) the figures are counted locally and marked `estimated`.
import { countChatTokens, countTextTokens } from '../tokens';
import type { ChatRequest, Usage } from '../types';

export type UsageEstimator = (request: ChatRequest, output: string) => Promise<Usage>;

export const estimateUsageLocally: UsageEstimator = async (request, output) => {
  const [input, out] = await Promise.all([countChatTokens(request, request.model), countTextTokens(output, request.model)]);
  return {
    inputTokens: input.tokens,
    outputTokens: out.tokens,
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
    cacheWrite1hTokens: 0,
    reasoningTokens: 0,
    estimated: true,
  };
};
