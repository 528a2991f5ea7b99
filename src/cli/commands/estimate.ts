// prompt-profiler estimate: tokens and cost of a prompt per model, offline, before anything is sent.
import { parseArgs } from 'node:util';
import { formatInt, formatUsd } from '../../core/format';
import type { CliIO } from '../main';
import { renderTable } from '../table';
import { chooseModels, loadCliConfig, makeEngine, positiveInt, readPrompt } from './common';

export const DEFAULT_MAX_OUTPUT = 1024;

export async function estimateCommand(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      model: { type: 'string', multiple: true },
      'max-output': { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  const config = loadCliConfig(io);
  const { prompt, models: fromPrompt } = await readPrompt(positionals[0], io);
  const models = chooseModels(values.model, fromPrompt, config);
  const maxOutput =
    positiveInt(values['max-output'], '--max-output') ?? prompt.maxOutputTokens ?? config.maxOutputTokens ?? DEFAULT_MAX_OUTPUT;
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
