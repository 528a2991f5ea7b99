// The two vendors' batch APIs through their official SDKs, behind one small interface.
//
// OpenAI:    files.create (purpose "batch", a JSONL of {custom_id, method, url, body})
//            → batches.create (/v1/chat/completions, 24h) → batches.retrieve … → files.content of
//            the output and error files (lines unordered: matched on custom_id).
// Anthropic: messages.batches.create ({requests: [{custom_id, params}]}) → retrieve …
//            → messages.batches.results (streams the JSONL at results_url).
import * as readline from 'node:readline';
import { Readable } from 'node:stream';
import type Anthropic from '@anthropic-ai/sdk';
import type { OpenAI } from 'openai';
import { openaiSdk } from '../lazy';
import { createAnthropicClient, fromAnthropicUsage, mapAnthropicStop, toAnthropicParams } from '../providers/anthropic';
import { createOpenAIClient, fromOpenAIUsage, mapOpenAIFinish, toOpenAIMessages } from '../providers/openai';
import type { ChatRequest, FinishReason, ProviderConfig, Usage } from '../types';
import { BATCH_COMPLETION_WINDOW, type BatchPartState, type BatchRowError, type BatchVendor } from './types';

/** One request, serialised for its vendor, and its size toward the batch's byte limit. */
export interface EncodedRequest {
  item: unknown;
  bytes: number;
}

export type VendorRowResult =
  | { customId: string; ok: true; output: string; usage: Usage; finishReason: FinishReason | null }
  | { customId: string; ok: false; error: BatchRowError };

export interface VendorBatchApi {
  readonly vendor: BatchVendor;
  /** Bytes a batch costs before any request (the JSON envelope). */
  readonly envelopeBytes: number;
  encode(customId: string, request: ChatRequest): EncodedRequest;
  /** Creates one vendor batch from encoded requests; returns its initial state. */
  create(items: unknown[], bytes: number, meta: { jobId: string; part: number }, signal?: AbortSignal): Promise<Pick<BatchPartState, 'id' | 'inputFileId'>>;
  /** Reads the vendor's status into `part` (status, counts, result locations, ended). */
  refresh(part: BatchPartState, signal?: AbortSignal): Promise<void>;
  cancel(part: BatchPartState, signal?: AbortSignal): Promise<void>;
  /** The part's result lines, in the vendor's (arbitrary) order. */
  results(part: BatchPartState, signal?: AbortSignal): AsyncIterable<VendorRowResult>;
  /** Deletes what was uploaded for an ended part (OpenAI: the input file); absent when nothing was. */
  deleteInput?(part: BatchPartState, signal?: AbortSignal): Promise<void>;
}

export function createVendorApi(config: ProviderConfig): VendorBatchApi {
  switch (config.type) {
    case 'anthropic':
      return new AnthropicBatchApi(config);
    case 'openai':
    case 'openai-compatible':
      return new OpenAIBatchApi(config);
    default:
      throw new Error(`Provider type "${(config as ProviderConfig).type}" has no batch API.`);
  }
}

export function vendorOf(config: ProviderConfig): BatchVendor {
  return config.type === 'anthropic' ? 'anthropic' : 'openai';
}

/** A batch line's finish reason, or null when it has none. */
const finishOf = (map: (r: string) => FinishReason, reason: string | null | undefined) => (reason ? map(reason) : null);

async function* lines(body: ReadableStream<Uint8Array> | null): AsyncIterable<string> {
  if (!body) return;
  const rl = readline.createInterface({ input: Readable.fromWeb(body as import('node:stream/web').ReadableStream<Uint8Array>), crlfDelay: Infinity });
  for await (const line of rl) if (line.trim() !== '') yield line;
}

// ------------------------------------------------------------------------------------ OpenAI

const OPENAI_ENDPOINT = '/v1/chat/completions';
const OPENAI_TERMINAL = new Set(['completed', 'failed', 'expired', 'cancelled']);

interface OpenAIOutputLine {
  custom_id?: string;
  response?: { status_code?: number; body?: any } | null;
  error?: { code?: string | null; message?: string | null } | null;
}

class OpenAIBatchApi implements VendorBatchApi {
  readonly vendor = 'openai' as const;
  readonly envelopeBytes = 0;
  private client: OpenAI | undefined;

  constructor(private readonly config: ProviderConfig) {}

  private get sdk(): OpenAI {
    this.client ??= createOpenAIClient(this.config);
    return this.client;
  }

  encode(customId: string, request: ChatRequest): EncodedRequest {
    const body: Record<string, unknown> = { model: request.model, messages: toOpenAIMessages(request) };
    if (request.temperature !== undefined) body.temperature = request.temperature;
    if (request.maxOutputTokens !== undefined) {
      body[this.config.type === 'openai' ? 'max_completion_tokens' : 'max_tokens'] = request.maxOutputTokens;
    }
    const line = JSON.stringify({ custom_id: customId, method: 'POST', url: OPENAI_ENDPOINT, body }) + '\n';
    return { item: line, bytes: Buffer.byteLength(line) };
  }

  async create(items: unknown[], _bytes: number, meta: { jobId: string; part: number }, signal?: AbortSignal) {
    const content = Buffer.from((items as string[]).join(''));
    const file = await this.sdk.files.create(
      { file: await openaiSdk().toFile(content, `prompt-profiler-${meta.jobId}-${meta.part}.jsonl`, { type: 'application/jsonl' }), purpose: 'batch' },
      { signal },
    );
    let batch: { id: string };
    try {
      batch = await this.sdk.batches.create(
        {
          input_file_id: file.id,
          endpoint: OPENAI_ENDPOINT,
          completion_window: BATCH_COMPLETION_WINDOW,
          metadata: { source: 'prompt-profiler', job: meta.jobId, part: String(meta.part) },
        },
        { signal },
      );
    } catch (e) {
      // No batch will read the upload: do not leave the prompts in the account's files.
      await this.sdk.files.delete(file.id).catch(() => undefined);
      throw e;
    }
    return { id: batch.id, inputFileId: file.id };
  }

  async deleteInput(part: BatchPartState, signal?: AbortSignal): Promise<void> {
    if (part.inputFileId) await this.sdk.files.delete(part.inputFileId, { signal });
  }

  async refresh(part: BatchPartState, signal?: AbortSignal): Promise<void> {
    const b = await this.sdk.batches.retrieve(part.id, { signal });
    part.status = b.status;
    part.ended = OPENAI_TERMINAL.has(b.status);
    part.outputFileId = b.output_file_id ?? null;
    part.errorFileId = b.error_file_id ?? null;
    const errors = b.errors?.data ?? [];
    if (errors.length) part.errors = errors.map((e) => ({ line: e.line ?? null, message: e.message ?? e.code ?? 'error' }));
    const completed = b.request_counts?.completed ?? 0;
    const failed = b.request_counts?.failed ?? 0;
    const rest = Math.max(0, part.requests - completed - failed);
    part.counts = { succeeded: completed, failed, canceled: 0, expired: 0, processing: part.ended ? 0 : rest };
    if (part.ended && rest > 0) {
      // Requests in no count once the batch ended: they share its fate.
      if (b.status === 'cancelled') part.counts.canceled = rest;
      else if (b.status === 'expired') part.counts.expired = rest;
      else part.counts.failed += rest;
    }
  }

  async cancel(part: BatchPartState, signal?: AbortSignal): Promise<void> {
    const b = await this.sdk.batches.cancel(part.id, { signal });
    part.status = b.status;
  }

  async *results(part: BatchPartState, signal?: AbortSignal): AsyncIterable<VendorRowResult> {
    for (const fileId of [part.outputFileId, part.errorFileId]) {
      if (!fileId) continue;
      const response = await this.sdk.files.content(fileId, { signal });
      for await (const text of lines(response.body)) {
        let line: OpenAIOutputLine;
        try {
          line = JSON.parse(text) as OpenAIOutputLine;
        } catch {
          continue; // not a result line
        }
        if (typeof line.custom_id !== 'string') continue;
        yield this.rowResult(line as OpenAIOutputLine & { custom_id: string });
      }
    }
  }

  private rowResult(line: OpenAIOutputLine & { custom_id: string }): VendorRowResult {
    const customId = line.custom_id;
    const status = line.response?.status_code;
    const body = line.response?.body;
    if (status !== undefined && status >= 200 && status < 300 && body?.usage) {
      const choice = body.choices?.[0];
      return {
        customId,
        ok: true,
        output: typeof choice?.message?.content === 'string' ? choice.message.content : '',
        usage: fromOpenAIUsage(body.usage),
        finishReason: finishOf(mapOpenAIFinish, choice?.finish_reason),
      };
    }
    if (line.error) {
      const code = line.error.code ?? undefined;
      const message = line.error.message ?? code ?? 'no details';
      if (code === 'batch_expired') return { customId, ok: false, error: { kind: 'expired', code, message } };
      if (code === 'batch_cancelled') return { customId, ok: false, error: { kind: 'canceled', code, message } };
      return { customId, ok: false, error: { kind: 'request_error', code, message } };
    }
    const err = body?.error as { message?: string; code?: string | null; type?: string } | undefined;
    return {
      customId,
      ok: false,
      error: {
        kind: 'request_error',
        message: err?.message ?? `the request failed${status !== undefined ? ` (HTTP ${status})` : ''}`,
        ...(err?.code || err?.type ? { code: (err.code ?? err.type) as string } : {}),
        ...(status !== undefined ? { status } : {}),
      },
    };
  }
}

// --------------------------------------------------------------------------------- Anthropic

/** `{"requests":[` + `]}`; each request after the first adds a comma (counted with it). */
const ANTHROPIC_ENVELOPE_BYTES = '{"requests":[]}'.length;

class AnthropicBatchApi implements VendorBatchApi {
  readonly vendor = 'anthropic' as const;
  readonly envelopeBytes = ANTHROPIC_ENVELOPE_BYTES;
  private client: Anthropic | undefined;

  constructor(private readonly config: ProviderConfig) {}

  private get sdk(): Anthropic {
    this.client ??= createAnthropicClient(this.config);
    return this.client;
  }

  encode(customId: string, request: ChatRequest): EncodedRequest {
    const { stream: _stream, ...params } = toAnthropicParams(request);
    const item = { custom_id: customId, params };
    return { item, bytes: Buffer.byteLength(JSON.stringify(item)) + 1 };
  }

  async create(items: unknown[], _bytes: number, _meta: { jobId: string; part: number }, signal?: AbortSignal) {
    const batch = await this.sdk.messages.batches.create(
      { requests: items as Anthropic.Messages.Batches.BatchCreateParams.Request[] },
      { signal },
    );
    return { id: batch.id };
  }

  async refresh(part: BatchPartState, signal?: AbortSignal): Promise<void> {
    const b = await this.sdk.messages.batches.retrieve(part.id, {}, { signal });
    part.status = b.processing_status;
    part.ended = b.processing_status === 'ended';
    const c = b.request_counts;
    part.counts = { succeeded: c.succeeded, failed: c.errored, canceled: c.canceled, expired: c.expired, processing: c.processing };
  }

  async cancel(part: BatchPartState, signal?: AbortSignal): Promise<void> {
    const b = await this.sdk.messages.batches.cancel(part.id, {}, { signal });
    part.status = b.processing_status;
  }

  async *results(part: BatchPartState, signal?: AbortSignal): AsyncIterable<VendorRowResult> {
    const stream = await this.sdk.messages.batches.results(part.id, {}, { signal });
    for await (const line of stream) {
      const customId = line.custom_id;
      const r = line.result;
      switch (r.type) {
        case 'succeeded': {
          const m = r.message;
          const output = m.content.map((b) => (b.type === 'text' ? b.text : '')).join('');
          yield { customId, ok: true, output, usage: fromAnthropicUsage(m.usage), finishReason: finishOf(mapAnthropicStop, m.stop_reason) };
          break;
        }
        case 'errored': {
          const e = (r.error as { error?: { type?: string; message?: string } } | undefined)?.error;
          yield { customId, ok: false, error: { kind: 'request_error', message: e?.message ?? 'the request failed', ...(e?.type ? { code: e.type } : {}) } };
          break;
        }
        case 'canceled':
          yield { customId, ok: false, error: { kind: 'canceled', message: 'The batch was cancelled before this request ran.' } };
          break;
        case 'expired':
          yield { customId, ok: false, error: { kind: 'expired', message: 'The batch expired (24 hours) before this request ran.' } };
          break;
        default:
          yield { customId, ok: false, error: { kind: 'request_error', message: `unknown result type "${(r as { type: string }).type}"` } };
      }
    }
  }
}
