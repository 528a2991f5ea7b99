// The chart of the CLI's HTML report (`run --html`): the profile panel's own Decide chart, drawn
// from the options the page carries as JSON. Inlined into the report with a nonce: the page
// loads nothing from the network.
import { DecideChart } from '../decide/chart';
import { formatSeconds } from '../../core/analysis/pareto';
import { formatUsd } from '../../core/format';
import type { DecisionOption, Requirements } from '../protocol';

interface ReportChartData {
  options: DecisionOption[];
  frontier: string[];
  feasible: string[];
  selected: string | null;
  requirements: Requirements;
}

const data = JSON.parse(document.getElementById('pp-chart-data')?.textContent ?? 'null') as ReportChartData | null;
const canvas = document.getElementById('pp-chart') as HTMLCanvasElement | null;
if (data && canvas) {
  const chart = new DecideChart(
    canvas,
    (id) => document.getElementById(`option-${id}`)?.scrollIntoView({ block: 'center' }),
    (o) => [
      `cost ${formatUsd(o.costPer1k)} per 1k calls`,
      o.latency ? `p95 ${formatSeconds(o.latency.p95)}` : 'no latency',
      o.quality ? `quality ${o.quality.value.toFixed(2)} (${o.quality.source})` : 'quality unknown',
    ],
  );
  chart.update({
    options: data.options,
    frontier: new Set(data.frontier),
    feasible: new Set(data.feasible),
    recommended: data.selected,
    selected: null,
    requirements: data.requirements,
  });
  document.body.dataset.chart = 'drawn';
}
