import { ProxyKind } from '../../core/istio/proxy-kind';
import { StandardMetric } from '../../core/istio/standard-metrics';
import { Waypoint } from '../ambient/waypoint';
import type { IstioMesh } from '../mesh/istio-mesh';
import { MetricDefinition, MetricImplementation, MetricType, matcherText } from '../metrics/metric-definition';
import { MetricDimensions } from '../metrics/metric-dimensions';
import { StatsInclusion } from '../stats/stats-inclusion';
import { preferredReporter, workloadLabels } from './mesh-queries';
import type { AddedDimension, CustomMetric, Reporter } from './mesh-series';

/** The standard metrics exported as Prometheus histograms (`_bucket`, `_sum`, `_count`); the rest are counters. */
const HISTOGRAMS: readonly StandardMetric[] = [
  StandardMetric.REQUEST_DURATION_MILLISECONDS,
  StandardMetric.REQUEST_BYTES,
  StandardMetric.RESPONSE_BYTES,
];

export function reportersOf(proxies: readonly ProxyKind[]): Reporter[] {
  const reporters = new Set<Reporter>();
  for (const proxy of proxies) reporters.add(proxy === ProxyKind.INBOUND_SIDECAR ? 'destination' : 'source');
  return (['destination', 'source'] as const).filter((r) => reporters.has(r));
}

/**
 * What the mesh's metric constructs declare, read from the construct tree when the backends
 * render (so dashboards and rules follow every declaration, wherever in the app it was made).
 * Entries are sorted, so the output does not depend on declaration order.
 */
export class MeshMetrics {
  constructor(private readonly mesh: IstioMesh) {}

  /** Whether the mesh declares waypoints, whose series (`reporter="waypoint"`) count with the destination's. */
  get waypoints(): boolean {
    return this.mesh.node.root.node.findAll().some((c) => Waypoint.isWaypoint(c));
  }

  /** Every label added to a standard metric, one entry per metric and label. */
  addedDimensions(): AddedDimension[] {
    const byKey = new Map<string, { metric: StandardMetric; label: string; reporters: Set<Reporter> }>();
    for (const d of this.find(MetricDimensions)) {
      for (const label of d.dimensionNames()) {
        const key = `${d.metric} ${label}`;
        const entry = byKey.get(key) ?? { metric: d.metric, label, reporters: new Set<Reporter>() };
        for (const r of reportersOf(d.proxies)) entry.reporters.add(r);
        byKey.set(key, entry);
      }
    }
    return [...byKey.keys()].sort().map((key) => {
      const e = byKey.get(key) as { metric: StandardMetric; label: string; reporters: Set<Reporter> };
      return {
        metric: `istio_${e.metric}`,
        type: HISTOGRAMS.includes(e.metric) ? MetricType.HISTOGRAM : MetricType.COUNTER,
        label: e.label,
        reporters: (['destination', 'source'] as const).filter((r) => e.reporters.has(r)),
      };
    });
  }

  /** Every metric the mesh's definitions create. */
  customMetrics(): CustomMetric[] {
    return this.find(MetricDefinition)
      .map((d): CustomMetric => {
        const reporters = reportersOf(d.proxies);
        const preferred = preferredReporter(reporters);
        if (d.implementation === MetricImplementation.RECORDING_RULE) {
          return {
            metric: d.prometheusName,
            type: d.type,
            reporters,
            series: 'istio_requests_total',
            matchers: (d.requestSubset?.matchers ?? []).map(matcherText),
            labels: workloadLabels(preferred),
            reporterLabel: true,
          };
        }
        const onPreferred = d.proxies.filter((p) => reportersOf([p]).includes(preferred));
        const labels = d.labelsOn(onPreferred).filter((l) => l !== 'reporter');
        // Workload labels first, in the standard order, then the definition's own, sorted.
        const standard = [...workloadLabels('source'), ...workloadLabels('destination')].filter((l) =>
          labels.includes(l),
        );
        return {
          metric: d.prometheusName,
          type: d.type,
          reporters,
          series: d.prometheusName,
          matchers: [],
          labels: [...standard, ...labels.filter((l) => !standard.includes(l)).sort()],
          reporterLabel: d.standardLabels.includes('reporter'),
        };
      })
      .sort((a, b) => (a.metric < b.metric ? -1 : a.metric > b.metric ? 1 : 0));
  }

  /** Stats inclusions of the mesh (they add Envoy series that a scrape config must not prune). */
  statsInclusions(): StatsInclusion[] {
    return this.find(StatsInclusion);
  }

  private find<T extends { readonly mesh: IstioMesh }>(type: abstract new (...args: never[]) => T): T[] {
    return this.mesh.node.root.node
      .findAll()
      .filter((c): c is T & typeof c => c instanceof type && c.mesh === this.mesh);
  }
}
