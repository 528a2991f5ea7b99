// The engine as the CLI builds it: models chosen, config applied, the answer cache on disk.
import { AnswerCache, FileStore } from '../../core/cache';
import { ProfilerEngine, shellOnlyReason } from '../../core/engine';
import { parseModelId } from '../../core/types';
import { loadConfig, resolveFromEnv, type CliConfig } from './config';
import type { ConfigFlags } from './command';
import { UsageError, type CliIO } from './io';
import { writeRootFor } from '../../core/files';

export const DEFAULT_MODELS = ['openai:gpt-4o-mini', 'anthropic:claude-haiku-4-5'];
/** Output tokens a prompt is priced at when neither it nor the config says. */
export const DEFAULT_MAX_OUTPUT = 1024;

/** Where the models come from: --model flags, else the prompt file's front matter, else the config file, else the defaults. */
export function modelSource(flags: string[] | undefined, fromPrompt: string[], config: CliConfig): 'flag' | 'prompt' | 'config' | 'default' {
  return flags?.length ? 'flag' : fromPrompt.length ? 'prompt' : config.models.length ? 'config' : 'default';
}

export function chooseModels(flags: string[] | undefined, fromPrompt: string[], config: CliConfig): string[] {
  const models = { flag: flags ?? [], prompt: fromPrompt, config: config.models, default: DEFAULT_MODELS }[modelSource(flags, fromPrompt, config)];
  for (const m of models) {
    let provider: string;
    try {
      provider = parseModelId(m).provider;
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
    const why = shellOnlyReason(provider);
    if (why) throw new UsageError(`${m}: ${why}`);
  }
  return [...new Set(models)];
}

export function positiveInt(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${flag} takes a whole number of at least 1 (got "${value}").`);
  return n;
}

/** The trust-checked resolver of every command; each warning (a key over plain http) said once. */
export function cliResolver(io: CliIO, config: CliConfig): (name: string) => ReturnType<typeof resolveFromEnv> {
  const said = new Set<string>();
  const warn = (w: string) => {
    if (!said.has(w)) io.stderr(`warning: ${w}\n`);
    said.add(w);
  };
  return (name) => resolveFromEnv(name, config, io.env, warn);
}

export function makeEngine(io: CliIO, config: CliConfig, withCache: boolean): ProfilerEngine {
  const cache = withCache
    ? new AnswerCache(
        new FileStore({
          dir: config.cacheDir,
          root: writeRootFor(config.cacheDir, config.root),
          onCorrupt: (file, reason) => io.stderr(`warning: skipped a corrupted cache entry ${file} (${reason})\n`),
        }),
      )
    : undefined;
  return new ProfilerEngine({
    resolveProvider: cliResolver(io, config),
    priceOverrides: config.prices,
    cache,
  });
}

/** The config for this invocation (--config FILE or the nearest prompt-profiler.json, --trust-config); warnings on stderr. */
export function loadCliConfig(io: CliIO, flags: ConfigFlags): CliConfig {
  const config = loadConfig(io.cwd, { explicit: flags.config, trustConfig: flags.trustConfig, env: io.env });
  for (const w of config.warnings) io.stderr(`warning: ${w}\n`);
  return config;
}
