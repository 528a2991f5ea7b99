// The one rule both shells follow before a secret (an API key, a secret header) leaves the
// machine: it goes to its vendor's official host, or to a base URL the USER chose (environment
// variable, the user's own config file or settings, an explicit approval), never to one a
// repository chose unless the user opted in for this run. A repository may not pick which
// environment variable is sent either (`apiKeyEnv: "GITHUB_TOKEN"`), unless the user allowed it
// the same way. So a key reaches a plain http:// URL only on loopback or once the user chose or
// approved that URL, and then with a warning that says it travels unencrypted.
import type { ProviderType } from '../types';

/** Who chose a value: the user (their environment, config, settings, approval), or the repository being worked in. */
export type Chooser = 'user' | 'repository';

/** One secret that a request would carry. */
export interface SecretToSend {
  /** What it is, for messages: `the API key in OPENAI_API_KEY`, `the header X-Api-Key (from GATEWAY_TOKEN)`. */
  label: string;
  /** Who chose to send it (for a key read from a variable: who named the variable). */
  chosenBy: Chooser;
}

export interface SecretDelivery {
  provider: string;
  type: ProviderType;
  /** Where the request goes; undefined = the vendor's default host. */
  baseURL?: string;
  /** Who chose `baseURL` (ignored when it is undefined or the vendor's official host). */
  urlChosenBy: Chooser;
  /** Where the URL came from, for messages: `prompt-profiler.json`, `workspace settings`. */
  urlSource?: string;
  /** Every secret the request would carry (none: a keyless local server, always allowed). */
  secrets: readonly SecretToSend[];
  /** The user opted in to the repository's values for this run (--trust-config, or an approval of this URL). */
  repositoryTrusted: boolean;
}

export type DeliveryVerdict =
  | { ok: true; warnings: string[] }
  | {
      ok: false;
      /** `url`: a repository's base URL; `secret`: a secret the repository chose. */
      refused: 'url' | 'secret';
      /** The URL or the secret's label that was refused. */
      what: string;
      /** Why, as a sentence without the remedy (each shell names its own way to allow it). */
      reason: string;
    };

/** The vendors' official API hosts: a key for them may go there whoever named the URL. */
export const OFFICIAL_HOSTS: Readonly<Partial<Record<ProviderType, string>>> = {
  openai: 'api.openai.com',
  anthropic: 'api.anthropic.com',
};

function parse(url: string): URL | undefined {
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}

export function isOfficialHost(type: ProviderType, url: string): boolean {
  const u = parse(url);
  return !!u && u.protocol === 'https:' && u.hostname === OFFICIAL_HOSTS[type] && (u.port === '' || u.port === '443');
}

/** 127.0.0.0/8, ::1 and localhost: traffic that never leaves the machine. */
export function isLoopback(url: string): boolean {
  const host = parse(url)?.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (!host) return false;
  return host === 'localhost' || host.endsWith('.localhost') || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

/** Whether these secrets may go to this URL; why not if they may not. */
export function checkSecretDelivery(d: SecretDelivery): DeliveryVerdict {
  if (!d.secrets.length) return { ok: true, warnings: [] };
  const from = d.urlSource ? ` (set in ${d.urlSource})` : '';
  const repoURL = d.baseURL !== undefined && d.urlChosenBy === 'repository' && !isOfficialHost(d.type, d.baseURL);
  if (repoURL && !d.repositoryTrusted) {
    return {
      ok: false,
      refused: 'url',
      what: d.baseURL!,
      reason: `Refused to send ${labels(d.secrets)} for ${d.provider} to ${d.baseURL}${from}: that URL comes from the repository, not from you, and could collect it.`,
    };
  }
  const repoSecret = d.secrets.find((s) => s.chosenBy === 'repository');
  if (repoSecret && !d.repositoryTrusted) {
    return {
      ok: false,
      refused: 'secret',
      what: repoSecret.label,
      reason: `Refused to send ${repoSecret.label} for ${d.provider}: the repository's config chose that secret, not you.`,
    };
  }
  const warnings: string[] = [];
  // Past this point the URL is the user's own or approved: plain http off loopback is sent, and said so.
  if (d.baseURL !== undefined && parse(d.baseURL)?.protocol === 'http:' && !isLoopback(d.baseURL)) {
    warnings.push(`${d.provider}: ${labels(d.secrets)} goes to ${d.baseURL} over plain http, unencrypted: anyone on the network path can read it.`);
  }
  return { ok: true, warnings };
}

function labels(secrets: readonly SecretToSend[]): string {
  const l = secrets.map((s) => s.label);
  return l.length <= 1 ? l.join('') : `${l.slice(0, -1).join(', ')} and ${l[l.length - 1]}`;
}
