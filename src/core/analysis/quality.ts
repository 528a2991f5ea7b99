// Quality, honestly sourced. Every figure says where it came from:
//   'rating' — the user's 1–5 ratings of that model's answers (they override the judge),
//   'judge'  — an LLM-as-judge score 0–1 (mean over the answers it graded),
//   'prior'  — a per-model prior from settings, when neither exists.
// There is no length heuristic: an answer is not better for being longer.
// Pure: the judge prompt is built and parsed here; `judge.ts` sends it through the engine.
import type { PromptInput } from '../engine';

export type QualitySource = 'judge' | 'rating' | 'prior';

export interface QualityFigure {
  /** 0–1. */
  value: number;
  source: QualitySource;
  /** Judge: answers graded; rating: ratings given; prior: 0. */
  n: number;
  /** Human-readable provenance, e.g. `judge openai:gpt-4o (3 answers)`. */
  detail: string;
}

/** A 1–5 rating as a 0–1 quality: (r − 1) / 4, so 1 → 0, 3 → 0.5, 5 → 1. */
export function ratingToQuality(rating: number): number {
  if (!(Number.isFinite(rating) && rating >= 1 && rating <= 5)) throw new RangeError(`A rating is 1–5 (got ${rating}).`);
  return (rating - 1) / 4;
}

export interface QualityInputs {
  /** Judge scores (0–1) per model id, one per graded answer. */
  judgeScores?: Record<string, readonly number[]>;
  /** Judge model id, for the provenance text. */
  judgeModel?: string;
  /** User ratings 1–5 per model id (one or several). */
  ratings?: Record<string, number | readonly number[]>;
  /** Per-model priors 0–1 (settings). */
  priors?: Record<string, number>;
  /** Prior for a model with no entry in `priors`; absent = that model has no quality (unranked). */
  defaultPrior?: number;
}

/** The quality of one model: rating, else judge, else prior, else null (unknown — not ranked). */
export function resolveQuality(modelId: string, inputs: QualityInputs): QualityFigure | null {
  const r = inputs.ratings?.[modelId];
  const ratings = r === undefined ? [] : typeof r === 'number' ? [r] : [...r];
  if (ratings.length) {
    const q = ratings.reduce((s, x) => s + ratingToQuality(x), 0) / ratings.length;
    const meanRating = ratings.reduce((s, x) => s + x, 0) / ratings.length;
    return {
      value: q,
      source: 'rating',
      n: ratings.length,
      detail: `your rating${ratings.length === 1 ? '' : 's'} (${+meanRating.toFixed(2)}/5${ratings.length === 1 ? '' : `, mean of ${ratings.length}`})`,
    };
  }
  const scores = inputs.judgeScores?.[modelId] ?? [];
  if (scores.length) {
    return {
      value: scores.reduce((s, x) => s + x, 0) / scores.length,
      source: 'judge',
      n: scores.length,
      detail: `judge ${inputs.judgeModel ?? ''} (${scores.length} answer${scores.length === 1 ? '' : 's'})`.replace('judge  (', 'judge ('),
    };
  }
  const prior = inputs.priors?.[modelId] ?? inputs.defaultPrior;
  if (prior !== undefined) {
    return {
      value: prior,
      source: 'prior',
      n: 0,
      detail: inputs.priors?.[modelId] !== undefined ? `prior for ${modelId} (settings)` : 'default prior (settings), not a measurement',
    };
  }
  return null;
}

/** Problems with ratings / priors from settings or flags (empty when valid). */
export function validateQualityInputs(inputs: Pick<QualityInputs, 'ratings' | 'priors' | 'defaultPrior'>): string[] {
  const problems: string[] = [];
  for (const [model, r] of Object.entries(inputs.ratings ?? {})) {
    for (const x of typeof r === 'number' ? [r] : r) {
      if (!(Number.isFinite(x) && x >= 1 && x <= 5)) problems.push(`Rating for ${model} must be 1–5 (got ${x}).`);
    }
  }
  const unit = (x: number) => Number.isFinite(x) && x >= 0 && x <= 1;
  for (const [model, p] of Object.entries(inputs.priors ?? {})) {
    if (!unit(p)) problems.push(`Prior for ${model} must be 0–1 (got ${p}).`);
  }
  if (inputs.defaultPrior !== undefined && !unit(inputs.defaultPrior)) problems.push(`The default prior must be 0–1 (got ${inputs.defaultPrior}).`);
  return problems;
}

// ── LLM-as-judge: prompt and parsing ────────────────────────────────────────────────────────

export const DEFAULT_RUBRIC =
  'Correctness first, then completeness and how well the answer follows the instructions of the task. ' +
  'Length is not a merit: a short answer that fully does the task scores as high as a long one.';

export interface JudgeSpec {
  /** `provider:model` of the judge. */
  model: string;
  /** What a good answer is; default DEFAULT_RUBRIC. */
  rubric?: string;
  /** A reference answer the user pinned, compared against when present. */
  reference?: string;
}

/** The prompt the task was run with, as plain text for the judge. */
export function renderTask(prompt: PromptInput): string {
  const parts: string[] = [];
  if (prompt.system) parts.push(`[system]\n${prompt.system}`);
  for (const m of prompt.messages) parts.push(`[${m.role}]\n${m.content}`);
  return parts.join('\n\n');
}

/** The judge's prompt for one answer. It asks for a final line `SCORE: x` with 0 ≤ x ≤ 1. */
export function buildJudgePrompt(task: PromptInput, answer: string, spec: JudgeSpec): PromptInput {
  const system =
    'You are a strict, impartial grader of answers written by AI models. Grade the one answer you are given ' +
    `against the rubric${spec.reference !== undefined ? ' and the reference answer' : ''}. Think briefly, then end your reply ` +
    'with a last line of exactly the form "SCORE: x", where x is a number from 0 (useless) to 1 (perfect).';
  const sections = [
    `## Task given to the model\n<task>\n${renderTask(task)}\n</task>`,
    ...(spec.reference !== undefined ? [`## Reference answer\n<reference>\n${spec.reference}\n</reference>`] : []),
    `## Rubric\n${spec.rubric?.trim() || DEFAULT_RUBRIC}`,
    `## Answer to grade\n<answer>\n${answer}\n</answer>`,
    'Reply with your short reasoning, then the last line "SCORE: x" (0 ≤ x ≤ 1).',
  ];
  return { system, messages: [{ role: 'user', content: sections.join('\n\n') }], temperature: 0, maxOutputTokens: 400 };
}

const NUMBER = String.raw`(-?\d+(?:\.\d+)?|-?\.\d+)`;
/** `score` as a word, up to 8 non-digit characters (`:`, `**`, `=`, `"`, ` of `), a number, then `%` or `/ N`. */
const SCORE_RE = new RegExp(String.raw`\bscore\b[^\d\n.\-]{0,8}${NUMBER}\s*(%|\/\s*(\d+(?:\.\d+)?))?`, 'gi');

/**
 * The judge's score, 0–1, or null when the reply has none. The LAST `score` in the reply wins
 * (the judge may quote the scale before it decides). Accepted forms: `SCORE: 0.8`,
 * `**Score:** .8`, `score = 80%`, `Score: 8/10`, `{"score": 0.8}`, or a reply that is just a
 * number in 0–1. A bare number outside 0–1 (`Score: 8`) is ambiguous and gives null, as does a
 * fraction or percentage outside 0–1.
 */
export function parseJudgeScore(reply: string): number | null {
  const matches = [...reply.matchAll(SCORE_RE)];
  let value: number | null = null;
  if (matches.length) {
    const m = matches[matches.length - 1];
    const x = Number(m[1]);
    if (m[2] === '%') value = x / 100;
    else if (m[3] !== undefined) value = Number(m[3]) > 0 ? x / Number(m[3]) : null;
    else value = x;
  } else {
    const bare = reply.trim();
    if (/^-?(\d+(\.\d+)?|\.\d+)$/.test(bare)) value = Number(bare);
  }
  if (value === null || !Number.isFinite(value) || value < 0 || value > 1) return null;
  return value;
}
