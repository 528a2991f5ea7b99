// Maps whatever an SDK throws to a typed ProviderError with a message a user can act on.
import type * as OpenAISdk from 'openai';
import type * as AnthropicSdk from '@anthropic-ai/sdk';
import { anthropicSdk, openaiSdk } from '../lazy';
import type { ErrorKind, ProviderError } from '../types';
import { traceOf, type ResponseTrace } from './responseTrace';

export interface ErrorContext {
  /** Vendor name for messages ("OpenAI", "Anthropic", "ollama"). */
  vendor: string;
  signal?: AbortSignal;
  /** True once the first stream event arrived: a failure after that cuts the stream. */
  streamStarted: boolean;
  /** Removed from every message, in case a server echoes it. */
  apiKey?: string;
  /** The key and secret header values, removed the same way. */
  secrets?: string[];
  /** The URL the call went to; named in the message, with a hint when it looks misconfigured. */
  endpoint?: string;
  /** Which wire format the endpoint speaks (the hints about /v1 differ). */
  dialect?: 'openai' | 'anthropic';
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

export function redact(text: string, ...secrets: (string | undefined)[]): string {
  for (const secret of secrets) if (secret && secret.length >= 4) text = text.split(secret).join('[redacted]');
  return text;
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
    message: redact(message, ctx.apiKey, ...(ctx.secrets ?? [])),
    ...extra,
  });
  const endpoint = ctx.endpoint;
  const at = endpoint ? ` (${endpoint})` : '';
  if (ctx.signal?.aborted || isUserAbort(e)) return make('cancelled', 'Cancelled.');
  if (isTimeout(e)) return make('network', `${ctx.vendor}: the request timed out${at}.`, { url: endpoint });
  if (isConnection(e)) {
    if (ctx.streamStarted) {
      const cause = (e as Error & { cause?: Error }).cause?.message;
      return make('stream_cut', `${ctx.vendor}: the connection closed mid-answer${cause ? ` (${cause})` : ''}.`, { url: endpoint });
    }
    return make('network', `${ctx.vendor}: ${connectionProblem(e, endpoint)}`, { url: endpoint });
  }
  if (isApiError(e)) {
    const status = e.status;
    const trace = traceOf(e.headers);
    // Only the chat providers name the URL (they pass `endpoint`); batch messages stay short.
    const url = endpoint ? (trace?.url ?? endpoint) : undefined;
    const requestId = ('requestID' in e ? e.requestID : (e as OpenAISdk.APIError).requestID) ?? undefined;
    const extra = { status, requestId: requestId ?? undefined, url };
    if (status === undefined) {
      // An error event inside a 200 stream (OpenAI `data: {"error":…}`, Anthropic `event: error`).
      const payload = e.error;
      const detail = serverMessage(payload) ?? 'no details';
      const label = errorLabel(payload);
      return make(
        kindOfPayload(payload, detail),
        `${ctx.vendor}: the server reported an error mid-stream${label ? ` (${label})` : ''}: ${detail}`,
        { ...extra, status: statusOfPayload(payload) },
      );
    }
    const detail = apiErrorDetail(e, trace);
    const from = url ? ` at ${url}` : '';
    if (status === 401 || status === 403) {
      return make('auth', `${ctx.vendor} rejected the API key (${status})${from}: ${detail}`, extra);
    }
    if (status === 429) {
      return make('rate_limit', `${ctx.vendor}: rate limited (429)${from} after retries: ${detail}`, {
        ...extra,
        retryAfterMs: retryAfterMs(e.headers as Headers | undefined),
      });
    }
    if (status >= 300 && status < 400) {
      // Only a redirect to another origin gets here (httpTransport.ts follows the others, up to a limit).
      const to = (e.headers as Headers | undefined)?.get?.('location');
      return make('bad_request', `${ctx.vendor}: the server redirected (${status})${from} to ${to ?? 'another address'}; the key is not sent to another host. Point the base URL there yourself if you trust it.`, extra);
    }
    if (status >= 500) return make('server', `${ctx.vendor}: server error (${status})${from}: ${detail}`, extra);
    if (CONTEXT_LENGTH.test(detail)) {
      return make('context_length', `${ctx.vendor}: the prompt does not fit the model's context window: ${detail}`, extra);
    }
    const hint = status === 404 || status === 405 ? pathHint(url, ctx.dialect) : undefined;
    return make('bad_request', `${ctx.vendor}: request rejected (${status})${from}: ${detail}${hint ? ` Hint: ${hint}` : ''}`, extra);
  }
  if (ctx.streamStarted && (e as { code?: unknown }).code === 'ECONNRESET') {
    // node:http's "aborted": the server closed the connection before the response's end.
    return make('stream_cut', `${ctx.vendor}: the connection closed mid-answer.`, { url: endpoint });
  }
  if (e instanceof SyntaxError) {
    // A stream event that is not JSON: the server broke the protocol, not the user's request.
    return make('server', `${ctx.vendor}: the server sent a malformed stream event (${e.message})${at}.`, { url: endpoint });
  }
  const message = e instanceof Error ? e.message : String(e);
  if (ctx.streamStarted) return make('stream_cut', `${ctx.vendor}: the stream broke off: ${message}`, { url: endpoint });
  return make('network', `${ctx.vendor}: ${message}${at}`, { url: endpoint });
}

/** The server's own message, from the body the traced fetch kept or from what the SDK parsed. */
function apiErrorDetail(e: SdkApiError, trace: ResponseTrace | undefined): string {
  if (trace?.bodyText) return serverMessage(parseJson(trace.bodyText) ?? trace.bodyText) ?? 'no details';
  const fromBody = serverMessage(e.error);
  if (fromBody) return fromBody;
  // The SDK's own message starts with the status; keep the rest.
  return e.message.replace(/^\d{3}\s+/, '').replace(/^status code \(no body\)$/, '') || 'no body';
}

/** The text's JSON, or undefined when it is not JSON. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * The message in any common error body: OpenAI `{error:{message}}`, Anthropic
 * `{type:"error",error:{message}}` and its nested variant `{message:{message}}`, FastAPI
 * `{detail:"…"}` or `{detail:[{msg}]}`, gateways' `{message}`, `{error:"…"}`, or plain text.
 */
export function serverMessage(body: unknown): string | undefined {
  if (typeof body === 'string') return body.trim() || undefined;
  if (Array.isArray(body)) return joinMessages(body);
  if (!body || typeof body !== 'object') return undefined;
  const o = body as Record<string, unknown>;
  // An object `error` holds the message; a string `error` is often only a title ("Not Found").
  const title = typeof o.error === 'string' ? o.error.trim() : undefined;
  const message =
    (typeof o.error === 'object' ? serverMessage(o.error) : undefined) ??
    serverMessage(o.message) ??
    serverMessage(o.detail) ??
    serverMessage(o.msg) ??
    serverMessage(o.errors);
  if (message && title && !message.includes(title)) return `${title}: ${message}`;
  return message ?? title ?? undefined;
}

function joinMessages(list: unknown[]): string | undefined {
  const parts = list.map((x) => serverMessage(x)).filter((x): x is string => !!x);
  return parts.length ? parts.join('; ') : undefined;
}

/** `code` / `type` of an in-stream error, for the message (`invalid_api_key`, `overloaded_error`). */
function errorLabel(payload: unknown): string | undefined {
  const fields = payloadFields(payload);
  const label = [fields.code, fields.type].find((v) => typeof v === 'string' && v);
  return label as string | undefined;
}

function payloadFields(payload: unknown): Record<string, unknown> {
  if (!payload || typeof payload !== 'object') return {};
  const o = payload as Record<string, unknown>;
  // Anthropic wraps the details: {type:"error", error:{type,message}} or {type:"error", message:{type,message}}.
  for (const inner of [o.error, o.message]) {
    if (inner && typeof inner === 'object' && !Array.isArray(inner)) return { ...(inner as Record<string, unknown>), status: o.status ?? (inner as Record<string, unknown>).status };
  }
  return o;
}

function statusOfPayload(payload: unknown): number | undefined {
  const f = payloadFields(payload);
  for (const v of [f.status, f.code]) {
    const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d{3}$/.test(v) ? Number(v) : undefined;
    if (n !== undefined && n >= 400 && n < 600) return n;
  }
  return undefined;
}

/** The kind of an error event inside a 200 stream, from its code, type or status. */
function kindOfPayload(payload: unknown, detail: string): ErrorKind {
  const f = payloadFields(payload);
  const words = [f.code, f.type].filter((v) => typeof v === 'string').join(' ');
  if (/invalid_api_key|authentication|permission|unauthori[sz]ed|forbidden|invalid_key/i.test(words)) return 'auth';
  if (/rate_limit|too_many_requests|quota/i.test(words)) return 'rate_limit';
  if (/context_length/i.test(words) || CONTEXT_LENGTH.test(detail)) return 'context_length';
  if (/overloaded|server_error|api_error|internal|timeout|unavailable/i.test(words)) return 'server';
  const status = statusOfPayload(payload);
  if (status === 401 || status === 403) return 'auth';
  if (status === 429) return 'rate_limit';
  if (status !== undefined && status < 500) return 'bad_request';
  if (/invalid_request/i.test(words)) return 'bad_request';
  return 'server';
}

/** A connection that never started: say where we tried, and what usually causes it. */
function connectionProblem(e: unknown, endpoint: string | undefined): string {
  const cause = (e as Error & { cause?: Error & { cause?: unknown } }).cause;
  const sys = (cause?.cause ?? cause) as (Error & { code?: string; address?: string; port?: number }) | undefined;
  const where = endpoint ? hostPort(endpoint) : undefined;
  switch (sys?.code) {
    case 'ECONNREFUSED':
      return `connection refused at ${where ?? `${sys.address}:${sys.port}`}: is the server running, and on that port?`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `could not resolve the host${where ? ` ${where}` : ''} (${sys.code}): check the base URL's host name.`;
    case 'ECONNRESET':
      return `the connection to ${where ?? 'the server'} was reset before it answered.`;
    default: {
      const why = sys?.message && sys.message !== cause?.message ? `${cause?.message}: ${sys.message}` : cause?.message;
      return `could not connect${where ? ` to ${where}` : ''}${why ? ` (${why})` : ''}.`;
    }
  }
}

function hostPort(url: string): string {
  try {
    const u = new URL(url);
    return u.port ? `${u.hostname}:${u.port}` : u.host;
  } catch {
    return url;
  }
}

/** A 404 for a path: the usual cause is a base URL without /v1, or with one too many. */
export function pathHint(url: string | undefined, dialect: 'openai' | 'anthropic' | undefined): string | undefined {
  if (!url) return undefined;
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return undefined;
  }
  if (/\/v1\/v1(\/|$)/.test(u.pathname)) {
    return dialect === 'anthropic'
      ? 'the base URL ends in /v1, and the Anthropic client adds its own: drop /v1 from the base URL.'
      : 'the path has /v1 twice: drop one /v1 from the base URL.';
  }
  if (dialect === 'openai' && !/\/v\d+(beta)?\//.test(u.pathname)) {
    const base = u.origin + u.pathname.replace(/\/chat\/completions$/, '');
    return `OpenAI-compatible servers usually serve under /v1: try the base URL ${base.replace(/\/$/, '')}/v1.`;
  }
  return undefined;
}

/** A base URL we cannot send to: no scheme (`localhost:11434/v1`) or not a URL at all. */
export function baseURLProblem(vendor: string, baseURL: string | undefined): ProviderError | undefined {
  if (!baseURL) return undefined;
  if (!/^https?:\/\//i.test(baseURL)) {
    const fixed = /^[a-z][a-z0-9+.-]*:\/\//i.test(baseURL) ? undefined : `http://${baseURL}`;
    return {
      kind: 'config',
      message: `${vendor}: the base URL "${baseURL}" needs a scheme (http:// or https://)${fixed ? `: write "${fixed}"` : ''}.`,
    };
  }
  try {
    new URL(baseURL);
  } catch {
    return { kind: 'config', message: `${vendor}: the base URL "${baseURL}" is not a valid URL.` };
  }
  return undefined;
}
