// The SDKs' own log lines (a malformed SSE line is logged with its raw data, which a server can
// fill with the key it was sent) go to our log, redacted, never straight to the console.
import { format } from 'node:util';
import type { ProviderConfig, ProviderLog } from '../types';
import { redact } from './errors';

type Level = 'error' | 'warn' | 'info' | 'debug';
type LogFn = (message: string, ...rest: unknown[]) => void;

/** The `logger` and `logLevel` options of both SDK clients. */
export function sdkLogOptions(config: ProviderConfig) {
  const sink: ProviderLog = config.log ?? (() => undefined);
  const line = (level: Level): LogFn => (message, ...rest) => sink(level, redact(`${config.name} SDK: ${format(message, ...rest)}`, config.apiKey));
  return {
    logger: { error: line('error'), warn: line('warn'), info: line('info'), debug: line('debug') },
    // Without a log of ours the SDK stays silent: a raw line on stderr helps nobody.
    logLevel: config.log ? ('warn' as const) : ('off' as const),
  };
}
