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
import { CommandId, PANEL_VIEW_TYPE } from './constants';
import { PromptCodeLensProvider } from './inline/codeLens';
import { PromptHoverProvider } from './inline/hover';
import { InlineEstimates } from './inline/inlineEstimates';
import { SelectionCostStatusBar } from './inline/statusBar';
import { ProfilePanel } from './panel/profilePanel';
import { BudgetDiagnostics } from './check/budgetDiagnostics';
import { CostChanges } from './check/costChanges';
import { ProjectConfig } from './check/projectConfig';
import { openHeadDiff } from './commands/openHeadDiff';
import { SHOW_COST_CHANGES_COMMAND, showCostChanges } from './commands/showCostChanges';
import { CostDeltaCodeLensProvider, CostDeltaHoverProvider, OPEN_HEAD_DIFF_COMMAND } from './inline/costDelta';
import { Services } from './services';

/** Documents the inline features attach to. */
const PROMPT_DOCUMENTS: vscode.DocumentSelector = [
  { language: 'prompt' },
  { language: 'markdown' },
  { language: 'plaintext' },
];

export interface PromptProfilerApi {
  services: Services;
  statusBar: SelectionCostStatusBar;
  /** The open profile panel, if any (tests read what it posted). */
  panel(): ProfilePanel | undefined;
  batches: BatchManager;
  reports: ReportDocuments;
  /** The open dashboard, if any. */
  dashboard(): DashboardPanel | undefined;
  costChanges: CostChanges;
  budgetDiagnostics: BudgetDiagnostics;
}

export function activate(context: vscode.ExtensionContext): PromptProfilerApi {
  const services = new Services(context);
  const estimates = new InlineEstimates(services);
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
  context.subscriptions.push(
    project,
    costChanges,
    budgetDiagnostics,
    costLens,
    vscode.languages.registerCodeLensProvider([{ language: 'prompt' }, { language: 'markdown' }], costLens),
    vscode.languages.registerHoverProvider([{ language: 'prompt' }, { language: 'markdown' }], new CostDeltaHoverProvider(costChanges)),
    vscode.commands.registerCommand(SHOW_COST_CHANGES_COMMAND, () => showCostChanges(costChanges)),
    vscode.commands.registerCommand(OPEN_HEAD_DIFF_COMMAND, (uri: vscode.Uri) => openHeadDiff(costChanges, uri)),
  );
  // Batches submitted before a reload or restart: resume polling them.
  void batches.resumePending();
  context.subscriptions.push(
    services,
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
    vscode.languages.registerHoverProvider(PROMPT_DOCUMENTS, new PromptHoverProvider(services, estimates)),
    vscode.languages.registerCodeLensProvider([{ language: 'prompt' }, { language: 'markdown' }], codeLens),
    vscode.window.registerWebviewPanelSerializer(PANEL_VIEW_TYPE, {
      async deserializeWebviewPanel(panel, state: unknown) {
        ProfilePanel.revive(panel, services, state);
      },
    }),
    { dispose: () => ProfilePanel.active?.dispose() },
  );
  return { services, statusBar, panel: () => ProfilePanel.active, batches, reports, dashboard: () => DashboardPanel.active, costChanges, budgetDiagnostics };
}

export function deactivate(): void {}
