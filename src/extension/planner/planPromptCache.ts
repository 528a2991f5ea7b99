// Plan Prompt Caching: for the prompt in the editor (selection, prompt block or file, its
// {{variables}} kept open) and one model, where the stable prefix ends, what breaks caching,
// the model's minimum cacheable length, where `cache_control` goes, 5-minute vs 1-hour TTL,
// break-even and savings — as a Markdown preview. Verify runs the plan twice for real and puts
// the cache tokens the provider reports beside the predicted ones.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { compileTemplate, type CompiledTemplate } from '../../core/batch';
import { planPromptCache as plan, verifyCachePlan, type CachePlan, type CacheTtl, type CacheVerification } from '../../core/planner';
import { parseModelId } from '../../core/types';
import { promptFromEditor } from '../promptSource';
import type { Services } from '../services';
import { renderPlanReport } from './planReport';
import type { ReportDocuments } from './reportDocuments';
import { isPromptLanguage } from '../constants';


export interface PlanPromptCacheArgs {
  /** A prompt file (default: the active editor's selection, prompt block or file). */
  file?: string | vscode.Uri;
  /** `provider:model` (default: the prompt's first model, else the first configured one). */
  model?: string;
  callsPerHour?: number;
  ttl?: CacheTtl;
  /** Run the verification right away (two real calls) instead of offering it. */
  verify?: boolean;
  /** Open the report (default true). */
  show?: boolean;
}

export interface PlanOutcome {
  plan: CachePlan;
  verification?: CacheVerification;
  document: vscode.Uri;
}

export async function planPromptCacheCommand(services: Services, reports: ReportDocuments, args: PlanPromptCacheArgs = {}): Promise<PlanOutcome | undefined> {
  if (args instanceof vscode.Uri) args = { file: args };
  const warn = (message: string) => void vscode.window.showWarningMessage(`Prompt Profiler: ${message}`);
  let source: { text: string; label: string } | undefined;
  try {
    source = await promptSource(args);
  } catch (e) {
    warn(`the prompt could not be read: ${(e as Error).message}`);
    return undefined;
  }
  if (!source) {
    warn('open a prompt (or select one) to plan its prompt caching.');
    return undefined;
  }
  let template: CompiledTemplate;
  try {
    template = compileTemplate(source.text);
  } catch (e) {
    warn(`the prompt could not be read: ${(e as Error).message}`);
    return undefined;
  }
  if (!template.messages.length) {
    warn('the prompt has no user message.');
    return undefined;
  }
  const modelId = args.model ?? template.models[0] ?? services.config.value.models[0];
  if (!modelId) {
    warn('no models are configured (promptProfiler.models).');
    return undefined;
  }
  try {
    parseModelId(modelId);
  } catch (e) {
    warn((e as Error).message);
    return undefined;
  }

  return showPlan(services, reports, source, template, modelId, args);
}

async function showPlan(
  services: Services,
  reports: ReportDocuments,
  source: { text: string; label: string },
  template: CompiledTemplate,
  modelId: string,
  args: PlanPromptCacheArgs,
): Promise<PlanOutcome | undefined> {
  const result = await makePlan(services, template, modelId, args);
  if (!result) return undefined;
  const outcome: PlanOutcome = { plan: result, document: reports.create(`cache-plan-${modelId}`, renderPlanReport(result, undefined, source.label)) };
  if (args.show ?? true) await reports.show(outcome.document);

  const verify = async () => {
    outcome.verification = await runVerification(services, template, result);
    if (outcome.verification) reports.update(outcome.document, renderPlanReport(result, outcome.verification, source.label));
    return outcome.verification;
  };
  if (args.verify) {
    await verify();
    return outcome;
  }
  const verifyItem = 'Verify (2 calls)';
  const otherItem = 'Other Model…';
  const e = result.economics;
  const headline =
    `Prompt cache plan for ${modelId}: a ${result.counting.estimated ? '≈ ' : ''}${result.stablePrefix.tokens.toLocaleString('en-US')}-token stable prefix` +
    (e ? `; ${e.recommended === 'none' ? 'caching does not pay here' : `recommended: ${e.recommended === 'auto' ? 'automatic caching' : `TTL ${e.recommended}`}`}` : '') +
    '.';
  const items = result.vendor === 'other' ? [otherItem] : [verifyItem, otherItem];
  void vscode.window.showInformationMessage(headline, ...items).then(async (choice) => {
    if (choice === verifyItem) await verify();
    if (choice === otherItem) {
      const ids = [...new Set([...template.models, ...services.config.value.models])].filter((m) => m !== modelId);
      const pick = await vscode.window.showQuickPick(ids, { title: 'Plan Prompt Caching: model', placeHolder: 'Plan for another model' });
      if (pick) await showPlan(services, reports, source, template, pick, args);
    }
  });
  return outcome;
}

async function makePlan(services: Services, template: CompiledTemplate, modelId: string, args: PlanPromptCacheArgs): Promise<CachePlan | undefined> {
  const engine = services.engine;
  try {
    return await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `Planning prompt caching for ${modelId}…` }, () =>
      plan(template, {
        modelId,
        prices: engine.prices,
        callsPerHour: args.callsPerHour,
        ttl: args.ttl,
        // Exact counts from Anthropic's count_tokens when a key is at hand (a local estimate otherwise).
        countTokens: (request) => engine.countTokens(modelId, request, true),
      }),
    );
  } catch (e) {
    services.log.warn(`Prompt cache plan for ${modelId} failed: ${(e as Error).message}`);
    void vscode.window.showErrorMessage(`Prompt Profiler: could not plan prompt caching for ${modelId}: ${(e as Error).message}`);
    return undefined;
  }
}

/** Two real calls through the extension's runs (logged, recorded in the history), the plan applied. */
async function runVerification(services: Services, template: CompiledTemplate, cachePlan: CachePlan): Promise<CacheVerification | undefined> {
  if (!vscode.workspace.isTrusted) {
    const send = 'Send';
    const choice = await vscode.window.showWarningMessage(`This workspace is in Restricted Mode. Send the prompt twice to ${cachePlan.modelId} to verify the plan?`, { modal: true }, send);
    if (choice !== send) return undefined;
  }
  // Through Services.run, so the two calls are logged and recorded like any other.
  const engine = { run: services.run.bind(services), prices: services.engine.prices };
  const verification = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Verifying the prompt cache plan on ${cachePlan.modelId} (2 calls)…`, cancellable: true },
    (_progress, token) => {
      const controller = new AbortController();
      token.onCancellationRequested(() => controller.abort());
      return verifyCachePlan(engine, template, cachePlan, { signal: controller.signal });
    },
  );
  services.log.info(`Prompt cache plan for ${cachePlan.modelId}, verify: ${verification.summary}`);
  if (verification.ok) void vscode.window.showInformationMessage(`Prompt Profiler: ${verification.summary}`);
  else void vscode.window.showWarningMessage(`Prompt Profiler: ${verification.summary}`);
  return verification;
}

async function promptSource(args: PlanPromptCacheArgs): Promise<{ text: string; label: string } | undefined> {
  if (args.file) {
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    const uri =
      args.file instanceof vscode.Uri
        ? args.file
        : path.isAbsolute(args.file) || !folder
          ? vscode.Uri.file(args.file)
          : vscode.Uri.joinPath(folder, args.file);
    const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
    return text.trim() ? { text, label: path.basename(uri.path) } : undefined;
  }
  const editor = vscode.window.activeTextEditor;
  if (!editor) return undefined;
  const doc = editor.document;
  let text: string | undefined;
  if (!editor.selection.isEmpty) text = doc.getText(editor.selection);
  else if (isPromptLanguage(doc.languageId)) text = doc.getText();
  else text = promptFromEditor(editor)?.text ?? doc.getText();
  return text.trim() ? { text, label: path.basename(doc.uri.path) } : undefined;
}
