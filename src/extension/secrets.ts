// API keys: VS Code SecretStorage first, the environment as fallback. Never settings, state,
// logs, cache files or webview messages.
import * as vscode from 'vscode';
import { providerSettings, secretHeaders, type ProviderSettings } from '../core/config';
import { secretHeaderKeyFor, secretKeyFor } from './constants';
import { Disposable } from './lifecycle';
import type { Log } from './log';

const VENDOR_LABEL: Record<string, string> = { openai: 'OpenAI', anthropic: 'Anthropic' };

export class KeyStore extends Disposable {
  private readonly emitter = this._register(new vscode.EventEmitter<string>());
  /** Fires with the provider name whose stored key changed. */
  readonly onDidChange = this.emitter.event;

  constructor(
    private readonly secrets: vscode.SecretStorage,
    private readonly log: Log,
  ) {
    super();
    this._register(
      secrets.onDidChange((e) => {
        const m = /^promptProfiler\.(.+)\.apiKey$/.exec(e.key);
        if (m) this.emitter.fire(m[1]);
      }),
    );
  }

  /** The key for a provider: SecretStorage, else the provider's environment variable. */
  async get(provider: string, settings: ProviderSettings | undefined): Promise<string | undefined> {
    const stored = await this.secrets.get(secretKeyFor(provider));
    const key = stored || envKey(provider, settings);
    this.log.addSecret(key);
    return key || undefined;
  }

  /** Secret header values (headersFromEnv): SecretStorage first, else the named environment variable. */
  async headers(provider: string, settings: ProviderSettings | undefined): Promise<Record<string, string>> {
    const stored: Record<string, string> = {};
    for (const header of Object.keys(settings?.headersFromEnv ?? {})) {
      const value = await this.secrets.get(secretHeaderKeyFor(provider, header));
      if (value) stored[header] = value;
    }
    const values = secretHeaders(settings ?? {}, (variable, header) => stored[header] ?? (process.env[variable] || undefined));
    for (const v of Object.values(values)) this.log.addSecret(v);
    return values;
  }

  async set(provider: string, key: string): Promise<void> {
    this.log.addSecret(key);
    await this.secrets.store(secretKeyFor(provider), key);
    this.log.info(`Stored an API key for ${provider} in SecretStorage.`);
  }

  async delete(provider: string): Promise<void> {
    await this.secrets.delete(secretKeyFor(provider));
    this.log.info(`Removed the stored API key for ${provider}.`);
  }

  /** Asks for a key (first use or "Set API Key…"); returns it, or undefined if dismissed. */
  async prompt(provider: string): Promise<string | undefined> {
    const label = VENDOR_LABEL[provider] ?? provider;
    const key = await vscode.window.showInputBox({
      title: `Prompt Profiler: ${label} API key`,
      prompt: `Enter your ${label} API key. It is kept in VS Code's Secret Storage and sent only to ${label}'s API.`,
      password: true,
      ignoreFocusOut: true,
      placeHolder: provider === 'anthropic' ? 'sk-ant-…' : 'sk-…',
      validateInput: (v) => (v.trim().length < 8 ? 'That looks too short for an API key.' : undefined),
    });
    if (!key) return undefined;
    await this.set(provider, key.trim());
    return key.trim();
  }
}

export function envKey(provider: string, settings: ProviderSettings | undefined): string | undefined {
  const name = (settings ?? providerSettings(provider, undefined))?.apiKeyEnv;
  return name ? process.env[name] || undefined : undefined;
}
