// Scenario queue, filters and the named shorthands accepted by `x-fake-scenario` and the admin API.
import type { Scenario, ScenarioKind, Vendor } from './types';

const KINDS: ScenarioKind[] = [
  'http_error',
  'error_after_n',
  'mid_stream_error',
  'truncate',
  'malformed',
  'stall',
  'slow_headers',
  'duplicate_frames',
  'bare_frames',
  'cache_miss',
];

/** Paths scenarios apply to when they have no `path` filter. */
export const GENERATION_PATHS = new Set(['/v1/chat/completions', '/v1/messages']);

/**
 * Named shorthands:
 *   `401`, `http_429`, `500`, `529` …           → http_error with that status
 *   `auth` 401, `rate_limit` 429, `server_error` 500, `overloaded` 529
 *   `error_after_N` (`error_after_2`)            → error_after_n, n = N
 *   `mid_stream_error[_K]`, `truncate[_K]`, `malformed[_K]` → after K content chunks
 *   `stall[_MS]` (forever without MS), `slow_headers[_MS]` (forever without MS)
 *   `duplicate_frames`, `bare_frames`, `cache_miss`
 */
export function namedScenario(name: string): Scenario {
  const n = name.trim();
  let m = /^(?:http_)?(\d{3})$/.exec(n);
  if (m) return { kind: 'http_error', status: Number(m[1]) };
  const aliases: Record<string, number> = { auth: 401, unauthorized: 401, rate_limit: 429, server_error: 500, overloaded: 529 };
  if (aliases[n]) return { kind: 'http_error', status: aliases[n] };
  m = /^error_after_(\d+)$/.exec(n);
  if (m) return { kind: 'error_after_n', n: Number(m[1]) };
  m = /^(mid_stream_error|truncate|malformed)(?:_(\d+))?$/.exec(n);
  if (m) {
    const kind = m[1] as 'mid_stream_error' | 'truncate' | 'malformed';
    return m[2] === undefined ? { kind } : { kind, afterChunks: Number(m[2]) };
  }
  m = /^(stall|slow_headers)(?:_(\d+))?$/.exec(n);
  if (m) {
    const kind = m[1] as 'stall' | 'slow_headers';
    return m[2] === undefined ? { kind } : { kind, ms: Number(m[2]) };
  }
  if (n === 'duplicate_frames' || n === 'bare_frames' || n === 'cache_miss') return { kind: n };
  throw new Error(`unknown scenario name "${name}"`);
}

/** Accepts a Scenario object, an array of them, a name, or a JSON string of any of these. */
export function parseScenarios(input: unknown): Scenario[] {
  if (typeof input === 'string') {
    const t = input.trim();
    if (t.startsWith('{') || t.startsWith('[')) return parseScenarios(JSON.parse(t) as unknown);
    return [namedScenario(t)];
  }
  if (Array.isArray(input)) return input.flatMap((x) => parseScenarios(x));
  if (input && typeof input === 'object') {
    const o = input as Record<string, unknown>;
    if (typeof o.name === 'string' && o.kind === undefined) {
      const { name, ...filters } = o;
      return [{ ...namedScenario(name as string), ...filters } as Scenario];
    }
    if (typeof o.kind === 'string' && (KINDS as string[]).includes(o.kind)) {
      if (o.kind === 'http_error' && typeof o.status !== 'number') throw new Error('http_error needs a numeric status');
      if (o.kind === 'error_after_n' && typeof o.n !== 'number') throw new Error('error_after_n needs a numeric n');
      return [o as unknown as Scenario];
    }
  }
  throw new Error(`not a scenario: ${JSON.stringify(input)}`);
}

export function globMatch(pattern: string, value: string): boolean {
  if (!pattern.includes('*')) return pattern === value;
  const re = new RegExp('^' + pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*') + '$');
  return re.test(value);
}

export interface ScenarioTarget {
  vendor?: Vendor;
  path: string;
  model?: string;
}

export function scenarioMatches(s: Scenario, t: ScenarioTarget): boolean {
  if (s.vendor && s.vendor !== t.vendor) return false;
  if (s.path ? s.path !== t.path : !GENERATION_PATHS.has(t.path)) return false;
  if (s.model && !(t.model !== undefined && globMatch(s.model, t.model))) return false;
  return true;
}

interface Queued {
  scenario: Scenario;
  remaining: number;
}

/** FIFO of one-shot scenarios. */
export class ScenarioQueue {
  private items: Queued[] = [];

  push(list: Scenario[]): void {
    for (const s of list) {
      const remaining = s.kind === 'error_after_n' ? s.n : (s.times ?? 1);
      if (remaining > 0) this.items.push({ scenario: s, remaining });
    }
  }

  /** Takes (uses up one application of) the first scenario matching `t`. */
  take(t: ScenarioTarget): Scenario | undefined {
    const i = this.items.findIndex((q) => scenarioMatches(q.scenario, t));
    if (i < 0) return undefined;
    const q = this.items[i];
    q.remaining--;
    if (q.remaining <= 0) this.items.splice(i, 1);
    return q.scenario;
  }

  pending(): Scenario[] {
    return this.items.map((q) => q.scenario);
  }

  clear(): void {
    this.items = [];
  }
}
