// Vocabulary of batch runs. A BatchState is plain JSON: the extension keeps it in workspace
// state and the CLI in a file, so that polling resumes after a reload or a restart. It never
// holds an API key or a base URL: those are resolved again on resume.
import type { CostBreakdown, FinishReason, Usage } from '../types';

export type BatchVendor = 'openai' | 'anthropic';

/** How much one vendor batch may hold. */
export interface BatchLimits {
  maxRequests: number;
  /** Bytes of the upload: the JSONL file (OpenAI) or the create request's JSON body (Anthropic). */
  maxBytes: number;
}

/** OpenAI Batch API: at most 50,000 requests and 200 MB per input file. */
export const OPENAI_BATCH_LIMITS: Readonly<BatchLimits> = { maxRequests: 50_000, maxBytes: 200_000_000 };
/** Anthropic Message Batches: at most 100,000 requests or 256 MB per batch, whichever comes first. */
export const ANTHROPIC_BATCH_LIMITS: Readonly<BatchLimits> = { maxRequests: 100_000, maxBytes: 256_000_000 };
/** Both vendors promise results within 24 hours. */
export const BATCH_COMPLETION_WINDOW = '24h';
/** How often `BatchJob.wait` polls by default (batches take minutes to hours). */
export const DEFAULT_POLL_INTERVAL_MS = 30_000;
/** Used when neither the template nor the caller sets max output tokens (Anthropic requires one). */
export const DEFAULT_BATCH_MAX_OUTPUT_TOKENS = 1024;

/** One vendor batch: a slice of the dataset's rows. */
export interface BatchPartState {
  /** Vendor batch id: `batch_…` (OpenAI) or `msgbatch_…` (Anthropic). */
  id: string;
  /** 1-based dataset rows [firstRow, lastRow] this part covers (rejected rows in between were not sent). */
  firstRow: number;
  lastRow: number;
  /** Requests sent in this part. */
  requests: number;
  bytes: number;
  /** OpenAI: the uploaded input file. */
  inputFileId?: string;
  /** OpenAI: the input file (it holds every prompt) was deleted at the vendor once the part ended. */
  inputFileDeleted?: boolean;
  /** The vendor's own status word (`validating`, `in_progress`, `canceling`, `ended`, …). */
  status: string;
  /** No more change will come: results (if any) can be read. */
  ended: boolean;
  counts: { succeeded: number; failed: number; canceled: number; expired: number; processing: number };
  /** OpenAI: where the results are. */
  outputFileId?: string | null;
  errorFileId?: string | null;
  /** Batch-level errors (OpenAI input validation); `line` is 1-based in the part's input file. */
  errors?: { line: number | null; message: string }[];
}

/** A row that was never sent: unreadable, a variable without a value, too large for a batch. */
export interface RejectedRow {
  row: number;
  customId: string;
  message: string;
}

export interface BatchState {
  kind: 'prompt-profiler.batch';
  version: 1;
  /** Local id of the job (also in each vendor batch's metadata, where the vendor has any). */
  jobId: string;
  /** `provider:model`. */
  modelId: string;
  vendor: BatchVendor;
  /** ISO time of submission. */
  createdAt: string;
  /** Labels for people (file names): never read back. */
  template?: string;
  dataset?: string;
  /** Dataset rows read. */
  rows: number;
  parts: BatchPartState[];
  rejected: RejectedRow[];
  /** False while parts are still being submitted. */
  submitted: boolean;
  /**
   * Set on resume when the saved state was still submitting (the window closed mid-way): the
   * parts already submitted run to the end; rows after `rows` were never read nor sent.
   */
  interrupted?: boolean;
  cancelRequested: boolean;
}

export interface BatchProgress {
  /** Dataset rows (sent + rejected). */
  total: number;
  succeeded: number;
  /** Requests that failed at the vendor, plus rejected rows. */
  failed: number;
  canceled: number;
  expired: number;
  /** Not finished yet. */
  processing: number;
  /** Rows that were never sent. */
  rejected: number;
  /** Every part has ended. */
  ended: boolean;
  status: 'submitting' | 'in_progress' | 'cancelling' | 'ended';
  parts: { id: string; status: string; requests: number; succeeded: number; failed: number; processing: number }[];
}

export type BatchRowErrorKind =
  /** The row was never sent (see RejectedRow). */
  | 'invalid_row'
  /** The vendor answered this request with an error. */
  | 'request_error'
  /** The 24-hour window ended before the request ran. */
  | 'expired'
  /** The batch was cancelled before the request ran. */
  | 'canceled'
  /** The whole vendor batch failed (OpenAI input validation). */
  | 'batch_failed'
  /** The vendor returned no result line for this request. */
  | 'missing';

export interface BatchRowError {
  kind: BatchRowErrorKind;
  message: string;
  /** Vendor error code or type, when there is one. */
  code?: string;
  /** HTTP status of the failed request, when there is one. */
  status?: number;
}

export interface BatchRowResult {
  /** `row-N`, N the 1-based dataset row. */
  customId: string;
  row: number;
  ok: boolean;
  output: string;
  finishReason: FinishReason | null;
  usage: Usage | null;
  /** At batch prices (half of every bucket). 0 for a failed row (not billed); null = no price. */
  cost: CostBreakdown | null;
  /** What the same usage costs through the real-time API. */
  realtimeCost: CostBreakdown | null;
  error: BatchRowError | null;
}

export interface BatchReport {
  /** The vendor batch id; several (comma-separated) when the dataset was split. */
  batchId: string;
  modelId: string;
  rows: BatchRowResult[];
  succeeded: number;
  failed: number;
  /** Of `failed`, by kind. */
  failures: Partial<Record<BatchRowErrorKind, number>>;
  /** USD at batch prices; null = no price for this model. */
  totalCost: number | null;
  /** USD the same rows cost in real time. */
  realtimeCost: number | null;
}
