import { MetricType } from '../metrics/metric-definition';
import type { AddedDimension, CustomMetric, Reporter } from './mesh-series';

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

/** `sum by (a, b) (rate(metric{sel}[window]))`, or `sum(...)` with no grouping. */
export function sumRate(metric: string, by: readonly string[], selector: string, window: string): string {
  return `${sumBy(by)} (rate(${metric}${selector}[${window}]))`;
}

function sumBy(by: readonly string[]): string {
  return by.length > 0 ? `sum by (${by.join(', ')})` : 'sum';
}

/** `{a, b}`, or nothing without matchers. */
export function selectorOf(matchers: readonly string[]): string {
  return matchers.length > 0 ? `{${matchers.join(', ')}}` : '';
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

/**
 * `{reporter="source", …}`; with waypoints, the server side is `reporter=~"destination|waypoint"`:
 * a waypoint reports the requests of the ambient Services it serves as the server
 * (`reporter="waypoint"`, istio/istio@1.24.0:pilot/pkg/model/telemetry.go line 985), and their pods
 * have no sidecar to report them as `destination`, so each request is counted once. (A request's
 * sender reports it too, as `source`: the server side is never added to it.) A pod behind a
 * waypoint that still runs a sidecar (injected, labelled `istio.io/dataplane-mode: none`) would
 * report it again; the declarations refuse a waypoint for a sidecar workload or namespace.
 */
export function reporterSelector(reporter: Reporter, extra: readonly string[] = [], waypoints = false): string {
  return `{${[reporterMatcher(reporter, waypoints), ...extra].join(', ')}}`;
}

function reporterMatcher(reporter: Reporter, waypoints: boolean): string {
  return reporter === 'destination' && waypoints ? 'reporter=~"destination|waypoint"' : `reporter="${reporter}"`;
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
  waypoints = false,
): DeclaredSeries {
  const reporter = preferredReporter(reporters);
  return {
    reporter,
    by: [...workloadLabels(reporter), ...labels],
    selector: reporterSelector(reporter, matchers(reporter), waypoints),
  };
}

/** `sum by (a, b) (metric{sel})`, a gauge's current value. */
export function sumOf(metric: string, by: readonly string[], selector: string): string {
  return `${sumBy(by)} (${metric}${selector})`;
}

/** The query that shows an added dimension: request rate, or p99 for a histogram, per workload and label value. */
export function dimensionQuery(
  d: AddedDimension,
  window: string,
  matchers: Matchers = () => [],
  waypoints = false,
): string {
  const { by, selector } = declaredSeries(d.reporters, [d.label], matchers, waypoints);
  return d.type === MetricType.HISTOGRAM
    ? quantile(0.99, d.metric, by, selector, window)
    : sumRate(d.metric, by, selector, window);
}

/**
 * Where a custom metric is read, over labels its series have: the preferred reporter's series when
 * they carry `reporter` (each request once), its own matchers, and `extra` matchers only where the
 * label they read (the reporter's workload namespace) is there.
 */
export function customMetricSeries(m: CustomMetric, matchers: Matchers = () => [], waypoints = false): DeclaredSeries {
  const reporter = preferredReporter(m.reporters);
  const namespaceLabel = workloadLabels(reporter)[1] as string;
  // Only a subset of istio_requests_total has waypoint series: a metric of its own is defined by an
  // EnvoyFilter that matches sidecars and gateways.
  const withWaypoints = waypoints && m.series === 'istio_requests_total';
  return {
    reporter,
    by: m.labels,
    selector: selectorOf([
      ...(m.reporterLabel ? [reporterMatcher(reporter, withWaypoints)] : []),
      ...m.matchers,
      ...(m.labels.includes(namespaceLabel) ? matchers(reporter) : []),
    ]),
  };
}

/** The query that shows a custom metric: its rate (counter), p99 (histogram) or sum (gauge), per label it has. */
export function customMetricQuery(
  m: CustomMetric,
  window: string,
  matchers: Matchers = () => [],
  waypoints = false,
): string {
  const { by, selector } = customMetricSeries(m, matchers, waypoints);
  switch (m.type) {
    case MetricType.COUNTER:
      return sumRate(m.series, by, selector, window);
    case MetricType.HISTOGRAM:
      return quantile(0.99, m.series, by, selector, window);
    case MetricType.GAUGE:
      return sumOf(m.series, by, selector);
  }
}

/** `{{a}} {{b}}` for a custom metric's labels, or its name when it has none. */
export function legendOfLabels(metric: string, labels: readonly string[]): string {
  if (labels.length === 0) return metric;
  // A workload and its namespace read as one name, `webapp.istioinaction`, as in the other panels.
  return labels
    .filter((l) => !(l.endsWith('_workload_namespace') && labels.includes(l.replace(/_namespace$/, ''))))
    .map((l) => (labels.includes(`${l}_namespace`) ? `{{${l}}}.{{${l}_namespace}}` : `{{${l}}}`))
    .join(' ');
}

/** `{{source_workload}}.{{source_workload_namespace}} {{label}}`, the legend of a per-workload query. */
export function legendFor(reporter: Reporter, labels: readonly string[] = []): string {
  const [workload, namespace] = workloadLabels(reporter);
  return [`{{${workload}}}.{{${namespace}}}`, ...labels.map((l) => `{{${l}}}`)].join(' ');
}
