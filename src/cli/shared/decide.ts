// What `run --pareto` (and `pareto`) share: the limits, the --pareto flags, the analysis of a
// live run and how it is printed.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import {
  analyseRun,
  DEFAULT_OPTION_SETTINGS,
  formatSeconds,
  validateRequirements,
  type DecisionOption,
  type JudgeSpec,
  type OptionSettings,
  type Requirements,
  type RunAnalysis,
} from '../../core/analysis';
import type { ProfilerEngine, PromptInput } from '../../core/engine';
import { formatUsd } from '../../core/format';
import type { RunResult } from '../../core/run';
import { parseModelId } from '../../core/types';
import { UsageError, type CliIO } from './io';
import { renderTable } from './table';
import { collect } from './command';

/** --max-latency / --max-cost / --min-quality → Requirements (UsageError when not a number in range). */
export interface LimitOptions {
  maxLatency?: string;
  maxCost?: string;
  minQuality?: string;
}

/** --max-latency / --max-cost / --min-quality, for `pareto` and `run --pareto`. */
export function addLimitOptions(cmd: Command): Command {
  return cmd
    .option('--max-latency <s>', `limit: p95 latency in seconds (run --pareto: default ${INTERACTIVE_LIMIT_S}, an interactive prompt; "none" when latency does not matter)`)
    .option('--max-cost <usd>', 'limit: cost per 1,000 calls in USD')
    .option('--min-quality <q>', 'limit: quality from 0 to 1');
}

export function requirementsFromFlags(values: LimitOptions): Requirements {
  const num = (v: string | undefined, flag: string): number | undefined => {
    if (v === undefined) return undefined;
    const n = v.trim() === '' ? NaN : Number(v);
    if (!Number.isFinite(n)) throw new UsageError(`${flag} takes a number (got "${v}").`);
    return n;
  };
  const req: Requirements = {};
  const maxLatencyS = num(values.maxLatency, '--max-latency');
  const maxCostPer1k = num(values.maxCost, '--max-cost');
  const minQuality = num(values.minQuality, '--min-quality');
  if (maxLatencyS !== undefined) req.maxLatencyS = maxLatencyS;
  if (maxCostPer1k !== undefined) req.maxCostPer1k = maxCostPer1k;
  if (minQuality !== undefined) req.minQuality = minQuality;
  const problems = validateRequirements(req)
    .map((p) => p.replace(/^max latency/, '--max-latency').replace(/^max cost/, '--max-cost').replace(/^min quality/, '--min-quality'));
  if (problems.length) throw new UsageError(problems.join(' '));
  return req;
}

export async function readText(file: string, io: CliIO): Promise<string> {
  if (file === '-') return io.readStdin();
  const full = path.resolve(io.cwd, file);
  if (!fs.existsSync(full)) throw new UsageError(`No such file: ${file}`);
  return fs.readFileSync(full, 'utf8');
}

/** The CLI's default prior: every model the same, so without a judge the frontier is about cost and latency. */
export const CLI_DEFAULT_PRIOR = 0.5;

/** Help for the flags of `run … --pareto` (for USAGE). */
export const RUN_PARETO_HELP = `run --pareto adds the options for this prompt, the Pareto frontier and the selection (JSON:
"options", "frontier" and "selected" as option ids, "reason"; with --judge also "judge"):
  as is          cost per 1k calls from real usage; p50/p95 (n=) from the runs (--repeat),
                 nearest-rank, answer-cache hits never counted as model latency
  answer cache   cost × (1 − h), latency a mixture; h = --hit-rate (default ${DEFAULT_OPTION_SETTINGS.answerCacheHitRate})
  prompt caching cache_control on the static prefix (system prompt + text before the first
                 {{variable}}; OpenAI caches by itself); measured with a cold and a warm call per
                 model (--no-cache-probe skips them); the write amortised over --calls-per-window
                 calls (default ${DEFAULT_OPTION_SETTINGS.callsPerCacheWindow}); a prefix under the model's minimum gives no saving
  Batch API      50 % of every bucket; latency --batch-hours (default ${DEFAULT_OPTION_SETTINGS.batchCompletionS / 3600})
  cascade        cheap → strong, accepting the cheap answer when the judge scores it ≥ --threshold
                 (default ${DEFAULT_OPTION_SETTINGS.cascadeThreshold}); needs --judge
Quality: --judge ID grades every answer 0–1 (--rubric TEXT; --reference FILE, else the prompt
file's front matter \`reference:\`; its cost is shown apart), --rating ID=1..5 overrides the
judge for that model, --prior ID=Q when neither exists (default prior ${CLI_DEFAULT_PRIOR} for every
model). Each figure says its source: judge, rating or prior.
Limits: --max-latency S (p95), --max-cost USD (per 1k calls), --min-quality Q.`;

/** The options `run` adds for --pareto. */
export function addRunParetoOptions(cmd: Command): Command {
  return addLimitOptions(
    cmd
      .option('--pareto', 'add the decision options (as is, answer cache, prompt caching, Batch API, cascades), the frontier and a recommendation')
      .option('--judge <id>', 'grade every answer 0–1 with this model (with --pareto)')
      .option('--rubric <text>', "the judge's rubric")
      .option('--reference <file>', "an answer the judge compares with (default: the prompt file's reference:)")
      .option('--rating <id=1..5>', 'your rating of a model, overrides the judge (repeatable)', collect)
      .option('--prior <id=q>', 'quality prior for a model when neither judge nor rating exists (repeatable)', collect)
      .option('--hit-rate <h>', `answer-cache hit rate (default ${DEFAULT_OPTION_SETTINGS.answerCacheHitRate})`)
      .option('--batch-hours <h>', `Batch API completion time (default ${DEFAULT_OPTION_SETTINGS.batchCompletionS / 3600})`)
      .option('--calls-per-window <n>', `calls per prompt-cache window (default ${DEFAULT_OPTION_SETTINGS.callsPerCacheWindow})`)
      .option('--threshold <q>', `cascade acceptance threshold (default ${DEFAULT_OPTION_SETTINGS.cascadeThreshold})`)
      .option('--no-cache-probe', 'do not measure provider prompt caching with a cold and a warm call'),
  );
}

export interface RunParetoValues extends LimitOptions {
  pareto?: boolean;
  judge?: string;
  rubric?: string;
  reference?: string;
  rating?: string[];
  prior?: string[];
  hitRate?: string;
  batchHours?: string;
  callsPerWindow?: string;
  threshold?: string;
  cacheProbe?: boolean;
}

const PARETO_FLAGS: Record<Exclude<keyof RunParetoValues, 'pareto'>, string> = {
  judge: '--judge', rubric: '--rubric', reference: '--reference', rating: '--rating', prior: '--prior', hitRate: '--hit-rate',
  batchHours: '--batch-hours', callsPerWindow: '--calls-per-window', threshold: '--threshold', cacheProbe: '--no-cache-probe',
  maxLatency: '--max-latency', maxCost: '--max-cost', minQuality: '--min-quality',
};

export interface RunParetoConfig {
  judge?: JudgeSpec;
  ratings: Record<string, number[]>;
  priors: Record<string, number>;
  settings: Partial<OptionSettings>;
  requirements: Requirements;
  measurePromptCache: boolean;
  /** The latency limit is the interactive default, not the user's (said beside the recommendation). */
  interactiveDefault?: boolean;
}

/**
 * A prompt someone waits for: without --max-latency, options slower than this (the Batch API)
 * are shown but not recommended. `--max-latency none` says latency does not matter.
 */
export const INTERACTIVE_LIMIT_S = 60;

/** The options as measured, for the HTML report's chart: no judge, no extra calls, the interactive limit. */
export const REPORT_ONLY_ANALYSIS: RunParetoConfig = {
  ratings: {},
  priors: {},
  settings: {},
  requirements: { maxLatencyS: INTERACTIVE_LIMIT_S },
  measurePromptCache: false,
  interactiveDefault: true,
};

/** Validates the --pareto flags; null without --pareto (and a UsageError if its flags were given alone). */
export function runParetoConfig(values: RunParetoValues, io: CliIO): RunParetoConfig | null {
  if (!values.pareto) {
    const stray = (Object.keys(PARETO_FLAGS) as (keyof typeof PARETO_FLAGS)[]).filter((k) =>
      k === 'cacheProbe' ? values.cacheProbe === false : values[k] !== undefined,
    );
    if (stray.length) throw new UsageError(`${PARETO_FLAGS[stray[0]]} needs --pareto.`);
    return null;
  }
  const unit = (v: string | undefined, flag: string, min = 0, max = 1): number | undefined => {
    if (v === undefined) return undefined;
    const n = v.trim() === '' ? NaN : Number(v);
    if (!Number.isFinite(n) || n < min || n > max) throw new UsageError(`${flag} takes a number from ${min} to ${max} (got "${v}").`);
    return n;
  };
  const pairs = (list: string[] | undefined, flag: string, min: number, max: number) => {
    const out: Record<string, number[]> = {};
    for (const item of list ?? []) {
      const i = item.lastIndexOf('=');
      const id = i > 0 ? item.slice(0, i).trim() : '';
      if (!id.includes(':')) throw new UsageError(`${flag} takes provider:model=value (got "${item}").`);
      (out[id] ??= []).push(unit(item.slice(i + 1), `${flag} ${id}`, min, max)!);
    }
    return out;
  };
  let judge: JudgeSpec | undefined;
  if (values.judge !== undefined) {
    try {
      parseModelId(values.judge);
    } catch (e) {
      throw new UsageError(`--judge: ${(e as Error).message}`);
    }
    let reference: string | undefined;
    if (values.reference !== undefined) {
      const full = path.resolve(io.cwd, values.reference);
      if (!fs.existsSync(full)) throw new UsageError(`No such file: ${values.reference}`);
      reference = fs.readFileSync(full, 'utf8');
    }
    judge = { model: values.judge, rubric: values.rubric, reference };
  } else if (values.rubric !== undefined || values.reference !== undefined) {
    throw new UsageError(`--${values.rubric !== undefined ? 'rubric' : 'reference'} needs --judge.`);
  }
  const priors = Object.fromEntries(Object.entries(pairs(values.prior, '--prior', 0, 1)).map(([k, v]) => [k, v[v.length - 1]]));
  const settings: Partial<OptionSettings> = {};
  const h = unit(values.hitRate, '--hit-rate', 0, 0.999);
  if (h !== undefined) settings.answerCacheHitRate = h;
  const hours = unit(values.batchHours, '--batch-hours', 0.001, 24 * 365);
  if (hours !== undefined) settings.batchCompletionS = hours * 3600;
  const calls = unit(values.callsPerWindow, '--calls-per-window', 1, 1e9);
  if (calls !== undefined) settings.callsPerCacheWindow = calls;
  const threshold = unit(values.threshold, '--threshold', 0, 1);
  if (threshold !== undefined) settings.cascadeThreshold = threshold;
  const latencyMatters = values.maxLatency?.trim().toLowerCase() !== 'none';
  const requirements = requirementsFromFlags({ ...values, maxLatency: latencyMatters ? values.maxLatency : undefined });
  const interactiveDefault = latencyMatters && requirements.maxLatencyS === undefined;
  if (interactiveDefault) requirements.maxLatencyS = INTERACTIVE_LIMIT_S;
  return {
    judge,
    ratings: pairs(values.rating, '--rating', 1, 5),
    priors,
    settings,
    requirements,
    measurePromptCache: values.cacheProbe !== false,
    interactiveDefault,
  };
}

/** An io whose standard input can be read twice (the prompt, then its template for the static prefix). */
export function rereadableStdin(io: CliIO): CliIO {
  let text: Promise<string> | undefined;
  return { ...io, readStdin: () => (text ??= io.readStdin()) };
}

/** The analysis for `run --pareto`, from the live run. */
export async function analyseForRun(
  engine: ProfilerEngine,
  prompt: PromptInput,
  results: readonly RunResult[],
  models: readonly string[],
  file: string,
  io: CliIO,
  config: RunParetoConfig,
  dataset?: { templateText: string; taskOf?: (result: RunResult) => PromptInput },
): Promise<RunAnalysis> {
  const answered = results.filter((r) => r.ok && r.output.trim() !== '').length;
  if (config.judge) io.stderr(`Judging ${answered} answer${answered === 1 ? '' : 's'} with ${config.judge.model}…\n`);
  if (config.measurePromptCache) io.stderr('Measuring provider prompt caching (a cold and a warm call per model)…\n');
  return analyseRun({
    engine,
    prompt,
    results,
    models,
    templateText: dataset?.templateText ?? (await readText(file, io)),
    taskOf: dataset?.taskOf,
    judge: config.judge,
    ratings: config.ratings,
    priors: config.priors,
    defaultPrior: CLI_DEFAULT_PRIOR,
    settings: config.settings,
    requirements: config.requirements,
    measurePromptCache: config.measurePromptCache,
    signal: io.signal,
  });
}

/** The keys `run --pareto --json` adds. */
export function paretoRunJson(a: RunAnalysis, config?: RunParetoConfig) {
  return {
    options: a.options,
    frontier: a.decision.frontier,
    selected: a.decision.selected,
    reason: a.decision.reason,
    requirements: a.decision.requirements,
    interactiveDefault: config?.interactiveDefault ?? false,
    ...(a.judge
      ? {
          judge: {
            model: a.judge.model,
            costUsd: a.judge.costUsd,
            costPerJudgementUsd: a.judge.costPerJudgementUsd,
            judgements: a.judge.judgements.length,
            unscored: a.judge.unscored,
            withReference: a.judge.withReference,
          },
        }
      : {}),
  };
}

/** The table section `run --pareto` prints after the results. */
export function renderParetoSection(a: RunAnalysis, config?: RunParetoConfig): string {
  const frontier = new Set(a.decision.frontier);
  const pct = (o: DecisionOption, p: 'p50' | 'p95') =>
    o.latency ? `${formatSeconds(o.latency[p])}${o.latency.source === 'setting' ? ' (setting)' : ` (n=${o.latency.n})`}` : '—';
  const lines = [
    '── Options (--pareto) ──',
    renderTable(
      ['option', 'cost/1k', 'p50', 'p95', 'quality', 'frontier', 'note'],
      a.options.map((o) => [
        o.name,
        o.available ? formatUsd(o.costPer1k) : '—',
        o.available ? pct(o, 'p50') : '—',
        o.available ? pct(o, 'p95') : '—',
        o.quality ? `${o.quality.value.toFixed(2)} (${o.quality.source})` : '—',
        frontier.has(o.id) ? '★' : '',
        o.available ? (o.id === a.decision.selected ? '← selected' : '') : o.reason ?? '',
      ]),
      [1, 2, 3],
    ),
    '',
    a.decision.selected !== null ? `Selected: ${a.decision.reason}` : a.decision.reason,
  ];
  if (config?.interactiveDefault) {
    lines.push(
      `Latency limit: ${INTERACTIVE_LIMIT_S} s by default, for a prompt someone waits for: slower options (the Batch API) are shown, not recommended; --max-latency none when latency does not matter.`,
    );
  }
  if (a.judge) {
    lines.push(
      `Judge ${a.judge.model}: ${formatUsd(a.judge.costUsd)} for ${a.judge.judgements.length} judgement${a.judge.judgements.length === 1 ? '' : 's'}` +
        `${a.judge.unscored ? ` (${a.judge.unscored} without a score)` : ''}, not included in the options' costs.`,
    );
  }
  if (a.cheapestMeetingBar) lines.push(`Routing: ${a.cheapestMeetingBar.reason}`);
  return lines.join('\n');
}
