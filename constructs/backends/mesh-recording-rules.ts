import type { ApiObject } from 'cdk8s';
import { Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import { problem } from '../../core/errors';
import { isDnsSubdomain } from '../../core/names';
import { refuseInput } from '../../core/problems/construct-problems';
import { PrometheusRule, PrometheusRuleSpecGroupsRulesExpr } from '../../imports/monitoring.coreos.com';
import type { IstioMesh } from '../mesh/istio-mesh';
import { MetricType } from '../metrics/metric-definition';
import { MeshMetrics } from './mesh-metrics';
import { customMetricSeries, type DeclaredSeries, declaredSeries, sumOf, sumRate } from './mesh-queries';
import { durationProblems, type PrometheusInstance } from './prometheus-instance';
import type { RecordingRule } from './rule-groups';

export type { RecordingRule } from './rule-groups';

export interface RecordingRuleGroup {
  readonly name: string;
  readonly rules: readonly RecordingRule[];
}

export interface MeshRecordingRulesProps {
  /** The mesh whose metrics are recorded; its custom metrics and dimensions get rules too. */
  readonly mesh: IstioMesh;
  /** The Prometheus that selects the rules. */
  readonly prometheus: PrometheusInstance;
  /** @default 'istio-mesh-recording-rules' */
  readonly name?: string;
  /** The range of every `rate()`. @default '5m' */
  readonly rateWindow?: string;
}

/** Labels every workload-level rule keeps: who reported, both workloads, and where they run. */
const BOTH_WORKLOADS = [
  'reporter',
  'source_workload',
  'source_workload_namespace',
  'destination_workload',
  'destination_workload_namespace',
];

/**
 * A PrometheusRule that pre-aggregates the mesh's metrics per workload pair, following
 * Prometheus's `level:metric:operations` naming: the standard request and TCP metrics, plus one
 * rule for each label a MetricDimensions added (e.g. `workload_upstream_operation:istio_requests_total:rate5m`)
 * and each metric a MetricDefinition created. Rules follow the declarations when the app is
 * synthesized, wherever in the app they were made.
 */
export class MeshRecordingRules extends Construct {
  readonly rule: ApiObject;
  private readonly metrics: MeshMetrics;
  private readonly window: string;

  constructor(scope: Construct, id: string, props: MeshRecordingRulesProps) {
    super(scope, id);
    const name = props.name ?? 'istio-mesh-recording-rules';
    this.window = props.rateWindow ?? '5m';
    const problems = props.prometheus.problems(['prometheus']);
    if (!isDnsSubdomain(name)) problems.push(problem(['name'], name, 'an object name (RFC 1123 subdomain)'));
    problems.push(...durationProblems(['rateWindow'], this.window));
    if (this.window === '0') problems.push(problem(['rateWindow'], this.window, 'a range longer than 0'));
    // Reported at synth with every other construct's problems; nothing is written until they are fixed.
    refuseInput(this, problems);
    this.metrics = new MeshMetrics(props.mesh);
    this.rule = new PrometheusRule(this, 'Resource', {
      metadata: { name, namespace: props.prometheus.namespace, labels: { ...props.prometheus.selectorLabels } },
      spec: {
        groups: Lazy.any({
          produce: () =>
            this.groups().map((g) => ({
              name: g.name,
              rules: g.rules.map((r) => ({
                record: r.record,
                expr: PrometheusRuleSpecGroupsRulesExpr.fromString(r.expr),
              })),
            })),
        }),
      },
    });
  }

  /** The rule groups, as they will be written. */
  groups(): RecordingRuleGroup[] {
    const w = this.window;
    const rate = `rate${w}`;
    const standard: RecordingRule[] = [
      {
        record: `workload:istio_requests_total:${rate}`,
        expr: sumRate('istio_requests_total', [...BOTH_WORKLOADS, 'response_code'], '', w),
      },
      {
        record: `workload:istio_request_duration_milliseconds_bucket:${rate}`,
        expr: sumRate('istio_request_duration_milliseconds_bucket', [...BOTH_WORKLOADS, 'le'], '', w),
      },
      ...[
        'istio_request_bytes_sum',
        'istio_response_bytes_sum',
        'istio_tcp_sent_bytes_total',
        'istio_tcp_received_bytes_total',
      ].map((metric) => ({ record: `workload:${metric}:${rate}`, expr: sumRate(metric, BOTH_WORKLOADS, '', w) })),
    ];
    const custom: RecordingRule[] = [];
    const { waypoints } = this.metrics;
    // A histogram is recorded as its bucket rates (per `le`), so quantiles can still be taken.
    const rated = (metric: string, type: MetricType, series: DeclaredSeries) =>
      type === MetricType.HISTOGRAM
        ? { metric: `${metric}_bucket`, expr: sumRate(`${metric}_bucket`, [...series.by, 'le'], series.selector, w) }
        : { metric, expr: sumRate(metric, series.by, series.selector, w) };
    for (const d of this.metrics.addedDimensions()) {
      const { metric, expr } = rated(
        d.metric,
        d.type,
        declaredSeries(d.reporters, [d.label], () => [], waypoints),
      );
      custom.push({ record: `workload_${d.label}:${metric}:${rate}`, expr });
    }
    for (const m of this.metrics.customMetrics()) {
      const series = customMetricSeries(m, () => [], waypoints);
      // The level names what the series are aggregated by: workloads where it has their labels.
      const level = series.by.some((l) => l.endsWith('_workload'))
        ? 'workload'
        : series.by.length > 0
          ? series.by.join('_')
          : 'mesh';
      if (m.type === MetricType.GAUGE) {
        custom.push({ record: `${level}:${m.metric}:sum`, expr: sumOf(m.series, series.by, series.selector) });
      } else {
        const { expr } = rated(m.series, m.type, series);
        const metric = m.type === MetricType.HISTOGRAM ? `${m.metric}_bucket` : m.metric;
        custom.push({ record: `${level}:${metric}:${rate}`, expr });
      }
    }
    return [
      { name: 'istio-standard-metrics', rules: standard },
      ...(custom.length > 0 ? [{ name: 'istio-declared-metrics', rules: custom }] : []),
    ];
  }
}
