// What both SDK clients get from a provider config besides key and URL: our traced fetch, the
// provider's extra headers, and a logger that sends the SDK's own lines to ours, not the console.
import { format } from 'node:util';
import type { ProviderConfig, ProviderLog, ReportedCost } from '../types';
import { redact } from './errors';
import { tracingFetch } from './responseTrace';
import { wiredFetch } from './wire';

type Level = 'error' | 'warn' | 'info' | 'debug';
type LogFn = (message: string, ...rest: unknown[]) => void;

export function sdkSharedOptions(config: ProviderConfig) {
  return {
    // Stamps each HTTP attempt for the call's wire timing (./wire.ts), then keeps an error's body.
    fetch: tracingFetch(wiredFetch),
    ...(config.headers && Object.keys(config.headers).length ? { defaultHeaders: config.headers } : {}),
    logger: sdkLogger(config),
    // Without a log of ours the SDK is silent: a raw line on stderr helps nobody.
    logLevel: config.log ? ('warn' as const) : ('off' as const),
  };
}

function sdkLogger(config: ProviderConfig): Record<Level, LogFn> {
  const sink: ProviderLog = config.log ?? (() => undefined);
  const secrets = secretsOf(config);
  const line = (level: Level): LogFn => (message, ...rest) => sink(level, redact(`${config.name} SDK: ${format(message, ...rest)}`, ...secrets));
  return { error: line('error'), warn: line('warn'), info: line('info'), debug: line('debug') };
}

/** The key and the secret header values: never in a message or a log line. */
export function secretsOf(config: ProviderConfig): string[] {
  return [config.apiKey, ...(config.secretHeaders ?? []).map((h) => config.headers?.[h])].filter((s): s is string => !!s);
}

/** The header LiteLLM's proxy puts its own cost of the call in (both wire formats). */
const LITELLM_COST_HEADER = 'x-litellm-response-cost';

export function costFromHeaders(headers: Headers): ReportedCost | undefined {
  const v = headers.get(LITELLM_COST_HEADER);
  const usd = v === null || v.trim() === '' ? NaN : Number(v);
  return Number.isFinite(usd) ? { usd, source: `${LITELLM_COST_HEADER} header` } : undefined;
}
