// prompt-profiler check: every prompt's tokens, cost per call and cost per month, the change
// against a git revision, and the budgets of prompt-profiler.json as a gate (exit 1 on a breach).
// Offline unless --run: nothing is sent, no key needed.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import { checkRows, monthlyText, renderJUnit, renderMarkdown, runCheck, signedInt, signedPercent, signedUsd, type CheckResult, type CheckSettings } from '../../core/check';
import { measurePrompt } from '../../core/check/measure';
import { writePrivateFileSync, writeRootFor } from '../../core/files';
import { formatInt, formatUsd } from '../../core/format';
import { defineCommand, type CommandContext } from '../shared/command';
import { DEFAULT_MAX_OUTPUT, chooseModels, loadCliConfig, makeEngine, positiveInt } from '../shared/engine';
import { plural, UsageError, type CliIO } from '../shared/io';
import { gitTree, workingTree } from '../shared/promptTrees';
import { renderTable } from '../shared/table';

interface CheckFlags {
  base?: string;
  run?: boolean;
  repeat?: string;
  judge?: string;
  json?: boolean;
  junit?: string;
  markdown?: string;
  config?: string;
}

export function registerCheck(program: Command, ctx: CommandContext): void {
  defineCommand(program, 'check', 'tokens, cost per call and per month of every prompt, the change vs a git revision, and the budgets as a gate')
    .argument('[path...]', 'prompt files or folders to check (default: the "prompts" globs of prompt-profiler.json)')
    .option('--base <ref>', 'compare with this git revision (git show REF:path): Δ tokens, Δ cost per call and per month')
    .option('--run', 'also call the models (through the answer cache) for the maxP95LatencyMs and minQuality budgets')
    .option('--repeat <n>', 'with --run: calls per model, for the p95 latency')
    .option('--judge <model>', 'with --run: the LLM judge that grades answers 0–1 for minQuality, provider:model')
    .option('--json', 'print JSON')
    .option('--junit <file>', 'write JUnit XML: one test case per prompt × model, a failure per breach')
    .option('--markdown <file>', 'write a Markdown summary (e.g. "$GITHUB_STEP_SUMMARY"), largest monthly changes first')
    .addHelpText('after', '\nExit codes: 0 within budget, 1 a budget is breached, 2 bad usage.')
    .action(async (paths: string[], flags: CheckFlags) => ctx.exit(await checkCommand(paths, flags, ctx.io)));
}

/** Control characters of file names never reach the terminal. */
const clean = (s: string) => s.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');

export async function checkCommand(paths: string[], flags: CheckFlags, io: CliIO): Promise<number> {
  const config = loadCliConfig(io, flags);
  if (!flags.run && (flags.repeat !== undefined || flags.judge !== undefined)) throw new UsageError('--repeat and --judge go with --run.');
  const repeats = positiveInt(flags.repeat, '--repeat');
  if (flags.judge) chooseModels([flags.judge], [], config);
  const only = paths.map((p) => {
    const rel = path.relative(config.root, path.resolve(io.cwd, p));
    if (rel.startsWith('..') || path.isAbsolute(rel)) throw new UsageError(`${p} is outside the project (${config.root}).`);
    if (!fs.existsSync(path.resolve(io.cwd, p)) && !flags.base) throw new UsageError(`No such file or folder: ${p}`);
    return rel.split(path.sep).join('/');
  });
  const settings: CheckSettings = {
    models: chooseModels(undefined, [], config),
    prompts: config.prompts,
    expectedOutputTokens: config.expectedOutputTokens,
    maxOutputTokens: config.maxOutputTokens ?? DEFAULT_MAX_OUTPUT,
    traffic: config.traffic,
    budgets: config.budgets,
  };
  const engine = makeEngine(io, config, !!flags.run);
  const result = await runCheck({
    tree: workingTree(config.root),
    settings,
    engine,
    only,
    base: flags.base !== undefined ? { tree: await gitTree(config.root, flags.base), name: flags.base } : undefined,
    measure: flags.run ? (p) => measurePrompt(engine, p, { repeats, judgeModel: flags.judge, signal: io.signal }) : undefined,
  });
  if (flags.junit) writeReport(io, flags.junit, renderJUnit(result), config.root);
  if (flags.markdown) writeReport(io, flags.markdown, renderMarkdown(result), config.root, true);
  if (flags.json) io.stdout(JSON.stringify(toJson(result), null, 2) + '\n');
  else io.stdout(renderText(result, config.models.length === 0));
  return result.breaches.length ? 1 : 0;
}

/**
 * $GITHUB_STEP_SUMMARY is appended to, as GitHub documents; other files are replaced. Through the
 * no-follow writers: a link the repository committed (`summary.md -> ~/.bashrc`) is refused.
 */
function writeReport(io: CliIO, file: string, text: string, projectRoot: string, appendToStepSummary = false): void {
  const full = path.resolve(io.cwd, file);
  const append = appendToStepSummary && !!io.env.GITHUB_STEP_SUMMARY && path.resolve(io.cwd, io.env.GITHUB_STEP_SUMMARY) === full;
  try {
    writePrivateFileSync(full, text, writeRootFor(full, projectRoot), append ? 'append' : 'truncate');
  } catch (e) {
    throw new UsageError(`cannot write ${file}: ${(e as Error).message}`);
  }
}

function renderText(result: CheckResult, defaultModels: boolean): string {
  const rows = checkRows(result);
  const out: string[] = [];
  if (!rows.length) out.push('No prompts found (see "prompts" in prompt-profiler.json).');
  else if (result.changes) {
    out.push(
      renderTable(
        ['prompt', 'model', 'change', 'input tokens', 'Δ tokens', 'cost/call', 'Δ/call', 'per month', 'Δ/month', 'Δ %'],
        rows.map((r) => {
          const gone = r.status === 'deleted';
          return [
            clean(r.prompt),
            r.modelId,
            r.status ?? '',
            gone ? '—' : `${r.figures.estimated ? '≈ ' : ''}${formatInt(r.figures.inputTokens)}`,
            signedInt(r.deltaTokens ?? 0),
            gone ? '—' : formatUsd(r.figures.costPerCall),
            signedUsd(r.deltaCostPerCall ?? null),
            gone ? '—' : monthlyText(r.figures),
            r.deltaMonthly === null || r.deltaMonthly === undefined ? '—' : signedUsd(r.deltaMonthly),
            signedPercent(r.percent ?? null) || '—',
          ];
        }),
        [3, 4, 5, 6, 7, 8, 9],
      ),
    );
  } else {
    out.push(
      renderTable(
        ['prompt', 'model', 'input tokens', 'cost/call', 'calls/day', 'per month'],
        rows.map((r) => [
          clean(r.prompt),
          r.modelId,
          `${r.figures.estimated ? '≈ ' : ''}${formatInt(r.figures.inputTokens)}`,
          formatUsd(r.figures.costPerCall),
          r.callsPerDay === undefined ? '—' : formatInt(r.callsPerDay),
          monthlyText(r.figures),
        ]),
        [2, 3, 4, 5],
      ),
    );
  }
  if (rows.some((r) => r.figures.measured)) {
    out.push('', renderTable(
      ['prompt', 'model', 'p95 latency', 'quality', 'measured cost/call'],
      rows.filter((r) => r.figures.measured).map((r) => {
        const m = r.figures.measured!;
        return [clean(r.prompt), r.modelId, m.p95LatencyMs === null ? (m.error ?? '—') : `${formatInt(m.p95LatencyMs)} ms`, m.quality === null ? '—' : m.quality.toFixed(2), formatUsd(m.costPerCall)];
      }),
      [2, 3, 4],
    ));
  }
  out.push('');
  if (rows.length && defaultModels) out.push('Models: the defaults (set "models" in prompt-profiler.json).');
  if (result.breaches.length) {
    out.push(`${plural(result.breaches.length, 'budget breach', 'budget breaches')}:`);
    for (const b of result.breaches) out.push(`BREACH ${clean(b.message)}`);
  } else {
    out.push(`Within budget: ${plural(result.prompts.length, 'prompt')}${result.base ? ` checked against ${result.base}` : ''}.`);
  }
  return out.join('\n') + '\n';
}

function toJson(result: CheckResult) {
  const strip = <T extends { text?: string }>(p: T) => {
    const { text: _text, ...rest } = p;
    return rest;
  };
  return {
    base: result.base ?? null,
    prompts: result.prompts.map(strip),
    changes: result.changes?.map((c) => ({ ...c, current: c.current ? strip(c.current) : undefined, base: c.base ? strip(c.base) : undefined })) ?? null,
    breaches: result.breaches,
  };
}
