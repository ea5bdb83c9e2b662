import {
  BAD_EVENTS_SERIES,
  EVENTS_SERIES,
  errorRatioSeries,
  MEASURES_LABEL,
  OBJECTIVE_SERIES,
  SLI_LABEL,
  SLO_LABEL,
  THRESHOLD_LABEL,
} from '../../core/contracts/slo-series';
import { leMatcher } from '../../core/istio/histogram-buckets';
import { type AlertRule, braces, eq, promNumber, type RecordingRule, type RuleGroup } from './rule-groups';

/** What an objective measures: the share of requests that succeed, or that finish under a threshold. */
export type SliKind = 'availability' | 'latency';

/** One indicator of an objective, with what its queries need. */
export interface Sli {
  readonly kind: SliKind;
  /** The objective, a percentage below 100, e.g. 99.9. */
  readonly objective: number;
  /** The latency threshold, a bucket boundary in milliseconds (latency only). */
  readonly thresholdMs?: number;
}

/** What an objective's queries select: the server side's series of its requests. */
export interface SloTarget {
  /** The `slo` label of every series and alert it makes. */
  readonly name: string;
  /** Matchers of its requests, e.g. `reporter="destination", destination_workload="cart", ...`. */
  readonly matchers: readonly string[];
  /** How messages name it: `workload shop/cart`. */
  readonly description: string;
  /** The objective's window in days. */
  readonly windowDays: number;
}

/**
 * A burn-rate alert: the error ratio over both windows above `factor` times the error budget.
 * `budgetShare` is the share of the window's budget that burning at that rate spends in the long
 * window; the Google SRE Workbook's pairs (chapter 5, "Multiwindow, Multi-Burn-Rate Alerts"):
 * 2% in 1h (14.4x over 30d) and 5% in 6h (6x) page, 10% in 3d (1x) is a ticket.
 */
export interface BurnRateWindow {
  readonly long: string;
  readonly longHours: number;
  readonly short: string;
  readonly budgetShare: number;
  readonly for: string;
  readonly severity: 'critical' | 'warning';
}

export const BURN_RATE_WINDOWS: readonly BurnRateWindow[] = [
  { long: '1h', longHours: 1, short: '5m', budgetShare: 0.02, for: '2m', severity: 'critical' },
  { long: '6h', longHours: 6, short: '30m', budgetShare: 0.05, for: '15m', severity: 'critical' },
  { long: '3d', longHours: 72, short: '6h', budgetShare: 0.1, for: '3h', severity: 'warning' },
];

/** The windows each indicator's error ratio is recorded over: every window an alert reads. */
export const RATIO_WINDOWS: readonly string[] = ['5m', '30m', '1h', '6h', '3d'];

export { errorRatioSeries };

/** The alert every burn-rate rule raises; `severity`, `slo`, `sli` and the windows tell them apart. */
export const BURN_RATE_ALERT = 'IstioSLOErrorBudgetBurn';

/**
 * The burn-rate factor of a pair for a window of `windowDays`: 14.4, 6 and 1 over 30 days (the
 * share of the budget spent in the long window, times the windows in the objective's). Never below
 * 1: under it the budget lasts the window, and the objective is met (a 7-day window would
 * otherwise raise a ticket at 0.23x).
 */
export function burnRateFactor(pair: BurnRateWindow, windowDays: number): number {
  return Math.max(1, Number(((pair.budgetShare * windowDays * 24) / pair.longHours).toPrecision(6)));
}

/** The error budget of an objective: `1 - objective/100`, exactly as written (`0.001` for 99.9). */
export function errorBudget(objective: number): number {
  return Number(((100 - objective) / 100).toPrecision(10));
}

/**
 * gRPC statuses other than OK (istio.io "Istio Standard Metrics": `grpc_response_status`, the
 * numeric code, empty for other requests); a request that ends with one fails availability even
 * with HTTP 200.
 */
const GRPC_NOT_OK = '[1-9]|1[0-6]';

/** The requests of an indicator per second over `window`, and those that failed it. */
function events(target: SloTarget, sli: Sli, window: string): { total: string; bad: string } {
  const sel = (...extra: string[]) => braces([...target.matchers, ...extra]);
  if (sli.kind === 'availability') {
    // `or` joins the two sets of series once each: a 5xx that is also a gRPC failure is one series.
    const failed = [
      `rate(istio_requests_total${sel('response_code=~"5.."')}[${window}])`,
      `rate(istio_requests_total${sel(`grpc_response_status=~"${GRPC_NOT_OK}"`)}[${window}])`,
    ].join('\n    or\n    ');
    return {
      total: `sum(rate(istio_requests_total${sel()}[${window}]))`,
      // No failed request is 0, not a missing sample.
      bad: `(\n  sum(\n    ${failed}\n  )\n  or vector(0)\n)`,
    };
  }
  const total = `sum(rate(istio_request_duration_milliseconds_count${sel()}[${window}]))`;
  const fast = `sum(rate(istio_request_duration_milliseconds_bucket${sel(leMatcher(sli.thresholdMs as number))}[${window}]))`;
  // Parenthesized: it is divided as a whole.
  return { total, bad: `(\n  ${total}\n  -\n  ${fast}\n)` };
}

/**
 * The error ratio of an indicator over `window`, from the standard metrics. No request at all is
 * no sample rather than NaN (`> 0` on the total), so a window's ratio is never poisoned by a 0/0.
 */
export function errorRatioExpr(target: SloTarget, sli: Sli, window: string): string {
  const { total, bad } = events(target, sli, window);
  return `${bad}\n/\n(${total} > 0)`;
}

/** The labels that tell an indicator's series apart. */
export function sliLabels(target: SloTarget, sli: Sli): Record<string, string> {
  return { [SLO_LABEL]: target.name, [SLI_LABEL]: sli.kind };
}

/**
 * The rules of one objective: per indicator, its requests and bad requests per second (5m), its
 * error ratios over the alert windows, over its own window (the bad requests of the window over
 * all of them, so each request weighs the same), its objective, and the burn-rate alerts. One
 * group, so each evaluation reads what the same pass recorded. A pair whose threshold (factor x
 * budget) is 1 or more is left out: no ratio exceeds it, so it could never fire (an objective of
 * 93% over 30 days has no 1h page).
 */
export function sloRuleGroup(target: SloTarget, slis: readonly Sli[], runbook: (alert: string) => string): RuleGroup {
  const recording: RecordingRule[] = [];
  const alerts: AlertRule[] = [];
  for (const sli of slis) {
    const labels = sliLabels(target, sli);
    const selector = braces(Object.entries(labels).map(([k, v]) => eq(k, v)));
    const period = `${target.windowDays}d`;
    const five = events(target, sli, '5m');
    recording.push(
      { record: EVENTS_SERIES, expr: five.total, labels },
      { record: BAD_EVENTS_SERIES, expr: five.bad, labels },
      {
        record: errorRatioSeries('5m'),
        expr: `${BAD_EVENTS_SERIES}${selector}\n/\n(${EVENTS_SERIES}${selector} > 0)`,
        labels,
      },
    );
    for (const window of RATIO_WINDOWS.filter((w) => w !== '5m')) {
      recording.push({ record: errorRatioSeries(window), expr: errorRatioExpr(target, sli, window), labels });
    }
    recording.push({
      record: errorRatioSeries(period),
      expr: `sum_over_time(${BAD_EVENTS_SERIES}${selector}[${period}])\n/\n(sum_over_time(${EVENTS_SERIES}${selector}[${period}]) > 0)`,
      labels,
    });
    recording.push({
      record: OBJECTIVE_SERIES,
      expr: `vector(${promNumber(sli.objective / 100)})`,
      labels: {
        ...labels,
        [MEASURES_LABEL]: target.description,
        ...(sli.thresholdMs !== undefined ? { [THRESHOLD_LABEL]: String(sli.thresholdMs) } : {}),
      },
    });
    const budget = errorBudget(sli.objective);
    for (const pair of BURN_RATE_WINDOWS) {
      const factor = burnRateFactor(pair, target.windowDays);
      if (factor * budget >= 1) continue;
      const threshold = `(${promNumber(factor)} * ${promNumber(budget)})`;
      const over = (w: string) => `${errorRatioSeries(w)}${selector} > ${threshold}`;
      const what = sli.kind === 'availability' ? 'requests failing' : `requests slower than ${sli.thresholdMs} ms`;
      const pace =
        factor === 1
          ? 'at the pace that spends it exactly'
          : `${promNumber(factor)} times as fast as the pace that spends it exactly`;
      alerts.push({
        alert: BURN_RATE_ALERT,
        expr: `${over(pair.long)}\nand\n${over(pair.short)}`,
        for: pair.for,
        labels: { ...labels, severity: pair.severity, long_window: pair.long, short_window: pair.short },
        annotations: {
          summary: `${target.name}: ${sli.kind} error budget burning ${promNumber(factor)}x over ${pair.long}`,
          description: `${target.description}: ${what} over the last ${pair.long} and ${pair.short} spend the ${period} error budget of its ${promNumber(sli.objective)}% ${sli.kind} objective ${pace}, ${Number(((factor * pair.longHours * 100) / (target.windowDays * 24)).toPrecision(3))}% of it in ${pair.long}.`,
          runbook_url: runbook(BURN_RATE_ALERT),
        },
      });
    }
  }
  return { name: `istio-slo-${target.name}`, rules: [...recording, ...alerts] };
}
