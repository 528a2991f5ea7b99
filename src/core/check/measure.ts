// `check --run`: real calls of each prompt on its models (through the answer cache), for the
// budgets an estimate cannot see: p95 latency and quality (graded by an LLM judge).
import { judgeAnswers, mean, percentile } from '../analysis';
import type { ProfilerEngine } from '../engine';
import { parsePrompt } from '../prompt';
import type { MeasuredFigures, PromptFigures } from './types';

export interface MeasureOptions {
  repeats?: number;
  /** `provider:model` of the judge; without one there is no quality figure. */
  judgeModel?: string;
  signal?: AbortSignal;
}

export async function measurePrompt(engine: ProfilerEngine, prompt: PromptFigures, options: MeasureOptions = {}): Promise<Map<string, MeasuredFigures>> {
  const parsed = parsePrompt(prompt.text);
  const input = { system: parsed.system, messages: parsed.messages, temperature: parsed.temperature, maxOutputTokens: parsed.maxOutputTokens };
  const models = prompt.models.map((m) => m.modelId);
  const { results } = await engine.run(input, models, { repeats: options.repeats, signal: options.signal });
  const judged = options.judgeModel
    ? await judgeAnswers(engine, input, results, { model: options.judgeModel, reference: parsed.reference }, { signal: options.signal })
    : undefined;
  const out = new Map<string, MeasuredFigures>();
  for (const id of models) {
    const mine = results.filter((r) => r.modelId === id);
    const ok = mine.filter((r) => r.ok);
    // A cached answer's latency is the one measured on the wire when it was first generated.
    const latencies = ok.map((r) => (r.cacheHit && r.original ? r.original.latencyMs : r.latencyMs));
    const costs = ok.map((r) => r.cost?.total ?? null);
    const failed = mine.find((r) => !r.ok)?.error;
    out.set(id, {
      p95LatencyMs: percentile(latencies, 0.95),
      quality: judged ? mean(judged.scores[id] ?? []) : null,
      costPerCall: costs.length && costs.every((c) => c !== null) ? mean(costs as number[]) : null,
      ...(failed && !ok.length ? { error: `${failed.kind}: ${failed.message}` } : {}),
    });
  }
  return out;
}
