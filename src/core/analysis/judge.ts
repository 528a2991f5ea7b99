// LLM-as-judge through the engine: every successful answer is graded by the judge model with
// the prompt from `buildJudgePrompt`; the judge's own cost is counted apart from the options'.
import type { ProfilerEngine, PromptInput } from '../engine';
import type { RunResult } from '../run';
import { Semaphore } from '../run';
import { buildJudgePrompt, DEFAULT_RUBRIC, parseJudgeScore, type JudgeSpec } from './quality';

export interface Judgement {
  /** The graded answer's model and repeat. */
  modelId: string;
  repeat: number;
  /** 0–1, or null when the judge failed or its reply had no parseable score. */
  score: number | null;
  /** The judge's reply (or the part received). */
  reply: string;
  /** Why there is no score, if there is none. */
  error: string | null;
  /** USD of this judge call; null = judge model has no price. */
  costUsd: number | null;
  /** The judgement came from the answer cache (nothing spent now). */
  cacheHit: boolean;
}

export interface JudgeReport {
  model: string;
  rubric: string;
  withReference: boolean;
  judgements: Judgement[];
  /** Parsed scores per graded model id. */
  scores: Record<string, number[]>;
  /** Judge calls that failed or gave no parseable score. */
  unscored: number;
  /** USD spent on judging now (answer-cache hits excluded). Null when the judge has no price. Never part of an option's cost. */
  costUsd: number | null;
  /** Mean USD of one judgement (cache hits at their original cost): what grading one more answer costs. */
  costPerJudgementUsd: number | null;
}

export interface JudgeRunOptions {
  /** Judge calls in flight at once (default 4). */
  concurrency?: number;
  signal?: AbortSignal;
}

/**
 * Grades every successful answer in `results` (all repeats) with the judge. `task` is the prompt
 * the answers reply to, or, over a dataset, the prompt of each result's row.
 */
export async function judgeAnswers(
  engine: ProfilerEngine,
  task: PromptInput | ((result: RunResult) => PromptInput),
  results: readonly RunResult[],
  spec: JudgeSpec,
  options: JudgeRunOptions = {},
): Promise<JudgeReport> {
  const gate = new Semaphore(options.concurrency ?? 4);
  const graded = results.filter((r) => r.ok && r.output.trim() !== '');
  const judgements = await Promise.all(
    graded.map(async (r): Promise<Judgement> => {
      let release: (() => void) | undefined;
      try {
        release = await gate.acquire(options.signal);
      } catch {
        return { modelId: r.modelId, repeat: r.repeat, score: null, reply: '', error: 'cancelled', costUsd: null, cacheHit: false };
      }
      try {
        const asked = typeof task === 'function' ? task(r) : task;
        const { results: [j] } = await engine.run(buildJudgePrompt(asked, r.output, spec), [spec.model], { signal: options.signal });
        const score = j.ok ? parseJudgeScore(j.output) : null;
        const error = !j.ok ? `${j.error?.kind}: ${j.error?.message}` : score === null ? 'no parseable SCORE in the reply' : null;
        return { modelId: r.modelId, repeat: r.repeat, score, reply: j.output, error, costUsd: j.cost?.total ?? null, cacheHit: j.cacheHit };
      } finally {
        release();
      }
    }),
  );
  const scores: Record<string, number[]> = {};
  for (const j of judgements) if (j.score !== null) (scores[j.modelId] ??= []).push(j.score);
  const priced = judgements.filter((j) => j.costUsd !== null);
  const hasPrice = engine.prices.lookup(spec.model) !== null;
  const spent = hasPrice ? sum(priced.filter((j) => !j.cacheHit).map((j) => j.costUsd!)) : null;
  return {
    model: spec.model,
    rubric: spec.rubric?.trim() || DEFAULT_RUBRIC,
    withReference: spec.reference !== undefined,
    judgements,
    scores,
    unscored: judgements.filter((j) => j.score === null).length,
    costUsd: spent,
    costPerJudgementUsd: priced.length ? sum(priced.map((j) => j.costUsd!)) / priced.length : null,
  };
}

function sum(xs: number[]): number {
  return Math.round(xs.reduce((s, x) => s + x, 0) * 1e12) / 1e12;
}
