// OpenAI Chat Completions and every OpenAI-compatible server (Ollama, vLLM, LM Studio,
// OpenRouter), through the official `openai` SDK.
import type OpenAI from 'openai';
import { openaiSdk } from '../lazy';
import type { ChatCompletionChunk, ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import type { ChatRequest, FinishReason, OutputTokensParam, Provider, ProviderConfig, ReportedCost, StreamEvent, Usage, WireRecorder } from '../types';
import { baseURLProblem, serverMessage, toProviderError } from './errors';
import { DEFAULT_IDLE_TIMEOUT_MS, StreamGuard } from './streamGuard';
import { completeUsage, type UsageEstimator } from './estimate';
import { costFromHeaders, sdkSharedOptions, secretsOf } from './sdkOptions';
import { eventJson, serverSentEvents } from './sse';
import { wireOptions } from './wire';

export const OPENAI_DEFAULT_BASE_URL = 'https://api.openai.com/v1';

/**
 * The SDK client for a provider config. Every value is passed explicitly so the SDK never falls
 * back to process.env on its own: which key goes to which base URL is the shell's decision.
 */
export function createOpenAIClient(config: ProviderConfig): OpenAI {
  return new (openaiSdk().default)({
    // Local servers need no key; the SDK insists on one, and a placeholder reveals nothing.
    apiKey: config.apiKey || 'no-key',
    baseURL: config.baseURL || OPENAI_DEFAULT_BASE_URL,
    organization: null,
    project: null,
    maxRetries: config.maxRetries ?? 2,
    timeout: config.timeoutMs ?? 10 * 60 * 1000,
    ...sdkSharedOptions(config),
  });
}

/**
 * OpenAI renamed `max_tokens` to `max_completion_tokens`; compatible servers (vLLM, Ollama,
 * LM Studio, most gateways) only know the old name and silently ignore the new one.
 */
export function outputTokensParam(config: Pick<ProviderConfig, 'baseURL' | 'outputTokensParam'>): OutputTokensParam {
  if (config.outputTokensParam) return config.outputTokensParam;
  let host: string;
  try {
    host = new URL(config.baseURL || OPENAI_DEFAULT_BASE_URL).hostname;
  } catch {
    return 'max_tokens';
  }
  return host === 'api.openai.com' ? 'max_completion_tokens' : 'max_tokens';
}

export class OpenAIProvider implements Provider {
  private client: OpenAI | undefined;

  constructor(
    readonly config: ProviderConfig,
    private readonly estimateUsage: UsageEstimator,
  ) {}

  private get vendor(): string {
    return this.config.type === 'openai' ? 'OpenAI' : this.config.name;
  }

  private getClient(): OpenAI {
    this.client ??= createOpenAIClient(this.config);
    return this.client;
  }

  async *stream(request: ChatRequest, signal?: AbortSignal, wire?: WireRecorder): AsyncIterable<StreamEvent> {
    if (this.config.type === 'openai' && !this.config.apiKey) {
      yield {
        type: 'error',
        error: { kind: 'auth', message: `No API key for ${this.config.name}: set OPENAI_API_KEY or store a key.` },
      };
      return;
    }
    const badURL = baseURLProblem(this.vendor, this.config.baseURL);
    if (badURL) {
      yield { type: 'error', error: badURL };
      return;
    }
    const endpoint = `${(this.config.baseURL || OPENAI_DEFAULT_BASE_URL).replace(/\/+$/, '')}/chat/completions`;
    let started = false;
    let output = '';
    let finish: FinishReason | undefined;
    let usage: Usage | undefined;
    let headerCost: ReportedCost | undefined;
    const guard = new StreamGuard(signal, this.config.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS);
    const final = async () => {
      const u = await completeUsage(usage, request, output, this.estimateUsage);
      const reportedCost = u.reportedCost ?? headerCost;
      return reportedCost ? { ...u, reportedCost } : u;
    };
    try {
      // The SDK makes the request (retries, error statuses); the stream we read ourselves (./sse.ts).
      const response = await this.getClient()
        .chat.completions.create(
          {
            model: request.model,
            messages: toOpenAIMessages(request),
            stream: true,
            stream_options: { include_usage: true },
            ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
            ...(request.maxOutputTokens !== undefined ? { [outputTokensParam(this.config)]: request.maxOutputTokens } : {}),
          },
          { signal: guard.signal, ...wireOptions(wire) },
        )
        .asResponse();
      headerCost = costFromHeaders(response.headers);
      // The response has started: a failure from here on cuts an answer in progress.
      started = true;
      let done = false;
      for await (const event of serverSentEvents(response)) {
        guard.touch();
        // As the SDK does: what follows [DONE] is read to the end (the last byte) and ignored.
        if (done) continue;
        if (event.data.startsWith('[DONE]')) {
          done = true;
          continue;
        }
        const chunk = eventJson(event, this.config) as (Partial<ChatCompletionChunk> & { error?: unknown; message?: string }) | null;
        if (!chunk || typeof chunk !== 'object') continue;
        if (event.event === 'error' || chunk.error) throw new (openaiSdk().APIError)(undefined, chunk.error ?? chunk, chunk.message, response.headers);
        // An error in another shape (`{"detail":…}`, `{"message":…}`) instead of a chunk.
        if (!Array.isArray(chunk.choices) && !chunk.usage && serverMessage(chunk)) throw new (openaiSdk().APIError)(undefined, chunk, undefined, response.headers);
        if (chunk.usage) usage = fromOpenAIUsage(chunk.usage);
        for (const choice of chunk.choices ?? []) {
          const text = choice.delta?.content;
          if (text) {
            output += text;
            yield { type: 'text', text };
          }
          if (choice.finish_reason) finish = mapOpenAIFinish(choice.finish_reason);
        }
      }
      wire?.lastByte();
    } catch (e) {
      wire?.lastByte();
      const error =
        guard.stopReason(this.vendor, started) ??
        toProviderError(e, {
          vendor: this.vendor,
          signal,
          streamStarted: started,
          secrets: secretsOf(this.config),
          endpoint,
          dialect: 'openai',
        });
      if (started) yield { type: 'usage', usage: await final() };
      yield { type: 'error', error };
      return;
    } finally {
      guard.dispose();
    }
    // Some compatible servers send no usage even when asked, or zeros: counted locally, marked estimated.
    yield { type: 'usage', usage: await final() };
    const stopped = guard.stopReason(this.vendor, started);
    if (stopped || !finish) {
      yield {
        type: 'error',
        error: stopped ?? { kind: 'stream_cut', message: `${this.vendor}: the stream ended before the answer was finished.`, url: endpoint },
      };
      return;
    }
    yield { type: 'finish', reason: finish };
  }
}

export function toOpenAIMessages(request: ChatRequest): ChatCompletionMessageParam[] {
  const messages: ChatCompletionMessageParam[] = [];
  if (request.system) messages.push({ role: 'system', content: request.system });
  for (const m of request.messages) messages.push({ role: m.role, content: m.content } as ChatCompletionMessageParam);
  return messages;
}

/** OpenAI's `cached_tokens` and `cache_write_tokens` are parts of `prompt_tokens`. */
export function fromOpenAIUsage(u: NonNullable<ChatCompletionChunk['usage']>): Usage {
  const details = u.prompt_tokens_details as { cached_tokens?: number; cache_write_tokens?: number } | undefined;
  // OpenRouter (and gateways copying it) add their own cost of the call to the usage.
  const cost = (u as { cost?: unknown }).cost;
  return {
    ...(typeof cost === 'number' && Number.isFinite(cost) ? { reportedCost: { usd: cost, source: 'usage.cost' } } : {}),
    inputTokens: u.prompt_tokens ?? 0,
    outputTokens: u.completion_tokens ?? 0,
    cacheReadTokens: details?.cached_tokens ?? 0,
    cacheWriteTokens: details?.cache_write_tokens ?? 0,
    cacheWrite1hTokens: 0,
    reasoningTokens: u.completion_tokens_details?.reasoning_tokens ?? 0,
    estimated: false,
  };
}

export function mapOpenAIFinish(reason: string): FinishReason {
  switch (reason) {
    case 'stop':
      return 'stop';
    case 'length':
      return 'length';
    case 'content_filter':
      return 'content_filter';
    case 'tool_calls':
    case 'function_call':
      return 'tool_calls';
    default:
      return 'other';
  }
}
