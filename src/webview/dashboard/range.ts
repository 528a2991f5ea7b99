// Date ranges of the dashboard as [since, until) instants, in the local time zone of whoever
// calls (the extension host resolves them; the page shows them). No Node, no DOM.
import type { DashboardRange, RangePreset } from './protocol';

export const RANGE_PRESETS: ReadonlyArray<{ preset: RangePreset; label: string }> = [
  { preset: 'today', label: 'Today' },
  { preset: '7d', label: 'Last 7 days' },
  { preset: '30d', label: 'Last 30 days' },
  { preset: '90d', label: 'Last 90 days' },
  { preset: 'all', label: 'All time' },
  { preset: 'custom', label: 'Custom…' },
];

const DAY_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Local midnight of a YYYY-MM-DD day, or undefined when it is not one. */
export function localDayStart(day: string): number | undefined {
  const m = DAY_RE.exec(day);
  if (!m) return undefined;
  const d = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return d.getFullYear() === Number(m[1]) && d.getMonth() === Number(m[2]) - 1 && d.getDate() === Number(m[3]) ? d.getTime() : undefined;
}

/** YYYY-MM-DD of an instant in the local time zone. */
export function localDay(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${String(d.getFullYear()).padStart(4, '0')}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

function addDays(ms: number, days: number): number {
  const d = new Date(ms);
  d.setDate(d.getDate() + days);
  return d.getTime();
}

/** The instants [since, until) of a range; undefined ends are open. Presets end with today (included). */
export function resolveRange(range: DashboardRange, now = Date.now()): { since?: number; until?: number } {
  const today = localDayStart(localDay(now))!;
  const tomorrow = addDays(today, 1);
  switch (range.preset) {
    case 'today':
      return { since: today, until: tomorrow };
    case '7d':
      return { since: addDays(today, -6), until: tomorrow };
    case '30d':
      return { since: addDays(today, -29), until: tomorrow };
    case '90d':
      return { since: addDays(today, -89), until: tomorrow };
    case 'all':
      return {};
    case 'custom': {
      const since = range.from ? localDayStart(range.from) : undefined;
      const last = range.to ? localDayStart(range.to) : undefined;
      return { since, until: last === undefined ? undefined : addDays(last, 1) };
    }
  }
}

/** A range as received from the page, checked (an unknown preset or a bad day falls back to `fallback`). */
export function sanitizeRange(value: unknown, fallback: DashboardRange): DashboardRange {
  const v = value as Partial<DashboardRange> | null | undefined;
  if (!v || typeof v !== 'object' || !RANGE_PRESETS.some((p) => p.preset === v.preset)) return fallback;
  if (v.preset !== 'custom') return { preset: v.preset! };
  const day = (s: unknown) => (typeof s === 'string' && localDayStart(s) !== undefined ? s : undefined);
  const from = day(v.from);
  const to = day(v.to);
  return { preset: 'custom', ...(from ? { from } : {}), ...(to ? { to } : {}) };
}
