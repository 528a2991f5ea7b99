// prompt-profiler pareto: the Pareto frontier of a set of options and the one to pick under the
// limits. Input: a JSON file [{"name","latencyP95","costPer1k","quality"}] (seconds, USD per
// 1,000 calls, 0–1). Exit 0 when an option was selected (or no limit was given), 1 when nothing
// meets the limits, 2 for bad usage or a bad file.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import {
  analyseRun,
  costPerQualityPoint,
  DEFAULT_OPTION_SETTINGS,
  formatSeconds,
  paretoFrontier,
  recommend,
  validateRequirements,
  type DecisionOption,
  type JudgeSpec,
  type OptionSettings,
  type ParetoPoint,
  type Requirements,
  type RunAnalysis,
} from '../../core/analysis';
import type { ProfilerEngine, PromptInput } from '../../core/engine';
import { formatUsd } from '../../core/format';
import type { RunResult } from '../../core/run';
import { parseModelId } from '../../core/types';
import { UsageError } from '../config';
import type { CliIO } from '../main';
import { renderTable } from '../table';

export const PARETO_USAGE = 'prompt-profiler pareto <options.json|-> [--max-latency S] [--max-cost USD] [--min-quality Q] [--json]';

export async function paretoCommand(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      'max-latency': { type: 'string' },
      'max-cost': { type: 'string' },
      'min-quality': { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  const file = positionals[0];
  if (!file) throw new UsageError('Missing the options file (a JSON array of {"name","latencyP95","costPer1k","quality"}; - for standard input).');
  if (positionals.length > 1) throw new UsageError(`One options file only (got ${positionals.length}).`);
  const requirements = requirementsFromFlags(values);
  const points = parseOptionsFile(await readText(file, io), file);

  const frontier = paretoFrontier(points);
  const rec = recommend(points, requirements);
  if (values.json) {
    io.stdout(
      JSON.stringify({ frontier: frontier.map((i) => points[i].name), selected: rec.selectedName, reason: rec.reason }, null, 2) + '\n',
    );
  } else {
    const onFrontier = new Set(frontier);
    const feasible = new Set(rec.feasible);
    const hasLimits = Object.keys(requirements).length > 0;
    io.stdout(
      renderTable(
        ['option', 'p95', 'cost/1k', 'quality', '$/1k per quality', 'frontier', ...(hasLimits ? ['meets limits'] : []), 'selected'],
        points.map((p, i) => [
          p.name,
          formatSeconds(p.latencyP95),
          formatUsd(p.costPer1k),
          p.quality.toFixed(2),
          Number.isFinite(costPerQualityPoint(p)) ? formatUsd(costPerQualityPoint(p)) : '—',
          onFrontier.has(i) ? '★' : '',
          ...(hasLimits ? [feasible.has(i) ? 'yes' : 'no'] : []),
          rec.selected === i ? '←' : '',
        ]),
        [1, 2, 3, 4],
      ) + '\n',
    );
    io.stdout(`\nPareto frontier (${frontier.length} of ${points.length}): ${frontier.map((i) => points[i].name).join('; ')}\n`);
    io.stdout(`${rec.selectedName !== null ? `Selected: ${rec.reason}` : rec.reason}\n`);
  }
  return rec.selected === null && points.length > 0 && Object.keys(requirements).length > 0 ? 1 : 0;
}

/** --max-latency / --max-cost / --min-quality → Requirements (UsageError when not a number in range). */
export function requirementsFromFlags(values: { 'max-latency'?: string; 'max-cost'?: string; 'min-quality'?: string }): Requirements {
  const num = (v: string | undefined, flag: string): number | undefined => {
    if (v === undefined) return undefined;
    const n = v.trim() === '' ? NaN : Number(v);
    if (!Number.isFinite(n)) throw new UsageError(`${flag} takes a number (got "${v}").`);
    return n;
  };
  const req: Requirements = {};
  const maxLatencyS = num(values['max-latency'], '--max-latency');
  const maxCostPer1k = num(values['max-cost'], '--max-cost');
  const minQuality = num(values['min-quality'], '--min-quality');
  if (maxLatencyS !== undefined) req.maxLatencyS = maxLatencyS;
  if (maxCostPer1k !== undefined) req.maxCostPer1k = maxCostPer1k;
  if (minQuality !== undefined) req.minQuality = minQuality;
  const problems = validateRequirements(req)
    .map((p) => p.replace(/^max latency/, '--max-latency').replace(/^max cost/, '--max-cost').replace(/^min quality/, '--min-quality'));
  if (problems.length) throw new UsageError(problems.join(' '));
  return req;
}

async function readText(file: string, io: CliIO): Promise<string> {
  if (file === '-') return io.readStdin();
  const full = path.resolve(io.cwd, file);
  if (!fs.existsSync(full)) throw new UsageError(`No such file: ${file}`);
  return fs.readFileSync(full, 'utf8');
}

/** Validates the options file; every problem is a UsageError naming the entry. */
export function parseOptionsFile(text: string, file: string): ParetoPoint[] {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${file}: not valid JSON (${(e as Error).message}).`);
  }
  if (!Array.isArray(raw)) throw new UsageError(`${file}: must be a JSON array of {"name","latencyP95","costPer1k","quality"}.`);
  const problems: string[] = [];
  const names = new Set<string>();
  const points: ParetoPoint[] = [];
  raw.forEach((entry: unknown, i) => {
    const where = `${file}[${i}]`;
    if (!entry || typeof entry !== 'object' || Array.isArray(entry)) {
      problems.push(`${where} must be an object.`);
      return;
    }
    const e = entry as Record<string, unknown>;
    const name = typeof e.name === 'string' ? e.name.trim() : '';
    if (!name) problems.push(`${where}: "name" must be a non-empty string.`);
    else if (names.has(name)) problems.push(`${where}: the name "${name}" is used twice.`);
    names.add(name);
    const n = (key: string, ok: (x: number) => boolean, what: string) => {
      const v = e[key];
      if (typeof v !== 'number' || !Number.isFinite(v) || !ok(v)) {
        problems.push(`${where}${name ? ` (${name})` : ''}: "${key}" must be ${what} (got ${JSON.stringify(v)}).`);
        return NaN;
      }
      return v;
    };
    const latencyP95 = n('latencyP95', (x) => x >= 0, 'a number of seconds ≥ 0');
    const costPer1k = n('costPer1k', (x) => x >= 0, 'a number of USD ≥ 0');
    const quality = n('quality', (x) => x >= 0 && x <= 1, 'a number from 0 to 1');
    points.push({ name, latencyP95, costPer1k, quality });
  });
  if (problems.length) throw new UsageError(problems.join('\n'));
  return points;
}

// ── run … --pareto ──────────────────────────────────────────────────────────────────────────

export const RUN_PARETO_USAGE =
  '[--pareto [--judge ID] [--rubric TEXT] [--reference FILE] [--rating ID=1..5]... [--prior ID=Q]... ' +
  '[--hit-rate H] [--batch-hours H] [--calls-per-window N] [--threshold Q] [--no-cache-probe] ' +
  '[--max-latency S] [--max-cost USD] [--min-quality Q]]';

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

/** parseArgs options `run` adds for --pareto. */
export const RUN_PARETO_OPTIONS = {
  pareto: { type: 'boolean', default: false },
  judge: { type: 'string' },
  rubric: { type: 'string' },
  reference: { type: 'string' },
  rating: { type: 'string', multiple: true },
  prior: { type: 'string', multiple: true },
  'hit-rate': { type: 'string' },
  'batch-hours': { type: 'string' },
  'calls-per-window': { type: 'string' },
  threshold: { type: 'string' },
  'no-cache-probe': { type: 'boolean', default: false },
  'max-latency': { type: 'string' },
  'max-cost': { type: 'string' },
  'min-quality': { type: 'string' },
} as const;

export interface RunParetoConfig {
  judge?: JudgeSpec;
  ratings: Record<string, number[]>;
  priors: Record<string, number>;
  settings: Partial<OptionSettings>;
  requirements: Requirements;
  measurePromptCache: boolean;
}

type RunParetoValues = {
  [K in keyof typeof RUN_PARETO_OPTIONS]?: (typeof RUN_PARETO_OPTIONS)[K] extends { multiple: true } ? string[] : (typeof RUN_PARETO_OPTIONS)[K] extends { type: 'boolean' } ? boolean : string;
};

/** Validates the --pareto flags; null without --pareto (and a UsageError if its flags were given alone). */
export function runParetoConfig(values: RunParetoValues, io: CliIO): RunParetoConfig | null {
  if (!values.pareto) {
    const stray = (Object.keys(RUN_PARETO_OPTIONS) as (keyof typeof RUN_PARETO_OPTIONS)[]).filter(
      (k) => k !== 'pareto' && values[k] !== undefined && values[k] !== false,
    );
    if (stray.length) throw new UsageError(`--${stray[0]} needs --pareto.`);
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
  const h = unit(values['hit-rate'], '--hit-rate', 0, 0.999);
  if (h !== undefined) settings.answerCacheHitRate = h;
  const hours = unit(values['batch-hours'], '--batch-hours', 0.001, 24 * 365);
  if (hours !== undefined) settings.batchCompletionS = hours * 3600;
  const calls = unit(values['calls-per-window'], '--calls-per-window', 1, 1e9);
  if (calls !== undefined) settings.callsPerCacheWindow = calls;
  const threshold = unit(values.threshold, '--threshold', 0, 1);
  if (threshold !== undefined) settings.cascadeThreshold = threshold;
  return {
    judge,
    ratings: pairs(values.rating, '--rating', 1, 5),
    priors,
    settings,
    requirements: requirementsFromFlags(values),
    measurePromptCache: !values['no-cache-probe'],
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
  dataset?: { templateText: string; taskOf: (result: RunResult) => PromptInput },
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
export function paretoRunJson(a: RunAnalysis) {
  return {
    options: a.options,
    frontier: a.decision.frontier,
    selected: a.decision.selected,
    reason: a.decision.reason,
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
export function renderParetoSection(a: RunAnalysis): string {
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
  if (a.judge) {
    lines.push(
      `Judge ${a.judge.model}: ${formatUsd(a.judge.costUsd)} for ${a.judge.judgements.length} judgement${a.judge.judgements.length === 1 ? '' : 's'}` +
        `${a.judge.unscored ? ` (${a.judge.unscored} without a score)` : ''}, not included in the options' costs.`,
    );
  }
  if (a.cheapestMeetingBar) lines.push(`Routing: ${a.cheapestMeetingBar.reason}`);
  return lines.join('\n');
}
