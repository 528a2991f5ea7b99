// One call's result as `run --json` prints it (with or without --dataset).
import { compareGatewayCost } from '../../core/pricing';
import type { RunResult } from '../../core/run';
import { estimatedFields } from '../../core/types';

/** The CLI's JSON contract: other tools script against it. */
export function runResultJson(r: RunResult) {
  return {
    model: r.modelId,
    ok: r.ok,
    output: r.output,
    finishReason: r.finishReason,
    truncated: r.finishReason === 'length',
    cacheHit: r.cacheHit,
    ttftMs: r.ttftMs === null ? null : Math.round(r.ttftMs),
    latencyMs: Math.round(r.latencyMs),
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
    cost: r.cost && {
      total: r.cost.total,
      input: r.cost.input,
      output: r.cost.output,
      cacheRead: r.cost.cacheRead,
      cacheWrite: r.cost.cacheWrite,
      estimated: r.usage.estimated,
    },
    gatewayCost: compareGatewayCost(r.usage.reportedCost, r.cost?.total),
    error: r.error && {
      kind: r.error.kind,
      message: r.error.message,
      ...(r.error.status !== undefined ? { status: r.error.status } : {}),
      ...(r.error.url !== undefined ? { url: r.error.url } : {}),
    },
  };
}
