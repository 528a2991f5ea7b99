// Run as Batch…: the prompt template in the editor × a dataset file (JSONL or CSV, one row per
// request) on one model, through the vendor's Batch API at half price. Every choice can also be
// passed as an argument (tests, keybindings): then no dialog is shown.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { compileTemplate, datasetFormatOf, type CompiledTemplate } from '../../core/batch';
import { parseModelId } from '../../core/types';
import { promptFromEditor } from '../promptSource';
import type { Services } from '../services';
import type { BatchManager, BatchOutcome } from './batchManager';
import { isPromptLanguage } from '../constants';

export interface RunAsBatchArgs {
  /** The template file (default: the active editor's selection, prompt block or file). */
  template?: string | vscode.Uri;
  /** The dataset file, `.jsonl`/`.ndjson`/`.csv`/`.tsv` (default: an open dialog). */
  dataset?: string | vscode.Uri;
  /** `provider:model` (default: the template's single model, else a quick pick). */
  model?: string;
  /** Export every row there when the batch ends (default: the notification's Export… button). */
  exportTo?: string | vscode.Uri;
  /** Open the results report when the batch ends (default true). */
  showResults?: boolean;
}

export async function runAsBatch(services: Services, batches: BatchManager, args: RunAsBatchArgs = {}): Promise<BatchOutcome | undefined> {
  // From the explorer's context menu the argument is the file's URI.
  if (args instanceof vscode.Uri) args = { template: args };
  const warn = (message: string) => void vscode.window.showWarningMessage(`Prompt Profiler: ${message}`);

  let source: { text: string; label: string } | undefined;
  try {
    source = await templateSource(args);
  } catch (e) {
    warn(`the template could not be read: ${(e as Error).message}`);
    return undefined;
  }
  if (!source) {
    warn('open a prompt template with {{variables}} (a .prompt file, or select the template) to run it as a batch.');
    return undefined;
  }
  let template: CompiledTemplate;
  try {
    template = compileTemplate(source.text);
  } catch (e) {
    warn(`the template could not be read: ${(e as Error).message}`);
    return undefined;
  }
  if (!template.variables.length) {
    warn(`${source.label} has no {{variables}}: every row would send the same request. Write the template with {{column}} placeholders.`);
    return undefined;
  }
  if (!template.messages.length) {
    warn(`${source.label} has no user message to send.`);
    return undefined;
  }

  const dataset = args.dataset ? toUri(args.dataset) : await pickDataset();
  if (!dataset) return undefined;
  if (!datasetFormatOf(dataset.path)) {
    warn(`the dataset must be a .jsonl, .ndjson, .csv or .tsv file (got ${path.basename(dataset.path)}).`);
    return undefined;
  }

  const modelId = args.model ?? (await pickModel(services, template.models));
  if (!modelId) return undefined;
  try {
    parseModelId(modelId);
  } catch (e) {
    warn((e as Error).message);
    return undefined;
  }

  if (!vscode.workspace.isTrusted) {
    const send = 'Submit';
    const choice = await vscode.window.showWarningMessage(
      `This workspace is in Restricted Mode. Submit every row of ${path.basename(dataset.path)} to ${modelId}?`,
      { modal: true },
      send,
    );
    if (choice !== send) return undefined;
  }

  return batches.submitAndFollow(
    { template, dataset, modelId, labels: { template: source.label, dataset: path.basename(dataset.path) } },
    { showResults: args.showResults ?? true, ...(args.exportTo ? { exportTo: toUri(args.exportTo) } : {}) },
  );
}

/** The template text: a given file, else the selection, a .prompt file whole, or the prompt block under the cursor. */
async function templateSource(args: RunAsBatchArgs): Promise<{ text: string; label: string } | undefined> {
  if (args.template) {
    const uri = toUri(args.template);
    const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
    return text.trim() ? { text, label: path.basename(uri.path) } : undefined;
  }
  const editor = vscode.window.activeTextEditor;
  if (!editor) return undefined;
  const doc = editor.document;
  const label = path.basename(doc.uri.path);
  let text: string | undefined;
  if (!editor.selection.isEmpty) text = doc.getText(editor.selection);
  else if (isPromptLanguage(doc.languageId)) text = doc.getText();
  else text = promptFromEditor(editor)?.text ?? doc.getText();
  return text?.trim() ? { text, label } : undefined;
}

async function pickDataset(): Promise<vscode.Uri | undefined> {
  const picked = await vscode.window.showOpenDialog({
    title: 'Dataset for the batch: one request per row (JSON Lines or CSV with a header row)',
    openLabel: 'Run Batch',
    canSelectMany: false,
    defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
    filters: { Datasets: ['jsonl', 'ndjson', 'csv', 'tsv'] },
  });
  return picked?.[0];
}

async function pickModel(services: Services, fromTemplate: string[]): Promise<string | undefined> {
  if (fromTemplate.length === 1) return fromTemplate[0];
  const configured = services.config.value.models;
  const ids = [...new Set([...fromTemplate, ...configured])];
  if (!ids.length) {
    void vscode.window.showWarningMessage('Prompt Profiler: no models are configured (promptProfiler.models).');
    return undefined;
  }
  const pick = await vscode.window.showQuickPick(
    ids.map((id) => ({ label: id, description: fromTemplate.includes(id) ? 'from the template' : 'configured' })),
    { title: 'Run as Batch: model', placeHolder: 'The model every row is sent to (Batch API, half price)' },
  );
  return pick?.label;
}

/** A URI from a URI or a path (relative paths from the first workspace folder). */
export function toUri(value: string | vscode.Uri): vscode.Uri {
  if (value instanceof vscode.Uri) return value;
  if (/^[a-z][\w+.-]+:\/\//i.test(value)) return vscode.Uri.parse(value);
  if (path.isAbsolute(value)) return vscode.Uri.file(value);
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  return folder ? vscode.Uri.joinPath(folder, value) : vscode.Uri.file(path.resolve(value));
}
