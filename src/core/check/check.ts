// The check itself: the prompts of a tree with their figures, their changes against a base tree,
// and the budgets they break. The shells only say how to read files (and, with --run, measure).
import { checkBudgets, changeKey } from './budgets';
import { comparePrompts } from './compare';
import { checkTree, type Estimator } from './figures';
import type { Breach, Budget, CheckResult, CheckSettings, MeasuredFigures, PromptChange, PromptFigures, PromptTree } from './types';

export interface CheckOptions {
  tree: PromptTree;
  settings: CheckSettings;
  engine: Estimator;
  /** Paths (files or folders) to narrow the check to. */
  only?: string[];
  /** The tree at the base revision, and its name (`origin/main`). */
  base?: { tree: PromptTree; name: string };
  /** With --run: measures every prompt on its models (real calls, through the answer cache). */
  measure?: (prompt: PromptFigures) => Promise<Map<string, MeasuredFigures>>;
}

export async function runCheck(options: CheckOptions): Promise<CheckResult> {
  const { tree, settings, engine, only = [] } = options;
  const prompts = await checkTree(tree, settings, engine, only);
  if (options.measure) {
    for (const p of prompts) {
      const measured = await options.measure(p);
      for (const m of p.models) m.measured = measured.get(m.modelId);
    }
  }
  const base = options.base && { name: options.base.name, prompts: await checkTree(options.base.tree, settings, engine, only) };
  return { prompts, ...compareAndCheck(prompts, base, settings.budgets, !!options.measure), ...(base ? { base: base.name } : {}) };
}

/** The prompts' changes against a base (when there is one) and the budgets they break. */
export function compareAndCheck(prompts: PromptFigures[], base: { name: string; prompts: PromptFigures[] } | undefined, budgets: Budget[] | undefined, measured = false): { changes?: PromptChange[]; breaches: Breach[] } {
  if (!base) return { breaches: checkBudgets(prompts, budgets, { measured }) };
  const changes = comparePrompts(prompts, base.prompts);
  const byKey = new Map(changes.flatMap((c) => c.models.map((m) => [changeKey(c.key, m.modelId), m] as const)));
  return { changes, breaches: checkBudgets(prompts, budgets, { base: base.name, changes: byKey, measured }) };
}
