// Builds the panel's Decide data (AnalysisView) from what a run measured: the options, the
// frontier and the recommendation (src/core/analysis), the quality source of every model, the
// judge's own cost, the routing table. No `vscode` here: the panel host feeds it the settings.
//
// The options are re-derived from the stored measurements whenever something cheap changes (a
// rating, a prior, a hit rate, a limit): only the judge and the prompt-cache probes send calls,
// and they run once per run / on request.
import {
  cachingVendor,
  DEFAULT_RUBRIC,
  decide,
  deriveOptions,
  measureModel,
  resolveQuality,
  routingTable,
  routeTask,
  validateRoutingTable,
  type DecisionOption,
  type JudgeReport,
  type OptionSettings,
  type PromptCacheMeasurement,
  type QualityFigure,
  type Requirements,
  type Tier,
} from '../../core/analysis';
import { HIT_RATE_MIN_CALLS, type MeasuredHitRate } from '../../core/history';
import type { PriceBook } from '../../core/pricing';
import type { RunResult } from '../../core/run';
import { parseModelId } from '../../core/types';
import type { AnalysisView, JudgeView, ModelView, ReferenceView, RouteView } from '../../webview/protocol';
import type { DecideConfig } from '../config';

/** What a run measured, kept by the panel to re-derive the options without new calls. */
export interface Measurements {
  runId: number;
  models: string[];
  results: readonly RunResult[];
  prices: PriceBook;
  /** Null: no judge configured (or it has not answered yet). */
  judge: JudgeReport | null;
  /** Provider prompt caching per model; undefined = not measured (yet). */
  promptCache: Record<string, PromptCacheMeasurement> | undefined;
}

export interface ViewStatus {
  status: AnalysisView['status'];
  message: string | null;
  measuringPromptCache: boolean;
}

/** `{ maxLatencyS: undefined }` → `{}`: absent limits are absent keys (what the webview compares). */
export function cleanRequirements(req: Requirements): Requirements {
  const out: Requirements = {};
  if (req.maxLatencyS !== undefined) out.maxLatencyS = req.maxLatencyS;
  if (req.maxCostPer1k !== undefined) out.maxCostPer1k = req.maxCostPer1k;
  if (req.minQuality !== undefined) out.minQuality = req.minQuality;
  return out;
}

/**
 * The option settings: the answer-cache hit rate measured in the call history when the settings
 * ask for it and the history holds enough recent calls (`history`: undefined = not read), else
 * the setting's, with the reason in words.
 */
export function optionSettings(cfg: DecideConfig, history?: MeasuredHitRate): OptionSettings & { hitRateDetail: string } {
  const useHistory = cfg.hitRateSource === 'history' && history?.enough === true;
  let hitRateDetail = 'from settings';
  if (useHistory) {
    hitRateDetail = `measured in the call history: ${history.hits} of ${history.calls} calls since ${history.since.slice(0, 10)} were answer-cache hits`;
  } else if (cfg.hitRateSource === 'history' && history) {
    hitRateDetail = `from settings: the call history holds ${history.calls} call${history.calls === 1 ? '' : 's'} since ${history.since.slice(0, 10)}, fewer than the ${HIT_RATE_MIN_CALLS} needed to measure it`;
  }
  return {
    answerCacheHitRate: useHistory ? history.rate : cfg.answerCacheHitRate,
    hitRateSource: useHistory ? 'history' : 'setting',
    hitRateDetail,
    batchCompletionS: cfg.batchCompletionS,
    callsPerCacheWindow: cfg.callsPerCacheWindow,
    cascadeThreshold: cfg.cascadeThreshold,
  };
}

/** What the user and the workspace add to the measurements. */
export interface ViewInputs {
  /** The user's 1–5 ratings on this prompt, by model. */
  ratings: Record<string, number>;
  /** The answer-cache hit rate in the call history (undefined: not read). */
  history?: MeasuredHitRate;
  /** The judge's reference answer, if any. */
  reference?: ReferenceView | null;
}

export function buildAnalysisView(m: Measurements, cfg: DecideConfig, st: ViewStatus, inputs: ViewInputs): AnalysisView {
  const { ratings, history } = inputs;
  const requirements = cleanRequirements(cfg.requirements);
  const quality: Record<string, QualityFigure | null> = {};
  for (const id of m.models) {
    quality[id] = resolveQuality(id, { judgeScores: m.judge?.scores, judgeModel: m.judge?.model, ratings, priors: cfg.priors });
  }
  const settings = optionSettings(cfg, history);
  let options = deriveOptions({ results: m.results, prices: m.prices, quality, judge: m.judge, promptCache: m.promptCache, settings, models: m.models });
  if (!m.promptCache) options = withPromptCachePlaceholders(options, cfg, st.measuringPromptCache);
  const models: ModelView[] = m.models.map((id) => {
    const mm = measureModel(id, m.results);
    const asIs = options.find((o) => o.id === id && o.kind === 'as-is');
    const scores = m.judge?.scores[id] ?? [];
    const pc = m.promptCache?.[id];
    return {
      modelId: id,
      runs: mm.runs,
      ok: mm.ok,
      failed: mm.failed,
      answerCacheHits: mm.answerCacheHits,
      latency: mm.latency,
      ttft: mm.ttft,
      waits: mm.waits,
      costPer1k: asIs?.costPer1k ?? null,
      quality: quality[id],
      judge: scores.length ? { value: scores.reduce((s, x) => s + x, 0) / scores.length, n: scores.length } : null,
      rating: ratings[id] ?? null,
      promptCache: !pc ? null : pc.status === 'measured' ? `${pc.creditedReadTokens} tokens read from the cache on the warm call` : pc.message,
    };
  });
  const cachingModels = m.models.filter((id) => cachingVendor(id) !== null && m.results.some((r) => r.modelId === id && r.ok));
  return {
    runId: m.runId,
    status: st.status,
    message: st.message,
    options,
    decision: decide(options, requirements),
    requirements,
    models,
    judge: m.judge && judgeView(m.judge),
    reference: inputs.reference ?? null,
    assumptions: {
      answerCacheHitRate: settings.answerCacheHitRate,
      hitRateSource: settings.hitRateSource,
      hitRateDetail: settings.hitRateDetail,
      batchCompletionS: settings.batchCompletionS,
      callsPerCacheWindow: settings.callsPerCacheWindow,
      cascadeThreshold: settings.cascadeThreshold,
      judgeModel: cfg.judgeModel ?? null,
    },
    promptCache: {
      state: st.measuringPromptCache ? 'measuring' : m.promptCache ? 'measured' : cfg.measurePromptCache ? 'idle' : 'off',
      calls: 2 * cachingModels.length,
    },
    routing: routingView(cfg.routing),
  };
}

/**
 * Before the prompt-cache probes ran, each model still gets its "prompt caching" option, listed
 * as not measured (and why), never with an assumed saving.
 */
function withPromptCachePlaceholders(options: DecisionOption[], cfg: DecideConfig, measuring: boolean): DecisionOption[] {
  const out: DecisionOption[] = [];
  for (const o of options) {
    // deriveOptions lists a model's options as is, answer cache, [prompt caching], batch.
    if (o.kind !== 'batch') {
      out.push(o);
      continue;
    }
    const modelId = o.models[0];
    const reason =
      cachingVendor(modelId) === null
        ? `no known provider prompt cache for ${parseModelId(modelId).provider}`
        : measuring
          ? 'being measured (a cold and a warm call)…'
          : cfg.measurePromptCache
            ? 'not measured yet: "Measure prompt caching" sends a cold and a warm call'
            : 'not measured (promptProfiler.decide.measurePromptCache is off)';
    out.push({
      id: `${modelId}|prompt-cache`,
      name: `${modelId} + prompt caching`,
      kind: 'prompt-cache',
      models: [modelId],
      available: false,
      reason,
      costPer1k: null,
      latency: null,
      quality: o.quality,
      notes: [],
    });
    out.push(o);
  }
  return out;
}

function judgeView(j: JudgeReport): JudgeView {
  const failed = j.judgements.find((x) => x.score === null && x.error);
  return {
    model: j.model,
    customRubric: j.rubric !== DEFAULT_RUBRIC,
    withReference: j.withReference,
    scored: j.judgements.length - j.unscored,
    unscored: j.unscored,
    costUsd: j.costUsd,
    costPerJudgementUsd: j.costPerJudgementUsd,
    firstError: failed?.error ?? null,
  };
}

/**
 * promptProfiler.routing is flat: `task → "cheap" | "strong" | "provider:model"`; the keys
 * `cheap` and `strong` name the model of each tier. The built-in table fills the rest.
 */
export function routingView(setting: Record<string, string>): AnalysisView['routing'] {
  const tasks: Record<string, string> = {};
  const tiers: Partial<Record<Tier, string>> = {};
  for (const [k, v] of Object.entries(setting)) {
    const key = k.trim().toLowerCase();
    if (key === 'cheap' || key === 'strong') tiers[key] = v.trim();
    else tasks[key] = v.trim();
  }
  const problems = validateRoutingTable({ tasks, tiers }).map((p) => `promptProfiler.routing: ${p}`);
  const valid = problems.length ? dropInvalid(tasks, tiers) : { tasks, tiers };
  const table = routingTable(valid);
  const routes: RouteView[] = Object.keys(table.tasks).map((task) => {
    const r = routeTask(task, table);
    const tierSet = r.tier !== null && valid.tiers[r.tier] !== undefined;
    return { task, tier: r.tier, modelId: r.modelId, fromSettings: valid.tasks[task] !== undefined || tierSet };
  });
  return { routes, problems };
}

function dropInvalid(tasks: Record<string, string>, tiers: Partial<Record<Tier, string>>) {
  const ok = (v: string) => v === 'cheap' || v === 'strong' || /^[^:\s]+:\S+$/.test(v);
  return {
    tasks: Object.fromEntries(Object.entries(tasks).filter(([, v]) => ok(v))),
    tiers: Object.fromEntries(Object.entries(tiers).filter(([, v]) => v !== undefined && /^[^:\s]+:\S+$/.test(v))) as Partial<Record<Tier, string>>,
  };
}
