import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type App, Chart, Testing } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { alertChanges } from '../analysis/review/alert-changes';
import { alertsSection } from '../analysis/review/alerts-report';
import { DEFAULT_RUNBOOK_URL, runbookLink } from '../constructs/backends/mesh-alert-rules';
import { podNamePattern } from '../constructs/backends/mesh-workloads';
import { ObservabilityBackends } from '../constructs/backends/observability-backends';
import { ServiceLevelObjective, type ServiceLevelObjectiveProps } from '../constructs/backends/service-level-objective';
import { BURN_RATE_ALERT } from '../constructs/backends/slo-rules';
import { HEALTH_ALERTS, telemetryHealthGroups } from '../constructs/backends/telemetry-health-alerts';
import { IstioMesh } from '../constructs/mesh/istio-mesh';
import { WorkloadKind, WorkloadRef } from '../constructs/proxy-config/workload-ref';
import { ENVOY_DEFAULT_BUCKETS, histogramBuckets, leMatcher } from '../core/istio/histogram-buckets';
import type { RenderedObject } from '../model/objects';
import { refusalOf } from './support/refusals';

/** A mesh with `cart` (a sidecar, its manifest's own annotations if given) in namespace shop. */
function shop(version = '1.30', annotations?: Record<string, string>) {
  const app = Testing.app();
  const mesh = new IstioMesh(new Chart(app, 'mesh', { namespace: 'istio-system' }), 'istio', { istioVersion: version });
  const chart = new Chart(app, 'shop', { namespace: 'shop' });
  const cart = new WorkloadRef(chart, 'cart', {
    name: 'cart',
    namespace: 'shop',
    selector: { app: 'cart' },
    ...(annotations ? { ownAnnotations: { source: 'cart.yaml', annotations } } : {}),
  });
  return { app, mesh, chart, cart };
}

/** The shop with an objective on cart, evaluated by the operator backends. */
function shopWithObjective(objective: Pick<ServiceLevelObjectiveProps, 'availability' | 'latency'>): App {
  const { app, mesh, chart, cart } = shop();
  new ServiceLevelObjective(chart, 'cart-availability', { mesh, workload: cart, ...objective });
  new ObservabilityBackends(new Chart(app, 'backends'), 'backends', { mesh, grafana: false, kiali: false });
  return app;
}

function rendered(app: App): RenderedObject[] {
  return app.charts.flatMap((c) =>
    c.toJson().map((manifest, i) => ({ path: `${c.node.path}/${i}`, manifest }) as RenderedObject),
  );
}

describe('ServiceLevelObjective', () => {
  it('reports every problem of its props at once', () => {
    const { mesh, chart } = shop();
    expect(
      refusalOf(
        () =>
          new ServiceLevelObjective(chart, 'bad', {
            mesh,
            service: { namespace: 'shop', name: 'Cart' },
            availability: 0,
            latency: { thresholdMs: 200, objective: 101 },
            window: '1d',
          }),
      ).split('\n'),
    ).toEqual([
      '[shop/bad] window: is shorter than 7d: the ticket alert reads the error ratio over 3d, which the window must hold twice (got "1d", expected whole days or weeks from 7d to 90d, e.g. 30d or 4w)',
      '[shop/bad] service.name: got "Cart", expected a Service name (RFC 1123 label)',
      '[shop/bad] availability: got 0, expected a percentage above 0 and below 100, e.g. 99.9',
      '[shop/bad] latency.objective: leaves no error budget, so no burn rate can be computed (got 101, expected a percentage above 0 and below 100, e.g. 99.9); hint: use 99.9, 99.95 or 99.99',
      "[shop/bad] latency.thresholdMs: is between the proxies' bucket boundaries (Envoy's defaults), so the share of requests under it cannot be read (got 200, expected a bucket boundary of istio_request_duration_milliseconds); hint: use 100 or 250 (the nearest boundaries)",
    ]);
  });

  it("reads a workload's own histogram boundaries from its manifest's statsHistogramBuckets (1.19+)", () => {
    const buckets = { 'sidecar.istio.io/statsHistogramBuckets': '{"istiocustom":[50,200,800]}' };
    const { mesh, chart, cart } = shop('1.30', buckets);
    const slo = new ServiceLevelObjective(chart, 'cart-latency', {
      mesh,
      workload: cart,
      latency: { thresholdMs: 200, objective: 99 },
    });
    expect(slo.slis).toEqual([{ kind: 'latency', objective: 99, thresholdMs: 200 }]);
    // 1.18's proxies ignore the annotation: Envoy's defaults, where 200 is no boundary.
    const old = shop('1.18', buckets);
    expect(
      refusalOf(
        () =>
          new ServiceLevelObjective(old.chart, 'cart-latency', {
            mesh: old.mesh,
            workload: old.cart,
            latency: { thresholdMs: 200, objective: 99 },
          }),
      ),
    ).toBe(
      "[shop/cart-latency] latency.thresholdMs: is between the proxies' bucket boundaries (Envoy's defaults), so the share of requests under it cannot be read (got 200, expected a bucket boundary of istio_request_duration_milliseconds); hint: use 100 or 250 (the nearest boundaries)",
    );
  });

  it('measures a Service at its server side: reporter destination in a mesh without ambient namespaces', () => {
    const { mesh, chart } = shop();
    const slo = new ServiceLevelObjective(chart, 'api', {
      mesh,
      service: { namespace: 'shop', name: 'api' },
      availability: 99.95,
      window: '4w',
    });
    expect(slo.target).toEqual({
      name: 'api',
      matchers: ['reporter="destination"', 'destination_service_namespace="shop"', 'destination_service_name="api"'],
      description: 'Service shop/api',
      windowDays: 28,
    });
  });

  it('reads a Service at the side that serves it: its declared workloads, else its namespace data plane', () => {
    const app = Testing.app();
    const mesh = new IstioMesh(new Chart(app, 'mesh', { namespace: 'istio-system' }), 'istio', {
      istioVersion: '1.30',
      dataplane: 'ambient',
    });
    mesh.namespaces.addNamespace('legacy', { dataplane: 'sidecar' });
    const chart = new Chart(app, 'slos');
    const reporter = (namespace: string, name: string) =>
      new ServiceLevelObjective(chart, `${namespace}-${name}`, {
        mesh,
        service: { namespace, name },
        availability: 99.9,
      }).target.matchers[0];
    expect(reporter('legacy', 'billing')).toBe('reporter="destination"');
    expect(
      refusalOf(
        () =>
          new ServiceLevelObjective(chart, 'orders', {
            mesh,
            service: { namespace: 'orders', name: 'checkout' },
            availability: 99,
          }),
      ),
    ).toBe(
      '[slos/orders] service: is served by ambient pods without a waypoint: ztunnel reports its connections (L4), no request, status or duration (got "orders/checkout", expected a Service served by sidecars or behind a waypoint); hint: give namespace orders a waypoint (namespaces.orders.waypoint)',
    );
  });

  it('refuses a second objective of the same name, whose rule group would collide', () => {
    const { mesh, chart, cart } = shop();
    new ServiceLevelObjective(chart, 'one', { mesh, workload: cart, availability: 99.9, name: 'cart' });
    expect(
      refusalOf(
        () => new ServiceLevelObjective(chart, 'two', { mesh, workload: cart, availability: 99, name: 'cart' }),
      ),
    ).toBe(
      '[shop/two] name: is the name of shop/one too (got "cart", expected a name no other objective of the mesh has)',
    );
  });

  it('records ratios per window and raises the SRE Workbook pairs, scaled to its window', () => {
    const { app, mesh, chart, cart } = shop();
    new ServiceLevelObjective(chart, 'cart-availability', { mesh, workload: cart, availability: 99.9, window: '28d' });
    new ObservabilityBackends(new Chart(app, 'backends'), 'backends', { mesh, grafana: false, kiali: false });
    const group = ServiceLevelObjective.of(mesh)[0]?.ruleGroup((a) => `https://runbooks.example/${a}`);
    expect(
      group?.rules.map((r) =>
        'record' in r
          ? r.record
          : `${r.alert} ${r.labels.long_window}/${r.labels.short_window} ${r.labels.severity} for ${r.for}`,
      ),
    ).toEqual([
      'slo:sli_events:rate5m',
      'slo:sli_bad_events:rate5m',
      'slo:sli_error:ratio_rate5m',
      'slo:sli_error:ratio_rate30m',
      'slo:sli_error:ratio_rate1h',
      'slo:sli_error:ratio_rate6h',
      'slo:sli_error:ratio_rate3d',
      'slo:sli_error:ratio_rate28d',
      'slo:objective:ratio',
      'IstioSLOErrorBudgetBurn 1h/5m critical for 2m',
      'IstioSLOErrorBudgetBurn 6h/30m critical for 15m',
      'IstioSLOErrorBudgetBurn 3d/6h warning for 3h',
    ]);
    // Over 28 days 10% of the budget in 3d is 0.93x: a rate that meets the objective, so 1x.
    expect(group?.rules.filter((r) => 'alert' in r).map((r) => r.annotations.summary)).toEqual([
      'cart-availability: availability error budget burning 13.44x over 1h',
      'cart-availability: availability error budget burning 5.6x over 6h',
      'cart-availability: availability error budget burning 1x over 3d',
    ]);
    // 2% of a 28-day budget in an hour is 13.44 times the rate that spends it evenly.
    const page = group?.rules.find((r) => 'alert' in r);
    expect(page?.expr).toBe(
      'slo:sli_error:ratio_rate1h{slo="cart-availability", sli="availability"} > (13.44 * 0.001)\nand\nslo:sli_error:ratio_rate5m{slo="cart-availability", sli="availability"} > (13.44 * 0.001)',
    );
  });

  it('lists each objective in REPORT.md, and diff names the alerts a change adds, removes or changes', () => {
    const before = shopWithObjective({ availability: 99.9 });
    const after = shopWithObjective({ availability: 99.5 });
    const report = alertsSection(rendered(before));
    expect(report.slice(0, 5)).toEqual([
      '',
      '### Alerts (PrometheusRule prometheus/istio-alert-rules)',
      '',
      '| alert | severity | for | fires when |',
      '| --- | --- | --- | --- |',
    ]);
    expect(report).toContain('#### Objective `cart-availability`: workload shop/cart');
    expect(report).toContain(
      "availability: 99.9% of requests succeed over 30d. Its requests and bad requests per second (`slo:sli_events:rate5m`, `slo:sli_bad_events:rate5m`, over 5m), whose ratio is recorded over 5m, 30m, 1h, 6h, 3d, 30d (the last, the window's bad requests over all of them) and shown in the error-budget dashboard:",
    );
    expect(alertChanges(rendered(before), rendered(after))).toEqual([
      '~ IstioSLOErrorBudgetBurn{long_window="1h", short_window="5m", sli="availability", slo="cart-availability"} (PrometheusRule prometheus/istio-alert-rules): expression changed',
      '~ IstioSLOErrorBudgetBurn{long_window="3d", short_window="6h", sli="availability", slo="cart-availability"} (PrometheusRule prometheus/istio-alert-rules): expression changed',
      '~ IstioSLOErrorBudgetBurn{long_window="6h", short_window="30m", sli="availability", slo="cart-availability"} (PrometheusRule prometheus/istio-alert-rules): expression changed',
    ]);
    // A new threshold changes only the recorded ratio the burn alerts read: diff says so.
    const slower = shopWithObjective({ latency: { thresholdMs: 250, objective: 99 } });
    const faster = shopWithObjective({ latency: { thresholdMs: 100, objective: 99 } });
    expect(alertChanges(rendered(slower), rendered(faster))).toEqual(
      ['1h', '3d', '6h'].map(
        (w) =>
          `~ IstioSLOErrorBudgetBurn{long_window="${w}", short_window="${{ '1h': '5m', '3d': '6h', '6h': '30m' }[w]}", sli="latency", slo="cart-availability"} (PrometheusRule prometheus/istio-alert-rules): the error ratio it reads changed`,
      ),
    );
  });
});

describe('the runbooks', () => {
  it('have a section in docs/alerts.md for every alert, where its runbook_url points', () => {
    const headings = readFileSync(join(__dirname, '..', 'docs', 'alerts.md'), 'utf8')
      .split('\n')
      .filter((l) => /^## Istio/.test(l))
      .map((l) => l.slice(3));
    expect(headings.sort()).toEqual([...Object.values(HEALTH_ALERTS), BURN_RATE_ALERT].sort());
    expect(runbookLink(DEFAULT_RUNBOOK_URL)(BURN_RATE_ALERT)).toBe(
      'https://unpkg.com/cdk8s-istio-observability/docs/alerts.md#istiosloerrorbudgetburn',
    );
  });
});

describe('the series an alert reads', () => {
  it("reads a Rollout's series by its name from 1.22, by its ReplicaSets' names before (istio/istio#49256)", () => {
    const reporting = (version: string) => {
      const { mesh, chart } = shop(version);
      new WorkloadRef(chart, 'reviews', {
        name: 'reviews',
        namespace: 'shop',
        selector: { app: 'reviews' },
        kind: WorkloadKind.ROLLOUT,
      });
      const jobs = { proxies: [{ job: 'envoy-stats', podLabel: 'pod' }] };
      const rule = telemetryHealthGroups(mesh, jobs, (a) => a)[0]?.rules[0];
      return rule?.expr
        .split('\n')
        .find((line) => line.includes('reporter="destination"'))
        ?.trim();
    };
    expect(reporting('1.21')).toBe(
      'label_replace(label_replace(label_replace({__name__=~"istio_requests_total|istio_tcp_connections_opened_total", reporter="destination", destination_workload_namespace=~"shop"}, "namespace", "$1", "destination_workload_namespace", "(.+)"), "workload", "$1", "destination_workload", "(.+)"), "workload", "$1", "workload", "(reviews)-[a-z0-9]+")',
    );
    expect(reporting('1.22')).toBe(
      'label_replace(label_replace({__name__=~"istio_requests_total|istio_tcp_connections_opened_total", reporter="destination", destination_workload_namespace=~"shop"}, "namespace", "$1", "destination_workload_namespace", "(.+)"), "workload", "$1", "destination_workload", "(.+)")',
    );
  });

  it("names a workload's pods as Kubernetes generates them, per kind", () => {
    expect(podNamePattern(WorkloadKind.DEPLOYMENT, ['cart', 'web'])).toBe('(cart|web)-[a-z0-9]+-[a-z0-9]{5}');
    expect(podNamePattern(WorkloadKind.ROLLOUT, ['reviews'])).toBe('(reviews)-[a-z0-9]+-[a-z0-9]{5}');
    expect(podNamePattern(WorkloadKind.STATEFUL_SET, ['db.main'])).toBe('(db\\.main)-[0-9]+');
    expect(podNamePattern(WorkloadKind.DAEMON_SET, ['agent'])).toBe('(agent)-[a-z0-9]{5}');
  });

  it("takes a pod's own boundaries from the shortest prefix of the duration stat it declares, as istiod sorts them", () => {
    expect(histogramBuckets('{"istiocustom":[3,1],"istio":[9]}')).toEqual([9]);
    expect(histogramBuckets('{"istiocustom.istio_request_duration_milliseconds":[7,8]}')).toEqual([7, 8]);
    expect(histogramBuckets('{"cluster.xds-grpc":[1]}')).toBe(ENVOY_DEFAULT_BUCKETS);
    expect(histogramBuckets('[1,2]')).toBe('sidecar.istio.io/statsHistogramBuckets is not a JSON object of prefixes');
  });

  it('matches a bucket boundary as Envoy writes it and as Prometheus 3 normalizes it', () => {
    expect(leMatcher(250)).toBe('le=~"250|250\\\\.0"');
    expect(leMatcher(0.5)).toBe('le="0.5"');
    expect(leMatcher(3600000)).toBe('le=~"3600000|3\\\\.6e\\\\+06"');
    expect(leMatcher(0.1)).toBe('le=~"0\\\\.10000000000000000555111512312578|0\\\\.1"');
  });
});
