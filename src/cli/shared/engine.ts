// The engine as the CLI builds it: models chosen, config applied, the answer cache on disk.
import { AnswerCache, FileStore } from '../../core/cache';
import { ProfilerEngine } from '../../core/engine';
import { parseModelId } from '../../core/types';
import { loadConfig, resolveFromEnv, type CliConfig } from './config';
import { UsageError, type CliIO } from './io';

export const DEFAULT_MODELS = ['openai:gpt-4o-mini', 'anthropic:claude-haiku-4-5'];
/** Output tokens a prompt is priced at when neither it nor the config says. */
export const DEFAULT_MAX_OUTPUT = 1024;

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

/** The config for this invocation (--config FILE or the nearest prompt-profiler.json); warnings on stderr. */
export function loadCliConfig(io: CliIO, configFile?: string): CliConfig {
  const config = loadConfig(io.cwd, configFile);
  for (const w of config.warnings) io.stderr(`warning: ${w}\n`);
  return config;
}
