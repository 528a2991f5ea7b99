// Budgets: every budget whose `match` covers a prompt applies to each of its models. A limit
// that cannot be checked (no price, no traffic) is a breach too: a gate must not pass what it
// cannot see.
import { formatInt, formatMs, formatUsd } from '../format';
import { globMatcher } from './discover';
import { signedPercent } from './format';
import type { Breach, Budget, BudgetLimit, ModelChange, ModelFigures, PromptFigures } from './types';

export const OFFLINE_LIMITS: readonly BudgetLimit[] = ['maxInputTokens', 'maxCostPerCall', 'maxMonthlyCost', 'maxIncreasePercent'];
export const RUN_LIMITS: readonly BudgetLimit[] = ['maxP95LatencyMs', 'minQuality'];

export interface BudgetContext {
  /** The base's name when comparing (maxIncreasePercent applies only then). */
  base?: string;
  /** The change of each prompt × model, by `${key}\n${modelId}`. */
  changes?: Map<string, ModelChange>;
  /** With --run: check the measured limits too. */
  measured?: boolean;
}

export const changeKey = (promptKey: string, modelId: string) => `${promptKey}\n${modelId}`;

/** The budgets that cover a file. */
export function budgetsFor(budgets: Budget[] | undefined, file: string): Budget[] {
  return (budgets ?? []).filter((b) => globMatcher(b.match)(file));
}

export function checkBudgets(prompts: PromptFigures[], budgets: Budget[] | undefined, context: BudgetContext = {}): Breach[] {
  const breaches: Breach[] = [];
  for (const p of prompts) {
    for (const budget of budgetsFor(budgets, p.file)) {
      for (const m of p.models) {
        for (const limit of [...OFFLINE_LIMITS, ...(context.measured ? RUN_LIMITS : [])]) {
          const limitValue = budget[limit];
          if (limitValue === undefined) continue;
          const found = breachOf(limit, limitValue, p, m, context);
          if (!found) continue;
          breaches.push({
            prompt: p.name,
            file: p.file,
            line: p.line,
            modelId: m.modelId,
            limit,
            limitValue,
            figure: found.figure,
            match: budget.match,
            message: `${p.name} · ${m.modelId}: ${found.text} (budget "${budget.match}")`,
          });
        }
      }
    }
  }
  return breaches;
}

type Found = { figure: number | null; text: string } | undefined;

function breachOf(limit: BudgetLimit, max: number, p: PromptFigures, m: ModelFigures, context: BudgetContext): Found {
  const cannot = (why: string): Found => ({ figure: null, text: `${limit} ${limitText(limit, max)} cannot be checked: ${why}` });
  switch (limit) {
    case 'maxInputTokens':
      return m.inputTokens > max ? { figure: m.inputTokens, text: `${m.estimated ? '≈ ' : ''}${formatInt(m.inputTokens)} input tokens > maxInputTokens ${formatInt(max)}` } : undefined;
    case 'maxCostPerCall':
      if (m.costPerCall === null) return cannot('no price for this model');
      return m.costPerCall > max ? { figure: m.costPerCall, text: `${formatUsd(m.costPerCall)} per call (${formatInt(m.outputTokens)} output tokens) > maxCostPerCall ${formatUsd(max)}` } : undefined;
    case 'maxMonthlyCost':
      if (m.costPerCall === null) return cannot('no price for this model');
      if (m.monthlyCost === null) return cannot('no traffic for this prompt (set "traffic" or calls_per_day:)');
      return m.monthlyCost > max
        ? { figure: m.monthlyCost, text: `${formatUsd(m.monthlyCost)} per month (${formatInt(p.callsPerDay ?? 0)} calls/day) > maxMonthlyCost ${formatUsd(max)}` }
        : undefined;
    case 'maxIncreasePercent': {
      const change = context.changes?.get(changeKey(p.key, m.modelId));
      if (!context.base || !change || change.percent === null) return undefined;
      return change.percent > max ? { figure: change.percent, text: `${signedPercent(change.percent)} cost per call vs ${context.base} > maxIncreasePercent ${max}%` } : undefined;
    }
    case 'maxP95LatencyMs': {
      const v = m.measured?.p95LatencyMs ?? null;
      if (v === null) return cannot(m.measured?.error ?? 'no successful call');
      return v > max ? { figure: v, text: `p95 latency ${formatMs(v)} > maxP95LatencyMs ${formatInt(max)}` } : undefined;
    }
    case 'minQuality': {
      const v = m.measured?.quality ?? null;
      if (v === null) return cannot(m.measured?.error ?? 'no quality grade (set "judgeModel")');
      return v < max ? { figure: v, text: `quality ${v.toFixed(2)} < minQuality ${max}` } : undefined;
    }
  }
}

function limitText(limit: BudgetLimit, v: number): string {
  if (limit === 'maxCostPerCall' || limit === 'maxMonthlyCost') return formatUsd(v);
  if (limit === 'maxIncreasePercent') return `${v}%`;
  if (limit === 'minQuality') return String(v);
  return formatInt(v);
}
