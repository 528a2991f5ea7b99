// Show Dashboard: the monitoring dashboard over the call history of this workspace.
import type { DashboardRange } from '../../webview/dashboard/protocol';
import type { Services } from '../services';
import { DashboardPanel } from './dashboardPanel';

export interface ShowDashboardArgs {
  /** The date range to show (default: the last one, else the last 30 days). */
  range?: DashboardRange;
}

export function showDashboard(services: Services, args: ShowDashboardArgs = {}): DashboardPanel {
  return DashboardPanel.show(services, args?.range);
}
