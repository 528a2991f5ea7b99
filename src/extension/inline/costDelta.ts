// Beside today's estimate, only where they add something: the monthly projection when the
// prompt's traffic is known ("$36.00/month at 1,000 calls/day") and the change against the
// file's git HEAD version when there is one ("+120 tok · +$0.18/call · +$540/month vs HEAD",
// "new vs HEAD"), as CodeLenses and as a short section at the top of the prompt's hover.
import * as vscode from 'vscode';
import { changeLine, type ModelChange, type PromptFigures } from '../../core/check';
import { formatInt } from '../../core/format';
import { markdownCode, markdownText } from '../../core/text';
import { HEAD, type CostChanges, type DocumentCosts } from '../check/costChanges';
import { CommandId } from '../constants';
import { Disposable } from '../lifecycle';
import { formatModelCost } from '../providers/vscodeLm';
import type { Services } from '../services';

/** "$36.00/month at 1,000 calls/day" for a prompt's first model; undefined without traffic or a price. */
export function projectionTitle(p: PromptFigures): string | undefined {
  const m = p.models[0];
  if (!m || p.callsPerDay === undefined || m.monthlyCost === null) return undefined;
  return `${m.estimated ? '≈ ' : ''}${formatModelCost(m.modelId, m.monthlyCost)}/month at ${formatInt(p.callsPerDay)} calls/day`;
}

function changeOf(costs: DocumentCosts, p: PromptFigures, modelId: string | undefined): ModelChange | undefined {
  return costs.changes?.find((x) => x.key === p.key)?.models.find((m) => m.modelId === modelId);
}

/**
 * VS Code asks for lenses again by itself when a document it shows them for changes, so typing
 * is not listened to (a change to another document costs nothing); a refresh only when a HEAD
 * moved or the settings or prompt-profiler.json changed.
 */
export class CostDeltaCodeLensProvider extends Disposable implements vscode.CodeLensProvider {
  private readonly changed = this._register(new vscode.EventEmitter<void>());
  readonly onDidChangeCodeLenses = this.changed.event;

  constructor(
    private readonly services: Services,
    private readonly costs: CostChanges,
  ) {
    super();
    this._register(costs.onDidChange(() => this.changed.fire()));
  }

  async provideCodeLenses(doc: vscode.TextDocument): Promise<vscode.CodeLens[]> {
    if (!this.services.config.value.codeLensEnabled) return [];
    const costs = await this.costs.forDocument(doc);
    if (!costs) return [];
    return costs.prompts.flatMap((p) => {
      const range = new vscode.Range(p.startLine, 0, p.startLine, 0);
      const lenses: vscode.CodeLens[] = [];
      const first = p.models[0];
      const projection = projectionTitle(p);
      if (projection) lenses.push(new vscode.CodeLens(range, { title: projection, command: '', tooltip: `${first.modelId}, ${formatInt(first.outputTokens)} output tokens per call; traffic from ${p.trafficSource}` }));
      const change = changeOf(costs, p, first?.modelId);
      const line = change && changeLine(change, HEAD);
      if (line) lenses.push(new vscode.CodeLens(range, { title: line, command: CommandId.OpenHeadDiff, arguments: [doc.uri], tooltip: 'Compare with HEAD' }));
      return lenses;
    });
  }
}

/**
 * The hover's cost section for the prompt under `position`: per model the cost per month and
 * the change vs HEAD, in that order and only the columns that hold something; undefined when
 * neither is known (no traffic, nothing changed). Model ids and globs are data: escaped.
 */
export async function costHoverSection(costs: CostChanges, doc: vscode.TextDocument, position: vscode.Position): Promise<string | undefined> {
  const found = await costs.forDocument(doc);
  const p = found?.prompts.find((x) => position.line >= x.startLine && position.line < x.endLine);
  if (!found || !p?.models.length) return undefined;
  const rows = p.models.map((m) => {
    const change = changeOf(found, p, m.modelId);
    return { m, line: change && changeLine(change, HEAD)?.replace(/ vs HEAD$/, '') };
  });
  const perMonth = p.callsPerDay !== undefined;
  const changed = rows.some((r) => r.line);
  if (!perMonth && !changed) return undefined;
  const head = perMonth ? `**Per month** at ${formatInt(p.callsPerDay!)} calls/day (${markdownText(p.trafficSource ?? '')}), ${formatInt(p.models[0].outputTokens)} output tokens a call` : `**Changed** since HEAD`;
  const columns = ['model', ...(perMonth ? ['per month'] : []), ...(changed ? ['vs HEAD'] : [])];
  const table = [`| ${columns.join(' | ')} |`, `|---|${perMonth ? '--:|' : ''}${changed ? '---|' : ''}`];
  for (const { m, line } of rows) {
    // A model without a price says so (formatModelCost: "no price", "no per-token price (subscription)"), never $0.
    const cells = [markdownCode(m.modelId, true), ...(perMonth ? [`${m.estimated && m.monthlyCost !== null ? '≈ ' : ''}${formatModelCost(m.modelId, m.monthlyCost)}`] : []), ...(changed ? [markdownText(line ?? 'unchanged')] : [])];
    table.push(`| ${cells.join(' | ')} |`);
  }
  return `${head}\n\n${table.join('\n')}\n`;
}
