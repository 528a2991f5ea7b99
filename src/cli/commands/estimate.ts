// prompt-profiler estimate: tokens and cost of a prompt per model, offline, before anything is sent.
import type { Command } from 'commander';
import { formatInt, formatUsd } from '../../core/format';
import { collect, defineCommand, type CommandContext } from '../shared/command';
import { chooseModels, DEFAULT_MAX_OUTPUT, loadCliConfig, makeEngine, positiveInt } from '../shared/engine';
import { readPrompt } from '../shared/input';
import type { CliIO } from '../shared/io';
import { renderTable } from '../shared/table';

export { DEFAULT_MAX_OUTPUT } from '../shared/engine';

interface EstimateOptions {
  model?: string[];
  maxOutput?: string;
  json?: boolean;
  config?: string;
}

export function registerEstimate(program: Command, ctx: CommandContext): void {
  defineCommand(program, 'estimate', 'input tokens and cost of a prompt per model, offline: nothing is sent')
    .argument('<file>', 'the prompt file (- for standard input)')
    .option('--model <id>', 'a model to estimate, provider:model (repeatable; default: the prompt file\'s, the config\'s, or two defaults)', collect)
    .option('--max-output <n>', `output tokens to price the "cost with max output" at (default: the prompt's max_tokens, else ${DEFAULT_MAX_OUTPUT})`)
    .option('--json', 'print JSON')
    .action(async (file: string, opts: EstimateOptions) => ctx.exit(await estimateCommand(file, opts, ctx.io)));
}

export async function estimateCommand(file: string, values: EstimateOptions, io: CliIO): Promise<number> {
  const config = loadCliConfig(io, values.config);
  const { prompt, models: fromPrompt } = await readPrompt(file, io);
  const models = chooseModels(values.model, fromPrompt, config);
  const maxOutput =
    positiveInt(values.maxOutput, '--max-output') ?? prompt.maxOutputTokens ?? config.maxOutputTokens ?? DEFAULT_MAX_OUTPUT;
  // Offline: no count_tokens call, so Claude counts are labelled estimates.
  const estimates = await makeEngine(io, config, false).estimate(prompt, models, maxOutput, false);
  if (values.json) {
    io.stdout(JSON.stringify({ estimates }, null, 2) + '\n');
    return 0;
  }
  io.stdout(
    renderTable(
      ['model', 'input tokens', 'counted by', 'input cost', `cost at ${formatInt(maxOutput)} out`, 'note'],
      estimates.map((e) => [
        e.modelId,
        `${e.estimated ? '≈ ' : ''}${formatInt(e.inputTokens)}`,
        e.method,
        formatUsd(e.inputCost),
        formatUsd(e.costAtMaxOutput),
        e.overContextWindow ? `over the ${formatInt(e.contextWindow ?? 0)}-token context window` : '',
      ]),
      [1, 3, 4],
    ) + '\n',
  );
  const sources = [...new Set(estimates.map((e) => e.priceSource).filter(Boolean))];
  if (sources.length) io.stdout(`\nPrices: ${sources.join('; ')}\n`);
  return 0;
}
