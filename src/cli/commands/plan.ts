// prompt-profiler plan: a prompt-cache plan per model (stable prefix, cache breakers, where
// cache_control goes, TTL, break-even, savings per hour); --verify runs it twice for real and
// compares the cache tokens the provider reports with the prediction.
import type { Command } from 'commander';
import { compileTemplate } from '../../core/prompt/template';
import { formatInt, formatUsd } from '../../core/format';
import { planPromptCache, verifyCachePlan, type CachePlan, type CacheVerification } from '../../core/planner';
import { collect, defineCommand, type CommandContext } from '../shared/command';
import { chooseModels, loadCliConfig, makeEngine } from '../shared/engine';
import { readInputText } from '../shared/input';
import { plural, UsageError, type CliIO } from '../shared/io';
import { renderTable } from '../shared/table';

interface PlanOptions {
  model?: string[];
  callsPerHour?: string;
  ttl?: string;
  verify?: boolean;
  json?: boolean;
  config?: string;
}

export function registerPlan(program: Command, ctx: CommandContext): void {
  defineCommand(program, 'plan', 'plan provider prompt caching: the stable prefix, what breaks caching, where cache_control goes, TTL and break-even')
    .argument('<file>', 'the prompt file or {{variable}} template (- for standard input)')
    .option('--model <id>', 'a model to plan for, provider:model (repeatable)', collect)
    .option('--calls-per-hour <n>', 'expected traffic, for the economics')
    .option('--ttl <ttl>', 'the cache TTL to plan with: 5m or 1h')
    .option('--verify', 'check the prediction with two real calls per model')
    .option('--json', 'print JSON')
    .action(async (file: string, opts: PlanOptions) => ctx.exit(await planCommand(file, opts, ctx.io)));
}

export async function planCommand(file: string, values: PlanOptions, io: CliIO): Promise<number> {
  const config = loadCliConfig(io, values);
  const text = await readInputText(file, io, 'prompt');
  const template = compileTemplate(text);
  const models = chooseModels(values.model, template.models, config);
  const callsPerHour = positiveNumber(values.callsPerHour, '--calls-per-hour');
  const ttl = values.ttl;
  if (ttl !== undefined && ttl !== '5m' && ttl !== '1h') throw new UsageError(`--ttl is 5m or 1h (got "${ttl}").`);

  const engine = makeEngine(io, config, false);
  const results: { plan: CachePlan; verification?: CacheVerification }[] = [];
  for (const modelId of models) {
    const plan = await planPromptCache(template, {
      modelId,
      prices: engine.prices,
      callsPerHour,
      ttl,
      countTokens: (request) => engine.countTokens(modelId, request, true),
    });
    const verification = values.verify && plan.vendor !== 'other' ? await verifyCachePlan(engine, template, plan, { signal: io.signal }) : undefined;
    results.push({ plan, ...(verification ? { verification } : {}) });
  }
  if (values.json) io.stdout(JSON.stringify({ plans: results.map(({ plan: { modelId, ...plan }, verification }) => ({ model: modelId, ...plan, verification: verification ?? null })) }, null, 2) + '\n');
  else io.stdout(results.map((r) => renderPlan(r.plan, r.verification)).join('\n\n') + '\n');
  return results.every((r) => !r.verification || r.verification.ok) ? 0 : 1;
}

const ICON = { error: '✗', warning: '⚠', info: 'ℹ' } as const;

export function renderPlan(plan: CachePlan, verification?: CacheVerification): string {
  const lines: string[] = [];
  const approx = plan.counting.estimated ? '≈ ' : '';
  const tokens = (n: number) => `${approx}${formatInt(n)} token${n === 1 ? '' : 's'}`;
  lines.push(`── ${plan.modelId} ── (counted by ${plan.counting.method})`);
  lines.push(`Stable prefix   ${tokens(plan.stablePrefix.tokens)}: ${plan.stablePrefix.description}`);
  lines.push(
    `Variable part   ${tokens(plan.variablePart.tokens)}${plan.variablePart.firstVariable ? ` from {{${plan.variablePart.firstVariable}}} on` : ''}`,
  );
  if (plan.minCacheableTokens !== null) {
    lines.push(`Minimum         ${formatInt(plan.minCacheableTokens)} tokens: ${plan.stablePrefix.cacheable ? 'the prefix is cacheable' : 'the prefix is too short to cache'}`);
  }
  if (plan.automatic) lines.push('cache_control   none needed: OpenAI caches automatically (keep the static part first)');
  else if (plan.breakpoints.length) {
    plan.breakpoints.forEach((b, i) => {
      const where = b.block === 'system' ? 'the system prompt' : `message ${b.block + 1}${b.splitBeforeVariable ? ' (split before its first variable)' : ''}`;
      lines.push(`${i === 0 ? 'cache_control   ' : '                '}${i + 1}. ${where}, ${tokens(b.tokens)}, ttl ${b.ttl}: ${b.reason}`);
    });
  } else if (plan.vendor === 'anthropic') lines.push('cache_control   none: nothing here can be cached');
  if (plan.vendor !== 'other') {
    const p = plan.prediction;
    lines.push(
      `Predicted       first call: ${formatInt(p.firstCall.cacheWriteTokens)} written, ${formatInt(p.firstCall.cacheReadTokens)} read · repeat within the TTL: ${formatInt(p.repeatCall.cacheReadTokens)} read`,
    );
  }
  const e = plan.economics;
  if (e) {
    lines.push('', `At ${plural(e.callsPerHour, 'call')} per hour, for the ${formatInt(e.prefixTokens)}-token prefix:`);
    lines.push(
      renderTable(
        ['TTL', 'input/MTok', 'write/MTok', 'read/MTok', 'break-even', 'calls to save', 'uncached/hour', 'cached/hour', 'saving/hour'],
        e.options.map((o) => [
          o.ttl,
          formatUsd(o.rates.input),
          formatUsd(o.rates.cacheWrite),
          formatUsd(o.rates.cacheRead),
          o.breakEvenCalls === null ? 'never' : `${+o.breakEvenCalls.toFixed(2)} calls`,
          o.callsToSave === null ? '—' : String(o.callsToSave),
          formatUsd(o.perHour.uncached),
          formatUsd(o.perHour.cached),
          signedUsd(o.perHour.saving),
        ]),
        [1, 2, 3, 4, 5, 6, 7, 8],
      ),
    );
    lines.push(`Recommended: ${e.recommended === 'none' ? 'no caching' : e.recommended === 'auto' ? 'automatic caching' : `ttl ${e.recommended}`}. ${e.reason}`);
  }
  if (plan.findings.length) {
    lines.push('', 'Findings:');
    for (const f of plan.findings) lines.push(`  ${ICON[f.severity]} ${f.message}`);
  }
  if (verification) {
    lines.push('', `Verify: ${verification.summary}${verification.savedUsd !== null ? ` The cache saved ${formatUsd(verification.savedUsd)} on call 2.` : ''}`);
  }
  return lines.join('\n');
}

/** `−$0.0069` rather than `$-0.0069`. */
function signedUsd(x: number): string {
  return x < 0 ? `−${formatUsd(-x)}` : formatUsd(x);
}

function positiveNumber(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0) throw new UsageError(`${flag} takes a number above 0 (got "${value}").`);
  return n;
}
