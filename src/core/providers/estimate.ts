// When a server sends no usage (some OpenAI-compatible servers, or a stream cut before the
// usage frame), or zeros while text streamed (some proxies), the figures are counted locally
// and marked `estimated`, field by field.
import { countChatTokens, countTextTokens } from '../tokens';
import type { ChatRequest, EstimatedUsageField, Usage } from '../types';

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
    estimatedFields: ['inputTokens', 'outputTokens'],
  };
};

/**
 * The usage to report: the server's where it is believable, local counts where it is missing.
 * A prompt always has tokens, so a reported 0 input is missing; so is 0 output once text arrived.
 * `outputUnknown`: the server's output count is not final (an Anthropic stream cut before message_delta).
 */
export async function completeUsage(
  reported: Usage | undefined,
  request: ChatRequest,
  output: string,
  estimate: UsageEstimator,
  outputUnknown = false,
): Promise<Usage> {
  if (!reported) {
    const local = await estimate(request, output);
    return { ...local, estimated: true, estimatedFields: ['inputTokens', 'outputTokens'] };
  }
  const fields: EstimatedUsageField[] = [];
  if (reported.inputTokens === 0) fields.push('inputTokens');
  if (outputUnknown || (reported.outputTokens === 0 && output.length > 0)) fields.push('outputTokens');
  if (!fields.length) return reported;
  const local = await estimate(request, output);
  const usage: Usage = { ...reported, estimated: true, estimatedFields: fields };
  for (const f of fields) usage[f] = local[f];
  return usage;
}
