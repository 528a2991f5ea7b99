// prompt-profiler estimate: tokens and cost of a prompt per model, offline, before anything is sent.
import type { Command } from 'commander';
import { formatInt, formatUsd } from '../../core/format';
import { collect, defineCommand, type CommandContext } from '../shared/command';
import { chooseModels, DEFAULT_MAX_OUTPUT, DEFAULT_MODELS, loadCliConfig, makeEngine, modelSource, positiveInt } from '../shared/engine';
import { readPrompt } from '../shared/input';
import type { CliIO } from '../shared/io';
import { renderTable } from '../shared/table';


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
  const config = loadCliConfig(io, values);
  const { prompt, models: fromPrompt } = await readPrompt(file, io);
  const models = chooseModels(values.model, fromPrompt, config);
  const flagMax = positiveInt(values.maxOutput, '--max-output');
  const maxOutput = flagMax ?? prompt.maxOutputTokens ?? config.maxOutputTokens ?? DEFAULT_MAX_OUTPUT;
  const maxOutputSource =
    flagMax !== undefined ? '--max-output' : prompt.maxOutputTokens !== undefined ? "the prompt's max_tokens" : config.maxOutputTokens !== undefined ? 'maxOutputTokens in prompt-profiler.json' : 'the default';
  // Offline: no count_tokens call, so Claude counts are labelled estimates.
  const estimates = await makeEngine(io, config, false).estimate(prompt, models, maxOutput, false);
  if (values.json) {
    // One vocabulary across commands: a model is `model`.
    io.stdout(JSON.stringify({ estimates: estimates.map(({ modelId, ...rest }) => ({ model: modelId, ...rest })) }, null, 2) + '\n');
    return 0;
  }
  const overContext = estimates.some((e) => e.overContextWindow);
  io.stdout(
    renderTable(
      ['model', 'input tokens', 'counted by', 'input cost', `+ ${formatInt(maxOutput)} output tokens`, 'price', ...(overContext ? ['note'] : [])],
      estimates.map((e) => [
        e.modelId,
        `${e.estimated ? '≈ ' : ''}${formatInt(e.inputTokens)}`,
        e.method.replace(/^≈ /, ''),
        `${e.estimated && e.inputCost !== null ? '≈ ' : ''}${formatUsd(e.inputCost)}`,
        `${e.estimated && e.costAtMaxOutput !== null ? '≈ ' : ''}${formatUsd(e.costAtMaxOutput)}`,
        priceLabel(e.priceSource),
        ...(overContext ? [e.overContextWindow ? `over the ${formatInt(e.contextWindow ?? 0)}-token context window` : ''] : []),
      ]),
      [1, 3, 4],
    ) + '\n',
  );
  const notes = [
    `Models: ${MODEL_SOURCE[modelSource(values.model, fromPrompt, config)]}; choose others with --model ID (repeatable), \`model:\` in the prompt file, or "models" in prompt-profiler.json.`,
    'Tokens: exact for OpenAI models (their own tokenizer).' +
      (estimates.some((e) => e.estimated) ? ' ≈ marks an estimate: Claude has no public tokenizer, so offline its count is the o200k_base count × 1.1; `run` reports the exact count.' : ''),
    `Output: the cost of the prompt plus ${formatInt(maxOutput)} output tokens (${maxOutputSource}), the most one call can cost; --max-output N to change it.`,
  ];
  const version = estimates.map((e) => /^(@pydantic\/genai-prices [^ ]+ \(data of [^)]+\))/.exec(e.priceSource ?? '')?.[1]).find(Boolean);
  notes.push(`Prices: USD${version ? ` from ${version}` : ''}; your own in "prices" in prompt-profiler.json. Offline: nothing was sent.`);
  io.stdout(`\n${notes.join('\n')}\n`);
  return 0;
}

const MODEL_SOURCE = {
  flag: 'from --model',
  prompt: "from the prompt file's model:",
  config: 'from prompt-profiler.json',
  default: `the defaults (${DEFAULT_MODELS.join(', ')})`,
} as const;

/** "OpenAI · gpt 4o mini" from genai-prices' provenance, "your price override" for yours. */
function priceLabel(source: string | null): string {
  if (!source) return 'no price';
  if (source.startsWith('price override')) return 'your price override';
  return source.split(' · ').slice(1).join(' ') || source;
}
