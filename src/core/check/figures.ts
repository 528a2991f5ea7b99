// Each prompt's figures per model, offline: input tokens (exact where the tokenizer is), cost
// per call at the expected output, and cost per month at its traffic.
import type { ProfilerEngine } from '../engine';
import { parsePrompt } from '../prompt';
import { discoverPromptFiles, globMatcher, isMarkdown, promptsOfFile } from './discover';
import type { CheckSettings, FoundPrompt, ModelFigures, PromptFigures, PromptTree } from './types';

export const DAYS_PER_MONTH = 30;

export type Estimator = Pick<ProfilerEngine, 'estimate'>;

/** How specific a glob is: its literal characters (`prompts/support/**` beats `**`). */
function specificity(glob: string): number {
  return glob.replace(/[*?[\]{}()!+@]/g, '').length;
}

/** The value of the most specific glob matching `file` (the first listed wins a tie). */
export function mostSpecific(byGlob: Record<string, number> | undefined, file: string): { glob: string; value: number } | undefined {
  let best: { glob: string; value: number } | undefined;
  for (const [glob, value] of Object.entries(byGlob ?? {})) {
    if (!globMatcher(glob)(file)) continue;
    if (!best || specificity(glob) > specificity(best.glob)) best = { glob, value };
  }
  return best;
}

/** The prompts of a tree with their figures (files in `only` or everywhere the globs reach). */
export async function checkTree(tree: PromptTree, settings: CheckSettings, engine: Estimator, only: string[] = []): Promise<PromptFigures[]> {
  const files = await discoverPromptFiles(tree, settings.prompts, only);
  const out: PromptFigures[] = [];
  for (const file of files) {
    const text = await tree.readFile(file);
    if (text === undefined) continue;
    out.push(...(await figuresOfFile(file, text, settings, engine)));
  }
  return out;
}

/** The figures of every prompt of one file's text; `found`: its prompts, when the caller has them already. */
export async function figuresOfFile(file: string, text: string, settings: CheckSettings, engine: Estimator, found = promptsOfFile(file, text)): Promise<PromptFigures[]> {
  // A Markdown file's own front matter (calls_per_day:) covers its blocks.
  const fileMeta = isMarkdown(file) ? parsePrompt(text) : undefined;
  return Promise.all(found.map((p) => figuresOfPrompt(p, settings, engine, fileMeta?.callsPerDay)));
}

async function figuresOfPrompt(prompt: FoundPrompt, settings: CheckSettings, engine: Estimator, fileCallsPerDay?: number): Promise<PromptFigures> {
  const parsed = parsePrompt(prompt.text);
  const models = parsed.models.length ? parsed.models : settings.models;
  const expected = settings.expectedOutputTokens;
  const outputTokens =
    parsed.expectedOutputTokens ??
    (typeof expected === 'number' ? expected : mostSpecific(expected, prompt.file)?.value) ??
    parsed.maxOutputTokens ??
    settings.maxOutputTokens;
  const { callsPerDay, trafficSource } = trafficOf(prompt.file, parsed.callsPerDay ?? fileCallsPerDay, settings);
  const estimates = await engine.estimate({ system: parsed.system, messages: parsed.messages }, models, outputTokens, false);
  return {
    ...prompt,
    callsPerDay,
    trafficSource,
    models: estimates.map(
      (e): ModelFigures => ({
        modelId: e.modelId,
        inputTokens: e.inputTokens,
        estimated: e.estimated,
        method: e.method,
        outputTokens,
        costPerCall: e.costAtMaxOutput,
        monthlyCost: monthly(e.costAtMaxOutput, callsPerDay),
        priceSource: e.priceSource,
      }),
    ),
  };
}

export function monthly(costPerCall: number | null, callsPerDay: number | undefined): number | null {
  return costPerCall === null || callsPerDay === undefined ? null : costPerCall * callsPerDay * DAYS_PER_MONTH;
}

/** `calls_per_day:` in the front matter, else the most specific `traffic` glob, else the default. */
export function trafficOf(file: string, frontMatter: number | undefined, settings: CheckSettings): { callsPerDay: number | undefined; trafficSource: string | undefined } {
  if (frontMatter !== undefined) return { callsPerDay: frontMatter, trafficSource: 'calls_per_day:' };
  const hit = mostSpecific(settings.traffic, file);
  if (hit) return { callsPerDay: hit.value, trafficSource: `traffic "${hit.glob}"` };
  if (settings.defaultCallsPerDay !== undefined) return { callsPerDay: settings.defaultCallsPerDay, trafficSource: 'setting' };
  return { callsPerDay: undefined, trafficSource: undefined };
}
