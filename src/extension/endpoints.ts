// Which base URL and which key each provider gets. The rule that protects users' keys: a base
// URL (or key variable) that comes from WORKSPACE settings — files in a cloned repository — only
// receives a key after the user confirms it in a trusted workspace, and in Restricted Mode it is
// not used at all (no key, no prompt goes there, whatever was approved before). User settings and
// the environment (OPENAI_BASE_URL / ANTHROPIC_BASE_URL, like the SDKs) are the user's own.
import * as vscode from 'vscode';
import { BASE_URL_ENV, hasSecrets, providerSettings, toProviderConfig, type ProviderSecrets, type ProviderSettings } from '../core/config';
import type { ProviderConfig, ProviderError } from '../core/types';
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

    let baseURL = ownURL;
    if (wsURL && wsURL !== ownURL) {
      if (!hasSecrets(secrets) || (await this.approved(name, wsURL, options, secrets))) baseURL = wsURL;
      else {
        this.log.warn(`Ignored the workspace's base URL for ${name} (${wsURL}): it was not approved to receive your API key.`);
        if (!ownURL && !userSettings?.baseURL && settings.type === 'openai-compatible') {
          return fail(
            'config',
            `The workspace sets ${name}'s base URL to ${wsURL}; it may receive your API key only after you approve it in a trusted workspace.`,
          );
        }
      }
    }
    if (settings.type === 'openai-compatible' && !baseURL) return fail('config', `Provider "${name}" needs a baseURL.`);
    if (!key && settings.type !== 'openai-compatible') {
      return fail('auth', `No API key for ${name}: run "Prompt Profiler: Set API Key…" or set ${settings.apiKeyEnv ?? 'its key variable'}.`);
    }
    const log = this.log;
    return {
      ok: true,
      config: { ...toProviderConfig(name, settings, secrets, baseURL), log: (level, m) => (level === 'debug' ? undefined : log[level](m)) },
    };
  }

  private async approved(name: string, url: string, options: ResolveOptions, secrets: ProviderSecrets): Promise<boolean> {
    const id = `${name}|${url}`;
    if (!vscode.workspace.isTrusted) return false;
    const list = this.workspaceState.get<string[]>(APPROVALS_KEY, []);
    if (list.includes(id)) return true;
    if (!options.interactive) return false;
    const allow = 'Send my key there';
    const choice = await vscode.window.showWarningMessage(
      `This workspace's settings point ${name} at ${url}. Send your ${secretsLabel(name, secrets)} to that address?`,
      { modal: true, detail: 'Only allow this if you trust the repository: a base URL in workspace settings can collect your key.' },
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
