// Batch runs: a template × a dataset → one or more vendor batches → per-row answers and costs.
//
//   const service = new BatchService({ resolveProvider, prices: engine.prices });
//   const job = await service.submit({ template, dataset: readDataset(stream, 'csv'), modelId }, { onState: save });
//   await job.wait({ pollIntervalMs: 30_000, onProgress, signal });   // abort → job.cancel()
//   for await (const row of job.results()) …                         // or: await job.report()
//   // after a reload:
//   const again = service.resume(savedState);  await again.wait(…)
import { setTimeout as sleep } from 'node:timers/promises';
import { AbortScope } from '../run/signal';
import { randomUUID } from 'node:crypto';
import type { ProviderResolution } from '../engine';
import { toRequest } from '../engine';
import type { PriceBook } from '../pricing';
import { toProviderError } from '../providers';
import type { CostBreakdown, ErrorKind, ProviderConfig } from '../types';
import { emptyUsage, parseModelId } from '../types';
import type { DatasetRow } from './dataset';
import { compileTemplate, renderTemplate, type CompiledTemplate } from '../prompt/template';
import {
  ANTHROPIC_BATCH_LIMITS,
  DEFAULT_BATCH_MAX_OUTPUT_TOKENS,
  DEFAULT_POLL_INTERVAL_MS,
  OPENAI_BATCH_LIMITS,
  type BatchLimits,
  type BatchPartState,
  type BatchProgress,
  type BatchReport,
  type BatchRowError,
  type BatchRowErrorKind,
  type BatchRowResult,
  type BatchState,
  type BatchVendor,
  type RejectedRow,
} from './types';
import { createVendorApi, vendorOf, type VendorBatchApi, type VendorRowResult } from './vendors';

/** A batch operation that failed as a whole (submission, polling, results), with a typed kind. */
export class BatchError extends Error {
  constructor(
    readonly kind: ErrorKind,
    message: string,
    /** The job's state when it failed (e.g. the parts already submitted, now cancelled). */
    readonly state?: BatchState,
  ) {
    super(message);
    this.name = 'BatchError';
  }
}

export interface BatchServiceOptions {
  /** The same resolution as the engine's (environment, SecretStorage, trust rules). */
  resolveProvider: (name: string) => ProviderResolution | Promise<ProviderResolution>;
  prices: PriceBook;
  /** Per-vendor limits; default OPENAI_BATCH_LIMITS / ANTHROPIC_BATCH_LIMITS. Tests use small ones. */
  limits?: Partial<Record<BatchVendor, Partial<BatchLimits>>>;
  /** For tests and special transports. */
  createVendorApi?: (config: ProviderConfig) => VendorBatchApi;
}

export interface BatchSubmitInput {
  /** Template text (front matter, sections, {{variables}}) or an already compiled one. */
  template: string | CompiledTemplate;
  /** Rows, e.g. `readDataset(fs.createReadStream(file), 'csv')`. Read once, as a stream. */
  dataset: AsyncIterable<DatasetRow>;
  /** `provider:model`. */
  modelId: string;
  /** Overrides the template's; default DEFAULT_BATCH_MAX_OUTPUT_TOKENS. */
  maxOutputTokens?: number;
  temperature?: number;
  /** File names shown to people; stored in the state. */
  labels?: { template?: string; dataset?: string };
}

export interface BatchSubmitOptions {
  signal?: AbortSignal;
  /** Each time the state changes (a part submitted, a poll that changed something): persist it. */
  onState?: (state: BatchState) => void;
  /** While the dataset is read and parts are submitted. */
  onSubmitProgress?: (e: { rows: number; requests: number; parts: number }) => void;
}

export interface BatchWaitOptions {
  /** Default DEFAULT_POLL_INTERVAL_MS. */
  pollIntervalMs?: number;
  /** Stops waiting (the promise rejects with an AbortError); it does NOT cancel the batch: call cancel(). */
  signal?: AbortSignal;
  onProgress?: (progress: BatchProgress) => void;
}

export const BATCH_STATE_KIND = 'prompt-profiler.batch';

/** `row-N` ↔ N. */
export function customIdOf(row: number): string {
  return `row-${row}`;
}

export function rowOf(customId: string): number | undefined {
  const m = /^row-(\d+)$/.exec(customId);
  return m ? Number(m[1]) : undefined;
}

/** Checks a persisted state (from workspace state or a file) before resuming it. */
export function parseBatchState(input: BatchState | string): BatchState {
  let s: unknown = input;
  if (typeof input === 'string') {
    try {
      s = JSON.parse(input);
    } catch (e) {
      throw new BatchError('config', `Not a batch state: invalid JSON (${(e as Error).message}).`);
    }
  }
  const st = s as Partial<BatchState> | null;
  if (!st || typeof st !== 'object' || st.kind !== BATCH_STATE_KIND) throw new BatchError('config', 'Not a prompt-profiler batch state.');
  if (st.version !== 1) throw new BatchError('config', `Unsupported batch state version ${String(st.version)}.`);
  if (typeof st.modelId !== 'string' || !Array.isArray(st.parts) || !Array.isArray(st.rejected)) {
    throw new BatchError('config', 'The batch state is incomplete (modelId, parts, rejected).');
  }
  return structuredClone(st as BatchState);
}

export class BatchService {
  constructor(private readonly options: BatchServiceOptions) {}

  limitsFor(vendor: BatchVendor): BatchLimits {
    const base = vendor === 'anthropic' ? ANTHROPIC_BATCH_LIMITS : OPENAI_BATCH_LIMITS;
    return { ...base, ...(this.options.limits?.[vendor] ?? {}) };
  }

  /** Resolves the model's provider (key, base URL) afresh: never stored in a state. */
  async vendorApi(modelId: string): Promise<{ api: VendorBatchApi; config: ProviderConfig }> {
    let provider: string;
    try {
      provider = parseModelId(modelId).provider;
    } catch (e) {
      throw new BatchError('config', (e as Error).message);
    }
    const resolved = await this.options.resolveProvider(provider);
    if (!resolved.ok) throw new BatchError(resolved.error.kind, resolved.error.message);
    const config = resolved.config;
    if (config.type !== 'openai-compatible' && !config.apiKey) {
      throw new BatchError('auth', `No API key for ${config.name}.`);
    }
    return { api: (this.options.createVendorApi ?? createVendorApi)(config), config };
  }

  /**
   * Reads the dataset row by row, renders each row into a request and submits vendor batches
   * as they fill up (split under the vendor's request and byte limits). Rows that cannot be
   * sent are kept as rejected, with the reason. If a part cannot be submitted, the parts
   * already submitted are cancelled and a BatchError is thrown.
   */
  async submit(input: BatchSubmitInput, options: BatchSubmitOptions = {}): Promise<BatchJob> {
    const { api, config } = await this.vendorApi(input.modelId);
    const vendor = vendorOf(config);
    const limits = this.limitsFor(vendor);
    const template = typeof input.template === 'string' ? compileTemplate(input.template) : input.template;
    const state: BatchState = {
      kind: BATCH_STATE_KIND,
      version: 1,
      jobId: `pp-${randomUUID().slice(0, 8)}`,
      modelId: input.modelId,
      vendor,
      createdAt: new Date().toISOString(),
      ...(input.labels?.template ? { template: input.labels.template } : {}),
      ...(input.labels?.dataset ? { dataset: input.labels.dataset } : {}),
      rows: 0,
      parts: [],
      rejected: [],
      submitted: false,
      cancelRequested: false,
    };
    const job = new BatchJob(this, state, api, options.onState);
    const maxOutputTokens = input.maxOutputTokens ?? template.maxOutputTokens ?? DEFAULT_BATCH_MAX_OUTPUT_TOKENS;
    const temperature = input.temperature ?? template.temperature;
    const vendorName = vendor === 'openai' ? 'OpenAI' : 'Anthropic';

    let items: unknown[] = [];
    let bytes = api.envelopeBytes;
    let firstRow = 0;
    let lastRow = 0;
    const reject = (row: number, message: string) => state.rejected.push({ row, customId: customIdOf(row), message });
    const flush = async () => {
      if (items.length === 0) return;
      const part = state.parts.length + 1;
      let created: Pick<BatchPartState, 'id' | 'inputFileId'>;
      try {
        created = await api.create(items, bytes, { jobId: state.jobId, part }, options.signal);
      } catch (e) {
        const pe = toProviderError(e, { vendor: vendorName, signal: options.signal, streamStarted: false, apiKey: config.apiKey });
        throw new BatchError(pe.kind, `Submitting batch ${part} failed: ${pe.message}`);
      }
      state.parts.push({
        id: created.id,
        ...(created.inputFileId ? { inputFileId: created.inputFileId } : {}),
        firstRow,
        lastRow,
        requests: items.length,
        bytes,
        status: 'submitted',
        ended: false,
        counts: { succeeded: 0, failed: 0, canceled: 0, expired: 0, processing: items.length },
      });
      items = [];
      bytes = api.envelopeBytes;
      job.changed();
    };

    try {
      let requests = 0;
      for await (const r of input.dataset) {
        options.signal?.throwIfAborted();
        state.rows = Math.max(state.rows, r.row);
        if ('error' in r) {
          reject(r.row, r.error);
          continue;
        }
        const rendered = renderTemplate(template, r.values);
        if (rendered.missing.length) {
          reject(r.row, `no value for ${rendered.missing.map((m) => `{{${m}}}`).join(', ')}`);
          continue;
        }
        if (rendered.prompt.messages.length === 0) {
          reject(r.row, 'the template renders no message');
          continue;
        }
        const request = toRequest({ ...rendered.prompt, maxOutputTokens, temperature }, input.modelId);
        const encoded = api.encode(customIdOf(r.row), request);
        if (api.envelopeBytes + encoded.bytes > limits.maxBytes) {
          reject(r.row, `the request is ${encoded.bytes.toLocaleString('en-US')} bytes; a ${vendorName} batch holds at most ${limits.maxBytes.toLocaleString('en-US')}`);
          continue;
        }
        if (items.length + 1 > limits.maxRequests || bytes + encoded.bytes > limits.maxBytes) await flush();
        if (items.length === 0) firstRow = r.row;
        items.push(encoded.item);
        bytes += encoded.bytes;
        lastRow = r.row;
        requests++;
        options.onSubmitProgress?.({ rows: state.rows, requests, parts: state.parts.length });
      }
      await flush();
    } catch (e) {
      const aborted = options.signal?.aborted === true;
      const kind: ErrorKind = aborted ? 'cancelled' : e instanceof BatchError ? e.kind : 'config';
      let message = aborted ? 'Cancelled' : (e as Error).message.replace(/\.$/, '');
      if (state.parts.length) {
        const n = state.parts.length;
        const cancelled = await job.cancel().then(
          () => true,
          () => false,
        );
        message += cancelled
          ? `; the ${n === 1 ? 'batch' : `${n} batches`} already submitted ${n === 1 ? 'was' : 'were'} cancelled`
          : `; could not cancel the batches already submitted (${state.parts.map((p) => p.id).join(', ')})`;
      }
      throw new BatchError(kind, `${message}.`, job.state);
    }
    state.submitted = true;
    job.changed();
    return job;
  }

  /** A job from a persisted state (after a reload or restart): poll, wait, cancel, read results. */
  async resume(saved: BatchState | string, options: Pick<BatchSubmitOptions, 'onState'> = {}): Promise<BatchJob> {
    const state = parseBatchState(saved);
    const { api } = await this.vendorApi(state.modelId);
    if (!state.submitted) {
      state.submitted = true;
      state.interrupted = true;
    }
    return new BatchJob(this, state, api, options.onState);
  }

  /** Cost of one row at batch prices and at real-time prices. */
  costs(modelId: string, row: VendorRowResult): { cost: CostBreakdown | null; realtimeCost: CostBreakdown | null } {
    const usage = row.ok ? row.usage : emptyUsage();
    return {
      cost: this.options.prices.cost(modelId, usage, { batch: true }),
      realtimeCost: this.options.prices.cost(modelId, usage),
    };
  }
}

export class BatchJob {
  constructor(
    private readonly service: BatchService,
    private readonly current: BatchState,
    private readonly api: VendorBatchApi,
    private readonly onState?: (state: BatchState) => void,
  ) {}

  /** The local job id. */
  get id(): string {
    return this.current.jobId;
  }

  /** The vendor batch id(s), comma-separated when the dataset was split. */
  get batchId(): string {
    return this.current.parts.map((p) => p.id).join(',');
  }

  get modelId(): string {
    return this.current.modelId;
  }

  /** A copy of the state, plain JSON: persist it to resume later. */
  get state(): BatchState {
    return structuredClone(this.current);
  }

  /** @internal */
  changed(): void {
    this.onState?.(this.state);
  }

  /** Progress from the last known state (no request). */
  progress(): BatchProgress {
    const s = this.current;
    const sum = (f: (p: BatchPartState) => number) => s.parts.reduce((n, p) => n + f(p), 0);
    const ended = s.submitted && s.parts.every((p) => p.ended);
    return {
      total: s.rows,
      succeeded: sum((p) => p.counts.succeeded),
      failed: sum((p) => p.counts.failed) + s.rejected.length,
      canceled: sum((p) => p.counts.canceled),
      expired: sum((p) => p.counts.expired),
      processing: sum((p) => p.counts.processing),
      rejected: s.rejected.length,
      ended,
      status: !s.submitted ? 'submitting' : ended ? 'ended' : s.cancelRequested ? 'cancelling' : 'in_progress',
      parts: s.parts.map((p) => ({
        id: p.id,
        status: p.status,
        requests: p.requests,
        succeeded: p.counts.succeeded,
        failed: p.counts.failed + p.counts.canceled + p.counts.expired,
        processing: p.counts.processing,
      })),
    };
  }

  /** Asks the vendor for the status of every part that has not ended. */
  async poll(signal?: AbortSignal): Promise<BatchProgress> {
    const before = JSON.stringify(this.current.parts);
    try {
      for (const part of this.current.parts) if (!part.ended) await this.api.refresh(part, signal);
    } catch (e) {
      throw this.error(e, signal);
    }
    await this.deleteInputs(signal);
    if (JSON.stringify(this.current.parts) !== before) this.changed();
    return this.progress();
  }

  /**
   * An ended part no longer needs its uploaded input (OpenAI keeps files until they are deleted,
   * and this one holds every prompt). Best effort: a failure is tried again when the job is
   * polled again (a resumed job is), and the saved state says which inputs are gone.
   */
  private async deleteInputs(signal?: AbortSignal): Promise<void> {
    if (!this.api.deleteInput) return;
    for (const part of this.current.parts) {
      if (!part.ended || !part.inputFileId || part.inputFileDeleted) continue;
      try {
        await this.api.deleteInput(part, signal);
        part.inputFileDeleted = true;
      } catch {
        if (signal?.aborted) return;
      }
    }
  }

  /** Polls until every part has ended. */
  async wait(options: BatchWaitOptions = {}): Promise<BatchProgress> {
    const interval = Math.max(0, options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS);
    // Each poll gets its own child signal: the SDKs add a listener per request to the signal they
    // are given and never remove it, which a long poll loop would pile onto the caller's.
    const scope = new AbortScope(options.signal);
    try {
      for (;;) {
        const child = scope.child();
        let progress: BatchProgress;
        try {
          progress = await this.poll(child.signal);
        } catch (e) {
          // Stopped by the caller mid-poll: the same AbortError as when stopped between polls.
          options.signal?.throwIfAborted();
          throw e;
        } finally {
          child.dispose();
        }
        options.onProgress?.(progress);
        if (progress.ended || !this.current.submitted) return progress;
        await sleep(interval, undefined, { signal: options.signal });
      }
    } finally {
      scope.dispose();
    }
  }

  /** Cancels every part that has not ended, at the vendor. Results of what already ran are kept. */
  async cancel(signal?: AbortSignal): Promise<BatchProgress> {
    this.current.cancelRequested = true;
    let failure: unknown;
    for (const part of this.current.parts) {
      if (part.ended) continue;
      try {
        await this.api.cancel(part, signal);
      } catch (e) {
        // Typically "already ended": the next poll shows the truth.
        failure ??= e;
      }
    }
    this.changed();
    if (failure) {
      const progress = await this.poll(signal);
      if (!progress.ended && this.current.parts.some((p) => !p.ended && !/cancel/.test(p.status))) throw this.error(failure, signal);
    }
    return this.progress();
  }

  /**
   * Every row's result: the vendor's lines as they stream in (unordered), then rows with no
   * line, then rejected rows. Only once the job has ended.
   */
  async *results(signal?: AbortSignal): AsyncIterable<BatchRowResult> {
    const s = this.current;
    const open = s.parts.filter((p) => !p.ended);
    if (open.length) throw new BatchError('config', `The batch has not ended yet (${open.map((p) => `${p.id}: ${p.status}`).join(', ')}).`);
    const rejected = new Set(s.rejected.map((r) => r.row));
    for (const part of s.parts) {
      const seen = new Set<number>();
      try {
        for await (const line of this.api.results(part, signal)) {
          const row = rowOf(line.customId);
          if (row === undefined || row < part.firstRow || row > part.lastRow || rejected.has(row) || seen.has(row)) continue;
          seen.add(row);
          yield this.rowResult(row, line);
        }
      } catch (e) {
        throw this.error(e, signal);
      }
      let line = 0;
      for (let row = part.firstRow; row <= part.lastRow; row++) {
        if (rejected.has(row)) continue;
        line++;
        if (!seen.has(row)) yield this.rowResult(row, { customId: customIdOf(row), ok: false, error: this.missing(part, line) });
      }
    }
    for (const r of s.rejected) {
      yield this.rowResult(r.row, { customId: r.customId, ok: false, error: { kind: 'invalid_row', message: r.message } });
    }
  }

  /** All rows (by row number) with totals: the CLI's `--json` and the results view. */
  async report(signal?: AbortSignal): Promise<BatchReport> {
    const rows: BatchRowResult[] = [];
    for await (const r of this.results(signal)) rows.push(r);
    rows.sort((a, b) => a.row - b.row);
    return summarize(this.batchId, this.modelId, rows);
  }

  private rowResult(row: number, line: VendorRowResult): BatchRowResult {
    const { cost, realtimeCost } = this.service.costs(this.current.modelId, line);
    return {
      customId: line.customId,
      row,
      ok: line.ok,
      output: line.ok ? line.output : '',
      finishReason: line.ok ? line.finishReason : null,
      usage: line.ok ? line.usage : null,
      cost,
      realtimeCost,
      error: line.ok ? null : line.error,
    };
  }

  /** Why a sent request has no result line. */
  private missing(part: BatchPartState, line: number): BatchRowError {
    const status = part.status;
    if (status === 'failed') {
      const own = part.errors?.filter((e) => e.line === line) ?? [];
      const errors = own.length ? own : (part.errors?.filter((e) => e.line === null) ?? []);
      const detail = errors.length ? errors.map((e) => e.message).join('; ') : part.errors?.length ? `another line was invalid (${part.errors[0].message})` : 'no details';
      return { kind: 'batch_failed', message: `The batch ${part.id} failed validation: ${detail}` };
    }
    if (status === 'cancelled' || status === 'canceled') return { kind: 'canceled', message: 'The batch was cancelled before this request ran.' };
    if (status === 'expired') return { kind: 'expired', message: 'The batch expired (24 hours) before this request ran.' };
    return { kind: 'missing', message: `The batch ${part.id} (${status}) returned no result for this request.` };
  }

  private error(e: unknown, signal?: AbortSignal): Error {
    if (e instanceof BatchError) return e;
    // The caller's own abort, as one AbortError whether it came during a poll request or a sleep.
    if (signal?.aborted) return signal.reason instanceof Error ? signal.reason : new DOMException('The operation was aborted.', 'AbortError');
    const vendor = this.current.vendor === 'openai' ? 'OpenAI' : 'Anthropic';
    const pe = toProviderError(e, { vendor, signal, streamStarted: false });
    return new BatchError(pe.kind, pe.message, this.state);
  }
}

/** USD rounded to 1e-12 (sums of many small costs print cleanly). */
function usd(x: number): number {
  return Math.round(x * 1e12) / 1e12;
}

export function summarize(batchId: string, modelId: string, rows: BatchRowResult[]): BatchReport {
  let total: number | null = 0;
  let realtime: number | null = 0;
  const failures: Partial<Record<BatchRowErrorKind, number>> = {};
  let succeeded = 0;
  for (const r of rows) {
    if (r.ok) succeeded++;
    else if (r.error) failures[r.error.kind] = (failures[r.error.kind] ?? 0) + 1;
    total = r.cost && total !== null ? total + r.cost.total : null;
    realtime = r.realtimeCost && realtime !== null ? realtime + r.realtimeCost.total : null;
  }
  return {
    batchId,
    modelId,
    rows,
    succeeded,
    failed: rows.length - succeeded,
    failures,
    totalCost: total === null ? null : usd(total),
    realtimeCost: realtime === null ? null : usd(realtime),
  };
}

export type { RejectedRow };
