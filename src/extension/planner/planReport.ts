// A prompt-cache plan (and its verification) as a readable Markdown report. Pure: no `vscode`.
import { formatInt, formatUsd } from '../../core/format';
import type { CachePlan, CacheVerification } from '../../core/planner';
import { markdownText } from '../../core/text';
import { cell } from './reportDocuments';

const ICON = { error: '✗', warning: '⚠', info: 'ℹ' } as const;
/** Characters of the stable prefix quoted in the report. */
const PREFIX_QUOTE_CHARS = 3000;

function signedUsd(x: number): string {
  return x < 0 ? `−${formatUsd(-x)}` : formatUsd(x);
}

function signed(n: number): string {
  return n > 0 ? `+${formatInt(n)}` : n < 0 ? `−${formatInt(-n)}` : '0';
}

/** A fenced block that no backtick run inside the text can close. */
function fence(text: string): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const f = '`'.repeat(longest + 1);
  return `${f}text\n${text}\n${f}`;
}

export function renderPlanReport(plan: CachePlan, verification?: CacheVerification, source?: string): string {
  const approx = plan.counting.estimated ? '≈ ' : '';
  const tokens = (n: number) => `${approx}${formatInt(n)} token${n === 1 ? '' : 's'}`;
  const lines: string[] = [];
  lines.push(`# Prompt cache plan: ${markdownText(plan.modelId)}`, '');
  lines.push(`${source ? `For **${cell(source)}**, counted` : 'Counted'} by ${plan.counting.method}${plan.counting.estimated ? ' (an estimate)' : ''}; the whole prompt is ${tokens(plan.totalTokens)}.`, '');

  const sp = plan.stablePrefix;
  const vp = plan.variablePart;
  const rows: [string, string][] = [
    ['Stable prefix', `${tokens(sp.tokens)}: ${sp.description}${sp.cacheable ? '' : ' (too short to cache)'}`],
    [
      'Variable part',
      `${tokens(vp.tokens)}${vp.firstVariable ? ` from {{${vp.firstVariable}}} on` : ''}${vp.variables.length ? ` (variables: ${vp.variables.map((v) => `{{${v}}}`).join(', ')})` : ''}`,
    ],
    ['Minimum cacheable length', plan.minCacheableTokens === null ? 'unknown for this provider' : `${formatInt(plan.minCacheableTokens)} tokens`],
    [
      'Breakpoints',
      plan.automatic
        ? 'none needed: OpenAI caches the prefix automatically (keep the static part first)'
        : plan.breakpoints.length
          ? `${plan.breakpoints.length} cache_control (at most 4)`
          : plan.vendor === 'anthropic'
            ? 'none: nothing here can be cached'
            : 'not applicable',
    ],
    ['TTL', plan.ttl === null ? 'none' : plan.ttl === 'auto' ? 'automatic (about 5–10 minutes without use)' : plan.ttl],
  ];
  lines.push('| | |', '|---|---|', ...rows.map(([k, v]) => `| ${k} | ${cell(v, 500)} |`), '');

  if (plan.breakpoints.length) {
    lines.push('## Where to put `cache_control`', '');
    plan.breakpoints.forEach((b, i) => {
      const where = b.block === 'system' ? 'the system prompt' : `message ${b.block + 1}${b.splitBeforeVariable ? ' (split into two text blocks before its first variable)' : ''}`;
      lines.push(`${i + 1}. After ${where}: ${tokens(b.tokens)}, TTL ${b.ttl}. ${b.reason}`);
    });
    lines.push('');
  }

  if (plan.vendor !== 'other') {
    const p = plan.prediction;
    lines.push(
      '## Predicted cache tokens',
      '',
      '| Call | Cache write | Cache read |',
      '|---|---:|---:|',
      `| First call (cold cache) | ${formatInt(p.firstCall.cacheWriteTokens)} | ${formatInt(p.firstCall.cacheReadTokens)} |`,
      `| Same prefix again within the TTL | ${formatInt(p.repeatCall.cacheWriteTokens)} | ${formatInt(p.repeatCall.cacheReadTokens)} |`,
      '',
    );
  }

  const e = plan.economics;
  if (e) {
    lines.push(`## Does it pay? At ${formatInt(e.callsPerHour)} calls per hour, for the ${formatInt(e.prefixTokens)}-token prefix`, '');
    lines.push(
      '| TTL | Input /MTok | Write /MTok | Read /MTok | Break-even | Calls to save | Uncached /hour | Cached /hour | Saving /hour |',
      '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
    );
    for (const o of e.options) {
      lines.push(
        `| ${o.ttl === 'auto' ? 'automatic' : o.ttl} | ${formatUsd(o.rates.input)} | ${formatUsd(o.rates.cacheWrite)} | ${formatUsd(o.rates.cacheRead)} | ` +
          `${o.breakEvenCalls === null ? 'never' : `${+o.breakEvenCalls.toFixed(2)} calls`} | ${o.callsToSave ?? '—'} | ` +
          `${formatUsd(o.perHour.uncached)} | ${formatUsd(o.perHour.cached)} | ${signedUsd(o.perHour.saving)} |`,
      );
    }
    lines.push('', `**Recommended: ${e.recommended === 'none' ? 'no caching' : e.recommended === 'auto' ? 'automatic caching' : `TTL ${e.recommended}`}.** ${e.reason}`, '');
  }

  if (plan.findings.length) {
    lines.push('## Findings', '');
    for (const f of plan.findings) lines.push(`- ${ICON[f.severity]} ${f.message}`);
    lines.push('');
  }

  if (verification) lines.push(...renderVerification(verification));
  else if (plan.vendor !== 'other') lines.push('*Verify: run the plan twice for real and compare with the cache tokens the provider reports (the Verify button).*', '');

  if (sp.text) {
    const quoted = sp.text.length > PREFIX_QUOTE_CHARS ? `${sp.text.slice(0, PREFIX_QUOTE_CHARS)}\n…` : sp.text;
    lines.push('## The stable prefix', '', fence(quoted), '');
  }
  return lines.join('\n');
}

export function renderVerification(v: CacheVerification): string[] {
  const lines = ['## Verify: predicted vs reported', ''];
  if (!v.ok) {
    lines.push(`${ICON.error} ${v.summary}`, '');
    return lines;
  }
  const row = (what: string, predicted: number, reported: number) => `| ${what} | ${formatInt(predicted)} | ${formatInt(reported)} | ${signed(reported - predicted)} |`;
  lines.push(
    '| | Predicted | Reported | Difference |',
    '|---|---:|---:|---:|',
    row('Call 1: cache write', v.predicted.firstCall.cacheWriteTokens, v.reported.firstCall.cacheWriteTokens),
    row('Call 1: cache read', v.predicted.firstCall.cacheReadTokens, v.reported.firstCall.cacheReadTokens),
    row('Call 2: cache read', v.predicted.repeatCall.cacheReadTokens, v.reported.repeatCall.cacheReadTokens),
    '',
    `${v.readDifference === 0 ? '✓' : ICON.warning} ${v.summary}${v.savedUsd !== null ? ` The cache saved ${formatUsd(v.savedUsd)} on call 2.` : ''}`,
    '',
  );
  return lines;
}
