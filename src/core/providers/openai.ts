// OpenAI Chat Completions and every OpenAI-compatible server (Ollama, vLLM, LM Studio,
// OpenRouter), through the official `openai` SDK.
import type OpenAI from 'openai';
import { openaiSdk } from '../lazy';
import type { ChatCompletionChunk, ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import type { ChatRequest, FinishReason, Provider, ProviderConfig, StreamEvent, Usage } from '../types';
import { toProviderError } from './errors';
import { DEFAULT_IDLE_TIMEOUT_MS, StreamGuard } from './streamGuard';
import type { UsageEstimator } from './estimate';

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
  });
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

  async *stream(request: ChatRequest, signal?: AbortSignal): AsyncIterable<StreamEvent> {
    if (this.config.type === 'openai' && !this.config.apiKey) {
      yield {
        type: 'error',
        error: { kind: 'auth', message: `No API key for ${this.config.name}: set OPENAI_API_KEY or store a key.` },
      };
      return;
    }
    let started = false;
    let output = '';
    let finish: FinishReason | undefined;
    let usage: Usage | undefined;
    const guard = new StreamGuard(signal, this.config.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS);
    try {
      const stream = await this.getClient().chat.completions.create(
        {
          model: request.model,
          messages: toOpenAIMessages(request),
          stream: true,
          stream_options: { include_usage: true },
          ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
          // OpenAI renamed max_tokens; many compatible servers only know the old name.
          ...(request.maxOutputTokens !== undefined
            ? this.config.type === 'openai'
              ? { max_completion_tokens: request.maxOutputTokens }
              : { max_tokens: request.maxOutputTokens }
            : {}),
        },
        { signal: guard.signal },
      );
      // The response has started: a failure from here on cuts an answer in progress.
      started = true;
      for await (const chunk of stream) {
        guard.touch();
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
    } catch (e) {
      const error =
        guard.stopReason(this.vendor, started) ??
        toProviderError(e, { vendor: this.vendor, signal, streamStarted: started, apiKey: this.config.apiKey });
      if (started) yield { type: 'usage', usage: usage ?? (await this.estimateUsage(request, output)) };
      yield { type: 'error', error };
      return;
    } finally {
      guard.dispose();
    }
    const stopped = guard.stopReason(this.vendor, started);
    if (stopped || !finish) {
      yield { type: 'usage', usage: usage ?? (await this.estimateUsage(request, output)) };
      yield {
        type: 'error',
        error: stopped ?? { kind: 'stream_cut', message: `${this.vendor}: the stream ended before the answer was finished.` },
      };
      return;
    }
    // Some compatible servers send no usage even when asked: count locally, marked estimated.
    yield { type: 'usage', usage: usage ?? (await this.estimateUsage(request, output)) };
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
  return {
    inputTokens: u.prompt_tokens,
    outputTokens: u.completion_tokens,
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
