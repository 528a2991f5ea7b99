// The "Prompt Profiler" log channel. Every line passes through redaction: no API key, ever.
import * as vscode from 'vscode';

export class Log implements vscode.Disposable {
  /** Created with the first line or show(): activation only wires. */
  private channelInstance: vscode.LogOutputChannel | undefined;
  private readonly secrets = new Set<string>();

  private get channel(): vscode.LogOutputChannel {
    return (this.channelInstance ??= vscode.window.createOutputChannel('Prompt Profiler', { log: true }));
  }

  /** Registers a value that must never appear in the log (API keys as they are read). */
  addSecret(value: string | undefined): void {
    if (value && value.length >= 4) this.secrets.add(value);
  }

  private redact(text: string): string {
    let out = text;
    for (const s of this.secrets) out = out.split(s).join('[redacted]');
    return out;
  }

  info(message: string): void {
    this.channel.info(this.redact(message));
  }

  warn(message: string): void {
    this.channel.warn(this.redact(message));
  }

  error(message: string): void {
    this.channel.error(this.redact(message));
  }

  show(): void {
    this.channel.show(true);
  }

  dispose(): void {
    this.channelInstance?.dispose();
  }
}
