// The history's data types and limits: no Node imports, so the dashboard webview can import
// them (and the pure summary) too.
import type { ErrorKind, FinishReason } from '../types';

/** Bumped when the record format changes incompatibly; readers skip other versions. */
export const HISTORY_FORMAT_VERSION = 1;

/**
 * Largest serialized record in bytes, newline included. Each record goes to the file in one
 * `write()` on a descriptor opened with O_APPEND; keeping it this small (the POSIX PIPE_BUF
 * minimum is 512, Linux's is 4096) keeps those writes atomic in practice on every local file
 * system, so records from two processes never interleave.
 */
export const MAX_RECORD_BYTES = 4096;

export interface HistoryTokens {
  /** Total prompt tokens, cached ones included. */
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
  cacheWrite1h: number;
  reasoning: number;
  /** Counted locally because the server sent no usage. */
  estimated: boolean;
}

/** USD per bucket, as priced when the call was made (prices change later; the record does not). */
export interface HistoryCost {
  total: number;
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
  batch: boolean;
}

export interface HistoryRecord {
  v: typeof HISTORY_FORMAT_VERSION;
  /** When the call finished, ISO 8601 UTC with milliseconds. */
  time: string;
  /** `provider:model`. */
  model: string;
  ok: boolean;
  /** Served from the answer cache: no request was sent, nothing was spent. */
  cacheHit: boolean;
  /** 0-based repeat number within its run. */
  repeat: number;
  /** The model's latency on the wire (the answering attempt); 0 for a cache hit (no request). */
  latencyMs: number;
  /** null when no token arrived, and for a cache hit. */
  ttftMs: number | null;
  /** Waiting for a slot or a 429 cool-down before the first attempt (absent in older records). */
  queuedMs?: number;
  /** From the first attempt to the one that answered: failed attempts and the waits between them. */
  retryWaitMs?: number;
  /** HTTP attempts; 0 when nothing was sent. */
  attempts?: number;
  /** A cache hit's read time. */
  cacheReadMs?: number;
  tokens: HistoryTokens;
  /**
   * The call's price; null = no price known. For a cache hit it is what the answer cost when it
   * was first produced (the summary counts it as saved, not spent).
   */
  cost: HistoryCost | null;
  errorKind: ErrorKind | null;
  finishReason: FinishReason | null;
  /** sha256 (hex) of the prompt (system + messages, canonical JSON). */
  promptHash: string | null;
  /** The prompt text, only when the caller allowed it; cut to keep the record small. */
  prompt?: string;
  promptTruncated?: boolean;
  /** Groups the calls of one run. */
  runId?: string;
  /** Who profiled: `cli`, `extension`, … */
  source?: string;
}

