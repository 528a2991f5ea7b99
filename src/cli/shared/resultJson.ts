// One call's result as `run --json` prints it (with or without --dataset).
import { compareGatewayCost } from '../../core/pricing';
import type { RunResult } from '../../core/run';
import { estimatedFields } from '../../core/types';
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
    finishReason: r.finishReason,
    truncated: r.finishReason === 'length',
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
      estimated: r.usage.estimated,
      // Which figures were counted locally (the server sent none, or zeros).
      estimatedFields: estimatedFields(r.usage),
    },
    cost: cost && {
      total: cost.total,
      input: cost.input,
      output: cost.output,
      cacheRead: cost.cacheRead,
      cacheWrite: cost.cacheWrite,
      estimated: r.usage.estimated,
    },
    savedUsd: savedUsd(r),
    gatewayCost: compareGatewayCost(r.usage.reportedCost, r.cost?.total),
    error: r.error && {
      kind: r.error.kind,
      message: r.error.message,
      ...(r.error.status !== undefined ? { status: r.error.status } : {}),
      ...(r.error.url !== undefined ? { url: r.error.url } : {}),
    },
  };
}
