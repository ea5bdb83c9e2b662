import { Testing } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { validateApp } from '../app/validate/app-validator';
import { MeshMetrics } from '../constructs/backends/mesh-metrics';
import { customMetricQuery } from '../constructs/backends/mesh-queries';
import { MetricDefinition, MetricImplementation, MetricType } from '../constructs/metrics/metric-definition';
import { codeRegex, requestSubsetOf } from '../constructs/metrics/request-subset';
import { ProxyKind } from '../core/istio/proxy-kind';
import { mappingAt } from '../core/json-values';
import { describeProblem } from '../core/problems/problem';
import { demoFixture } from './support/fixtures';
import { refusalOf } from './support/refusals';

type Manifest = { kind: string; metadata: { name: string }; spec: Record<string, unknown> };
const find = (app: ReturnType<typeof Testing.app>, kind: string, name: string) =>
  (app.charts.flatMap((c) => Testing.synth(c)) as Manifest[]).find((m) => m.kind === kind && m.metadata.name === name);

describe('requestSubsetOf: a counter value as a selection of istio_requests_total', () => {
  it.each([
    ['1', [], {}],
    [
      "(request.method.startsWith('GET') ? 1 : 0)",
      [{ label: 'request_method', op: '=~', regex: 'GET.*' }],
      { request_method: 'request.method' },
    ],
    [
      "request.method in ['GET', 'HEAD'] && !(response.code >= 500) ? 1 : 0",
      [
        { label: 'request_method', op: '=~', regex: 'GET|HEAD' },
        { label: 'response_code', op: '!~', regex: '5[0-9][0-9]' },
      ],
      { request_method: 'request.method' },
    ],
    [
      'response.code == 404 || response.code == 429 ? 1 : 0',
      [{ label: 'response_code', op: '=~', regex: '404|429' }],
      {},
    ],
    [
      "request.method != 'OPTIONS' ? 1 : 0",
      [{ label: 'request_method', op: '!~', regex: 'OPTIONS' }],
      { request_method: 'request.method' },
    ],
    [
      "request.method.contains('.') ? 1 : 0",
      [{ label: 'request_method', op: '=~', regex: '.*\\..*' }],
      { request_method: 'request.method' },
    ],
  ])('%s', (value, matchers, dimensions) => {
    expect(requestSubsetOf(value)).toEqual({ matchers, dimensions });
  });

  it.each([
    ['2', 'its value is neither 1 nor <condition> ? 1 : 0'],
    [
      "request.url_path == '/items' ? 1 : 0",
      'the operator == is not a comparison of request.method or response.code with a literal',
    ],
    [
      "request.method == 'GET' || response.code == 500 ? 1 : 0",
      'an || that is not over one attribute (PromQL selects with a conjunction of label matchers)',
    ],
    ["request.method > 'A' ? 1 : 0", 'the operator > (request.method compares only with == and !=)'],
  ])('refuses %s: %s', (value, reason) => {
    expect(requestSubsetOf(value)).toEqual({ reason });
  });

  it('writes status code sets by hundreds and tens', () => {
    expect(codeRegex([...Array.from({ length: 100 }, (_, i) => 500 + i), 404, 429])).toBe('404|429|5[0-9][0-9]');
    expect(codeRegex(Array.from({ length: 10 }, (_, i) => 200 + i))).toBe('20[0-9]');
  });
});

describe('MetricDefinition next to the Telemetry API', () => {
  it('is, by default, a request_method dimension on istio_requests_total and a recording rule', async () => {
    const { app, mesh } = demoFixture({ istioVersion: '1.30' });
    new MetricDefinition(mesh, 'get-calls', {
      mesh,
      name: 'get_calls',
      type: MetricType.COUNTER,
      value: "(request.method.startsWith('GET') ? 1 : 0)",
    });
    expect(find(app, 'EnvoyFilter', 'custom-metrics-1-30')).toBeUndefined();
    expect(find(app, 'Telemetry', 'mesh-default')?.spec.metrics).toEqual([
      {
        providers: [{ name: 'prometheus' }],
        overrides: [
          { match: { metric: 'REQUEST_COUNT' }, tagOverrides: { request_method: { value: 'request.method' } } },
        ],
      },
    ]);
    const [metric] = new MeshMetrics(mesh).customMetrics();
    expect(metric && customMetricQuery(metric, '5m')).toBe(
      'sum by (destination_workload, destination_workload_namespace) (rate(istio_requests_total{reporter="destination", request_method=~"GET.*"}[5m]))',
    );
    expect((await validateApp(app)).filter((f) => f.severity === 'error')).toEqual([]);
  });

  it('refuses, by default, a definition a recording rule cannot express, naming both routes', () => {
    const { mesh } = demoFixture({ istioVersion: '1.30' });
    expect(
      refusalOf(
        () =>
          new MetricDefinition(mesh, 'bytes', {
            mesh,
            name: 'item_bytes',
            type: MetricType.HISTOGRAM,
            value: 'response.total_size',
          }),
      ),
    ).toContain(
      '[istio-install/mesh/bytes] implementation: istio_item_bytes cannot be read from istio_requests_total: it is a HISTOGRAM, and only a request counter is one (got "recording-rule", expected a definition a recording rule over istio_requests_total expresses); hint: next to the Telemetry API a new metric is, by default, a recording rule over istio_requests_total: count requests with value "1" or "<condition on request.method or response.code> ? 1 : 0", or set implementation: stats-filter for a second stats filter (an EnvoyFilter no Istio test covers)',
    );
  });
});

// The stats filter gives a new metric no standard label (istio/proxy@81864a1c, pinned by
// istio/istio@1.30.3: source/extensions/filters/http/istio_stats/istio_stats.cc lines 704-708), and a
// `metrics` entry naming it adds its dimensions, standard tag names included (lines 596-605).
describe('MetricDefinition in the stats filter', () => {
  it('carries reporter by default when both sides record it, computed per proxy kind', () => {
    const { app, mesh } = demoFixture({ istioVersion: '1.20', metricsCustomization: 'istio-operator' });
    new MetricDefinition(mesh, 'get-calls', { mesh, name: 'get_calls', type: MetricType.COUNTER, value: '1' });
    const overrides = mappingAt(
      find(app, 'IstioOperator', 'control-plane')?.spec,
      'values',
      'telemetry',
      'v2',
      'prometheus',
      'configOverride',
    );
    expect(Object.fromEntries(Object.keys(overrides).map((p) => [p, mappingAt(overrides, p).metrics]))).toEqual({
      gateway: [{ name: 'get_calls', dimensions: { reporter: "'source'" } }],
      inboundSidecar: [{ name: 'get_calls', dimensions: { reporter: "'destination'" } }],
      outboundSidecar: [{ name: 'get_calls', dimensions: { reporter: "'source'" } }],
    });
  });

  it("computes workload labels in the release's vocabulary: the own node and the peer on each side", () => {
    const labels = ['source_workload', 'destination_workload'] as const;
    const dims = (version: string) => {
      const { app, mesh } = demoFixture({ istioVersion: version });
      new MetricDefinition(mesh, 'calls', {
        mesh,
        name: 'calls',
        type: MetricType.COUNTER,
        value: '1',
        proxies: [ProxyKind.INBOUND_SIDECAR, ProxyKind.OUTBOUND_SIDECAR],
        implementation: MetricImplementation.STATS_FILTER,
        standardLabels: ['reporter', ...labels],
      });
      const patches = (find(app, 'EnvoyFilter', `custom-metrics-${version.replace('.', '-')}`)?.spec.configPatches ??
        []) as { patch: { value: { typed_config: { value: { metrics: { name: string }[] } } } } }[];
      return patches.map((p) => p.patch.value.typed_config.value.metrics.find((m) => m.name === 'calls'));
    };
    expect(dims('1.22')).toEqual([
      {
        name: 'calls',
        dimensions: {
          reporter: "'destination'",
          source_workload: 'downstream_peer.workload_name',
          destination_workload: "node.metadata['WORKLOAD_NAME']",
        },
      },
      {
        name: 'calls',
        dimensions: {
          reporter: "'source'",
          source_workload: "node.metadata['WORKLOAD_NAME']",
          destination_workload: 'upstream_peer.workload_name',
        },
      },
    ]);
    expect(dims('1.24')[0]).toEqual({
      name: 'calls',
      dimensions: {
        reporter: "'destination'",
        source_workload: 'filter_state.downstream_peer.workload',
        destination_workload: "xds.node.metadata['WORKLOAD_NAME']",
      },
    });
  });

  it('takes a dimension per proxy kind, and queries only the labels the reporter it reads has', () => {
    const { mesh } = demoFixture({ istioVersion: '1.20', metricsCustomization: 'istio-operator' });
    new MetricDefinition(mesh, 'calls', {
      mesh,
      name: 'calls',
      type: MetricType.COUNTER,
      value: '1',
      proxies: [ProxyKind.INBOUND_SIDECAR, ProxyKind.OUTBOUND_SIDECAR],
      dimensions: { peer_port: { [ProxyKind.OUTBOUND_SIDECAR]: 'string(destination.port)' } },
    });
    const [metric] = new MeshMetrics(mesh).customMetrics();
    // The destination's series have reporter only: peer_port is on the source's.
    expect(metric && customMetricQuery(metric, '5m')).toBe('sum (rate(istio_calls{reporter="destination"}[5m]))');
  });

  it('warns when both sides record it in one series without reporter', async () => {
    const { app, mesh } = demoFixture({ istioVersion: '1.20', metricsCustomization: 'istio-operator' });
    new MetricDefinition(mesh, 'calls', {
      mesh,
      name: 'calls',
      type: MetricType.COUNTER,
      value: '1',
      standardLabels: [],
    });
    expect((await validateApp(app)).filter((f) => f.rule === 'version-adaptation').map(describeProblem)).toEqual([
      'standardLabels: istio_calls is recorded by the client and the server of each in-mesh request and has no reporter label (got []), so one series counts each request twice; add reporter, or record it on one proxy kind',
    ]);
  });
});
