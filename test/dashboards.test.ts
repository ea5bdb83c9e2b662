import { Chart, Testing } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { IstioDashboards, WORKLOADS_DASHBOARD_KEY } from '../constructs/backends/istio-dashboards';
import { IstioMesh } from '../constructs/mesh/istio-mesh';
import { MetricDefinition, MetricImplementation, MetricType } from '../constructs/metrics/metric-definition';
import { MetricDimensions } from '../constructs/metrics/metric-dimensions';
import { ProxyKind } from '../core/istio/proxy-kind';
import { StandardMetric } from '../core/istio/standard-metrics';
import { SCENARIOS } from './scenarios';
import { testApp } from './support/app';
import { promtool, testRules, WEBAPP_TO_CATALOG } from './support/promtool';

type Obj = Record<string, unknown>;
interface Panel {
  type: string;
  title: string;
  targets?: { expr: string; legendFormat: string; refId: string }[];
}

/** The generated dashboards ConfigMap and its dashboard, from an app built by `build`. */
function dashboardOf(build: (app: ReturnType<typeof Testing.app>) => void) {
  const app = testApp();
  build(app);
  const objects = app.charts.flatMap((c) => Testing.synth(c)) as Obj[];
  const configMap = objects.find((o) => o.kind === 'ConfigMap' && (o.metadata as Obj).name === 'istio-dashboards');
  if (!configMap) throw new Error('no istio-dashboards ConfigMap');
  const text = String((configMap.data as Obj)[WORKLOADS_DASHBOARD_KEY]);
  return {
    configMap,
    text,
    dashboard: JSON.parse(text) as { uid: string; panels: Panel[]; templating: { list: Obj[] } },
  };
}

const grafanaScenario = SCENARIOS.find((s) => s.name === 'grafana-dashboards');
const onVersion = (version: string) => dashboardOf((app) => grafanaScenario?.build(app, version));

function panel(panels: Panel[], title: string): Panel {
  const found = panels.find((p) => p.title === title);
  if (!found) throw new Error(`no panel ${title}: ${panels.map((p) => p.title).join(', ')}`);
  return found;
}

describe('the generated Grafana dashboards', () => {
  it('are a ConfigMap labelled for the Grafana dashboard sidecar, with one generated dashboard', () => {
    const { configMap, dashboard } = onVersion('1.17');
    expect(configMap.metadata).toEqual({
      labels: { grafana_dashboard: '1' },
      name: 'istio-dashboards',
      namespace: 'prometheus',
    });
    expect(Object.keys(configMap.data as Obj)).toEqual(['istio-workloads.json']);
    expect(dashboard.uid).toBe('istio-workloads');
  });

  it('filter every panel by the namespaces picked in a variable, all of them by default', () => {
    const { dashboard } = onVersion('1.17');
    expect(dashboard.templating.list.map((v) => [v.type, v.name, v.query])).toEqual([
      ['datasource', 'datasource', 'prometheus'],
      ['query', 'namespace', 'label_values(istio_requests_total, destination_workload_namespace)'],
    ]);
    expect(dashboard.templating.list[1]).toMatchObject({ multi: true, includeAll: true, allValue: '.*' });
    const exprs = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr));
    // Except a metric without a namespace label: the 1.17 stats-filter get_calls carries only reporter.
    expect(exprs.filter((e) => !/_workload_namespace=~"\$namespace"/.test(e))).toEqual([
      'sum (rate(istio_get_calls{reporter="destination"}[$__rate_interval]))',
    ]);
  });

  it('have the standard panels, a panel per added dimension and a panel per custom metric', () => {
    const { dashboard } = onVersion('1.30');
    expect(dashboard.panels.map((p) => `${p.type}: ${p.title}`)).toEqual([
      'row: Standard request metrics (reported by the destination)',
      'timeseries: Request rate',
      'timeseries: Error ratio (5xx)',
      'timeseries: Request duration',
      'timeseries: Request and response bytes',
      'timeseries: TCP bytes',
      'row: Added dimensions',
      'timeseries: istio_request_duration_milliseconds by request_host',
      'timeseries: istio_requests_total by request_method',
      'timeseries: istio_requests_total by source_mesh_id',
      'timeseries: istio_requests_total by upstream_operation',
      'row: Custom metrics',
      'timeseries: istio_get_calls',
    ]);
  });

  it('query a declared dimension and metric with the right PromQL', () => {
    const { panels } = onVersion('1.17').dashboard;
    expect(panel(panels, 'istio_requests_total by upstream_operation').targets).toEqual([
      {
        datasource: { type: 'prometheus', uid: '$datasource' },
        expr: 'sum by (source_workload, source_workload_namespace, upstream_operation) (rate(istio_requests_total{reporter="source", source_workload_namespace=~"$namespace"}[$__rate_interval]))',
        legendFormat: '{{source_workload}}.{{source_workload_namespace}} {{upstream_operation}}',
        refId: 'A',
      },
    ]);
    expect(panel(panels, 'istio_request_duration_milliseconds by request_host').targets?.[0]?.expr).toBe(
      'histogram_quantile(0.99, sum by (destination_workload, destination_workload_namespace, request_host, le) (rate(istio_request_duration_milliseconds_bucket{reporter="destination", destination_workload_namespace=~"$namespace"}[$__rate_interval])))',
    );
    // The stats filter gives get_calls no standard label (istio/proxy@e1222b56, pinned by
    // istio/istio@1.17.8: istio_stats.cc overrideTags(metric.name_, {}, ...)): only the reporter it declares.
    expect(panel(panels, 'istio_get_calls').targets?.[0]).toMatchObject({
      expr: 'sum (rate(istio_get_calls{reporter="destination"}[$__rate_interval]))',
      legendFormat: 'istio_get_calls',
    });
    // From 1.18 (the Telemetry API) get_calls is the GET requests of istio_requests_total.
    expect(panel(onVersion('1.30').dashboard.panels, 'istio_get_calls').targets?.[0]).toMatchObject({
      expr: 'sum by (destination_workload, destination_workload_namespace) (rate(istio_requests_total{reporter="destination", request_method=~"GET.*", destination_workload_namespace=~"$namespace"}[$__rate_interval]))',
      legendFormat: '{{destination_workload}}.{{destination_workload_namespace}}',
    });
  });

  it('evaluate, in promtool, to the rates of the series they show', () => {
    const { panels } = onVersion('1.17').dashboard;
    const queries = panels
      .flatMap((p) => (p.targets ?? []).map((t, i) => ({ title: p.title, i, expr: t.expr })))
      .map((q, n) => ({
        record: `panel_${n}`,
        title: q.title,
        // Grafana's variables as Prometheus sees them: a 5m range, the namespace picked as "istioinaction".
        expr: q.expr.replaceAll('$__rate_interval', '5m').replaceAll('$namespace', 'istioinaction'),
      }));
    const rules = `groups:\n  - name: dashboard\n    rules:\n${queries
      .map((q) => `      - record: ${q.record}\n        expr: ${JSON.stringify(q.expr)}\n`)
      .join('')}`;
    const check = promtool(['check', 'rules', 'rules.yml'], { 'rules.yml': rules });
    expect(check.output).toContain(`SUCCESS: ${queries.length} rules found`);
    const record = (title: string) => queries.find((q) => q.title === title)?.record;
    const operations = record('istio_requests_total by upstream_operation') ?? '';
    const getCalls = record('istio_get_calls') ?? '';
    const webapp = 'source_workload="webapp", source_workload_namespace="istioinaction"';
    const run = testRules(
      rules,
      [
        {
          series: `istio_requests_total{reporter="source", ${WEBAPP_TO_CATALOG}, upstream_operation="getitems"}`,
          perMinute: 60,
        },
        {
          series: `istio_requests_total{reporter="source", ${WEBAPP_TO_CATALOG}, upstream_operation="createitem"}`,
          perMinute: 30,
        },
        // What the stats filter writes for get_calls: its reporter label, nothing else.
        { series: 'istio_get_calls{reporter="destination"}', perMinute: 120 },
        { series: 'istio_get_calls{reporter="source"}', perMinute: 120 },
        // Another namespace's webapp: outside the namespace picked, so in no panel.
        {
          series:
            'istio_requests_total{reporter="source", source_workload="webapp", source_workload_namespace="staging", upstream_operation="getitems"}',
          perMinute: 600,
        },
      ],
      [
        {
          expr: operations,
          samples: [
            { labels: `${operations}{${webapp}, upstream_operation="createitem"}`, value: 0.5 },
            { labels: `${operations}{${webapp}, upstream_operation="getitems"}`, value: 1 },
          ],
        },
        { expr: getCalls, samples: [{ labels: getCalls, value: 2 }] },
      ],
    );
    expect(run.output).toContain('SUCCESS');
    expect(run.status).toBe(0);
  });

  it('follow declarations made after them, and leave out rows with nothing to show', () => {
    const { dashboard } = dashboardOf((app) => {
      const mesh = new IstioMesh(new Chart(app, 'install'), 'mesh', { istioVersion: '1.22' });
      const chart = new Chart(app, 'backends');
      new IstioDashboards(chart, 'dashboards', { mesh, namespace: 'monitoring' });
      new MetricDefinition(chart, 'latency', {
        mesh,
        name: 'checkout_latency',
        type: MetricType.HISTOGRAM,
        value: 'response.total_size',
        proxies: [ProxyKind.OUTBOUND_SIDECAR],
        implementation: MetricImplementation.STATS_FILTER,
        standardLabels: ['source_workload', 'source_workload_namespace'],
        dimensions: { method: 'request.method' },
      });
    });
    expect(dashboard.panels.map((p) => p.title).slice(-2)).toEqual(['Custom metrics', 'istio_checkout_latency']);
    // Outbound only: one reporter, so no reporter label is needed; grouped by the labels it declares.
    expect(panel(dashboard.panels, 'istio_checkout_latency').targets?.[0]?.expr).toBe(
      'histogram_quantile(0.99, sum by (source_workload, source_workload_namespace, method, le) (rate(istio_checkout_latency_bucket{source_workload_namespace=~"$namespace"}[$__rate_interval])))',
    );
    expect(dashboard.panels.map((p) => p.title)).not.toContain('Added dimensions');
  });

  it('use the sidecar label given, and merge dimensions of one label declared twice into one panel', () => {
    const { configMap, dashboard } = dashboardOf((app) => {
      const mesh = new IstioMesh(new Chart(app, 'install'), 'mesh', { istioVersion: '1.22' });
      const chart = new Chart(app, 'backends');
      for (const [id, proxies] of [
        ['inbound', [ProxyKind.INBOUND_SIDECAR]],
        ['outbound', [ProxyKind.OUTBOUND_SIDECAR]],
      ] as const) {
        new MetricDimensions(chart, id, {
          mesh,
          metric: StandardMetric.REQUESTS_TOTAL,
          proxies,
          dimensions: { request_path: 'request.url_path' },
        });
      }
      new IstioDashboards(chart, 'dashboards', {
        mesh,
        namespace: 'monitoring',
        sidecarLabel: { name: 'grafana.com/dashboard', value: 'istio' },
      });
    });
    expect((configMap.metadata as Obj).labels).toEqual({ 'grafana.com/dashboard': 'istio' });
    // On both sides the label is read where each request is counted once: the destination.
    expect(panel(dashboard.panels, 'istio_requests_total by request_path').targets?.[0]?.expr).toBe(
      'sum by (destination_workload, destination_workload_namespace, request_path) (rate(istio_requests_total{reporter="destination", destination_workload_namespace=~"$namespace"}[$__rate_interval]))',
    );
  });
});
