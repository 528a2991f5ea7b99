// The shapes of a prompt cost check: what it reads (a tree of files, the settings), what it
// finds (prompts with their figures per model), how they changed, and which budgets they break.

/**
 * A tree of files at one revision: the working copy, `git show REF:path`, the editor's workspace.
 * Each shell reads files its own way; the check only sees paths relative to the project root,
 * with `/` separators.
 */
export interface PromptTree {
  /**
   * The files of the tree that may match `patterns` (globs): a superset is fine, the check
   * filters. Must include `.gitignore` files when the tree has ignored files in it.
   */
  listFiles(patterns: string[]): Promise<string[]>;
  /** The file's text; undefined when the file is not in this tree. */
  readFile(path: string): Promise<string | undefined>;
}

/** One budget of `prompt-profiler.json`; every budget whose `match` covers a prompt applies. */
export interface Budget {
  match: string;
  maxInputTokens?: number;
  maxCostPerCall?: number;
  maxMonthlyCost?: number;
  maxIncreasePercent?: number;
  maxP95LatencyMs?: number;
  minQuality?: number;
}

export type BudgetLimit = Exclude<keyof Budget, 'match'>;

export interface CheckSettings {
  /** Models of a prompt that names none in its front matter. */
  models: string[];
  /** Globs of the prompt files; default DEFAULT_PROMPT_GLOBS. */
  prompts?: string[];
  /** Output tokens per call: one figure, or by glob (the most specific match wins). */
  expectedOutputTokens?: number | Record<string, number>;
  /** Output tokens per call when neither the prompt nor `expectedOutputTokens` says (its max tokens). */
  maxOutputTokens: number;
  /** Calls per day by glob (the most specific match wins). */
  traffic?: Record<string, number>;
  /** Calls per day of a prompt no `traffic` glob or `calls_per_day:` covers (the editor's setting). */
  defaultCallsPerDay?: number;
  budgets?: Budget[];
}

/** A prompt found in a file: the whole file, or one ```prompt block of a Markdown file. */
export interface FoundPrompt {
  /** Stable across revisions: the file and the prompt's ordinal in it. */
  key: string;
  /** `path`, or `path:line` for a Markdown block (line of its opening fence, 1-based). */
  name: string;
  file: string;
  /** 1-based line of the prompt's first line in the file. */
  line: number;
  /** 0-based line range in the file, end exclusive (for editors). */
  startLine: number;
  endLine: number;
  text: string;
}

export interface ModelFigures {
  modelId: string;
  inputTokens: number;
  /** True when the count is an estimate (no exact tokenizer offline). */
  estimated: boolean;
  method: string;
  outputTokens: number;
  /** USD per call at `outputTokens` of output; null = no price. */
  costPerCall: number | null;
  /** USD per 30 days at `callsPerDay`; null = no price or no traffic. */
  monthlyCost: number | null;
  priceSource: string | null;
  /** With --run: measured over the run's calls. */
  measured?: MeasuredFigures;
}

export interface MeasuredFigures {
  p95LatencyMs: number | null;
  /** 0–1; null = not graded. */
  quality: number | null;
  /** USD per call measured; null = no price or failed. */
  costPerCall: number | null;
  error?: string;
}

export interface PromptFigures extends FoundPrompt {
  /** Calls per day and where the figure comes from (`calls_per_day:`, a traffic glob, the setting). */
  callsPerDay: number | undefined;
  trafficSource: string | undefined;
  models: ModelFigures[];
}

export type ChangeStatus = 'new' | 'deleted' | 'changed' | 'unchanged';

export interface ModelChange {
  modelId: string;
  status: ChangeStatus;
  current?: ModelFigures;
  base?: ModelFigures;
  deltaTokens: number;
  /** null when either side has no price. */
  deltaCostPerCall: number | null;
  deltaMonthly: number | null;
  /** Change of the cost per call in % of the base (of the input tokens when unpriced); null for a new or deleted prompt or a zero base. */
  percent: number | null;
}

export interface PromptChange {
  key: string;
  name: string;
  file: string;
  status: ChangeStatus;
  current?: PromptFigures;
  base?: PromptFigures;
  models: ModelChange[];
}

export interface Breach {
  /** The prompt's name (`path` or `path:line`). */
  prompt: string;
  file: string;
  line: number;
  modelId: string;
  limit: BudgetLimit;
  limitValue: number;
  /** The figure that broke the limit; null when it could not be computed (no price, no traffic). */
  figure: number | null;
  /** The budget's `match`. */
  match: string;
  /** One line naming the prompt, the model, the limit and the figure. */
  message: string;
}

export interface CheckResult {
  prompts: PromptFigures[];
  /** With a base: every prompt of either side with its change. */
  changes?: PromptChange[];
  base?: string;
  breaches: Breach[];
}
