// activate() only wires: services, commands, inline providers, the panel serializer.
import * as vscode from 'vscode';
import { clearAnswerCache } from './commands/clearAnswerCache';
import { profileBlock, profilePrompt } from './commands/profilePrompt';
import { selectModels, selectStatusBarModel } from './commands/selectModels';
import { setApiKey } from './commands/setApiKey';
import { showLog } from './commands/showLog';
import { BatchManager } from './batch/batchManager';
import { RUN_AS_BATCH_COMMAND, runAsBatch } from './batch/runAsBatch';
import { DASHBOARD_VIEW_TYPE, DashboardPanel } from './dashboard/dashboardPanel';
import { SHOW_DASHBOARD_COMMAND, showDashboard } from './dashboard/showDashboard';
import { PLAN_PROMPT_CACHE_COMMAND, planPromptCacheCommand } from './planner/planPromptCache';
import { ReportDocuments } from './planner/reportDocuments';
import { CommandId, PANEL_VIEW_TYPE, PROMPT_LANGUAGE_ID, VSCODE_PROMPT_LANGUAGE_ID } from './constants';
import { PromptCodeLensProvider } from './inline/codeLens';
import { PromptHoverProvider } from './inline/hover';
import { InlineEstimates } from './inline/inlineEstimates';
import { PromptDocuments } from './inline/promptDocuments';
import { SelectionCostStatusBar } from './inline/statusBar';
import { ProfilePanel } from './panel/profilePanel';
import { BudgetDiagnostics } from './check/budgetDiagnostics';
import { CostChanges } from './check/costChanges';
import { ProjectConfig } from './check/projectConfig';
import { openHeadDiff } from './commands/openHeadDiff';
import { SHOW_COST_CHANGES_COMMAND, showCostChanges } from './commands/showCostChanges';
import { CostDeltaCodeLensProvider, OPEN_HEAD_DIFF_COMMAND, costHoverSection } from './inline/costDelta';
import { Services } from './services';
import { type PanelMessageObserver, testHooks } from './testHooks';

/** Documents the inline features attach to. */
const PROMPT_DOCUMENTS: vscode.DocumentSelector = [
  { language: PROMPT_LANGUAGE_ID },
  { language: VSCODE_PROMPT_LANGUAGE_ID },
  { language: 'markdown' },
  { language: 'plaintext' },
];
/** Documents with CodeLens: prompt files, and Markdown's ```prompt blocks. */
const LENS_DOCUMENTS: vscode.DocumentSelector = [{ language: PROMPT_LANGUAGE_ID }, { language: VSCODE_PROMPT_LANGUAGE_ID }, { language: 'markdown' }];

export interface PromptProfilerApi {
  services: Services;
  statusBar: SelectionCostStatusBar;
  codeLens: PromptCodeLensProvider;
  hover: PromptHoverProvider;
  /** Inline estimates and the prompt documents they count (benches time them). */
  estimates: InlineEstimates;
  /** The open profile panel, if any (tests read what it posted). */
  panel(): ProfilePanel | undefined;
  batches: BatchManager;
  reports: ReportDocuments;
  /** The open dashboard, if any. */
  dashboard(): DashboardPanel | undefined;
  costChanges: CostChanges;
  budgetDiagnostics: BudgetDiagnostics;
  /** Test hook: `observer` sees every message the panels post from now on (none when undefined, the default). */
  observePanelMessages(observer: PanelMessageObserver | undefined): void;
}

export function activate(context: vscode.ExtensionContext): PromptProfilerApi {
  const services = new Services(context);
  flushOnExit = () => services.flushCaches();
  const documents = new PromptDocuments();
  const estimates = new InlineEstimates(services, documents);
  const statusBar = new SelectionCostStatusBar(services, estimates);
  const codeLens = new PromptCodeLensProvider(services, estimates);
  const reports = new ReportDocuments();
  const batches = new BatchManager(services, reports);
  context.subscriptions.push(
    reports,
    batches,
    vscode.commands.registerCommand(RUN_AS_BATCH_COMMAND, (args) => runAsBatch(services, batches, args)),
    vscode.commands.registerCommand(SHOW_DASHBOARD_COMMAND, (args) => showDashboard(services, args)),
    vscode.commands.registerCommand(PLAN_PROMPT_CACHE_COMMAND, (args) => planPromptCacheCommand(services, reports, args)),
    vscode.window.registerWebviewPanelSerializer(DASHBOARD_VIEW_TYPE, {
      async deserializeWebviewPanel(panel) {
        DashboardPanel.revive(panel, services);
      },
    }),
    { dispose: () => DashboardPanel.active?.dispose() },
  );
  // Monthly projection, change vs git HEAD, budgets (issue 14).
  const project = new ProjectConfig(services);
  const costChanges = new CostChanges(services, project);
  const budgetDiagnostics = new BudgetDiagnostics(costChanges);
  const costLens = new CostDeltaCodeLensProvider(services, costChanges);
  const hover = new PromptHoverProvider(services, estimates, (doc, position) => costHoverSection(costChanges, doc, position));
  context.subscriptions.push(
    project,
    costChanges,
    budgetDiagnostics,
    costLens,
    vscode.languages.registerCodeLensProvider(LENS_DOCUMENTS, costLens),
    vscode.commands.registerCommand(SHOW_COST_CHANGES_COMMAND, () => showCostChanges(costChanges)),
    vscode.commands.registerCommand(OPEN_HEAD_DIFF_COMMAND, (uri: vscode.Uri) => openHeadDiff(costChanges, uri)),
  );
  // Batches submitted before a reload or restart: resume polling them.
  void batches.resumePending();
  context.subscriptions.push(
    services,
    documents,
    statusBar,
    codeLens,
    services.config.onDidChange(() => estimates.clear()),
    vscode.commands.registerCommand(CommandId.ProfilePrompt, () => profilePrompt(services)),
    vscode.commands.registerCommand(CommandId.ProfilePromptBypassCache, () => profilePrompt(services, true)),
    vscode.commands.registerCommand(CommandId.ProfileBlock, (uri: vscode.Uri, start: number, end: number) => profileBlock(services, uri, start, end)),
    vscode.commands.registerCommand(CommandId.SelectModels, () => selectModels(services)),
    vscode.commands.registerCommand(CommandId.SetApiKey, (provider?: string) => setApiKey(services, provider)),
    vscode.commands.registerCommand(CommandId.ClearAnswerCache, () => clearAnswerCache(services)),
    vscode.commands.registerCommand(CommandId.ShowLog, () => showLog(services)),
    vscode.commands.registerCommand(CommandId.SelectStatusBarModel, () => selectStatusBarModel(services)),
    vscode.languages.registerHoverProvider(PROMPT_DOCUMENTS, hover),
    vscode.languages.registerCodeLensProvider(LENS_DOCUMENTS, codeLens),
    vscode.window.registerWebviewPanelSerializer(PANEL_VIEW_TYPE, {
      async deserializeWebviewPanel(panel, state: unknown) {
        ProfilePanel.revive(panel, services, state);
      },
    }),
    { dispose: () => ProfilePanel.active?.dispose() },
  );
  return {
    services,
    statusBar,
    codeLens,
    hover,
    estimates,
    panel: () => ProfilePanel.active,
    batches,
    reports,
    dashboard: () => DashboardPanel.active,
    costChanges,
    budgetDiagnostics,
    observePanelMessages: (observer) => (testHooks.panelMessages = observer),
  };
}

let flushOnExit: (() => Promise<void>) | undefined;

/** VS Code waits for this promise: answer-cache writes still in the background land first. */
export async function deactivate(): Promise<void> {
  await flushOnExit?.();
}
