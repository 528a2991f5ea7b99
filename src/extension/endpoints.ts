// Which base URL and which key each provider gets. The rule that protects users' keys: a base
// URL (or key variable) that comes from WORKSPACE settings — files in a cloned repository — only
// receives a key after the user confirms it in a trusted workspace, and in Restricted Mode it is
// not used at all (no key, no prompt goes there, whatever was approved before). User settings and
// the environment (OPENAI_BASE_URL / ANTHROPIC_BASE_URL, like the SDKs) are the user's own.
// The rule itself is core's checkSecretDelivery, the same one the CLI applies.
import * as vscode from 'vscode';
import { BASE_URL_ENV, providerSettings, toProviderConfig, type ProviderSecrets, type ProviderSettings } from '../core/config';
import { checkSecretDelivery, isLoopback, type Chooser } from '../core/trust';
import type { ProviderConfig, ProviderError, ProviderLog } from '../core/types';
import { readEndpointConfig } from './config';
import type { Log } from './log';
import type { KeyStore } from './secrets';

const APPROVALS_KEY = 'promptProfiler.approvedWorkspaceEndpoints';

export type ResolvedEndpoint = { ok: true; config: ProviderConfig } | { ok: false; error: ProviderError };

export interface ResolveOptions {
  /** May ask the user (for a missing key, or to approve a workspace base URL). */
  interactive: boolean;
}

export class EndpointResolver {
  /** Interactive resolutions, one at a time: a second input box or dialog would dismiss the first. */
  private asking: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly keys: KeyStore,
    private readonly workspaceState: vscode.Memento,
    private readonly log: Log,
  ) {}

  /** The SDKs' own log lines, into our redacting log. */
  private readonly sdkLog: ProviderLog = (level, message) => (level === 'error' ? this.log.error(message) : level === 'warn' ? this.log.warn(message) : this.log.info(message));

  resolve(name: string, options: ResolveOptions): Promise<ResolvedEndpoint> {
    if (!options.interactive) return this.resolveNow(name, options);
    const next = this.asking.then(() => this.resolveNow(name, options));
    this.asking = next.catch(() => undefined);
    return next;
  }

  private async resolveNow(name: string, options: ResolveOptions): Promise<ResolvedEndpoint> {
    const ec = readEndpointConfig();
    const userSettings = providerSettings(name, ec.providers.user);
    const wsOwn = ec.providers.workspace?.[name];
    // A repository may not name the environment variables whose values we send.
    const settings: ProviderSettings | undefined =
      userSettings ?? (wsOwn ? { ...wsOwn, apiKeyEnv: undefined, headersFromEnv: undefined } : undefined);
    if (!settings) {
      // VS Code hides the workspace's values of restricted settings in Restricted Mode.
      const restricted = vscode.workspace.isTrusted ? '' : " In Restricted Mode the workspace's own promptProfiler.providers and promptProfiler.baseUrls are ignored.";
      return fail('config', `Unknown provider "${name}". Add it to the setting promptProfiler.providers (type and baseURL).${restricted}`);
    }
    const userURL = ec.baseUrls.user?.[name] ?? ec.providers.user?.[name]?.baseURL;
    const envURL = BASE_URL_ENV[name] ? process.env[BASE_URL_ENV[name]] || undefined : undefined;
    const ownURL = userURL ?? envURL ?? userSettings?.baseURL;
    const workspaceURL = ec.baseUrls.workspace?.[name] ?? wsOwn?.baseURL;
    const restricted = !vscode.workspace.isTrusted && workspaceURL !== undefined && workspaceURL !== ownURL;
    if (restricted) {
      this.log.warn(`Restricted Mode: ignored the workspace's base URL for ${name} (${workspaceURL}).`);
      if (!ownURL && settings.type === 'openai-compatible') {
        return fail('config', `Restricted Mode: the workspace sets ${name}'s base URL to ${workspaceURL}; it is used only once you trust this workspace.`);
      }
    }
    const wsURL = restricted ? undefined : workspaceURL;

    let key = await this.keys.get(name, userSettings ?? settings);
    if (!key && settings.type !== 'openai-compatible' && options.interactive) key = await this.keys.prompt(name);
    // The key and the secret headers go together: one decision below says where they may go.
    const secrets: ProviderSecrets = { apiKey: key, headers: await this.keys.headers(name, userSettings ?? settings) };

    // The one trust rule (src/core/trust): the workspace's URL gets the key only once approved.
    const delivery = (baseURL: string | undefined, urlChosenBy: Chooser, repositoryTrusted: boolean) =>
      checkSecretDelivery({
        provider: name,
        type: settings.type,
        baseURL,
        urlChosenBy,
        urlSource: urlChosenBy === 'repository' ? 'workspace settings' : undefined,
        // The key and the secret headers are the user's (a workspace provider cannot name a header's variable).
        secrets: [
          ...(key ? [{ label: `your ${name} API key`, chosenBy: 'user' as const }] : []),
          ...Object.keys(secrets.headers).map((h) => ({ label: `your ${name} header ${h}`, chosenBy: 'user' as const })),
        ],
        repositoryTrusted,
      });
    let baseURL = ownURL;
    let verdict = delivery(ownURL, 'user', false);
    if (wsURL && wsURL !== ownURL) {
      let ws = delivery(wsURL, 'repository', false);
      if (!ws.ok && (await this.approved(name, wsURL, options, secrets))) ws = delivery(wsURL, 'repository', true);
      if (ws.ok) {
        baseURL = wsURL;
        verdict = ws;
      } else {
        this.log.warn(`Ignored the workspace's base URL for ${name} (${wsURL}): it was not approved to receive your API key.`);
        if (!ownURL && !userSettings?.baseURL && settings.type === 'openai-compatible') {
          return fail(
            'config',
            `The workspace sets ${name}'s base URL to ${wsURL}; it may receive your API key only after you approve it in a trusted workspace.`,
          );
        }
      }
    }
    if (!verdict.ok) return fail('config', verdict.reason);
    for (const w of verdict.warnings) this.log.warn(w);
    if (settings.type === 'openai-compatible' && !baseURL) return fail('config', `Provider "${name}" needs a baseURL.`);
    if (!key && settings.type !== 'openai-compatible') {
      return fail('auth', `No API key for ${name}: run "Prompt Profiler: Set API Key…" or set ${settings.apiKeyEnv ?? 'its key variable'}.`);
    }
    return { ok: true, config: { ...toProviderConfig(name, settings, secrets, baseURL), log: this.sdkLog } };
  }

  private async approved(name: string, url: string, options: ResolveOptions, secrets: ProviderSecrets): Promise<boolean> {
    const id = `${name}|${url}`;
    if (!vscode.workspace.isTrusted) return false;
    const list = this.workspaceState.get<string[]>(APPROVALS_KEY, []);
    if (list.includes(id)) return true;
    if (!options.interactive) return false;
    const allow = 'Send my key there';
    const plainHttp = /^http:/i.test(url) && !isLoopback(url);
    const choice = await vscode.window.showWarningMessage(
      `This workspace's settings point ${name} at ${url}. Send your ${secretsLabel(name, secrets)} to that address?`,
      {
        modal: true,
        detail:
          'Only allow this if you trust the repository: a base URL in workspace settings can collect your key.' +
          (plainHttp ? ' This URL is plain http://: your key would travel unencrypted, readable by anyone on the network path.' : ''),
      },
      allow,
    );
    if (choice !== allow) return false;
    await this.workspaceState.update(APPROVALS_KEY, [...list, id]);
    this.log.info(`Approved the workspace base URL ${url} for ${name}.`);
    return true;
  }
}

/** "anthropic API key", "gw secret header x-gw-secret", or both. */
function secretsLabel(name: string, secrets: ProviderSecrets): string {
  const headers = Object.keys(secrets.headers);
  const headerText = headers.length ? `secret header${headers.length > 1 ? 's' : ''} ${headers.join(', ')}` : '';
  return `${name} ${[secrets.apiKey ? 'API key' : '', headerText].filter(Boolean).join(' and ')}`;
}

function fail(kind: ProviderError['kind'], message: string): ResolvedEndpoint {
  return { ok: false, error: { kind, message } };
}
