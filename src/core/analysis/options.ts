// The options for a profiled prompt, derived from a live run: per model "as is", answer cache at
// hit rate h, provider prompt caching, Batch API; and cascades cheap → strong between models.
// Figures: cost in USD per 1,000 calls, latency percentiles in SECONDS (with n), quality 0–1
// with its source. An option that cannot be costed honestly is kept with `available: false`
// and a reason, never given an invented figure. See docs/DECISIONS-analysis.md.
import type { PriceBook } from '../pricing';
import type { RunResult } from '../run';
import type { Usage } from '../types';
import { formatInt } from '../format';
import type { JudgeReport } from './judge';
import type { ParetoPoint } from './pareto';
import type { PromptCacheMeasurement } from './promptCache';
import type { QualityFigure, QualitySource } from './quality';
import { mean, percentiles, weightedPercentiles, type Percentiles, type WeightedValue } from './stats';

export type OptionKind = 'as-is' | 'answer-cache' | 'prompt-cache' | 'batch' | 'cascade';

export interface LatencyFigure extends Percentiles {
  /** measured: the runs; mixture: runs mixed with answer-cache hits; setting: a configured time; cascade: A, then B when A fails. */
  source: 'measured' | 'mixture' | 'setting' | 'cascade';
  detail: string;
}

export interface DecisionOption {
  /** Stable key: `model`, `model|answer-cache`, `model|prompt-cache`, `model|batch`, `A>B|cascade`. */
  id: string;
  name: string;
  kind: OptionKind;
  /** Models involved (two for a cascade: cheap, strong). */
  models: string[];
  /** False: no honest figure exists; `reason` says why. Never on the frontier. */
  available: boolean;
  reason?: string;
  /** USD per 1,000 calls; null = no price. */
  costPer1k: number | null;
  /** Seconds. */
  latency: LatencyFigure | null;
  quality: QualityFigure | null;
  notes: string[];
}

export interface OptionSettings {
  /** Answer-cache hit rate h, 0–1 (0 = no answer-cache option). */
  answerCacheHitRate: number;
  /** Where h came from. */
  hitRateSource: 'setting' | 'history';
  /** How h was obtained, in words (e.g. "measured in the history: 7 of 20 calls …"); default: the source. */
  hitRateDetail?: string;
  /**
   * Latency of an answer-cache hit, ms. Default: the mean read time of this run's answer-cache
   * hits when there are any, else DEFAULT_CACHE_HIT_LATENCY_MS.
   */
  cacheHitLatencyMs?: number;
  /** Expected Batch API completion time, seconds (the latency of a batch option). */
  batchCompletionS: number;
  /** Expected calls per prompt-cache TTL window: the cache write is amortised over them. */
  callsPerCacheWindow: number;
  /** A cascade accepts the cheap model's answer when its judge score is ≥ this. */
  cascadeThreshold: number;
}

/** A local answer-cache read (memory or disk); used when the run had no hit to measure. */
export const DEFAULT_CACHE_HIT_LATENCY_MS = 5;

export const DEFAULT_OPTION_SETTINGS: Readonly<OptionSettings> = {
  answerCacheHitRate: 0.3,
  hitRateSource: 'setting',
  batchCompletionS: 24 * 3600,
  callsPerCacheWindow: 10,
  cascadeThreshold: 0.7,
};

/** What the runs of one model measured. */
export interface ModelMeasurement {
  modelId: string;
  runs: number;
  ok: number;
  failed: number;
  answerCacheHits: number;
  /** Model latency, seconds: fresh calls, plus a hit's ORIGINAL generation time — never a cache read time. */
  latency: Percentiles | null;
  latencySamplesS: number[];
  /** Time to first token, seconds, same rule. */
  ttft: Percentiles | null;
  /** Mean USD per successful call (real usage); null when no price or no success. */
  costPerCall: number | null;
  /** Read times of this run's answer-cache hits, ms. */
  hitLatenciesMs: number[];
  /** What the calls waited beyond the model, never part of `latency`: for a slot or a cool-down, and for retries. */
  waits: { queuedP95Ms: number | null; retried: number; retryWaitP95Ms: number | null };
  firstError: string | null;
}

export function measureModel(modelId: string, results: readonly RunResult[]): ModelMeasurement {
  const mine = results.filter((r) => r.modelId === modelId);
  const ok = mine.filter((r) => r.ok);
  const latencySamplesS: number[] = [];
  const ttftS: number[] = [];
  for (const r of ok) {
    const t = r.cacheHit ? r.original : { latencyMs: r.latencyMs, ttftMs: r.ttftMs };
    if (!t) continue;
    latencySamplesS.push(t.latencyMs / 1000);
    if (t.ttftMs !== null) ttftS.push(t.ttftMs / 1000);
  }
  const costs = ok.map((r) => r.cost?.total ?? null);
  const failedRun = mine.find((r) => !r.ok);
  return {
    modelId,
    runs: mine.length,
    ok: ok.length,
    failed: mine.length - ok.length,
    answerCacheHits: ok.filter((r) => r.cacheHit).length,
    latency: percentiles(latencySamplesS),
    latencySamplesS,
    ttft: percentiles(ttftS),
    costPerCall: costs.length && costs.every((c) => c !== null) ? mean(costs as number[]) : null,
    hitLatenciesMs: ok.filter((r) => r.cacheHit).map((r) => r.cacheReadMs ?? 0),
    waits: {
      queuedP95Ms: percentiles(mine.map((r) => r.queuedMs))?.p95 ?? null,
      retried: mine.filter((r) => r.attempts > 1).length,
      retryWaitP95Ms: percentiles(mine.filter((r) => r.attempts > 1).map((r) => r.retryWaitMs))?.p95 ?? null,
    },
    firstError: failedRun?.error ? `${failedRun.error.kind}: ${failedRun.error.message}` : null,
  };
}

export interface DeriveInput {
  /** The live run: every model × repeats. */
  results: readonly RunResult[];
  prices: PriceBook;
  /** Resolved quality per model (see resolveQuality); null = unknown (the option is not ranked). */
  quality: Record<string, QualityFigure | null>;
  /** Per-answer judge scores: needed for cascades (the pass rate). */
  judge?: JudgeReport | null;
  /** From measurePromptCaching; absent = no prompt-cache options. */
  promptCache?: Record<string, PromptCacheMeasurement>;
  settings?: Partial<OptionSettings>;
  /** Model order; default: order of first appearance in `results`. */
  models?: readonly string[];
}

/** USD per call → USD per 1,000 calls, rounded to 1e-12 like the ledger. */
const per1k = (usd: number) => Math.round(usd * 1000 * 1e12) / 1e12;

/** Every option for the run, models in order, each model's options together, cascades last. */
export function deriveOptions(input: DeriveInput): DecisionOption[] {
  const settings: OptionSettings = { ...DEFAULT_OPTION_SETTINGS, ...(input.settings ?? {}) };
  const models = input.models ? [...input.models] : [...new Set(input.results.map((r) => r.modelId))];
  const measured = new Map(models.map((m) => [m, measureModel(m, input.results)]));
  const allHits = [...measured.values()].flatMap((m) => m.hitLatenciesMs);
  const hitLatencyMs = settings.cacheHitLatencyMs ?? mean(allHits) ?? DEFAULT_CACHE_HIT_LATENCY_MS;
  const hitLatencySource =
    settings.cacheHitLatencyMs !== undefined ? 'setting' : allHits.length ? `measured, mean of ${allHits.length} hit${allHits.length === 1 ? '' : 's'}` : 'assumed constant';

  const options: DecisionOption[] = [];
  for (const modelId of models) {
    const m = measured.get(modelId)!;
    const quality = input.quality[modelId] ?? null;
    const asIs = asIsOption(m, quality);
    options.push(asIs);
    if (!asIs.available) continue;
    if (settings.answerCacheHitRate > 0) options.push(answerCacheOption(m, asIs, settings, hitLatencyMs, hitLatencySource));
    const pc = input.promptCache?.[modelId];
    if (pc) options.push(promptCacheOption(m, asIs, pc, input, settings));
    options.push(batchOption(m, asIs, input, settings));
  }
  options.push(...cascadeOptions(models, measured, options, input, settings));
  return options;
}

function asIsOption(m: ModelMeasurement, quality: QualityFigure | null): DecisionOption {
  const base = { id: m.modelId, name: m.modelId, kind: 'as-is' as const, models: [m.modelId], quality };
  if (!m.ok) {
    return { ...base, available: false, reason: `no successful run${m.firstError ? ` (${m.firstError})` : ''}`, costPer1k: null, latency: null, notes: [] };
  }
  const notes: string[] = [];
  if (m.failed) notes.push(`${m.failed} of ${m.runs} runs failed and are left out`);
  if (m.answerCacheHits) notes.push(`${m.answerCacheHits} answer-cache hit${m.answerCacheHits === 1 ? '' : 's'}: their original generation time is used, not the read time`);
  if (m.costPerCall === null) notes.push('no price for this model');
  return {
    ...base,
    available: true,
    costPer1k: m.costPerCall === null ? null : per1k(m.costPerCall),
    latency: m.latency && { ...m.latency, source: 'measured', detail: `${m.latency.n} run${m.latency.n === 1 ? '' : 's'}` },
    notes,
  };
}

function answerCacheOption(m: ModelMeasurement, asIs: DecisionOption, s: OptionSettings, hitMs: number, hitSource: string): DecisionOption {
  const h = s.answerCacheHitRate;
  const samples: WeightedValue[] = [
    ...m.latencySamplesS.map((value) => ({ value, weight: (1 - h) / m.latencySamplesS.length })),
    { value: hitMs / 1000, weight: h },
  ];
  const mix = m.latencySamplesS.length ? weightedPercentiles(samples, m.latencySamplesS.length) : null;
  return {
    id: `${m.modelId}|answer-cache`,
    name: `${m.modelId} + answer cache (h=${+h.toFixed(3)})`,
    kind: 'answer-cache',
    models: [m.modelId],
    available: true,
    costPer1k: asIs.costPer1k === null ? null : per1k((asIs.costPer1k / 1000) * (1 - h)),
    latency: mix && { ...mix, source: 'mixture', detail: `${+(h * 100).toFixed(1)} % hits at ${+hitMs.toFixed(1)} ms (${hitSource}), the rest as measured` },
    quality: asIs.quality,
    notes: [`hit rate ${+h.toFixed(3)} ${s.hitRateDetail ?? (s.hitRateSource === 'history' ? 'from the answer-cache history' : 'from settings')}; a hit costs nothing`],
  };
}

/** The prompt-side part of a call's cost (output zeroed). */
function inputSide(prices: PriceBook, modelId: string, u: Usage): number {
  return prices.cost(modelId, { ...u, outputTokens: 0, reasoningTokens: 0 })?.total ?? 0;
}

function promptCacheOption(m: ModelMeasurement, asIs: DecisionOption, pc: PromptCacheMeasurement, input: DeriveInput, s: OptionSettings): DecisionOption {
  const base = { id: `${m.modelId}|prompt-cache`, name: `${m.modelId} + prompt caching`, kind: 'prompt-cache' as const, models: [m.modelId], quality: asIs.quality };
  if (pc.status !== 'measured') {
    return { ...base, available: false, reason: pc.message, costPer1k: null, latency: null, notes: [] };
  }
  if (asIs.costPer1k === null) {
    return { ...base, available: false, reason: 'no price for this model', costPer1k: null, latency: null, notes: [] };
  }
  const okRuns = input.results.filter((r) => r.modelId === m.modelId && r.ok);
  // Output side from the measured runs; prompt side from the probes, write amortised over k calls.
  const outputSide = mean(okRuns.map((r) => (r.cost?.total ?? 0) - inputSide(input.prices, m.modelId, r.usage)))!;
  const read = pc.creditedReadTokens;
  const warm: Usage = { ...pc.warm, cacheReadTokens: read, cacheWriteTokens: 0, cacheWrite1hTokens: 0 };
  const cold: Usage = { ...pc.warm, cacheReadTokens: 0, cacheWriteTokens: read, cacheWrite1hTokens: pc.ttl === '1h' ? read : 0 };
  const k = Math.max(1, s.callsPerCacheWindow);
  const promptSide = (inputSide(input.prices, m.modelId, cold) + (k - 1) * inputSide(input.prices, m.modelId, warm)) / k;
  const notes = [
    `${formatInt(read)} prompt tokens read from the cache on the warm call${pc.readTokens !== read ? ` (${formatInt(pc.readTokens)} read; only the static prefix counts)` : ''}`,
    `cache write amortised over ${k} call${k === 1 ? '' : 's'} per ${pc.ttl} TTL window`,
    `latency as measured without caching (one warm call took ${Math.round(pc.warmLatencyMs)} ms; not a percentile)`,
  ];
  if (pc.split) notes.push('the breakpoint splits the first message at its first {{variable}}');
  return {
    ...base,
    available: true,
    costPer1k: per1k(outputSide + promptSide),
    latency: asIs.latency && { ...asIs.latency, detail: `${asIs.latency.detail}, without caching` },
    notes,
  };
}

function batchOption(m: ModelMeasurement, asIs: DecisionOption, input: DeriveInput, s: OptionSettings): DecisionOption {
  const base = { id: `${m.modelId}|batch`, name: `${m.modelId} via Batch API`, kind: 'batch' as const, models: [m.modelId], quality: asIs.quality };
  const vendor = input.prices.lookup(m.modelId)?.vendor;
  if (vendor !== 'openai' && vendor !== 'anthropic') {
    return { ...base, available: false, reason: 'no known Batch API price for this provider', costPer1k: null, latency: null, notes: [] };
  }
  const okRuns = input.results.filter((r) => r.modelId === m.modelId && r.ok);
  const costs = okRuns.map((r) => input.prices.cost(m.modelId, r.usage, { batch: true })?.total ?? null);
  const cost = costs.every((c) => c !== null) ? mean(costs as number[]) : null;
  const t = s.batchCompletionS;
  return {
    ...base,
    available: true,
    costPer1k: cost === null ? null : per1k(cost),
    latency: { p50: t, p95: t, p99: t, n: 0, source: 'setting', detail: 'expected batch completion time (setting), not measured' },
    notes: ['every bucket at 50 %'],
  };
}

const TRUST: Record<QualitySource, number> = { prior: 0, judge: 1, rating: 2 };

function cascadeOptions(
  models: string[],
  measured: Map<string, ModelMeasurement>,
  options: DecisionOption[],
  input: DeriveInput,
  s: OptionSettings,
): DecisionOption[] {
  const asIs = new Map(options.filter((o) => o.kind === 'as-is' && o.available).map((o) => [o.id, o]));
  const out: DecisionOption[] = [];
  for (const a of models) {
    for (const b of models) {
      const A = asIs.get(a);
      const B = asIs.get(b);
      if (a === b || !A || !B || A.costPer1k === null || B.costPer1k === null || !(A.costPer1k < B.costPer1k)) continue;
      const base = {
        id: `${a}>${b}|cascade`,
        name: `${a} → ${b} (cascade, accept ≥ ${s.cascadeThreshold})`,
        kind: 'cascade' as const,
        models: [a, b],
      };
      const unavailable = (reason: string): DecisionOption => ({ ...base, available: false, reason, costPer1k: null, latency: null, quality: null, notes: [] });
      // Per-answer judge scores of A, joined to A's runs for their latency.
      const runsA = input.results.filter((r) => r.modelId === a && r.ok);
      const judged = (input.judge?.judgements ?? [])
        .filter((j) => j.modelId === a && j.score !== null)
        .map((j) => ({ score: j.score!, run: runsA.find((r) => r.repeat === j.repeat) }))
        .filter((x) => x.run !== undefined);
      if (!judged.length) {
        out.push(unavailable(`the pass rate needs judge scores of ${a}'s answers (configure a judge)`));
        continue;
      }
      const qB = B.quality;
      if (!qB) {
        out.push(unavailable(`no quality figure for ${b}`));
        continue;
      }
      const passed = judged.filter((x) => x.score >= s.cascadeThreshold);
      const pass = passed.length / judged.length;
      const cost = A.costPer1k + (1 - pass) * B.costPer1k;
      const acceptedQuality = passed.length ? mean(passed.map((x) => x.score))! : 0;
      const quality = pass * acceptedQuality + (1 - pass) * qB.value;
      const source: QualitySource = TRUST[qB.source] < TRUST.judge ? qB.source : 'judge';
      const bSamples = measured.get(b)!.latencySamplesS;
      const items: WeightedValue[] = [];
      for (const x of judged) {
        const t = x.run!.cacheHit ? x.run!.original : { latencyMs: x.run!.latencyMs };
        if (!t) continue;
        const aS = t.latencyMs / 1000;
        if (x.score >= s.cascadeThreshold) items.push({ value: aS, weight: 1 / judged.length });
        else for (const bS of bSamples) items.push({ value: aS + bS, weight: 1 / (judged.length * bSamples.length) });
      }
      const lat = weightedPercentiles(items, judged.length);
      out.push({
        ...base,
        available: true,
        costPer1k: per1k(cost / 1000),
        latency: lat && {
          ...lat,
          source: 'cascade',
          detail: `${judged.length} judged run${judged.length === 1 ? '' : 's'} of ${a}; a rejected answer adds one of ${bSamples.length} run${bSamples.length === 1 ? '' : 's'} of ${b}`,
        },
        quality: {
          value: quality,
          source,
          n: judged.length,
          detail: `pass ${passed.length}/${judged.length} × mean accepted judge score + rest × ${b} (${qB.source})`,
        },
        notes: [
          `pass rate ${passed.length}/${judged.length} at judge score ≥ ${s.cascadeThreshold}`,
          'cost = cost(A) + (1 − pass) × cost(B); the gate\'s own judge call is not included (see the judge cost)',
        ],
      });
    }
  }
  return out;
}

/** The rankable options as Pareto points (available, priced, with latency and quality), with their indices. */
export function rankable(options: readonly DecisionOption[]): { points: ParetoPoint[]; indices: number[] } {
  const points: ParetoPoint[] = [];
  const indices: number[] = [];
  options.forEach((o, i) => {
    if (o.available && o.costPer1k !== null && o.latency && o.quality) {
      points.push({ name: o.name, latencyP95: o.latency.p95, costPer1k: o.costPer1k, quality: o.quality.value });
      indices.push(i);
    }
  });
  return { points, indices };
}

/** Why an option is not on the chart, or null when it is rankable. */
export function unrankedReason(o: DecisionOption): string | null {
  if (!o.available) return o.reason ?? 'not available';
  if (o.costPer1k === null) return 'no price';
  if (!o.latency) return 'no measured latency';
  if (!o.quality) return 'no quality figure (no judge, rating or prior)';
  return null;
}
