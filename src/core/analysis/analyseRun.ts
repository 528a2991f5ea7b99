// One call for the shells: after a live run, measure what is left to measure (judge scores,
// provider prompt caching), derive the options and decide. The result is plain data: the panel
// can redraw it and call `decide(options, newLimits)` again when a limit changes.
import type { ProfilerEngine, PromptInput } from '../engine';
import type { RunResult } from '../run';
import { decide, type Decision } from './decide';
import { judgeAnswers, type JudgeReport } from './judge';
import { deriveOptions, measureModel, type DecisionOption, type ModelMeasurement, type OptionSettings } from './options';
import type { Requirements } from './pareto';
import { findStaticPrefix, wholePromptStatic, type StaticPrefix } from './prefix';
import { measurePromptCaching, type PromptCacheMeasurement } from './promptCache';
import { resolveQuality, type JudgeSpec, type QualityFigure, type QualityInputs } from './quality';
import { cheapestMeetingBar, type BarResult } from './routing';

export interface AnalyseRunInput {
  engine: ProfilerEngine;
  /** The prompt as run (variables filled); over a dataset, the first row's (for the prompt-cache probes). */
  prompt: PromptInput;
  /** Over a dataset: the prompt of each result's row, for the judge (default: `prompt`). */
  taskOf?: (result: RunResult) => PromptInput;
  /** The live run's results (all models × repeats). */
  results: readonly RunResult[];
  /** Model order; default: order of first appearance in `results`. */
  models?: readonly string[];
  /** The prompt file's text, to find the static prefix; absent = the whole prompt is static. */
  templateText?: string;
  /** Judge configuration; absent = no judge (quality from ratings or priors, no cascades). */
  judge?: JudgeSpec;
  ratings?: QualityInputs['ratings'];
  priors?: QualityInputs['priors'];
  defaultPrior?: number;
  settings?: Partial<OptionSettings>;
  requirements?: Requirements;
  /** Send the 2 extra calls per model that measure provider prompt caching (default true). */
  measurePromptCache?: boolean;
  signal?: AbortSignal;
}

export interface RunAnalysis {
  options: DecisionOption[];
  decision: Decision;
  /** Per-model measurements behind the options. */
  models: ModelMeasurement[];
  quality: Record<string, QualityFigure | null>;
  /** The judge's scores and its own cost (never inside an option's cost); null without a judge. */
  judge: JudgeReport | null;
  promptCache: Record<string, PromptCacheMeasurement>;
  staticPrefix: StaticPrefix;
  /** "The cheapest model that met your quality bar on this prompt" (with requirements.minQuality). */
  cheapestMeetingBar: BarResult | null;
}

export async function analyseRun(input: AnalyseRunInput): Promise<RunAnalysis> {
  const models = input.models ? [...input.models] : [...new Set(input.results.map((r) => r.modelId))];
  const staticPrefix = input.templateText !== undefined ? findStaticPrefix(input.templateText) : wholePromptStatic(input.prompt);
  const [judge, promptCache] = await Promise.all([
    input.judge ? judgeAnswers(input.engine, input.taskOf ?? input.prompt, input.results, input.judge, { signal: input.signal }) : Promise.resolve(null),
    input.measurePromptCache === false
      ? Promise.resolve({} as Record<string, PromptCacheMeasurement>)
      : measurePromptCaching(input.engine, input.prompt, models.filter((m) => input.results.some((r) => r.modelId === m && r.ok)), staticPrefix, { signal: input.signal }),
  ]);
  const quality: Record<string, QualityFigure | null> = {};
  for (const m of models) {
    quality[m] = resolveQuality(m, {
      judgeScores: judge?.scores,
      judgeModel: judge?.model,
      ratings: input.ratings,
      priors: input.priors,
      defaultPrior: input.defaultPrior,
    });
  }
  const options = deriveOptions({
    results: input.results,
    prices: input.engine.prices,
    quality,
    judge,
    promptCache: input.measurePromptCache === false ? undefined : promptCache,
    settings: input.settings,
    models,
  });
  const requirements = input.requirements ?? {};
  const asIs = options.filter((o) => o.kind === 'as-is');
  return {
    options,
    decision: decide(options, requirements),
    models: models.map((m) => measureModel(m, input.results)),
    quality,
    judge,
    promptCache,
    staticPrefix,
    cheapestMeetingBar:
      requirements.minQuality !== undefined
        ? cheapestMeetingBar(
            asIs.map((o) => ({ modelId: o.id, costPer1k: o.available ? o.costPer1k : null, quality: o.quality })),
            requirements.minQuality,
          )
        : null,
  };
}
