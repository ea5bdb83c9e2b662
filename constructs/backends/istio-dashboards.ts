import { Lazy } from 'cdk8s';
import { KubeConfigMap } from 'cdk8s-plus-27/lib/imports/k8s';
import { Construct } from 'constructs';
import { problem } from '../../core/errors';
import { lazily } from '../../core/lazily';
import { isDnsLabel, isDnsSubdomain } from '../../core/names';
import { refuseInput } from '../../core/problems/construct-problems';
import type { Problem } from '../../core/problems/problem';
import type { IstioMesh } from '../mesh/istio-mesh';
import { MetricType } from '../metrics/metric-definition';
import { MeshMetrics } from './mesh-metrics';
import {
  customMetricQuery,
  dimensionQuery,
  legendFor,
  legendOfLabels,
  type Matchers,
  preferredReporter,
  quantile,
  reporterSelector,
  sumRate,
  workloadLabels,
} from './mesh-queries';

// The Grafana SDK, loaded when a dashboard is first rendered (see core/lazily.ts).
const grafana = lazily(() => ({
  common: require('@grafana/grafana-foundation-sdk/common') as typeof import('@grafana/grafana-foundation-sdk/common'),
  dashboard:
    require('@grafana/grafana-foundation-sdk/dashboard') as typeof import('@grafana/grafana-foundation-sdk/dashboard'),
  prometheus:
    require('@grafana/grafana-foundation-sdk/prometheus') as typeof import('@grafana/grafana-foundation-sdk/prometheus'),
  timeseries:
    require('@grafana/grafana-foundation-sdk/timeseries') as typeof import('@grafana/grafana-foundation-sdk/timeseries'),
}));

/** Grafana's range for `rate()`: at least four scrape intervals. */
const RATE = '$__rate_interval';
/** The dashboard's data source variable (Grafana reads `$name` as a variable reference). */
const DATASOURCE = { type: 'prometheus', uid: '$datasource' };
/** Every panel shows the workloads of the namespaces picked in this variable (all by default). */
const NAMESPACE_VARIABLE = 'namespace';
/** The series of a reporter in the picked namespaces: its own workload's namespace label. */
const inPickedNamespaces: Matchers = (reporter) => [`${workloadLabels(reporter)[1]}=~"$${NAMESPACE_VARIABLE}"`];
/** The ConfigMap key of the generated dashboard. */
export const WORKLOADS_DASHBOARD_KEY = 'istio-workloads.json';

export interface IstioDashboardsProps {
  /** The mesh whose metrics the dashboards show, including its custom metrics and dimensions. */
  readonly mesh: IstioMesh;
  /** @default 'istio-dashboards' (the book's ConfigMap) */
  readonly name?: string;
  /** The namespace Grafana's dashboard sidecar watches. */
  readonly namespace: string;
  /**
   * The label Grafana's dashboard sidecar loads ConfigMaps by (kube-prometheus-stack:
   * `grafana.sidecar.dashboards.label`/`labelValue`, prometheus-community/helm-charts charts/kube-prometheus-stack/values.yaml).
   * @default { grafana_dashboard: '1' }
   */
  readonly sidecarLabel?: { readonly name: string; readonly value: string };
}

/** One panel: a title, a unit and its queries with their legends. */
export interface DashboardPanel {
  readonly title: string;
  readonly unit: string;
  readonly queries: readonly { readonly expr: string; readonly legend: string }[];
}

/**
 * Grafana dashboards generated from the mesh's declaration with grafana-foundation-sdk (not Istio's
 * dashboard JSON): the standard request metrics per workload, a panel for each label a
 * MetricDimensions added and one for each metric a MetricDefinition created, in a ConfigMap that
 * Grafana's dashboard sidecar loads by label.
 */
export class IstioDashboards extends Construct {
  readonly configMap: KubeConfigMap;
  private readonly metrics: MeshMetrics;

  constructor(scope: Construct, id: string, props: IstioDashboardsProps) {
    super(scope, id);
    const name = props.name ?? 'istio-dashboards';
    const label = props.sidecarLabel ?? { name: 'grafana_dashboard', value: '1' };
    const problems: Problem[] = [];
    if (!isDnsSubdomain(name)) problems.push(problem(['name'], name, 'a ConfigMap name (RFC 1123 subdomain)'));
    if (!isDnsLabel(props.namespace))
      problems.push(problem(['namespace'], props.namespace, 'a namespace name (RFC 1123 label)'));
    // Reported at synth with every other construct's problems; nothing is written until they are fixed.
    refuseInput(this, problems);
    this.metrics = new MeshMetrics(props.mesh);
    this.configMap = new KubeConfigMap(this, 'Resource', {
      metadata: { name, namespace: props.namespace, labels: { [label.name]: label.value } },
      data: Lazy.any({
        produce: () => ({ [WORKLOADS_DASHBOARD_KEY]: `${JSON.stringify(this.dashboard(), null, 2)}\n` }),
      }),
    });
  }

  /** The rows of the workloads dashboard, by title: what each panel shows and how. */
  rows(): { readonly title: string; readonly panels: readonly DashboardPanel[] }[] {
    const filter = inPickedNamespaces('destination');
    const dst = reporterSelector('destination', filter);
    const by = workloadLabels('destination');
    const legend = legendFor('destination');
    const standard: DashboardPanel[] = [
      {
        title: 'Request rate',
        unit: 'reqps',
        queries: [{ expr: sumRate('istio_requests_total', by, dst, RATE), legend }],
      },
      {
        title: 'Error ratio (5xx)',
        unit: 'percentunit',
        queries: [
          {
            expr: `${sumRate('istio_requests_total', by, reporterSelector('destination', [...filter, 'response_code=~"5.."']), RATE)} / ${sumRate('istio_requests_total', by, dst, RATE)}`,
            legend,
          },
        ],
      },
      {
        title: 'Request duration',
        unit: 'ms',
        queries: [0.5, 0.9, 0.99].map((q) => ({
          expr: quantile(q, 'istio_request_duration_milliseconds', by, dst, RATE),
          legend: `p${Math.round(q * 100)} ${legend}`,
        })),
      },
      {
        title: 'Request and response bytes',
        unit: 'Bps',
        queries: [
          { expr: sumRate('istio_request_bytes_sum', by, dst, RATE), legend: `request ${legend}` },
          { expr: sumRate('istio_response_bytes_sum', by, dst, RATE), legend: `response ${legend}` },
        ],
      },
      {
        title: 'TCP bytes',
        unit: 'Bps',
        queries: [
          { expr: sumRate('istio_tcp_sent_bytes_total', by, dst, RATE), legend: `sent ${legend}` },
          { expr: sumRate('istio_tcp_received_bytes_total', by, dst, RATE), legend: `received ${legend}` },
        ],
      },
    ];
    const dimensions: DashboardPanel[] = this.metrics.addedDimensions().map((d) => ({
      title: `${d.metric} by ${d.label}`,
      unit: d.type === MetricType.HISTOGRAM ? (d.metric.includes('duration') ? 'ms' : 'bytes') : 'reqps',
      queries: [
        {
          expr: dimensionQuery(d, RATE, inPickedNamespaces),
          legend: legendFor(preferredReporter(d.reporters), [d.label]),
        },
      ],
    }));
    const custom: DashboardPanel[] = this.metrics.customMetrics().map((m) => ({
      title: m.metric,
      unit: m.type === MetricType.COUNTER ? 'ops' : 'short',
      queries: [
        {
          expr: customMetricQuery(m, RATE, inPickedNamespaces),
          legend: legendOfLabels(m.metric, m.labels),
        },
      ],
    }));
    return [
      { title: 'Standard request metrics (reported by the destination)', panels: standard },
      ...(dimensions.length > 0 ? [{ title: 'Added dimensions', panels: dimensions }] : []),
      ...(custom.length > 0 ? [{ title: 'Custom metrics', panels: custom }] : []),
    ];
  }

  /** The dashboard model Grafana loads. */
  dashboard(): unknown {
    const { LegendDisplayMode, LegendPlacement, VizLegendOptionsBuilder } = grafana().common;
    const {
      DashboardBuilder,
      DashboardCursorSync,
      DatasourceVariableBuilder,
      QueryVariableBuilder,
      RowBuilder,
      VariableRefresh,
      VariableSort,
    } = grafana().dashboard;
    const { DataqueryBuilder } = grafana().prometheus;
    const { PanelBuilder } = grafana().timeseries;
    const builder = new DashboardBuilder('Istio workloads')
      .uid('istio-workloads')
      .description('Generated by cdk8s-istio-observability from the mesh declaration')
      .tags(['istio', 'generated'])
      .readonly()
      .tooltip(DashboardCursorSync.Crosshair)
      .time({ from: 'now-1h', to: 'now' })
      .refresh('30s')
      .withVariable(new DatasourceVariableBuilder('datasource').label('Data source').type('prometheus'))
      .withVariable(
        new QueryVariableBuilder(NAMESPACE_VARIABLE)
          .label('Namespace')
          .datasource(DATASOURCE)
          .query('label_values(istio_requests_total, destination_workload_namespace)')
          .refresh(VariableRefresh.OnTimeRangeChanged)
          .sort(VariableSort.AlphabeticalAsc)
          .multi(true)
          .includeAll(true)
          .allValue('.*'),
      );
    let id = 1;
    for (const row of this.rows()) {
      builder.withRow(new RowBuilder(row.title).id(id++));
      for (const panel of row.panels) {
        const p = new PanelBuilder()
          .id(id++)
          .title(panel.title)
          .datasource(DATASOURCE)
          .unit(panel.unit)
          .legend(
            new VizLegendOptionsBuilder()
              .showLegend(true)
              .displayMode(LegendDisplayMode.List)
              .placement(LegendPlacement.Bottom),
          );
        panel.queries.forEach((q, i) => {
          p.withTarget(
            new DataqueryBuilder()
              .refId(String.fromCharCode(65 + i))
              .datasource(DATASOURCE)
              .expr(q.expr)
              .legendFormat(q.legend),
          );
        });
        builder.withPanel(p);
      }
    }
    return builder.build();
  }
}
