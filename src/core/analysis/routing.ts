// Routing: which model a kind of task should go to. Two sources, kept apart:
//  1. a task → tier table (data, overridable in settings): classification, extraction,
//     summarization, translation → cheap; reasoning, creative, code → strong; each tier names a model;
//  2. the measurements on THIS prompt: the cheapest model that met the quality bar.
// Pure: no Node, no vscode.
import { formatUsd } from '../format';
import type { QualityFigure } from './quality';

export type Tier = 'cheap' | 'strong';

export const TASK_KINDS = ['classification', 'extraction', 'summarization', 'translation', 'reasoning', 'creative', 'code'] as const;
export type TaskKind = (typeof TASK_KINDS)[number];

export const DEFAULT_TASK_TIERS: Readonly<Record<TaskKind, Tier>> = {
  classification: 'cheap',
  extraction: 'cheap',
  summarization: 'cheap',
  translation: 'cheap',
  reasoning: 'strong',
  creative: 'strong',
  code: 'strong',
};

export const DEFAULT_TIER_MODELS: Readonly<Record<Tier, string>> = {
  cheap: 'openai:gpt-4o-mini',
  strong: 'anthropic:claude-sonnet-4-5',
};

/**
 * The routing table, as settings hold it. `tasks` maps a task name (the kinds above or the
 * user's own) to a tier or directly to a model id (`provider:model`); `tiers` names the model of
 * each tier.
 */
export interface RoutingTable {
  tasks: Record<string, Tier | string>;
  tiers: Record<Tier, string>;
}

export const DEFAULT_ROUTING: Readonly<RoutingTable> = { tasks: { ...DEFAULT_TASK_TIERS }, tiers: { ...DEFAULT_TIER_MODELS } };

/** The default table with the user's entries on top. */
export function routingTable(overrides: { tasks?: Record<string, Tier | string>; tiers?: Partial<Record<Tier, string>> } = {}): RoutingTable {
  return {
    tasks: { ...DEFAULT_ROUTING.tasks, ...(overrides.tasks ?? {}) },
    tiers: { ...DEFAULT_ROUTING.tiers, ...(overrides.tiers ?? {}) } as Record<Tier, string>,
  };
}

export interface Route {
  task: string;
  tier: Tier | null;
  modelId: string | null;
  reason: string;
}

export function routeTask(task: string, table: RoutingTable = DEFAULT_ROUTING): Route {
  const key = task.trim().toLowerCase();
  const entry = table.tasks[key];
  if (entry === undefined) {
    return { task: key, tier: null, modelId: null, reason: `"${key}" is not in the routing table (known: ${Object.keys(table.tasks).join(', ')})` };
  }
  if (entry === 'cheap' || entry === 'strong') {
    const modelId = table.tiers[entry] ?? null;
    return { task: key, tier: entry, modelId, reason: `${key} → ${entry} tier${modelId ? ` (${modelId})` : ' (no model set for this tier)'}` };
  }
  return { task: key, tier: null, modelId: entry, reason: `${key} → ${entry} (set in the routing table)` };
}

/** Problems with a routing table from settings (empty when valid). */
export function validateRoutingTable(x: unknown): string[] {
  if (!x || typeof x !== 'object' || Array.isArray(x)) return ['The routing table must be an object { tasks, tiers }.'];
  const t = x as { tasks?: unknown; tiers?: unknown };
  const problems: string[] = [];
  const isModel = (v: unknown) => typeof v === 'string' && /^[^:\s]+:\S+$/.test(v);
  if (t.tasks !== undefined) {
    if (!t.tasks || typeof t.tasks !== 'object' || Array.isArray(t.tasks)) problems.push('"tasks" must be an object of task → "cheap" | "strong" | "provider:model".');
    else {
      for (const [k, v] of Object.entries(t.tasks)) {
        if (v !== 'cheap' && v !== 'strong' && !isModel(v)) problems.push(`tasks.${k} must be "cheap", "strong" or a model id provider:model (got ${JSON.stringify(v)}).`);
      }
    }
  }
  if (t.tiers !== undefined) {
    if (!t.tiers || typeof t.tiers !== 'object' || Array.isArray(t.tiers)) problems.push('"tiers" must be an object { cheap, strong } of model ids.');
    else {
      for (const [k, v] of Object.entries(t.tiers)) {
        if (k !== 'cheap' && k !== 'strong') problems.push(`tiers.${k}: only "cheap" and "strong" exist.`);
        else if (!isModel(v)) problems.push(`tiers.${k} must be a model id provider:model (got ${JSON.stringify(v)}).`);
      }
    }
  }
  return problems;
}

export interface ModelScore {
  modelId: string;
  /** USD per 1,000 calls; null = no price. */
  costPer1k: number | null;
  quality: QualityFigure | null;
}

export interface BarResult {
  modelId: string | null;
  reason: string;
}

/**
 * "The cheapest model that met your quality bar on this prompt": among the models whose quality
 * is ≥ minQuality, the lowest cost per 1k; ties go to the higher quality. Models without a price
 * or a quality figure are not considered (and said so when nothing qualifies).
 */
export function cheapestMeetingBar(models: readonly ModelScore[], minQuality: number): BarResult {
  const usable = models.filter((m) => m.costPer1k !== null && m.quality !== null);
  const meeting = usable.filter((m) => m.quality!.value >= minQuality);
  if (!meeting.length) {
    const best = usable.reduce<ModelScore | null>((a, b) => (!a || b.quality!.value > a.quality!.value ? b : a), null);
    const skipped = models.length - usable.length;
    return {
      modelId: null,
      reason:
        `No model met quality ≥ ${minQuality} on this prompt` +
        (best ? ` (best: ${best.modelId}, ${best.quality!.value.toFixed(2)} from ${best.quality!.source})` : '') +
        (skipped ? `; ${skipped} model${skipped === 1 ? '' : 's'} without a price or quality figure not considered` : '') +
        '.',
    };
  }
  const pick = meeting.reduce((a, b) =>
    b.costPer1k! < a.costPer1k! || (b.costPer1k === a.costPer1k && b.quality!.value > a.quality!.value) ? b : a,
  );
  return {
    modelId: pick.modelId,
    reason: `${pick.modelId}: the cheapest (${formatUsd(pick.costPer1k)}/1k) of ${meeting.length} model${meeting.length === 1 ? '' : 's'} with quality ≥ ${minQuality} on this prompt (${pick.quality!.value.toFixed(2)}, ${pick.quality!.source}).`,
  };
}
