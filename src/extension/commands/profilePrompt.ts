// Profile Prompt: the selection (or the prompt block under the cursor, or the file) on every
// configured model, streamed side by side into the panel.
import * as vscode from 'vscode';
import { findPromptBlocks } from '../../core/prompt';
import type { RunSummary } from '../../core/run';
import { ProfilePanel } from '../panel/profilePanel';
import { fromBlock, promptFromEditor, type PromptSource } from '../promptSource';
import type { Services } from '../services';

export async function profilePrompt(services: Services, bypassCache = false): Promise<RunSummary | undefined> {
  const editor = vscode.window.activeTextEditor;
  if (!editor) {
    void vscode.window.showWarningMessage('Prompt Profiler: open a prompt file or select some text to profile.');
    return undefined;
  }
  const source = promptFromEditor(editor);
  if (!source) {
    void vscode.window.showWarningMessage('Prompt Profiler: nothing to profile here. Select the prompt text, or put the cursor inside a prompt.');
    return undefined;
  }
  return profileSource(services, source, bypassCache);
}

/** CodeLens "Profile": a block of a document, by line range. */
export async function profileBlock(services: Services, uri: vscode.Uri, startLine: number, endLine: number): Promise<RunSummary | undefined> {
  const doc = await vscode.workspace.openTextDocument(uri);
  // The lens's lines include a Markdown block's ``` fences: the prompt is what is inside them.
  const block = findPromptBlocks(doc.getText(), doc.fileName).find((b) => b.startLine === startLine);
  const end = Math.min(block?.endLine ?? endLine, doc.lineCount);
  const text = block?.text ?? doc.getText(new vscode.Range(startLine, 0, end, 0));
  const source = fromBlock(doc, startLine, end, text);
  return source ? profileSource(services, source, false) : undefined;
}

async function profileSource(services: Services, source: PromptSource, bypassCache: boolean): Promise<RunSummary | undefined> {
  const config = services.config.value;
  const models = source.parsed.models.length ? source.parsed.models : config.models;
  if (!models.length) {
    const pick = 'Select Models…';
    const choice = await vscode.window.showWarningMessage('Prompt Profiler: no models are configured.', pick);
    if (choice === pick) await vscode.commands.executeCommand('promptProfiler.selectModels');
    return undefined;
  }
  if (!source.parsed.messages.length) {
    void vscode.window.showWarningMessage('Prompt Profiler: the prompt has a system part but no user message to send.');
    return undefined;
  }
  if (!vscode.workspace.isTrusted) {
    const send = 'Send';
    const choice = await vscode.window.showWarningMessage(
      `This workspace is in Restricted Mode. Send this prompt to ${models.length} model${models.length === 1 ? '' : 's'}?`,
      { modal: true, detail: models.join('\n') },
      send,
    );
    if (choice !== send) return undefined;
  }
  if (source.parsed.unresolved.length) {
    services.log.warn(`Variables without a value were sent as written: ${source.parsed.unresolved.map((v) => `{{${v}}}`).join(', ')}`);
  }
  const panel = ProfilePanel.show(services);
  return panel.run({
    prompt: {
      system: source.parsed.system,
      messages: source.parsed.messages,
      temperature: source.parsed.temperature ?? config.temperature,
      maxOutputTokens: source.parsed.maxOutputTokens ?? config.maxOutputTokens,
    },
    models,
    promptText: source.text,
    bypassCache,
    reference: source.parsed.reference,
    callsPerDay: source.parsed.callsPerDay,
  });
}
