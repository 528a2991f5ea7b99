// activate() only wires: services, inline providers, command registrations, the panel serializers.
// What sits behind a command (the profile panel with its runner, analysis and Decide, batch, the
// planner, the dashboard, the other commands) is import()ed on its first use: esbuild.js makes
// each such module a file of its own, so activation compiles none of it.
import * as vscode from 'vscode';
import { lazyModule } from '../core/lazy';
import type { BatchManager } from './batch/batchManager';
import type { RunAsBatchArgs } from './batch/runAsBatch';
import { showLog } from './commands/showLog';
import { BATCH_STATE_PREFIX, CommandId, DASHBOARD_VIEW_TYPE, PANEL_VIEW_TYPE, PROMPT_LANGUAGE_ID, VSCODE_PROMPT_LANGUAGE_ID } from './constants';
import { BudgetDiagnostics } from './check/budgetDiagnostics';
import { CostChanges } from './check/costChanges';
import { ProjectConfig } from './check/projectConfig';
import type { DashboardPanel } from './dashboard/dashboardPanel';
import type { ShowDashboardArgs } from './dashboard/showDashboard';
import { PromptCodeLensProvider } from './inline/codeLens';
import { CostDeltaCodeLensProvider, costHoverSection } from './inline/costDelta';
import { PromptHoverProvider } from './inline/hover';
import { InlineEstimates } from './inline/inlineEstimates';
import { PromptDocuments } from './inline/promptDocuments';
import { SelectionCostStatusBar } from './inline/statusBar';
import type { ProfilePanel } from './panel/profilePanel';
import type { PlanPromptCacheArgs } from './planner/planPromptCache';
import { ReportDocuments } from './planner/reportDocuments';
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

// The modules loaded on first use (one copy each: a later import() returns the same module).
// The panels' modules load through `profilePanel` and `dashboardPanel` before the commands that
// import them, so that panel() and dashboard() see them.
const profilePanel = lazyModule(() => import('./panel/profilePanel'));
const profileCommands = lazyModule(() => profilePanel().then(() => import('./commands/profilePrompt')));
const dashboardPanel = lazyModule(() => import('./dashboard/dashboardPanel'));
const showDashboard = lazyModule(() => dashboardPanel().then(() => import('./dashboard/showDashboard')));
const runAsBatch = lazyModule(() => import('./batch/runAsBatch'));
const batchManager = lazyModule(() => import('./batch/batchManager'));
const planner = lazyModule(() => import('./planner/planPromptCache'));
const selectModels = lazyModule(() => import('./commands/selectModels'));
const setApiKey = lazyModule(() => import('./commands/setApiKey'));
const clearAnswerCache = lazyModule(() => import('./commands/clearAnswerCache'));
const showCostChanges = lazyModule(() => import('./commands/showCostChanges'));
const openHeadDiff = lazyModule(() => import('./commands/openHeadDiff'));

export interface PromptProfilerApi {
  services: Services;
  statusBar: SelectionCostStatusBar;
  codeLens: PromptCodeLensProvider;
  hover: PromptHoverProvider;
  /** Inline estimates and the prompt documents they count (benches time them). */
  estimates: InlineEstimates;
  /** The open profile panel, if any (tests read what it posted). */
  panel(): ProfilePanel | undefined;
  /** The batch manager (its code loads on the first call). */
  batches(): Promise<BatchManager>;
  reports: ReportDocuments;
  /** The open dashboard, if any. */
  dashboard(): DashboardPanel | undefined;
  costChanges: CostChanges;
  budgetDiagnostics: BudgetDiagnostics;
  /** Test hook: `observer` sees every message the panels post from now on (none when undefined, the default). */
  observePanelMessages(observer: PanelMessageObserver | undefined): void;
}

/** Registers command `id`, whose handler is in a module loaded on the first call. */
function lazyCommand<M, A extends unknown[]>(id: string, load: () => Promise<M>, handler: (module: M, ...args: A) => unknown): vscode.Disposable {
  return vscode.commands.registerCommand(id, async (...args: A) => handler(await load(), ...args));
}

export function activate(context: vscode.ExtensionContext): PromptProfilerApi {
  const services = new Services(context);
  flushOnExit = () => services.flushCaches();
  const documents = new PromptDocuments();
  const estimates = new InlineEstimates(services, documents);
  const statusBar = new SelectionCostStatusBar(services, estimates);
  const codeLens = new PromptCodeLensProvider(services, estimates);
  const reports = new ReportDocuments();
  let batches: Promise<BatchManager> | undefined;
  const getBatches = () =>
    (batches ??= batchManager().then(({ BatchManager }) => {
      const manager = new BatchManager(services, reports);
      context.subscriptions.push(manager);
      return manager;
    }));
  context.subscriptions.push(
    reports,
    lazyCommand(CommandId.RunAsBatch, runAsBatch, async (m, args?: RunAsBatchArgs) => m.runAsBatch(services, await getBatches(), args)),
    lazyCommand(CommandId.ShowDashboard, showDashboard, (m, args?: ShowDashboardArgs) => m.showDashboard(services, args)),
    lazyCommand(CommandId.PlanPromptCache, planner, (m, args?: PlanPromptCacheArgs) => m.planPromptCacheCommand(services, reports, args)),
    vscode.window.registerWebviewPanelSerializer(DASHBOARD_VIEW_TYPE, {
      async deserializeWebviewPanel(panel) {
        (await dashboardPanel()).DashboardPanel.revive(panel, services);
      },
    }),
    { dispose: () => dashboardPanel.loaded()?.DashboardPanel.active?.dispose() },
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
    lazyCommand(CommandId.ShowCostChanges, showCostChanges, (m) => m.showCostChanges(costChanges)),
    lazyCommand(CommandId.OpenHeadDiff, openHeadDiff, (m, uri: vscode.Uri) => m.openHeadDiff(costChanges, uri)),
  );
  // Batches submitted before a reload or restart: resume polling them. The batch code loads only
  // when one is saved.
  if (context.workspaceState.keys().some((k) => k.startsWith(BATCH_STATE_PREFIX))) void getBatches().then((b) => b.resumePending());
  context.subscriptions.push(
    services,
    documents,
    statusBar,
    codeLens,
    services.config.onDidChange(() => estimates.clear()),
    lazyCommand(CommandId.ProfilePrompt, profileCommands, (m) => m.profilePrompt(services)),
    lazyCommand(CommandId.ProfilePromptBypassCache, profileCommands, (m) => m.profilePrompt(services, true)),
    lazyCommand(CommandId.ProfileBlock, profileCommands, (m, uri: vscode.Uri, start: number, end: number) => m.profileBlock(services, uri, start, end)),
    lazyCommand(CommandId.SelectModels, selectModels, (m) => m.selectModels(services)),
    lazyCommand(CommandId.SelectStatusBarModel, selectModels, (m) => m.selectStatusBarModel(services)),
    lazyCommand(CommandId.SetApiKey, setApiKey, (m, provider?: string) => m.setApiKey(services, provider)),
    lazyCommand(CommandId.ClearAnswerCache, clearAnswerCache, (m) => m.clearAnswerCache(services)),
    vscode.commands.registerCommand(CommandId.ShowLog, () => showLog(services)),
    vscode.languages.registerHoverProvider(PROMPT_DOCUMENTS, hover),
    vscode.languages.registerCodeLensProvider(LENS_DOCUMENTS, codeLens),
    vscode.window.registerWebviewPanelSerializer(PANEL_VIEW_TYPE, {
      async deserializeWebviewPanel(panel, state: unknown) {
        (await profilePanel()).ProfilePanel.revive(panel, services, state);
      },
    }),
    { dispose: () => profilePanel.loaded()?.ProfilePanel.active?.dispose() },
  );
  return {
    services,
    statusBar,
    codeLens,
    hover,
    estimates,
    panel: () => profilePanel.loaded()?.ProfilePanel.active,
    batches: getBatches,
    reports,
    dashboard: () => dashboardPanel.loaded()?.DashboardPanel.active,
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
