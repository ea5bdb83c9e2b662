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
import type { DashboardPanel } from './dashboard-panel';
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
import { ServiceLevelObjective } from './service-level-objective';
import { SLO_DASHBOARD_KEY, sloDashboardRows } from './slo-dashboard';
import { ZTUNNEL_JOB } from './ztunnel-monitor';

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
/** The ConfigMap key of the ztunnel dashboard, with ambient anywhere in the mesh. */
export const ZTUNNEL_DASHBOARD_KEY = 'istio-ztunnel.json';

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

export type { DashboardPanel } from './dashboard-panel';

/**
 * Grafana dashboards generated from the mesh's declaration with grafana-foundation-sdk (not Istio's
 * dashboard JSON): the standard request metrics per workload, a panel for each label a
 * MetricDimensions added and one for each metric a MetricDefinition created, in a ConfigMap that
 * Grafana's dashboard sidecar loads by label.
 */
export class IstioDashboards extends Construct {
  readonly configMap: KubeConfigMap;
  private readonly metrics: MeshMetrics;
  private readonly mesh: IstioMesh;

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
    this.mesh = props.mesh;
    this.configMap = new KubeConfigMap(this, 'Resource', {
      metadata: { name, namespace: props.namespace, labels: { [label.name]: label.value } },
      data: Lazy.any({
        produce: () => ({
          [WORKLOADS_DASHBOARD_KEY]: `${JSON.stringify(this.dashboard(), null, 2)}\n`,
          ...(this.mesh.hasAmbient
            ? { [ZTUNNEL_DASHBOARD_KEY]: `${JSON.stringify(this.ztunnelDashboard(), null, 2)}\n` }
            : {}),
          ...(ServiceLevelObjective.of(this.mesh).length > 0
            ? { [SLO_DASHBOARD_KEY]: `${JSON.stringify(this.sloDashboard(), null, 2)}\n` }
            : {}),
        }),
      }),
    });
  }

  /** The rows of the workloads dashboard, by title: what each panel shows and how. */
  rows(): { readonly title: string; readonly panels: readonly DashboardPanel[] }[] {
    const filter = inPickedNamespaces('destination');
    const { waypoints } = this.metrics;
    const dst = reporterSelector('destination', filter, waypoints);
    const l4 = reporterSelector('destination', filter);
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
            expr: `${sumRate('istio_requests_total', by, reporterSelector('destination', [...filter, 'response_code=~"5.."'], waypoints), RATE)} / ${sumRate('istio_requests_total', by, dst, RATE)}`,
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
        // The receiving side: sidecars, and for ambient pods ztunnel, which reports every connection
        // that reaches them as destination (HTTP ones too, which a sidecar reports as requests);
        // waypoints write no TCP metrics (istio/istio@1.24.0:pilot/pkg/networking/core/
        // listener_waypoint.go adds HTTP telemetry filters only, line 485).
        queries: [
          { expr: sumRate('istio_tcp_sent_bytes_total', by, l4, RATE), legend: `sent ${legend}` },
          { expr: sumRate('istio_tcp_received_bytes_total', by, l4, RATE), legend: `received ${legend}` },
        ],
      },
    ];
    const dimensions: DashboardPanel[] = this.metrics.addedDimensions().map((d) => ({
      title: `${d.metric} by ${d.label}`,
      unit: d.type === MetricType.HISTOGRAM ? (d.metric.includes('duration') ? 'ms' : 'bytes') : 'reqps',
      queries: [
        {
          expr: dimensionQuery(d, RATE, inPickedNamespaces, waypoints),
          legend: legendFor(preferredReporter(d.reporters), [d.label]),
        },
      ],
    }));
    const custom: DashboardPanel[] = this.metrics.customMetrics().map((m) => ({
      title: m.metric,
      unit: m.type === MetricType.COUNTER ? 'ops' : 'short',
      queries: [
        {
          expr: customMetricQuery(m, RATE, inPickedNamespaces, waypoints),
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

  /**
   * The rows of the ztunnel dashboard (ambient meshes): the L4 metrics ztunnel reports for the
   * connections that reach each ambient workload (`reporter="destination"` under `job="ztunnel"`,
   * so a connection is counted once, by the receiving node's ztunnel), and from Istio 1.29 its
   * failed connections and open sockets (istio/ztunnel@1.29.0:src/proxy/metrics.rs lines 376, 383).
   */
  ztunnelRows(): { readonly title: string; readonly panels: readonly DashboardPanel[] }[] {
    const at = reporterSelector('destination', [`job="${ZTUNNEL_JOB}"`, ...inPickedNamespaces('destination')]);
    const by = workloadLabels('destination');
    const legend = legendFor('destination');
    const panels: DashboardPanel[] = [
      {
        title: 'Connections opened and closed',
        unit: 'cps',
        queries: [
          { expr: sumRate('istio_tcp_connections_opened_total', by, at, RATE), legend: `opened ${legend}` },
          { expr: sumRate('istio_tcp_connections_closed_total', by, at, RATE), legend: `closed ${legend}` },
        ],
      },
      {
        title: 'Bytes',
        unit: 'Bps',
        queries: [
          { expr: sumRate('istio_tcp_received_bytes_total', by, at, RATE), legend: `received ${legend}` },
          { expr: sumRate('istio_tcp_sent_bytes_total', by, at, RATE), legend: `sent ${legend}` },
        ],
      },
    ];
    if (this.mesh.policy.has('ztunnelConnectionFailures')) {
      panels.push(
        {
          title: 'Failed connections',
          unit: 'cps',
          queries: [{ expr: sumRate('istio_tcp_connections_failed_total', by, at, RATE), legend }],
        },
        {
          title: 'Open sockets per ztunnel',
          unit: 'short',
          queries: [{ expr: `sum by (pod) (istio_tcp_sockets_open{job="${ZTUNNEL_JOB}"})`, legend: '{{pod}}' }],
        },
      );
    }
    return [{ title: 'Connections to ambient workloads (reported by ztunnel)', panels }];
  }

  /** The ztunnel dashboard model Grafana loads (ambient meshes). */
  ztunnelDashboard(): unknown {
    return this.build(
      'Istio ztunnel (L4)',
      'istio-ztunnel',
      `label_values(istio_tcp_connections_opened_total{job="${ZTUNNEL_JOB}"}, destination_workload_namespace)`,
      this.ztunnelRows(),
    );
  }

  /** The error-budget dashboard of the mesh's objectives (see slo-dashboard.ts). */
  sloDashboard(): unknown {
    return this.build(
      'Istio service level objectives',
      'istio-slos',
      undefined,
      sloDashboardRows(ServiceLevelObjective.of(this.mesh)),
      // Budgets are spent over days: a week shows a burn and what it left.
      'now-7d',
    );
  }

  /** The dashboard model Grafana loads. */
  dashboard(): unknown {
    return this.build(
      'Istio workloads',
      'istio-workloads',
      'label_values(istio_requests_total, destination_workload_namespace)',
      this.rows(),
    );
  }

  private build(
    title: string,
    uid: string,
    /** The query of the namespace variable; none for a dashboard whose queries name their series. */
    namespaceQuery: string | undefined,
    rows: readonly { readonly title: string; readonly panels: readonly DashboardPanel[] }[],
    /** The time range it opens on. */
    from = 'now-1h',
  ): unknown {
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
    const builder = new DashboardBuilder(title)
      .uid(uid)
      .description('Generated by cdk8s-istio-observability from the mesh declaration')
      .tags(['istio', 'generated'])
      .readonly()
      .tooltip(DashboardCursorSync.Crosshair)
      .time({ from, to: 'now' })
      .refresh('30s')
      .withVariable(new DatasourceVariableBuilder('datasource').label('Data source').type('prometheus'));
    if (namespaceQuery !== undefined) {
      builder.withVariable(
        new QueryVariableBuilder(NAMESPACE_VARIABLE)
          .label('Namespace')
          .datasource(DATASOURCE)
          .query(namespaceQuery)
          .refresh(VariableRefresh.OnTimeRangeChanged)
          .sort(VariableSort.AlphabeticalAsc)
          .multi(true)
          .includeAll(true)
          .allValue('.*'),
      );
    }
    let id = 1;
    for (const row of rows) {
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
