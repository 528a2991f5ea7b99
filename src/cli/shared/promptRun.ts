// One prompt on every model in parallel, as `run` and `demo` print it: live progress on stderr,
// then the table (or JSON), the answers, the totals and, with --pareto, the decision.
import * as path from 'node:path';
import type { ProfilerEngine, PromptInput } from '../../core/engine';
import { writePrivateFileSync, writeRootFor } from '../../core/files';
import { truncationNote } from '../../core/format';
import type { CliConfig } from './config';
import { analyseForRun, paretoRunJson, renderParetoSection, REPORT_ONLY_ANALYSIS, type RunParetoConfig } from './decide';
import { recordRunHistory } from './history';
import { renderHtmlReport } from './htmlReport';
import type { CliIO } from './io';
import { createProgress } from './progress';
import { runResultJson } from './resultJson';
import { localServerNotes, renderRepeatTable, renderResultsTable, renderTotals, resultNotes } from './results';

export interface PromptRunInput {
  /** The prompt file as named on the command line (for the report and the static prefix). */
  file: string;
  prompt: PromptInput;
  models: string[];
  concurrency: number;
  repeats: number;
  json: boolean;
  quiet: boolean;
  html?: string;
  pareto: RunParetoConfig | null;
  config: CliConfig;
  engine: ProfilerEngine;
  /** The prompt's text when it is not in `file` (the demo's built-in prompt). */
  promptText?: string;
  /** A line printed above the results (the demo says its models are simulated). */
  banner?: string;
}

export async function runPrompt(input: PromptRunInput, io: CliIO): Promise<number> {
  const { engine, prompt, models, repeats } = input;
  const progress = createProgress(io, {
    total: models.length * repeats,
    quiet: input.quiet,
    bar: repeats > 1,
    label: (r) => `${r.modelId}${repeats > 1 ? ` #${r.repeat + 1}` : ''}`,
  });
  let summary;
  try {
    summary = await engine.run(prompt, models, {
      concurrency: input.concurrency,
      repeats,
      signal: io.signal,
      onProgress: progress.forRun(),
    });
  } finally {
    progress.stop();
  }

  await recordRunHistory(io, prompt, summary.results, input.config.root);

  // The HTML report always has its chart: without --pareto, the options as measured (no extra calls).
  const decide = input.pareto ?? (input.html ? REPORT_ONLY_ANALYSIS : null);
  const analysis = decide ? await analyseForRun(engine, prompt, summary.results, models, input.file, io, decide, input.promptText !== undefined ? { templateText: input.promptText } : undefined) : null;

  if (input.html) {
    const html = path.resolve(io.cwd, input.html);
    writePrivateFileSync(
      html,
      renderHtmlReport({ title: input.file, prompt, results: summary.results, wallMs: summary.wallMs, analysis, banner: input.banner }),
      writeRootFor(html, input.config.root),
    );
    io.stderr(`Wrote ${input.html}\n`);
  }
  if (input.json) {
    io.stdout(
      JSON.stringify(
        { results: summary.results.map(runResultJson), wallMs: Math.round(summary.wallMs), ...(analysis && input.pareto ? paretoRunJson(analysis, input.pareto ?? undefined) : {}) },
        null,
        2,
      ) + '\n',
    );
  } else {
    const out: string[] = [];
    if (input.banner) out.push(input.banner, '');
    out.push(repeats > 1 ? renderRepeatTable(summary.results, models) : renderResultsTable(summary.results));
    out.push(...resultNotes(summary.results), ...localServerNotes(models, repeats, input.config));
    // One answer per model: with --repeat, its first whole answer (the others are for timing).
    for (const id of models) {
      const mine = summary.results.filter((r) => r.modelId === id);
      const shown = mine.find((r) => r.ok) ?? mine.find((r) => r.output);
      if (!shown) continue;
      const note = shown.ok ? truncationNote(shown) : `partial answer: ${shown.error?.kind}`;
      out.push('', `── ${id}${note ? ` (${note})` : ''} ──`, shown.output);
    }
    out.push('', renderTotals(summary.results, summary.wallMs));
    if (analysis && input.pareto) out.push('', renderParetoSection(analysis, input.pareto ?? undefined));
    io.stdout(out.join('\n') + '\n');
  }
  // The answers were reported as they finished; their cache writes land before the command ends.
  await engine.cache?.flush();
  return summary.results.every((r) => r.ok) ? 0 : 1;
}
