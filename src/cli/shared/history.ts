// The CLI's call history: every run appends to `.prompt-profiler/history` (monthly JSONL) in
// the project's folder, which `report` summarises.
import { randomUUID } from 'node:crypto';
import * as path from 'node:path';
import type { PromptInput } from '../../core/engine';
import { HistoryLog, historyRecordsFromRun } from '../../core/history';
import type { RunResult } from '../../core/run';
import type { CliIO } from './io';

export const DEFAULT_HISTORY_DIR = path.join('.prompt-profiler', 'history');

/** `PROMPT_PROFILER_HISTORY`: `off` records nothing, `prompts` also keeps the prompt text; default on (hash only). */
export const HISTORY_ENV = 'PROMPT_PROFILER_HISTORY';

/**
 * Appends a finished run to the CLI's history (cache hits included, marked). Never fails the
 * run: a history that cannot be written is a warning on stderr.
 */
export async function recordRunHistory(io: CliIO, prompt: PromptInput, results: readonly RunResult[], root?: string): Promise<void> {
  const mode = (io.env[HISTORY_ENV] ?? '').toLowerCase();
  if (mode === 'off' || mode === '0' || mode === 'false') return;
  try {
    const projectRoot = root ?? io.cwd;
    // No folder below the project root may be a link (a committed `.prompt-profiler/history -> ~`).
    await new HistoryLog({ dir: path.resolve(projectRoot, DEFAULT_HISTORY_DIR), root: projectRoot }).append(
      historyRecordsFromRun(results, { prompt, includePrompt: mode === 'prompts', source: 'cli', runId: randomUUID() }),
    );
  } catch (err) {
    io.stderr(`warning: could not write the call history (${(err as Error).message})\n`);
  }
}
