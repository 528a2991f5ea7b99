// The host side of the panel's Decide section: after a run, `analyseRun` (judge when one is
// configured; no other calls), then the options re-derived from the stored measurements on every
// cheap change (a rating, a limit, a prior, a hit rate). Provider prompt caching is measured when
// the user asks ("Measure prompt caching": a cold and a warm call per model), never silently: a
// profile sends exactly one call per model and repeat, and a cached re-run sends nothing. Pinning
// a column's answer as the judge's reference (or unpinning it) has the judge grade again.
import { createHash } from 'node:crypto';
import * as vscode from 'vscode';
import {
  analyseRun,
  measurePromptCaching,
  validateRequirements,
  type PromptCacheMeasurement,
  type Requirements,
  type StaticPrefix,
} from '../../core/analysis';
import type { PromptInput } from '../../core/engine';
import { formatUsd } from '../../core/format';
import type { RunResult } from '../../core/run';
import type { AnalysisView, HostToWebview, ReferenceView } from '../../webview/protocol';
import { REQUIREMENT_KEYS, type DecideConfig } from '../config';
import { CONFIG_SECTION } from '../constants';
import { Disposable } from '../lifecycle';
import type { Services } from '../services';
import { buildAnalysisView, cleanRequirements, optionSettings, type Measurements, type ViewStatus } from './analysisView';

const RATINGS_KEY = 'promptProfiler.ratings';
const REFERENCES_KEY = 'promptProfiler.references';
/** Prompts whose ratings (and pinned references) are kept (the oldest are dropped). */
const MAX_PROMPTS_KEPT = 200;

/** Prompt-cache measurements of this session, by prompt and model: a re-run need not probe again. */
const promptCacheMemo = new Map<string, PromptCacheMeasurement>();

export interface AnalysisRequest {
  runId: number;
  prompt: PromptInput;
  models: string[];
  /** The prompt's source text (the template, {{variables}} and all), for its static prefix. */
  promptText: string;
  /** The prompt file's `reference:` answer; a reference pinned in the panel replaces it. */
  fileReference?: string;
  results: readonly RunResult[];
}

/** A stable key for a prompt's ratings and measurements. */
export function promptKey(prompt: PromptInput): string {
  return createHash('sha256')
    .update(JSON.stringify({ system: prompt.system ?? '', messages: prompt.messages.map((m) => [m.role, m.content]) }))
    .digest('hex')
    .slice(0, 24);
}

export class DecideController extends Disposable {
  private measurements: Measurements | undefined;
  private request: AnalysisRequest | undefined;
  private staticPrefix: StaticPrefix | undefined;
  private status: ViewStatus = { status: 'ready', message: null, measuringPromptCache: false };
  private controller: AbortController | undefined;
  private lastView: AnalysisView | undefined;
  private lastViewJson = '';
  private lastLimitsJson = '';
  /** The reference changed while prompt caching was being measured: grade again when it is done. */
  private rejudgePending = false;
  /** Settles when the current run's analysis (judge included) is done: for the tests. */
  analysed: Promise<void> = Promise.resolve();

  constructor(
    private readonly services: Services,
    /** Posts to the webview (dropped before `ready`; `ready` calls `resend`). */
    private readonly post: (m: HostToWebview) => void,
  ) {
    super();
    this._register(this.services.config.onDidChange(() => this.onConfigChanged()));
    this.loadHistory();
    this._register({ dispose: () => this.controller?.abort() });
  }

  private get config(): DecideConfig {
    return this.services.config.value.decide;
  }

  /** The last analysis posted (tests read it through the panel's `posted` too). */
  get view(): AnalysisView | undefined {
    return this.lastView;
  }

  /** A new run started: its predecessor's analysis is void (and its judge calls are stopped). */
  reset(): void {
    this.controller?.abort();
    this.controller = undefined;
    this.measurements = undefined;
    this.request = undefined;
    this.staticPrefix = undefined;
    this.lastView = undefined;
    this.lastViewJson = '';
    this.rejudgePending = false;
  }

  /** After `ready`: the limits and the current analysis again. */
  resend(): void {
    this.lastLimitsJson = '';
    this.postLimits();
    if (this.lastView) this.post({ type: 'analysis', analysis: this.lastView });
  }

  /**
   * A run (or a retry) finished: derives the options and decides at once, and returns that first
   * view for the run's last patch (nothing is posted for it). A configured judge then grades the
   * answers in the background; its result is posted as an `analysis` message.
   */
  begin(req: AnalysisRequest): AnalysisView | undefined {
    this.controller?.abort();
    const controller = (this.controller = new AbortController());
    const engine = this.services.engine;
    const key = promptKey(req.prompt);
    const okModels = req.models.filter((m) => req.results.some((r) => r.modelId === m && r.ok));
    const memo = okModels.map((m) => promptCacheMemo.get(`${key}|${m}`));
    this.request = req;
    this.measurements = {
      runId: req.runId,
      models: req.models,
      results: req.results,
      prices: engine.prices,
      judge: null,
      promptCache: okModels.length && memo.every((x) => x) ? Object.fromEntries(okModels.map((m, i) => [m, memo[i]!])) : undefined,
    };
    const judging = this.startAnalysis(req);
    const first = this.build();
    this.analysed = this.analyse(req, controller, judging);
    this.loadHistory();
    return first;
  }

  /** Sets the status for an analysis of `req` about to start; whether the judge will grade. */
  private startAnalysis(req: AnalysisRequest): boolean {
    const cfg = this.config;
    const answers = req.results.filter((r) => r.ok && r.output.trim()).length;
    const judging = !!cfg.judgeModel && answers > 0;
    const against = this.reference(req) ? ' against the reference answer' : '';
    this.status = {
      status: judging ? 'analysing' : 'ready',
      message: judging ? `Judging ${answers} answer${answers === 1 ? '' : 's'} with ${cfg.judgeModel}${against}…` : null,
      measuringPromptCache: false,
    };
    return judging;
  }

  /**
   * When the settings want the measured hit rate: brings the history's recent calls up to date
   * (read once, usually while the first run streams; again when another process wrote to it) and
   * re-derives the options if they were read.
   */
  private loadHistory(): void {
    if (this.config.hitRateSource !== 'history') return;
    void this.services.history.refreshRecent().then((read) => read && this.refresh());
  }

  private async analyse(req: AnalysisRequest, controller: AbortController, judging: boolean): Promise<void> {
    const cfg = this.config;
    const engine = this.services.engine;
    const key = promptKey(req.prompt);
    try {
      const a = await analyseRun({
        engine,
        prompt: req.prompt,
        results: req.results,
        models: req.models,
        templateText: req.promptText,
        judge: judging ? { model: cfg.judgeModel!, rubric: cfg.rubric, reference: this.reference(req)?.text } : undefined,
        ratings: this.ratings(key),
        priors: cfg.priors,
        settings: optionSettings(cfg, this.services.history.measuredHitRate()),
        requirements: cleanRequirements(cfg.requirements),
        measurePromptCache: false,
        signal: controller.signal,
      });
      if (controller !== this.controller || !this.measurements) return;
      this.measurements.judge = a.judge;
      this.staticPrefix = a.staticPrefix;
      this.status = { status: 'ready', message: null, measuringPromptCache: false };
      if (a.judge) {
        this.services.log.info(
          `Judge ${a.judge.model}: ${a.judge.judgements.length - a.judge.unscored} of ${a.judge.judgements.length} answers scored, ${formatUsd(a.judge.costUsd)} (not in any option's cost)`,
        );
      }
    } catch (e) {
      if (controller !== this.controller) return;
      const message = (e as Error)?.message ?? String(e);
      this.services.log.warn(`Decide: the analysis failed: ${message}`);
      this.status = { status: 'failed', message: `The analysis failed: ${message}`, measuringPromptCache: false };
    }
    this.refresh();
  }

  /** "Measure prompt caching": a cold and a warm call per model with a known prompt cache. */
  async measurePromptCache(): Promise<void> {
    const m = this.measurements;
    const req = this.request;
    const controller = this.controller;
    if (!m || !req || !controller || !this.staticPrefix || this.status.measuringPromptCache || !this.config.measurePromptCache) return;
    const okModels = req.models.filter((id) => req.results.some((r) => r.modelId === id && r.ok));
    if (!okModels.length) return;
    this.status = { ...this.status, measuringPromptCache: true };
    this.refresh();
    try {
      this.services.log.info(`Measuring provider prompt caching on ${okModels.join(', ')} (a cold and a warm call each)`);
      const measured = await measurePromptCaching(this.services.engine, req.prompt, okModels, this.staticPrefix, { signal: controller.signal });
      if (controller !== this.controller) return;
      const key = promptKey(req.prompt);
      for (const [id, pc] of Object.entries(measured)) {
        promptCacheMemo.set(`${key}|${id}`, pc);
        this.services.log.info(`Prompt caching on ${id}: ${pc.status === 'measured' ? `${pc.creditedReadTokens} tokens read on the warm call` : pc.message}`);
      }
      m.promptCache = measured;
      this.status = { ...this.status, measuringPromptCache: false };
    } catch (e) {
      if (controller !== this.controller) return;
      this.status = { ...this.status, measuringPromptCache: false, message: `Measuring prompt caching failed: ${(e as Error)?.message ?? e}` };
    }
    this.refresh();
    if (this.rejudgePending) this.rejudge();
  }

  /** Pins an answer as the judge's reference for the current prompt, and grades again against it. */
  async pinReference(text: string, modelId: string): Promise<void> {
    if (!this.request) return;
    await this.storeReference(promptKey(this.request.prompt), { text, modelId });
    this.rejudge();
  }

  /** Drops the pinned reference of the current prompt (the prompt file's applies again), and grades again. */
  async unpinReference(): Promise<void> {
    if (!this.request) return;
    await this.storeReference(promptKey(this.request.prompt), undefined);
    this.rejudge();
  }

  /**
   * The reference changed: the judge grades the same answers again (its calls are answer-cached,
   * so going back to an earlier reference costs nothing). Waits for a prompt-cache measurement in
   * flight, which shares the abort controller.
   */
  private rejudge(): void {
    const req = this.request;
    if (!req || !this.measurements) return;
    if (this.status.measuringPromptCache) {
      this.rejudgePending = true;
      this.refresh();
      return;
    }
    this.rejudgePending = false;
    if (!this.config.judgeModel) {
      // Nothing to grade with: the view shows the reference, to be used once a judge is set.
      this.refresh();
      return;
    }
    this.controller?.abort();
    const controller = (this.controller = new AbortController());
    const judging = this.startAnalysis(req);
    this.refresh();
    this.analysed = this.analyse(req, controller, judging);
  }

  /** The reference the judge compares with: pinned in the panel, else the prompt file's. */
  private reference(req: AnalysisRequest): ReferenceView | null {
    const pinned = this.services.context.workspaceState.get<Record<string, PinnedReference>>(REFERENCES_KEY)?.[promptKey(req.prompt)];
    if (pinned) return { source: 'pinned', modelId: pinned.modelId, text: pinned.text };
    return req.fileReference !== undefined ? { source: 'prompt file', modelId: null, text: req.fileReference } : null;
  }

  private async storeReference(key: string, pinned: PinnedReference | undefined): Promise<void> {
    await this.services.context.workspaceState.update(REFERENCES_KEY, updatedByPrompt(this.services.context.workspaceState.get<Record<string, PinnedReference>>(REFERENCES_KEY), key, pinned));
  }

  /** A 1–5 rating for a model on the current prompt (null clears it). */
  async rate(modelId: string, rating: number | null): Promise<void> {
    const req = this.request;
    if (!req || !req.models.includes(modelId)) return;
    if (rating !== null && !(Number.isInteger(rating) && rating >= 1 && rating <= 5)) return;
    const key = promptKey(req.prompt);
    const mine = { ...this.ratings(key) };
    if (rating === null) delete mine[modelId];
    else mine[modelId] = rating;
    const all = updatedByPrompt(this.services.context.workspaceState.get<Record<string, Record<string, number>>>(RATINGS_KEY), key, Object.keys(mine).length ? mine : undefined);
    await this.services.context.workspaceState.update(RATINGS_KEY, all);
    this.refresh();
  }

  /** The limit inputs changed: write promptProfiler.requirements.* (only what changed). */
  async setLimits(requirements: Requirements): Promise<void> {
    const want = cleanRequirements(requirements);
    if (validateRequirements(want).length) return;
    const have = cleanRequirements(this.config.requirements);
    const c = vscode.workspace.getConfiguration(CONFIG_SECTION);
    for (const field of Object.keys(REQUIREMENT_KEYS) as (keyof typeof REQUIREMENT_KEYS)[]) {
      if (want[field] === have[field]) continue;
      const key = REQUIREMENT_KEYS[field];
      // Where the user keeps it: the workspace's value if it has one, else the user settings.
      const target = c.inspect(key)?.workspaceValue !== undefined ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
      await c.update(key, want[field], target);
      // Removing the value may uncover another scope's limit: "no limit" is then written as null.
      if (want[field] === undefined && typeof vscode.workspace.getConfiguration(CONFIG_SECTION).get(key) === 'number') await c.update(key, null, target);
    }
    this.onConfigChanged();
  }

  private onConfigChanged(): void {
    this.postLimits();
    this.refresh();
    this.loadHistory();
  }

  private postLimits(): void {
    const requirements = cleanRequirements(this.config.requirements);
    const json = JSON.stringify(requirements);
    if (json === this.lastLimitsJson) return;
    this.lastLimitsJson = json;
    this.post({ type: 'limits', requirements });
  }

  private ratings(key: string): Record<string, number> {
    return this.services.context.workspaceState.get<Record<string, Record<string, number>>>(RATINGS_KEY)?.[key] ?? {};
  }

  /** Re-derives the view from the stored measurements; posts it when it changed. */
  private refresh(): void {
    const before = this.lastViewJson;
    const view = this.build();
    if (view && this.lastViewJson !== before) this.post({ type: 'analysis', analysis: view });
  }

  /** The view of the stored measurements under the current settings and ratings (remembered as the last one). */
  private build(): AnalysisView | undefined {
    if (!this.measurements || !this.request) return undefined;
    const view = buildAnalysisView(this.measurements, this.config, this.status, {
      ratings: this.ratings(promptKey(this.request.prompt)),
      history: this.services.history.measuredHitRate(),
      reference: this.reference(this.request),
    });
    this.lastViewJson = JSON.stringify(view);
    this.lastView = view;
    return view;
  }
}

interface PinnedReference {
  text: string;
  /** Whose answer it was. */
  modelId: string;
}

/**
 * A per-prompt map of workspace state with `key` set to `value` (undefined deletes it), the
 * most recent last and at most MAX_PROMPTS_KEPT prompts kept.
 */
function updatedByPrompt<T>(stored: Record<string, T> | undefined, key: string, value: T | undefined): Record<string, T> {
  const all = { ...(stored ?? {}) };
  delete all[key];
  if (value !== undefined) all[key] = value;
  const keys = Object.keys(all);
  for (const old of keys.slice(0, Math.max(0, keys.length - MAX_PROMPTS_KEPT))) delete all[old];
  return all;
}
