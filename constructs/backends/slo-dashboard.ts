import { OBJECTIVE_SERIES } from '../../core/contracts/slo-series';
import type { DashboardPanel } from './dashboard-panel';
import { braces, eq, promNumber } from './rule-groups';
import type { ServiceLevelObjective } from './service-level-objective';
import { errorBudget, errorRatioSeries, RATIO_WINDOWS, sliLabels } from './slo-rules';

/** The ConfigMap key of the error-budget dashboard, when the mesh declares objectives. */
export const SLO_DASHBOARD_KEY = 'istio-slos.json';

/**
 * The rows of the error-budget dashboard, one per objective: for each indicator, its level over
 * the window against the objective, the budget left, and the burn rate over each alert window (1
 * spends the budget exactly over the window). Every query reads the objective's recorded series.
 */
export function sloDashboardRows(
  slos: readonly ServiceLevelObjective[],
): { readonly title: string; readonly panels: readonly DashboardPanel[] }[] {
  return slos.map((slo) => {
    const period = `${slo.target.windowDays}d`;
    const panels = slo.slis.flatMap((sli): DashboardPanel[] => {
      const selector = braces(Object.entries(sliLabels(slo.target, sli)).map(([k, v]) => eq(k, v)));
      const budget = promNumber(errorBudget(sli.objective));
      const what = sli.kind === 'availability' ? 'requests succeeding' : `requests under ${sli.thresholdMs} ms`;
      return [
        {
          title: `${sli.kind}: ${what} over ${period}`,
          unit: 'percentunit',
          queries: [
            { expr: `1 - ${errorRatioSeries(period)}${selector}`, legend: `${sli.kind} (${period})` },
            { expr: `${OBJECTIVE_SERIES}${selector}`, legend: `objective ${promNumber(sli.objective)}%` },
          ],
        },
        {
          title: `${sli.kind}: error budget left of ${period}`,
          unit: 'percentunit',
          queries: [{ expr: `1 - ${errorRatioSeries(period)}${selector} / ${budget}`, legend: 'budget left' }],
        },
        {
          title: `${sli.kind}: burn rate (1 spends the budget in ${period})`,
          unit: 'short',
          queries: RATIO_WINDOWS.map((w) => ({ expr: `${errorRatioSeries(w)}${selector} / ${budget}`, legend: w })),
        },
      ];
    });
    return { title: `${slo.name}: ${slo.target.description}`, panels };
  });
}
