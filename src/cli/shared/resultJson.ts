// One call's result as `run --json` prints it (with or without --dataset).
import type { RunResult } from '../../core/run';
import { savedUsd } from './results';

/**
 * The CLI's JSON contract: other tools script against it. A cache hit cost nothing (`cost` is
 * zero in every bucket) and says what it saved (`savedUsd`, the replayed call's cost).
 */
export function runResultJson(r: RunResult) {
  const cost = r.cost && (r.cacheHit ? { total: 0, input: 0, output: 0, cacheRead: 0, cacheWrite: 0 } : r.cost);
  return {
    model: r.modelId,
    repeat: r.repeat + 1,
    ok: r.ok,
    output: r.output,
    cacheHit: r.cacheHit,
    ttftMs: r.ttftMs === null ? null : Math.round(r.ttftMs),
    latencyMs: Math.round(r.latencyMs),
    // Waits apart from the model's figures above.
    queuedMs: Math.round(r.queuedMs),
    retryWaitMs: Math.round(r.retryWaitMs),
    attempts: r.attempts,
    cacheReadMs: r.cacheReadMs === null ? null : Math.round(r.cacheReadMs),
    outputTokensPerSec: r.outputTokensPerSec === null ? null : Math.round(r.outputTokensPerSec * 10) / 10,
    usage: {
      inputTokens: r.usage.inputTokens,
      outputTokens: r.usage.outputTokens,
      cacheReadTokens: r.usage.cacheReadTokens,
      cacheWriteTokens: r.usage.cacheWriteTokens,
    },
    cost: cost && {
      total: cost.total,
      input: cost.input,
      output: cost.output,
      cacheRead: cost.cacheRead,
      cacheWrite: cost.cacheWrite,
    },
    savedUsd: savedUsd(r),
    error: r.error && { kind: r.error.kind, message: r.error.message },
  };
}
