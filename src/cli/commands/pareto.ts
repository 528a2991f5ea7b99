// prompt-profiler pareto: the Pareto frontier of a set of options and the one to pick under the
// limits. Input: a JSON file [{"name","latencyP95","costPer1k","quality"}] (seconds, USD per
// 1,000 calls, 0–1). Exit 0 when an option was selected (or no limit was given), 1 when nothing
// meets the limits, 2 for bad usage or a bad file.
import type { Command } from 'commander';
import { costPerQualityPoint, formatSeconds, paretoFrontier, recommend, type ParetoPoint } from '../../core/analysis';
import { formatUsd } from '../../core/format';
import { defineCommand, type CommandContext } from '../shared/command';
import { addLimitOptions, readText, requirementsFromFlags, type LimitOptions } from '../shared/decide';
import { UsageError, type CliIO } from '../shared/io';
import { renderTable } from '../shared/table';

interface ParetoOptions extends LimitOptions {
  json?: boolean;
}

export function registerPareto(program: Command, ctx: CommandContext): void {
  addLimitOptions(
    defineCommand(program, 'pareto', 'the Pareto frontier of cost × latency × quality options, and the one to pick under your limits')
      .argument('<options.json>', 'a JSON array of {"name","latencyP95","costPer1k","quality"} (seconds, USD per 1,000 calls, 0–1; - for standard input)'),
  )
    .option('--json', 'print JSON')
    .action(async (file: string, opts: ParetoOptions) => ctx.exit(await paretoCommand(file, opts, ctx.io)));
}

export async function paretoCommand(file: string, values: ParetoOptions, io: CliIO): Promise<number> {
  const requirements = requirementsFromFlags(values);
  const points = parseOptionsFile(await readText(file, io), file);

  const frontier = paretoFrontier(points);
  const rec = recommend(points, requirements);
  if (values.json) {
    io.stdout(
      JSON.stringify({ frontier: frontier.map((i) => points[i].name), selected: rec.selectedName, reason: rec.reason }, null, 2) + '\n',
    );
  } else {
    const onFrontier = new Set(frontier);
    const feasible = new Set(rec.feasible);
    const hasLimits = Object.keys(requirements).length > 0;
    io.stdout(
      renderTable(
        ['option', 'p95', 'cost/1k', 'quality', '$/1k per quality', 'frontier', ...(hasLimits ? ['meets limits'] : []), 'selected'],
        points.map((p, i) => [
          p.name,
          formatSeconds(p.latencyP95),
          formatUsd(p.costPer1k),
          p.quality.toFixed(2),
          Number.isFinite(costPerQualityPoint(p)) ? formatUsd(costPerQualityPoint(p)) : '—',
          onFrontier.has(i) ? '★' : '',
          ...(hasLimits ? [feasible.has(i) ? 'yes' : 'no'] : []),
          rec.selected === i ? '←' : '',
        ]),
        [1, 2, 3, 4],
      ) + '\n',
    );
    io.stdout(`\nPareto frontier (${frontier.length} of ${points.length}): ${frontier.map((i) => points[i].name).join('; ')}\n`);
    io.stdout(`${rec.selectedName !== null ? `Selected: ${rec.reason}` : rec.reason}\n`);
  }
  return rec.selected === null && points.length > 0 && Object.keys(requirements).length > 0 ? 1 : 0;
}



/** Validates the options file; every problem is a UsageError naming the entry. */
export function parseOptionsFile(text: string, file: string): ParetoPoint[] {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${file}: not valid JSON (${(e as Error).message}).`);
  }
  if (!Array.isArray(raw)) throw new UsageError(`${file}: must be a JSON array of {"name","latencyP95","costPer1k","quality"}.`);
  const problems: string[] = [];
  const names = new Set<string>();
  const points: ParetoPoint[] = [];
  raw.forEach((entry: unknown, i) => {
    const where = `${file}[${i}]`;
    if (!entry || typeof entry !== 'object' || Array.isArray(entry)) {
      problems.push(`${where} must be an object.`);
      return;
    }
    const e = entry as Record<string, unknown>;
    const name = typeof e.name === 'string' ? e.name.trim() : '';
    if (!name) problems.push(`${where}: "name" must be a non-empty string.`);
    else if (names.has(name)) problems.push(`${where}: the name "${name}" is used twice.`);
    names.add(name);
    const n = (key: string, ok: (x: number) => boolean, what: string) => {
      const v = e[key];
      if (typeof v !== 'number' || !Number.isFinite(v) || !ok(v)) {
        problems.push(`${where}${name ? ` (${name})` : ''}: "${key}" must be ${what} (got ${JSON.stringify(v)}).`);
        return NaN;
      }
      return v;
    };
    const latencyP95 = n('latencyP95', (x) => x >= 0, 'a number of seconds ≥ 0');
    const costPer1k = n('costPer1k', (x) => x >= 0, 'a number of USD ≥ 0');
    const quality = n('quality', (x) => x >= 0 && x <= 1, 'a number from 0 to 1');
    points.push({ name, latencyP95, costPer1k, quality });
  });
  if (problems.length) throw new UsageError(problems.join('\n'));
  return points;
}

