// Verify a cache plan against the provider: two real calls with the plan applied, the second
// with other variable values (so only the stable prefix is shared), then the cache tokens the
// provider reported beside the ones the plan predicted.
import type { ProfilerEngine } from '../engine';
import { compileTemplate, stringifyValue, type CompiledTemplate } from '../prompt/template';
import type { CostBreakdown, ProviderError, Usage } from '../types';
import { applyCachePlan, type CachePlan, type CachePrediction } from './plan';

/** Small answers: the verification is about the prompt, not the reply. */
export const VERIFY_MAX_OUTPUT_TOKENS = 16;

export interface CacheVerifyOptions {
  /** Values for the two calls. Default: the samples, and the same with "(2) " in front for the second call. */
  samples?: [Record<string, unknown>, Record<string, unknown>];
  maxOutputTokens?: number;
  signal?: AbortSignal;
}

export interface CacheVerifyCall {
  ok: boolean;
  usage: Usage;
  cost: CostBreakdown | null;
  error: ProviderError | null;
}

export interface CacheVerification {
  modelId: string;
  /** Both calls succeeded. */
  ok: boolean;
  calls: CacheVerifyCall[];
  predicted: CachePrediction;
  reported: CachePrediction;
  /** Reported − predicted cache reads of the second call: the figure to look at. */
  readDifference: number;
  /** Reported − predicted cache writes of the first call (OpenAI reports none). */
  writeDifference: number;
  /** USD the cache saved on the second call: its cost with every prompt token billed as input, minus its real cost. */
  savedUsd: number | null;
  summary: string;
}

function signed(n: number): string {
  return n > 0 ? `+${n.toLocaleString('en-US')}` : n.toLocaleString('en-US');
}

export async function verifyCachePlan(
  engine: Pick<ProfilerEngine, 'run' | 'prices'>,
  template: string | CompiledTemplate,
  plan: CachePlan,
  options: CacheVerifyOptions = {},
): Promise<CacheVerification> {
  const t = typeof template === 'string' ? compileTemplate(template) : template;
  const given = (k: 0 | 1, name: string): string | undefined => {
    const v = options.samples?.[k]?.[name];
    return v === undefined || v === null ? undefined : stringifyValue(v);
  };
  const values1: Record<string, string> = {};
  const values2: Record<string, string> = {};
  for (const name of t.variables) {
    values1[name] = given(0, name) ?? t.defaults[name] ?? `sample ${name}`;
    // Different from the first call right from its first character: only the stable prefix is shared.
    values2[name] = given(1, name) ?? `(2) ${values1[name]}`;
  }
  const calls: CacheVerifyCall[] = [];
  for (const values of [values1, values2]) {
    const prompt = applyCachePlan(t, plan, values);
    prompt.maxOutputTokens = options.maxOutputTokens ?? VERIFY_MAX_OUTPUT_TOKENS;
    const r = (await engine.run(prompt, [plan.modelId], { bypassCache: true, concurrency: 1, signal: options.signal })).results[0];
    calls.push({ ok: r.ok, usage: r.usage, cost: r.cost, error: r.error });
  }
  const reported: CachePrediction = {
    firstCall: { cacheReadTokens: calls[0].usage.cacheReadTokens, cacheWriteTokens: calls[0].usage.cacheWriteTokens },
    repeatCall: { cacheReadTokens: calls[1].usage.cacheReadTokens, cacheWriteTokens: calls[1].usage.cacheWriteTokens },
  };
  const predicted = plan.prediction;
  const readDifference = reported.repeatCall.cacheReadTokens - predicted.repeatCall.cacheReadTokens;
  const writeDifference = reported.firstCall.cacheWriteTokens - predicted.firstCall.cacheWriteTokens;
  const u = calls[1].usage;
  const uncached = engine.prices.cost(plan.modelId, { ...u, cacheReadTokens: 0, cacheWriteTokens: 0, cacheWrite1hTokens: 0 });
  const savedUsd = calls[1].ok && uncached && calls[1].cost ? Math.round((uncached.total - calls[1].cost.total) * 1e12) / 1e12 : null;
  const ok = calls.every((c) => c.ok);
  const n = (x: number) => x.toLocaleString('en-US');
  const failed = calls.find((c) => !c.ok);
  const summary = failed
    ? `The verification call failed: ${failed.error?.kind}: ${failed.error?.message}`
    : (plan.vendor === 'anthropic'
        ? `Call 1 wrote ${n(reported.firstCall.cacheWriteTokens)} tokens to the cache (predicted ${n(predicted.firstCall.cacheWriteTokens)}), call 2 read `
        : `Call 1 read ${n(reported.firstCall.cacheReadTokens)} cached tokens (predicted ${n(predicted.firstCall.cacheReadTokens)}), call 2 read `) +
      `${n(reported.repeatCall.cacheReadTokens)} (predicted ${n(predicted.repeatCall.cacheReadTokens)}): ` +
      `difference ${signed(readDifference)} token${Math.abs(readDifference) === 1 ? '' : 's'}` +
      (plan.counting.estimated ? ' (the prediction was an estimate)' : '') +
      '.';
  return { modelId: plan.modelId, ok, calls, predicted, reported, readDifference, writeDifference, savedUsd, summary };
}
