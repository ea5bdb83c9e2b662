import { MetricType } from '../metrics/metric-definition';
import type { AddedDimension, CustomMetric, Reporter } from './mesh-metrics';

/**
 * The PromQL the generated dashboards and recording rules share, so both read the mesh's metrics
 * the same way. `window` is a range such as `5m` (rules) or `$__rate_interval` (Grafana).
 */

/** The workload labels series are grouped by: the reporting side's own workload. */
export function workloadLabels(reporter: Reporter): string[] {
  return reporter === 'destination'
    ? ['destination_workload', 'destination_workload_namespace']
    : ['source_workload', 'source_workload_namespace'];
}

/**
 * The reporter a label is read from: `destination` where the label is on both sides (each
 * request is counted once, by the server), else the only side that has it.
 */
export function preferredReporter(reporters: readonly Reporter[]): Reporter {
  return reporters.includes('destination') ? 'destination' : 'source';
}

/** `sum by (a, b) (rate(metric{sel}[window]))`. */
export function sumRate(metric: string, by: readonly string[], selector: string, window: string): string {
  return `sum by (${by.join(', ')}) (rate(${metric}${selector}[${window}]))`;
}

/** `histogram_quantile(q, sum by (..., le) (rate(metric_bucket{sel}[window])))`. */
export function quantile(
  q: number,
  histogram: string,
  by: readonly string[],
  selector: string,
  window: string,
): string {
  return `histogram_quantile(${q}, ${sumRate(`${histogram}_bucket`, [...by, 'le'], selector, window)})`;
}

export function reporterSelector(reporter: Reporter, extra: readonly string[] = []): string {
  return `{${[`reporter="${reporter}"`, ...extra].join(', ')}}`;
}

/** Extra matchers for the series of one reporter, e.g. a dashboard's namespace filter. */
export type Matchers = (reporter: Reporter) => readonly string[];

/** Where a declared label or metric is read: its reporter's series, per workload and by its own labels. */
export interface DeclaredSeries {
  readonly reporter: Reporter;
  readonly by: readonly string[];
  readonly selector: string;
}

export function declaredSeries(
  reporters: readonly Reporter[],
  labels: readonly string[],
  matchers: Matchers = () => [],
): DeclaredSeries {
  const reporter = preferredReporter(reporters);
  return {
    reporter,
    by: [...workloadLabels(reporter), ...labels],
    selector: reporterSelector(reporter, matchers(reporter)),
  };
}

/** `sum by (a, b) (metric{sel})`, a gauge's current value. */
export function sumOf(metric: string, by: readonly string[], selector: string): string {
  return `sum by (${by.join(', ')}) (${metric}${selector})`;
}

/** The query that shows an added dimension: request rate, or p99 for a histogram, per workload and label value. */
export function dimensionQuery(d: AddedDimension, window: string, matchers: Matchers = () => []): string {
  const { by, selector } = declaredSeries(d.reporters, [d.label], matchers);
  return d.type === MetricType.HISTOGRAM
    ? quantile(0.99, d.metric, by, selector, window)
    : sumRate(d.metric, by, selector, window);
}

/** The query that shows a custom metric: its rate (counter), p99 (histogram) or sum (gauge), per workload and label. */
export function customMetricQuery(m: CustomMetric, window: string, matchers: Matchers = () => []): string {
  const { by, selector } = declaredSeries(m.reporters, m.labels, matchers);
  switch (m.type) {
    case MetricType.COUNTER:
      return sumRate(m.metric, by, selector, window);
    case MetricType.HISTOGRAM:
      return quantile(0.99, m.metric, by, selector, window);
    case MetricType.GAUGE:
      return sumOf(m.metric, by, selector);
  }
}

/** `{{source_workload}}.{{source_workload_namespace}} {{label}}`, the legend of a per-workload query. */
export function legendFor(reporter: Reporter, labels: readonly string[] = []): string {
  const [workload, namespace] = workloadLabels(reporter);
  return [`{{${workload}}}.{{${namespace}}}`, ...labels.map((l) => `{{${l}}}`)].join(' ');
}
