// What a change costs: each prompt against its base version (new, deleted, changed, unchanged),
// per model, in tokens, cost per call and cost per month, absolute and in %.
import type { ChangeStatus, ModelChange, ModelFigures, PromptChange, PromptFigures } from './types';

const minus = (a: number | null | undefined, b: number | null | undefined): number | null =>
  a === null || a === undefined || b === null || b === undefined ? null : a - b;

function percentOf(delta: number | null, base: number | null | undefined): number | null {
  return delta === null || !base ? null : (delta / base) * 100;
}

function modelChange(modelId: string, current: ModelFigures | undefined, base: ModelFigures | undefined, textChanged: boolean): ModelChange {
  const status: ChangeStatus = !base ? 'new' : !current ? 'deleted' : textChanged || differs(current, base) ? 'changed' : 'unchanged';
  const deltaTokens = (current?.inputTokens ?? 0) - (base?.inputTokens ?? 0);
  const deltaCostPerCall = minus(current ? current.costPerCall : 0, base ? base.costPerCall : 0);
  const deltaMonthly = minus(current ? current.monthlyCost : 0, base ? base.monthlyCost : 0);
  const percent =
    current && base
      ? current.costPerCall !== null && base.costPerCall !== null
        ? percentOf(deltaCostPerCall, base.costPerCall)
        : percentOf(deltaTokens, base.inputTokens)
      : null;
  return { modelId, status, current, base, deltaTokens, deltaCostPerCall, deltaMonthly, percent };
}

/** Traffic or expected output may change a figure while the text stays. */
function differs(a: ModelFigures, b: ModelFigures): boolean {
  return a.inputTokens !== b.inputTokens || a.costPerCall !== b.costPerCall || a.monthlyCost !== b.monthlyCost;
}

/** Every prompt of either side, matched by key; the order of the current side, deleted ones last. */
export function comparePrompts(current: PromptFigures[], base: PromptFigures[]): PromptChange[] {
  const baseByKey = new Map(base.map((p) => [p.key, p]));
  const seen = new Set<string>();
  const changes: PromptChange[] = [];
  for (const p of current) {
    seen.add(p.key);
    changes.push(comparePrompt(p, baseByKey.get(p.key)));
  }
  for (const b of base) if (!seen.has(b.key)) changes.push(comparePrompt(undefined, b));
  return changes;
}

export function comparePrompt(current: PromptFigures | undefined, base: PromptFigures | undefined): PromptChange {
  const any = (current ?? base)!;
  const textChanged = !!current && !!base && current.text !== base.text;
  const ids = [...new Set([...(current?.models ?? []), ...(base?.models ?? [])].map((m) => m.modelId))];
  const models = ids.map((id) =>
    modelChange(
      id,
      current?.models.find((m) => m.modelId === id),
      base?.models.find((m) => m.modelId === id),
      textChanged,
    ),
  );
  const status: ChangeStatus = !base ? 'new' : !current ? 'deleted' : textChanged || models.some((m) => m.status !== 'unchanged') ? 'changed' : 'unchanged';
  return { key: any.key, name: any.name, file: any.file, status, current, base, models };
}
