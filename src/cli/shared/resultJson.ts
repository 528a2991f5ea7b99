// One call's result as `run --json` prints it (with or without --dataset).
import type { RunResult } from '../../core/run';

/** The CLI's JSON contract: other tools script against it. */
export function runResultJson(r: RunResult) {
  return {
    model: r.modelId,
    ok: r.ok,
    output: r.output,
    cacheHit: r.cacheHit,
    ttftMs: r.ttftMs === null ? null : Math.round(r.ttftMs),
    latencyMs: Math.round(r.latencyMs),
    outputTokensPerSec: r.outputTokensPerSec === null ? null : Math.round(r.outputTokensPerSec * 10) / 10,
    usage: {
      inputTokens: r.usage.inputTokens,
      outputTokens: r.usage.outputTokens,
      cacheReadTokens: r.usage.cacheReadTokens,
      cacheWriteTokens: r.usage.cacheWriteTokens,
    },
    cost: r.cost && {
      total: r.cost.total,
      input: r.cost.input,
      output: r.cost.output,
      cacheRead: r.cost.cacheRead,
      cacheWrite: r.cost.cacheWrite,
    },
    error: r.error && { kind: r.error.kind, message: r.error.message },
  };
}
