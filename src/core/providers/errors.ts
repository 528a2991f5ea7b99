// Maps whatever an SDK throws to a typed ProviderError with a message a user can act on.
import type * as OpenAISdk from 'openai';
import type * as AnthropicSdk from '@anthropic-ai/sdk';
import { anthropicSdk, openaiSdk } from '../lazy';
import type { ErrorKind, ProviderError } from '../types';

interface ErrorContext {
  /** Vendor name for messages ("OpenAI", "Anthropic", "ollama"). */
  vendor: string;
  signal?: AbortSignal;
  /** True once the first stream event arrived: a failure after that cuts the stream. */
  streamStarted: boolean;
  /** Removed from every message, in case a server echoes it. */
  apiKey?: string;
}

type SdkApiError = OpenAISdk.APIError | AnthropicSdk.APIError;

function isApiError(e: unknown): e is SdkApiError {
  return e instanceof openaiSdk().APIError || e instanceof anthropicSdk().APIError;
}

function isUserAbort(e: unknown): boolean {
  return (
    e instanceof openaiSdk().APIUserAbortError ||
    e instanceof anthropicSdk().APIUserAbortError ||
    (e instanceof Error && e.name === 'AbortError')
  );
}

function isTimeout(e: unknown): boolean {
  return e instanceof openaiSdk().APIConnectionTimeoutError || e instanceof anthropicSdk().APIConnectionTimeoutError;
}

function isConnection(e: unknown): boolean {
  return e instanceof openaiSdk().APIConnectionError || e instanceof anthropicSdk().APIConnectionError;
}

const CONTEXT_LENGTH = /context[_ ]length|maximum context|prompt is too long|too many tokens|context window/i;

export function redact(text: string, apiKey?: string): string {
  if (!apiKey || apiKey.length < 4) return text;
  return text.split(apiKey).join('[redacted]');
}

function headerNumber(headers: Headers | undefined, name: string): number | undefined {
  const v = headers?.get?.(name);
  if (v == null || v === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}

/** The server's requested wait, from `retry-after-ms` or `retry-after` (seconds). */
export function retryAfterMs(headers: Headers | undefined): number | undefined {
  const ms = headerNumber(headers, 'retry-after-ms');
  if (ms !== undefined) return ms;
  const s = headerNumber(headers, 'retry-after');
  return s === undefined ? undefined : s * 1000;
}

export function toProviderError(e: unknown, ctx: ErrorContext): ProviderError & { retryAfterMs?: number } {
  const make = (kind: ErrorKind, message: string, extra: Partial<ProviderError> & { retryAfterMs?: number } = {}) => ({
    kind,
    message: redact(message, ctx.apiKey),
    ...extra,
  });
  if (ctx.signal?.aborted || isUserAbort(e)) return make('cancelled', 'Cancelled.');
  if (isTimeout(e)) return make('network', `${ctx.vendor}: the request timed out.`);
  if (isConnection(e)) {
    const cause = (e as Error & { cause?: Error }).cause?.message;
    return ctx.streamStarted
      ? make('stream_cut', `${ctx.vendor}: the connection closed mid-answer${cause ? ` (${cause})` : ''}.`)
      : make('network', `${ctx.vendor}: could not connect${cause ? ` (${cause})` : ''}.`);
  }
  if (isApiError(e)) {
    const status = e.status;
    const requestId = ('requestID' in e ? e.requestID : (e as OpenAISdk.APIError).requestID) ?? undefined;
    const detail = apiErrorDetail(e);
    const extra = { status, requestId: requestId ?? undefined };
    if (status === undefined) {
      // An error event inside a 200 stream (OpenAI `data: {"error":…}`, Anthropic `event: error`).
      return make('server', `${ctx.vendor}: the server reported an error mid-stream: ${detail}`, extra);
    }
    if (status === 401 || status === 403) {
      return make('auth', `${ctx.vendor} rejected the API key (${status}): ${detail}`, extra);
    }
    if (status === 429) {
      return make('rate_limit', `${ctx.vendor}: rate limited (429) after retries: ${detail}`, {
        ...extra,
        retryAfterMs: retryAfterMs(e.headers as Headers | undefined),
      });
    }
    if (status >= 500) return make('server', `${ctx.vendor}: server error (${status}): ${detail}`, extra);
    if (CONTEXT_LENGTH.test(detail)) {
      return make('context_length', `${ctx.vendor}: the prompt does not fit the model's context window: ${detail}`, extra);
    }
    return make('bad_request', `${ctx.vendor}: request rejected (${status}): ${detail}`, extra);
  }
  if (e instanceof SyntaxError) {
    return make('bad_request', `${ctx.vendor}: malformed reply from the server (${e.message}).`);
  }
  const message = e instanceof Error ? e.message : String(e);
  if (ctx.streamStarted) return make('stream_cut', `${ctx.vendor}: the stream broke off: ${message}`);
  return make('network', `${ctx.vendor}: ${message}`);
}

function apiErrorDetail(e: SdkApiError): string {
  const body = e.error as { message?: string; error?: { message?: string } } | undefined;
  const fromBody = body?.error?.message ?? body?.message;
  if (fromBody) return fromBody;
  // The SDK's own message starts with the status; keep the rest.
  return e.message.replace(/^\d{3}\s+/, '') || 'no details';
}
