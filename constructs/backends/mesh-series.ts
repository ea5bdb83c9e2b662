import type { MetricType } from '../metrics/metric-definition';

/** What the mesh's metrics are as Prometheus sees them: read by MeshMetrics and the queries built on it. */

/**
 * The `reporter` label of series a proxy kind writes: sidecars receiving report `destination`,
 * senders and gateways `source` (istio.io "Istio Standard Metrics"); waypoints `waypoint` for the
 * requests they serve, read with the `destination` series (see reporterSelector).
 */
export type Reporter = 'source' | 'destination';

/** A label a {@link MetricDimensions} added to a standard metric, as Prometheus sees it. */
export interface AddedDimension {
  /** The Prometheus metric, e.g. `istio_requests_total`. */
  readonly metric: string;
  readonly type: MetricType;
  readonly label: string;
  /** The reporters whose series carry the label; the others do not have it. */
  readonly reporters: readonly Reporter[];
}

/** A metric a {@link MetricDefinition} created, and the series it is read from. */
export interface CustomMetric {
  /** e.g. `istio_get_calls`. */
  readonly metric: string;
  readonly type: MetricType;
  /** The reporters whose proxies record it. */
  readonly reporters: readonly Reporter[];
  /**
   * The series it is read from: its own (the stats filter exports it), or `istio_requests_total`
   * (the recording-rule implementation: a subset of the standard request count).
   */
  readonly series: string;
  /** Matchers selecting its requests among `series`, e.g. `request_method=~"GET.*"`; none for its own series. */
  readonly matchers: readonly string[];
  /**
   * Labels the preferred reporter's series carry, besides `reporter`: only what the definition
   * declares for a stats-filter metric (the filter adds no standard label), the standard workload
   * labels for a subset of `istio_requests_total`.
   */
  readonly labels: readonly string[];
  /** Whether its series carry `reporter`, so a query can count each request once. */
  readonly reporterLabel: boolean;
}
