// Pieces every CLI command shares: reading the prompt, the model list, the engine.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AnswerCache, FileStore } from '../../core/cache';
import { ProfilerEngine, type PromptInput } from '../../core/engine';
import { parsePrompt } from '../../core/prompt';
import { parseModelId } from '../../core/types';
import { loadConfig, resolveFromEnv, UsageError, type CliConfig } from '../config';
import type { CliIO } from '../main';

export const DEFAULT_MODELS = ['openai:gpt-4o-mini', 'anthropic:claude-haiku-4-5'];

/** The text of a file argument (`-` = standard input); a missing or empty one is a usage error. */
export async function readInputText(file: string, io: CliIO, what: 'prompt' | 'template'): Promise<string> {
  let text: string;
  if (file === '-') text = await io.readStdin();
  else {
    const full = path.resolve(io.cwd, file);
    if (!fs.existsSync(full)) throw new UsageError(`No such file: ${file}`);
    text = fs.readFileSync(full, 'utf8');
  }
  if (!text.trim()) throw new UsageError(`The ${what} in ${file === '-' ? 'standard input' : file} is empty.`);
  return text;
}

export async function readPrompt(file: string | undefined, io: CliIO): Promise<{ prompt: PromptInput; models: string[]; reference?: string }> {
  if (!file) throw new UsageError('Missing the prompt file (use - for standard input).');
  const parsed = parsePrompt(await readInputText(file, io, 'prompt'));
  return {
    prompt: {
      system: parsed.system,
      messages: parsed.messages,
      temperature: parsed.temperature,
      maxOutputTokens: parsed.maxOutputTokens,
    },
    models: parsed.models,
    reference: parsed.reference,
  };
}

/** --model flags, else the prompt file's front matter, else the config file, else the defaults. */
export function chooseModels(flags: string[] | undefined, fromPrompt: string[], config: CliConfig): string[] {
  const models = flags?.length ? flags : fromPrompt.length ? fromPrompt : config.models.length ? config.models : DEFAULT_MODELS;
  for (const m of models) {
    try {
      parseModelId(m);
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
  }
  return [...new Set(models)];
}

export function positiveInt(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${flag} takes a whole number of at least 1 (got "${value}").`);
  return n;
}

export function makeEngine(io: CliIO, config: CliConfig, withCache: boolean): ProfilerEngine {
  const cache = withCache
    ? new AnswerCache(
        new FileStore({
          dir: config.cacheDir,
          onCorrupt: (file, reason) => io.stderr(`warning: skipped a corrupted cache entry ${file} (${reason})\n`),
        }),
      )
    : undefined;
  return new ProfilerEngine({
    resolveProvider: (name) => resolveFromEnv(name, config, io.env),
    priceOverrides: config.prices,
    cache,
  });
}

export function loadCliConfig(io: CliIO): CliConfig {
  return loadConfig(io.cwd);
}
