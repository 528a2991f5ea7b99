// Beside today's estimate: the monthly projection and the change against the file's git HEAD
// version, as a CodeLens ("$36.00/month at 1,000 calls/day", "+120 tok · +$0.18/call ·
// +$540/month vs HEAD", "new vs HEAD") and a hover table per model. Nothing when unchanged.
import * as vscode from 'vscode';
import { changeLine, escapeMarkdown, monthlyText, type ModelChange, type PromptFigures } from '../../core/check';
import { formatInt, formatUsd } from '../../core/format';
import { HEAD, type CostChanges, type DocumentCosts } from '../check/costChanges';
import { Disposable } from '../lifecycle';
import type { Services } from '../services';

const REFRESH_DEBOUNCE_MS = 300;
export const OPEN_HEAD_DIFF_COMMAND = 'promptProfiler.openHeadDiff';

/** "$36.00/month at 1,000 calls/day" for a prompt's first model. */
export function projectionTitle(p: PromptFigures): string | undefined {
  const m = p.models[0];
  if (!m) return undefined;
  const approx = m.estimated && m.costPerCall !== null ? '≈ ' : '';
  const at = p.callsPerDay === undefined ? '' : ` at ${formatInt(p.callsPerDay)} calls/day`;
  return `${approx}${monthlyText(m)}${m.monthlyCost === null ? '' : at}`;
}

function changeOf(costs: DocumentCosts, p: PromptFigures): ModelChange | undefined {
  const c = costs.changes?.find((x) => x.key === p.key);
  return c?.models.find((m) => m.modelId === p.models[0]?.modelId);
}

export class CostDeltaCodeLensProvider extends Disposable implements vscode.CodeLensProvider {
  private readonly changed = this._register(new vscode.EventEmitter<void>());
  readonly onDidChangeCodeLenses = this.changed.event;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly services: Services,
    private readonly costs: CostChanges,
  ) {
    super();
    const soon = () => {
      clearTimeout(this.timer);
      this.timer = setTimeout(() => this.changed.fire(), REFRESH_DEBOUNCE_MS);
    };
    this._register(vscode.workspace.onDidChangeTextDocument(soon));
    this._register(costs.onDidChange(soon));
    this._register({ dispose: () => clearTimeout(this.timer) });
  }

  async provideCodeLenses(doc: vscode.TextDocument): Promise<vscode.CodeLens[]> {
    if (!this.services.config.value.codeLensEnabled) return [];
    const costs = await this.costs.forDocument(doc);
    if (!costs) return [];
    return costs.prompts.flatMap((p) => {
      const range = new vscode.Range(p.startLine, 0, p.startLine, 0);
      const lenses: vscode.CodeLens[] = [];
      const projection = projectionTitle(p);
      if (projection) lenses.push(new vscode.CodeLens(range, { title: projection, command: '', tooltip: `${p.models[0].modelId}, ${formatInt(p.models[0].outputTokens)} output tokens per call${p.trafficSource ? `; traffic from ${p.trafficSource}` : ''}` }));
      const change = changeOf(costs, p);
      const line = change && changeLine(change, HEAD);
      if (line) lenses.push(new vscode.CodeLens(range, { title: line, command: OPEN_HEAD_DIFF_COMMAND, arguments: [doc.uri], tooltip: 'Compare with HEAD' }));
      return lenses;
    });
  }
}

export class CostDeltaHoverProvider implements vscode.HoverProvider {
  constructor(private readonly costs: CostChanges) {}

  async provideHover(doc: vscode.TextDocument, position: vscode.Position, token: vscode.CancellationToken): Promise<vscode.Hover | undefined> {
    const costs = await this.costs.forDocument(doc);
    const p = costs?.prompts.find((x) => position.line >= x.startLine && position.line < x.endLine);
    if (!costs || !p || token.isCancellationRequested || !p.models.length) return undefined;
    return new vscode.Hover(renderCostHover(costs, p));
  }
}

export function renderCostHover(costs: DocumentCosts, p: PromptFigures): vscode.MarkdownString {
  const md = new vscode.MarkdownString();
  md.isTrusted = false;
  const traffic = p.callsPerDay === undefined ? 'no traffic set' : `${formatInt(p.callsPerDay)} calls/day (${escapeMarkdown(p.trafficSource ?? '')})`;
  md.appendMarkdown(`**Per month** at ${traffic}, ${formatInt(p.models[0].outputTokens)} output tokens per call\n\n`);
  const compared = costs.changes !== undefined;
  md.appendMarkdown(`| model | cost/call | per month |${compared ? ' vs HEAD |' : ''}\n|---|--:|--:|${compared ? '---|' : ''}\n`);
  const change = costs.changes?.find((c) => c.key === p.key);
  for (const m of p.models) {
    const delta = change?.models.find((x) => x.modelId === m.modelId);
    const line = delta ? (changeLine(delta, HEAD) ?? 'unchanged') : '';
    md.appendMarkdown(`| ${escapeMarkdown(m.modelId)} | ${formatUsd(m.costPerCall)} | ${monthlyText(m)} |${compared ? ` ${escapeMarkdown(line.replace(/ vs HEAD$/, ''))} |` : ''}\n`);
  }
  return md;
}
