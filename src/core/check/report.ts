// A check's reports: one row per prompt × model, a Markdown summary fit for a pull-request
// comment or $GITHUB_STEP_SUMMARY (largest monthly changes first), and JUnit XML (one test case
// per prompt × model, one failure per breach). Prompt names and model ids are data from the
// repository: code spans in Markdown (src/core/text), entity-encoded in XML.
import { XMLBuilder } from 'fast-xml-parser';
import { formatInt, formatUsd } from '../format';
import { markdownCode, markdownText } from '../text';
import { changeKey } from './budgets';
import { monthlyText, signedInt, signedPercent, signedUsd } from './format';
import type { Breach, ChangeStatus, CheckResult, ModelFigures } from './types';

export interface CheckRow {
  prompt: string;
  file: string;
  line: number;
  modelId: string;
  /** Only when compared with a base. */
  status?: ChangeStatus;
  /** Today's figures; the base's for a deleted prompt. */
  figures: ModelFigures;
  callsPerDay: number | undefined;
  deltaTokens?: number;
  deltaCostPerCall?: number | null;
  deltaMonthly?: number | null;
  percent?: number | null;
  breaches: Breach[];
}

/** Rows sorted: by |Δ per month| (then |Δ per call|) with a base, else by cost per month. */
export function checkRows(result: CheckResult): CheckRow[] {
  const breaches = new Map<string, Breach[]>();
  for (const b of result.breaches) {
    const key = changeKey(b.prompt, b.modelId);
    breaches.set(key, [...(breaches.get(key) ?? []), b]);
  }
  const rows: CheckRow[] = result.changes
    ? result.changes.flatMap((c) =>
        c.models.map((m) => {
          const side = (m.current ? c.current : c.base)!;
          return {
            prompt: side.name,
            file: c.file,
            line: side.line,
            modelId: m.modelId,
            status: m.status,
            figures: (m.current ?? m.base)!,
            callsPerDay: side.callsPerDay,
            deltaTokens: m.deltaTokens,
            deltaCostPerCall: m.deltaCostPerCall,
            deltaMonthly: m.deltaMonthly,
            percent: m.percent,
            breaches: m.current ? (breaches.get(changeKey(side.name, m.modelId)) ?? []) : [],
          };
        }),
      )
    : result.prompts.flatMap((p) =>
        p.models.map((m) => ({
          prompt: p.name,
          file: p.file,
          line: p.line,
          modelId: m.modelId,
          figures: m,
          callsPerDay: p.callsPerDay,
          breaches: breaches.get(changeKey(p.name, m.modelId)) ?? [],
        })),
      );
  const abs = (v: number | null | undefined) => Math.abs(v ?? 0);
  return rows.sort((a, b) =>
    result.changes
      ? abs(b.deltaMonthly) - abs(a.deltaMonthly) || abs(b.deltaCostPerCall) - abs(a.deltaCostPerCall) || a.prompt.localeCompare(b.prompt) || a.modelId.localeCompare(b.modelId)
      : (b.figures.monthlyCost ?? -1) - (a.figures.monthlyCost ?? -1) || a.prompt.localeCompare(b.prompt) || a.modelId.localeCompare(b.modelId),
  );
}

const tokens = (f: ModelFigures) => `${f.estimated ? '≈ ' : ''}${formatInt(f.inputTokens)}`;

export function renderMarkdown(result: CheckResult): string {
  const rows = checkRows(result);
  const shown = result.changes ? rows.filter((r) => r.status !== 'unchanged') : rows;
  const out: string[] = [];
  out.push(`### Prompt cost check${result.base ? ` vs ${markdownCode(result.base)}` : ''}`, '');
  const n = result.breaches.length;
  out.push(n ? `**${n} budget breach${n === 1 ? '' : 'es'}**` : 'Within budget.', '');
  if (result.changes) {
    out.push('| prompt | model | change | input tokens | Δ tokens | cost/call | Δ/call | per month | Δ/month | Δ % |', '|---|---|---|--:|--:|--:|--:|--:|--:|--:|');
    for (const r of shown) {
      out.push(
        `| ${markdownCode(r.prompt, true)} | ${markdownCode(r.modelId, true)} | ${r.status}${r.breaches.length ? ' ⚠' : ''} | ${r.status === 'deleted' ? '—' : tokens(r.figures)} | ${signedInt(r.deltaTokens ?? 0)} | ${r.status === 'deleted' ? '—' : formatUsd(r.figures.costPerCall)} | ${signedUsd(r.deltaCostPerCall ?? null)} | ${r.status === 'deleted' ? '—' : monthlyText(r.figures)} | ${r.deltaMonthly === null || r.deltaMonthly === undefined ? '—' : signedUsd(r.deltaMonthly)} | ${signedPercent(r.percent ?? null) || '—'} |`,
      );
    }
    const unchanged = rows.length - shown.length;
    if (!shown.length) out.push('| *no prompt changed* | | | | | | | | | |');
    if (unchanged) out.push('', `${formatInt(unchanged)} unchanged prompt × model pair${unchanged === 1 ? '' : 's'} not shown.`);
  } else {
    out.push('| prompt | model | input tokens | cost/call | calls/day | per month |', '|---|---|--:|--:|--:|--:|');
    for (const r of shown) {
      out.push(
        `| ${markdownCode(r.prompt, true)} | ${markdownCode(r.modelId, true)}${r.breaches.length ? ' ⚠' : ''} | ${tokens(r.figures)} | ${formatUsd(r.figures.costPerCall)} | ${r.callsPerDay === undefined ? '—' : formatInt(r.callsPerDay)} | ${monthlyText(r.figures)} |`,
      );
    }
  }
  if (n) {
    out.push('', '#### Budget breaches', '');
    for (const b of result.breaches) out.push(`- ${markdownText(b.message)}`);
  }
  return out.join('\n') + '\n';
}

export function renderJUnit(result: CheckResult): string {
  const rows = result.prompts.flatMap((p) => p.models.map((m) => ({ p, m })));
  const cases = rows.map(({ p, m }) => {
    const failures = result.breaches.filter((b) => b.prompt === p.name && b.modelId === m.modelId);
    return {
      '@_classname': p.file,
      '@_name': `${p.name} · ${m.modelId}`,
      ...(failures.length ? { failure: failures.map((b) => ({ '@_message': b.message, '@_type': b.limit, '#text': b.message })) } : {}),
    };
  });
  const suite = {
    '@_name': `prompt-profiler check${result.base ? ` vs ${result.base}` : ''}`,
    '@_tests': cases.length,
    '@_failures': result.breaches.length,
    '@_errors': 0,
    testcase: cases,
  };
  const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@_', format: true, suppressEmptyNode: true });
  return `<?xml version="1.0" encoding="UTF-8"?>\n${builder.build({ testsuites: { '@_name': 'prompt-profiler', '@_tests': cases.length, '@_failures': result.breaches.length, testsuite: suite } })}`;
}
