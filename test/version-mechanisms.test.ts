import { ApiObject, type Chart, Testing } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { validateApp } from '../app/validate/app-validator';
import { AttributeGen, WasmPhase } from '../constructs/attributes/attribute-gen';
import { BootstrapOverride } from '../constructs/bootstrap/bootstrap-override';
import { zipkinTracingOverride } from '../constructs/bootstrap/envoy-bootstrap';
import { MetricDefinition, MetricImplementation, MetricType } from '../constructs/metrics/metric-definition';
import { MetricDimensions } from '../constructs/metrics/metric-dimensions';
import { ProxyTarget } from '../constructs/proxy-config/proxy-target';
import { CustomTag, CustomTraceTags } from '../constructs/tracing/custom-trace-tags';
import { OpenTelemetryTracer } from '../constructs/tracing/opentelemetry-tracer';
import { PilotTraceSampling } from '../constructs/tracing/pilot-trace-sampling';
import { TraceSampling } from '../constructs/tracing/trace-sampling';
import { ZipkinTracer } from '../constructs/tracing/zipkin-tracer';
import { ProxyKind } from '../core/istio/proxy-kind';
import { StandardMetric } from '../core/istio/standard-metrics';
import { mappingAt } from '../core/json-values';
import { type Finding, formatFinding } from '../core/problems/finding';
import { demoFixture } from './support/fixtures';
import { refusalOf } from './support/refusals';

/** `error: ...` or `warning: ...`, the way main.ts prints findings. */
const withSeverity = (f: Finding) => `${f.severity}: ${formatFinding(f)}`;

interface Manifest {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string };
  readonly spec?: Record<string, unknown>;
}

/** Every object of the app, as it would be written. */
function manifests(app: ReturnType<typeof Testing.app>): Manifest[] {
  return app.node.children.flatMap((chart) => Testing.synth(chart as Chart) as Manifest[]);
}

function find(app: ReturnType<typeof Testing.app>, kind: string, name: string): Manifest {
  const found = manifests(app).find((m) => m.kind === kind && m.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name}`);
  return found;
}

describe('metrics mechanism', () => {
  it('refuses the IstioOperator configOverride from 1.21, naming the releases that had it', () => {
    expect(() => demoFixture({ istioVersion: '1.22', metricsCustomization: 'istio-operator' })).toThrow(
      '[istio-install/mesh] metricsCustomization: needs IstioOperator values.telemetry.v2.prometheus.configOverride (Istio 1.13 to 1.20; removed in 1.21), and the target is Istio 1.22 (got "istio-operator", expected "telemetry-api"); hint: the Telemetry API replaces it (istio.io upgrade notes "Use Telemetry API for metrics customization") (source: istio/istio@1.21.0:releasenotes/notes/drop-telemetry-envoyfilter.yaml)',
    );
  });

  it('refuses the Telemetry API on 1.17, where the install still renders stats-filter EnvoyFilters', () => {
    expect(() => demoFixture({ istioVersion: '1.17', metricsCustomization: 'telemetry-api' })).toThrow(
      '[istio-install/mesh] metricsCustomization: needs Telemetry API metrics overrides on the default install (Istio 1.18 and later), and the target is Istio 1.17 (got "telemetry-api", expected "istio-operator"); hint: on 1.17 the install\'s stats-filter-1.17 EnvoyFilters carry the configOverride, which would duplicate Telemetry-generated filters (istio/istio#39772) (source: istio/istio@1.18.0:releasenotes/notes/telemetry-native.yaml (no stats EnvoyFilters by default))',
    );
  });

  it('keeps the legacy configOverride on 1.18-1.20 when the mesh opts in', () => {
    const { app, mesh } = demoFixture({ istioVersion: '1.20', metricsCustomization: 'istio-operator' });
    new MetricDimensions(mesh, 'dims', {
      mesh,
      metric: StandardMetric.REQUESTS_TOTAL,
      proxies: [ProxyKind.INBOUND_SIDECAR],
      dimensions: { destination_port: 'string(destination.port)' },
    });
    expect(find(app, 'IstioOperator', 'control-plane').spec).toEqual({
      values: {
        telemetry: {
          v2: {
            prometheus: {
              configOverride: {
                inboundSidecar: {
                  disable_host_header_fallback: true,
                  metrics: [{ name: 'requests_total', dimensions: { destination_port: 'string(destination.port)' } }],
                },
              },
            },
          },
        },
      },
    });
  });

  // istio/istio@1.17.8 (and @1.20.8):manifests/charts/istio-control/istio-discovery/templates/
  // telemetryv2_1.17.yaml lines 62-67 and 88-93: without a configOverride the inbound and gateway
  // stats configs are {"disable_host_header_fallback": true}; a configOverride replaces them whole.
  it("keeps the template's disable_host_header_fallback for inbound sidecars and gateways, not outbound", () => {
    const { app, mesh } = demoFixture({ istioVersion: '1.17' });
    new MetricDimensions(mesh, 'dims', {
      mesh,
      metric: StandardMetric.REQUESTS_TOTAL,
      tagsToRemove: ['request_protocol'],
    });
    const overrides = mappingAt(
      find(app, 'IstioOperator', 'control-plane').spec,
      'values',
      'telemetry',
      'v2',
      'prometheus',
      'configOverride',
    );
    expect(
      Object.fromEntries(
        Object.keys(overrides).map((proxy) => [proxy, mappingAt(overrides, proxy).disable_host_header_fallback]),
      ),
    ).toEqual({ gateway: true, inboundSidecar: true, outboundSidecar: undefined });
  });

  it('refuses a workload target with the mesh-wide configOverride', () => {
    const { mesh, chart, webapp } = demoFixture();
    expect(
      refusalOf(
        () =>
          new MetricDimensions(chart, 'dims', {
            mesh,
            metric: StandardMetric.REQUESTS_TOTAL,
            target: ProxyTarget.workload(webapp),
            tagsToRemove: ['request_protocol'],
          }),
      ),
    ).toContain(
      '[istioinaction/dims] target: IstioOperator configOverride applies to every proxy of the mesh (got "Deployment \\"webapp\\"", expected the mesh); hint: use the mesh target, or metricsCustomization "telemetry-api" (Istio 1.18+) for namespace and workload Telemetry',
    );
  });

  it('writes one Telemetry per target: a workload one with its selector, proxy kinds as mode', () => {
    const { app, mesh, chart, webapp } = demoFixture({ istioVersion: '1.22' });
    new MetricDimensions(chart, 'inbound', {
      mesh,
      metric: StandardMetric.REQUEST_DURATION_MILLISECONDS,
      proxies: [ProxyKind.INBOUND_SIDECAR],
      target: ProxyTarget.workload(webapp),
      dimensions: { request_host: 'request.host' },
    });
    new MetricDimensions(chart, 'both', {
      mesh,
      metric: StandardMetric.REQUESTS_TOTAL,
      target: ProxyTarget.workload(webapp),
      tagsToRemove: ['request_protocol'],
    });
    new MetricDimensions(chart, 'shop', {
      mesh,
      metric: StandardMetric.TCP_SENT_BYTES_TOTAL,
      proxies: [ProxyKind.OUTBOUND_SIDECAR, ProxyKind.GATEWAY],
      target: ProxyTarget.namespace('shop'),
      tagsToRemove: ['response_flags'],
    });
    expect(find(app, 'Telemetry', 'webapp')).toEqual({
      apiVersion: 'telemetry.istio.io/v1',
      kind: 'Telemetry',
      metadata: { name: 'webapp', namespace: 'istioinaction' },
      spec: {
        selector: { matchLabels: { app: 'webapp' } },
        metrics: [
          {
            providers: [{ name: 'prometheus' }],
            // by metric, then mode: not in the order the constructs were created
            overrides: [
              { match: { metric: 'REQUEST_COUNT' }, tagOverrides: { request_protocol: { operation: 'REMOVE' } } },
              {
                match: { metric: 'REQUEST_DURATION', mode: 'SERVER' },
                tagOverrides: { request_host: { value: 'request.host' } },
              },
            ],
          },
        ],
      },
    });
    // Written with the construct that asked for it (the istioinaction chart's file), not the mesh's.
    expect((Testing.synth(chart) as Manifest[]).map((m) => `${m.kind}/${m.metadata.name}`)).toContain(
      'Telemetry/namespace-default',
    );
    expect(find(app, 'Telemetry', 'namespace-default')).toEqual({
      apiVersion: 'telemetry.istio.io/v1',
      kind: 'Telemetry',
      metadata: { name: 'namespace-default', namespace: 'shop' },
      spec: {
        metrics: [
          {
            providers: [{ name: 'prometheus' }],
            overrides: [
              {
                match: { metric: 'TCP_SENT_BYTES', mode: 'CLIENT' },
                tagOverrides: { response_flags: { operation: 'REMOVE' } },
              },
            ],
          },
        ],
      },
    });
  });

  it('uses telemetry.istio.io/v1alpha1 before 1.22', () => {
    const { app, mesh } = demoFixture({ istioVersion: '1.21' });
    new MetricDimensions(mesh, 'dims', {
      mesh,
      metric: StandardMetric.REQUESTS_TOTAL,
      tagsToRemove: ['request_protocol'],
    });
    expect(find(app, 'Telemetry', 'mesh-default').apiVersion).toBe('telemetry.istio.io/v1alpha1');
  });

  it('refuses two values for one tag of one Telemetry, naming both constructs', () => {
    const { mesh } = demoFixture({ istioVersion: '1.22' });
    new MetricDimensions(mesh, 'a', { mesh, metric: StandardMetric.REQUESTS_TOTAL, dimensions: { x: 'request.host' } });
    expect(
      refusalOf(
        () =>
          new MetricDimensions(mesh, 'b', {
            mesh,
            metric: StandardMetric.REQUESTS_TOTAL,
            dimensions: { x: 'request.path' },
          }),
      ),
    ).toContain(
      '[istio-install/mesh/b] Telemetry "istio-system/mesh-default": overrides.REQUEST_COUNT|.tagOverrides.x.value is set to "request.host" by istio-install/mesh/a and to "request.path" by istio-install/mesh/b; set it in one place',
    );
  });

  it('defines new metrics by EnvoyFilter next to the Telemetry API when asked, translated from 1.24, with a warning', async () => {
    const { app, mesh } = demoFixture({ istioVersion: '1.24' });
    new MetricDefinition(mesh, 'calls', {
      mesh,
      name: 'calls',
      type: MetricType.COUNTER,
      value: '1',
      proxies: [ProxyKind.INBOUND_SIDECAR],
      implementation: MetricImplementation.STATS_FILTER,
      dimensions: { caller: 'downstream_peer.workload_name' },
    });
    const filter = find(app, 'EnvoyFilter', 'custom-metrics-1-24');
    const patches = filter.spec?.configPatches as {
      match: unknown;
      patch: { value: { typed_config: { value: unknown } } };
    }[];
    expect(patches.map((p) => p.match)).toEqual([
      {
        context: 'SIDECAR_INBOUND',
        listener: {
          filterChain: {
            filter: {
              name: 'envoy.filters.network.http_connection_manager',
              subFilter: { name: 'envoy.filters.http.router' },
            },
          },
        },
        proxy: { proxyVersion: '^1\\.24([.-].*)?$' },
      },
    ]);
    const plugin = patches[0]?.patch.value.typed_config.value as { definitions: unknown; metrics: unknown[] };
    expect(plugin.definitions).toEqual([{ name: 'calls', type: 'COUNTER', value: '1' }]);
    expect(plugin.metrics.at(-1)).toEqual({
      name: 'calls',
      dimensions: { caller: 'filter_state.downstream_peer.workload' },
    });
    expect(plugin.metrics).toHaveLength(11);
    // istio/istio@1.30.3:pkg/config/analysis/analyzers/envoyfilter/envoyfilter.go: an INSERT_BEFORE
    // without a priority draws IST0151, with a proxyVersion IST0155.
    expect(filter.spec?.priority).toBe(10);
    const findings = await validateApp(app);
    expect(findings.map(withSeverity)).toEqual([
      'warning: [istio-install/mesh/calls] istio_calls is defined by EnvoyFilter "custom-metrics-1-24", a second istio.stats instance beside istiod\'s (its standard metrics dropped); no Istio test runs two stats filters, and Istio documents EnvoyFilter stats config and the Telemetry API as conflicting (istio/istio#39772): check istio_calls after every Istio upgrade',
    ]);
  });

  it('refuses a metric value with no equivalent on the target', () => {
    const { mesh } = demoFixture({ istioVersion: '1.24' });
    expect(
      refusalOf(
        () =>
          new MetricDefinition(mesh, 'v', {
            mesh,
            name: 'versions',
            type: MetricType.COUNTER,
            value: 'size(upstream_peer.istio_version)',
            implementation: MetricImplementation.STATS_FILTER,
          }),
      ),
    ).toContain(
      '[istio-install/mesh/v] value: reads upstream_peer.istio_version, which Istio 1.24 has no equivalent for',
    );
  });

  it('drops extraStatTags from 1.21 with a warning, and keeps them before', async () => {
    for (const [version, expected] of [
      ['1.20', 1],
      ['1.21', 0],
    ] as const) {
      const { app, mesh, webapp } = demoFixture({ istioVersion: version });
      new MetricDimensions(mesh, 'dims', {
        mesh,
        metric: StandardMetric.REQUESTS_TOTAL,
        proxies: [ProxyKind.INBOUND_SIDECAR],
        dimensions: { request_host: 'request.host' },
        extraStatTagsFor: [webapp],
      });
      const annotation = JSON.stringify(find(app, 'Deployment', 'webapp'));
      expect(annotation.includes('extraStatTags'), version).toBe(expected === 1);
      const warnings = (await validateApp(app)).filter((f) => f.rule === 'version-adaptation').map(withSeverity);
      expect(warnings, version).toEqual(
        expected === 1
          ? []
          : [
              'warning: [istio-install/mesh/dims] extraStatTagsFor: Deployment "webapp" does not get extraStatTags request_host, which the native stats filter does not need: Istio 1.21 is past ProxyConfig extraStatTags (Istio 1.13 to 1.20; deprecated in 1.21); remove extraStatTagsFor',
            ],
      );
    }
  });
});

describe('attribute generation', () => {
  const rules = [{ value: 'getitems', condition: "request.url_path == '/items'" }];

  it('refuses WasmPlugin settings on 1.17, whose proxies run attributegen built in', () => {
    const { mesh, chart } = demoFixture();
    expect(
      refusalOf(
        () =>
          new AttributeGen(chart, 'gen', {
            mesh,
            module: 'oci://registry.example/attributegen:1',
            phase: WasmPhase.AUTHN,
          }),
      ),
    ).toContain(
      '[istioinaction/gen] module: configures the WasmPlugin of Istio 1.18+, but 1.17\'s proxies run attributegen built in (null VM) (got "oci://registry.example/attributegen:1", expected no value on Istio 1.17)\n' +
        '[istioinaction/gen] phase: configures the WasmPlugin of Istio 1.18+, but 1.17\'s proxies run attributegen built in (null VM) (got "AUTHN", expected no value on Istio 1.17)',
    );
  });

  it('is a WasmPlugin from 1.18, loading the configured module, outbound as mode CLIENT', () => {
    const { app, mesh, chart } = demoFixture({ istioVersion: '1.18' });
    const sha = 'a'.repeat(64);
    const gen = new AttributeGen(chart, 'gen', {
      mesh,
      name: 'gen',
      module: 'oci://registry.example/attributegen:1',
      sha256: sha,
    });
    gen.addAttribute('istio_operationId', rules);
    expect(find(app, 'WasmPlugin', 'gen').spec).toEqual({
      match: [{ mode: 'CLIENT' }],
      phase: 'STATS',
      pluginConfig: { attributes: [{ output_attribute: 'istio_operationId', match: rules }] },
      sha256: sha,
      url: 'oci://registry.example/attributegen:1',
    });
  });

  it('refuses a module that is not a URL the proxy can fetch', () => {
    const { mesh, chart } = demoFixture({ istioVersion: '1.30' });
    expect(
      refusalOf(() => new AttributeGen(chart, 'gen', { mesh, module: 'registry/attributegen', sha256: 'abc' })),
    ).toContain(
      '[istioinaction/gen] module: got "registry/attributegen", expected a module URL: oci://, https:// or file://\n' +
        '[istioinaction/gen] sha256: got "abc", expected 64 lowercase hex digits',
    );
  });
});

describe('tracing mechanism', () => {
  // The default providers name the metrics provider too: istio/istio@1.30.3:manifests/charts/
  // istio-control/istio-discovery/templates/_helpers.tpl drops the chart's own once they are set.
  it('from 1.22 uses an extension provider, the default providers and Telemetry tracing (the book ch8/tracing/v2 shape)', () => {
    const { app, mesh, chart, webapp } = demoFixture({ istioVersion: '1.22' });
    new ZipkinTracer(mesh, 'zipkin', { mesh, target: ProxyTarget.mesh(), address: 'zipkin.istio-system:9411' });
    new TraceSampling(mesh, 'sampling', { mesh, target: ProxyTarget.mesh(), percentage: 100 });
    new TraceSampling(chart, 'off', { mesh, target: ProxyTarget.workload(webapp), percentage: 0 });
    new CustomTraceTags(chart, 'tags', {
      mesh,
      target: ProxyTarget.workload(webapp),
      tags: { user: CustomTag.header('x-user', 'anonymous') },
    });
    expect(find(app, 'IstioOperator', 'control-plane').spec).toEqual({
      meshConfig: {
        defaultProviders: { metrics: ['prometheus'], tracing: ['zipkin'] },
        extensionProviders: [
          { name: 'zipkin', zipkin: { service: 'zipkin.istio-system.svc.cluster.local', port: 9411 } },
        ],
      },
    });
    expect(find(app, 'Telemetry', 'mesh-default').spec).toEqual({
      tracing: [{ providers: [{ name: 'zipkin' }], randomSamplingPercentage: 100 }],
    });
    expect(find(app, 'Telemetry', 'webapp').spec).toEqual({
      selector: { matchLabels: { app: 'webapp' } },
      tracing: [
        {
          randomSamplingPercentage: 0,
          customTags: { user: { header: { name: 'x-user', defaultValue: 'anonymous' } } },
        },
      ],
    });
  });

  it('keeps ProxyConfig tracing up to 1.21, where ProxyConfig has no namespace level', () => {
    const { mesh, chart } = demoFixture({ istioVersion: '1.21' });
    expect(
      refusalOf(() => new TraceSampling(chart, 's', { mesh, target: ProxyTarget.namespace('shop'), percentage: 5 })),
    ).toContain(
      '[istioinaction/s] target: ProxyConfig has no namespace level (meshConfig.defaultConfig or a pod annotation) (got {"namespace":"shop"}, expected the mesh or a workload); hint: target each workload, or use the Telemetry API tracing mechanism, which has one Telemetry per namespace',
    );
  });

  it('gates the formatter tag to Telemetry API tracing on 1.29+', () => {
    const sni = CustomTag.formatter('%REQUESTED_SERVER_NAME%');
    const legacy = demoFixture({ istioVersion: '1.29', tracing: 'proxy-config' });
    expect(
      refusalOf(
        () => new CustomTraceTags(legacy.chart, 't', { mesh: legacy.mesh, target: ProxyTarget.mesh(), tags: { sni } }),
      ),
    ).toContain(
      '[istioinaction/t] tags.sni.formatter: formatter tags exist only in Telemetry API tracing (got "%REQUESTED_SERVER_NAME%", expected a literal, environment or header tag); hint: set the mesh tracing mechanism to "telemetry-api"',
    );
    const old = demoFixture({ istioVersion: '1.28' });
    expect(
      refusalOf(
        () => new CustomTraceTags(old.chart, 't', { mesh: old.mesh, target: ProxyTarget.mesh(), tags: { sni } }),
      ),
    ).toContain(
      '[istioinaction/t] tags.sni.formatter: needs Telemetry customTags formatter (Istio 1.29 and later), and the target is Istio 1.28',
    );
    const current = demoFixture({ istioVersion: '1.29' });
    new CustomTraceTags(current.chart, 't', { mesh: current.mesh, target: ProxyTarget.mesh(), tags: { sni } });
    expect(find(current.app, 'Telemetry', 'mesh-default').spec).toEqual({
      tracing: [{ customTags: { sni: { formatter: { value: '%REQUESTED_SERVER_NAME%' } } } }],
    });
  });

  it('refuses a provider host that cannot be made fully qualified, and two collectors under one name', () => {
    const { mesh, chart } = demoFixture({ istioVersion: '1.30' });
    expect(
      refusalOf(() => new ZipkinTracer(chart, 'z', { mesh, target: ProxyTarget.mesh(), address: 'zipkin:9411' })),
    ).toContain(
      '[istioinaction/z] address: an extension provider names its Service by fully qualified hostname (got "zipkin:9411", expected a Service host as "service.namespace" or a fully qualified name)',
    );
    new ZipkinTracer(chart, 'a', { mesh, target: ProxyTarget.mesh(), address: 'zipkin.istio-system:9411' });
    expect(
      refusalOf(
        () => new ZipkinTracer(chart, 'b', { mesh, target: ProxyTarget.mesh(), address: 'jaeger.tracing:9411' }),
      ),
    ).toContain(
      '[istioinaction/b] IstioOperator "control-plane": meshConfig.extensionProviders.zipkin is set to {"name":"zipkin","zipkin":{"service":"zipkin.istio-system.svc.cluster.local","port":9411}} by istioinaction/a and to {"name":"zipkin","zipkin":{"service":"jaeger.tracing.svc.cluster.local","port":9411}} by istioinaction/b; set it in one place',
    );
  });

  it('gives a zipkin provider its own path from 1.24, and refuses provider settings with ProxyConfig tracing', () => {
    const current = demoFixture({ istioVersion: '1.24' });
    new ZipkinTracer(current.chart, 'z', {
      mesh: current.mesh,
      target: ProxyTarget.workload(current.webapp),
      address: 'zipkin.istio-system:9411',
      provider: 'zipkin-webapp',
      path: '/zipkin/api/v2/spans',
    });
    expect(find(current.app, 'IstioOperator', 'control-plane').spec).toEqual({
      meshConfig: {
        extensionProviders: [
          {
            name: 'zipkin-webapp',
            zipkin: { service: 'zipkin.istio-system.svc.cluster.local', port: 9411, path: '/zipkin/api/v2/spans' },
          },
        ],
      },
    });
    const old = demoFixture({ istioVersion: '1.23' });
    expect(
      refusalOf(
        () =>
          new ZipkinTracer(old.chart, 'z', {
            mesh: old.mesh,
            target: ProxyTarget.mesh(),
            address: 'zipkin.istio-system:9411',
            path: '/zipkin/api/v2/spans',
          }),
      ),
    ).toContain(
      '[istioinaction/z] path: needs zipkin provider path (Istio 1.24 and later), and the target is Istio 1.23 (got "/zipkin/api/v2/spans", expected no path (the provider posts to /api/v2/spans)); hint: a bootstrap override (BootstrapOverride with zipkinTracingOverride) sets collectorEndpoint on older releases (source: istio/istio@1.24.0:releasenotes/notes/53086.yaml)',
    );
    const legacy = demoFixture({ istioVersion: '1.20' });
    expect(
      refusalOf(
        () =>
          new ZipkinTracer(legacy.chart, 'z', {
            mesh: legacy.mesh,
            target: ProxyTarget.mesh(),
            address: 'zipkin.istio-system:9411',
            provider: 'zipkin',
          }),
      ),
    ).toContain(
      '[istioinaction/z] provider: provider belongs to an extension provider, which only Telemetry API tracing uses (got "zipkin", expected no value with ProxyConfig tracing)',
    );
  });

  it('writes PILOT_TRACE_SAMPLING where istioctl and where the istiod Helm chart read it', () => {
    for (const [version, helm] of [
      ['1.23', { pilot: { traceSampling: 100 } }],
      ['1.24', { traceSampling: 100 }],
    ] as const) {
      const { app, mesh } = demoFixture({ istioVersion: version, profile: 'demo' });
      new PilotTraceSampling(mesh, 'pilot', { mesh, percentage: 100 });
      expect(find(app, 'IstioOperator', 'control-plane').spec).toEqual({
        profile: 'demo',
        values: { pilot: { traceSampling: 100 } },
      });
      expect(mesh.install.helmValues()).toEqual({ profile: 'demo', ...helm });
    }
  });
});

describe('field-availability', () => {
  it('refuses fields newer than the target and removed ones, and warns about deprecated ones, in hand-written objects too', async () => {
    const { app, mesh, meshChart, webapp } = demoFixture({ istioVersion: '1.24' });
    new ApiObject(meshChart, 'hand-telemetry', {
      apiVersion: 'telemetry.istio.io/v1',
      kind: 'Telemetry',
      metadata: { name: 'hand', namespace: 'istio-system' },
      spec: { tracing: [{ customTags: { sni: { formatter: { value: '%REQUESTED_SERVER_NAME%' } } } }] },
    });
    new ApiObject(meshChart, 'hand-iop', {
      apiVersion: 'install.istio.io/v1alpha1',
      kind: 'IstioOperator',
      metadata: { name: 'hand', namespace: 'istio-system' },
      spec: {
        meshConfig: {
          extensionProviders: [{ name: 'z', zipkin: { service: 'z.ns.svc.cluster.local', port: 9411, timeout: '5s' } }],
        },
        values: { telemetry: { v2: { prometheus: { configOverride: { inboundSidecar: {} } } } } },
      },
    });
    webapp.podMetadata.addAnnotation('proxy.istio.io/config', 'extraStatTags: [request_host]\n');
    expect(mesh.istioVersion).toBe('1.24');
    const findings = (await validateApp(app)).filter((f) => f.rule === 'field-availability').map(withSeverity);
    expect(findings).toEqual([
      'error: [istio-install/hand-iop] spec.meshConfig.extensionProviders[0].zipkin.timeout: needs zipkin provider timeout and headers (Istio 1.29 and later), and the target is Istio 1.24 (got "5s")',
      'error: [istio-install/hand-iop] spec.values.telemetry.v2.prometheus.configOverride: is past IstioOperator values.telemetry.v2.prometheus.configOverride (Istio 1.13 to 1.20; removed in 1.21), and the target is Istio 1.24 (got {"inboundSidecar":{}})',
      'error: [istio-install/hand-telemetry] spec.tracing[0].customTags.sni.formatter: is not in the Telemetry CRD of Istio 1.24, only of Istio 1.29 and later (got {"value":"%REQUESTED_SERVER_NAME%"}); hint: remove it, or target a release that has it (source: istio/istio@1.24.6:manifests/charts/base/files/crd-all.gen.yaml)',
      'warning: [istioinaction/app/webapp/Deployment/Resource] spec.template.metadata.annotations["proxy.istio.io/config"].extraStatTags: is past ProxyConfig extraStatTags (Istio 1.13 to 1.20; deprecated in 1.21), and the target is Istio 1.24 (got ["request_host"])',
    ]);
  });
});

describe('field-availability from the per-release CRDs', () => {
  const telemetry = (istioVersion: string, spec: Record<string, unknown>) => {
    const { app, meshChart } = demoFixture({ istioVersion });
    new ApiObject(meshChart, 'hand-telemetry', {
      apiVersion: 'telemetry.istio.io/v1alpha1',
      kind: 'Telemetry',
      metadata: { name: 'hand', namespace: 'istio-system' },
      spec,
    });
    return app;
  };

  // istio/istio@1.20.8:manifests/charts/base/crds/crd-all.gen.yaml has Telemetry spec.targetRef;
  // @1.19.10 does not, and targetRefs came with @1.22.8.
  it('accepts Telemetry targetRef on 1.20, where the CRD has it, and refuses it on 1.19 and targetRefs on 1.21', async () => {
    const targetRef = { targetRef: { kind: 'Gateway', group: 'gateway.networking.k8s.io', name: 'gw' } };
    const rule = async (app: ReturnType<typeof telemetry>) =>
      (await validateApp(app)).filter((f) => f.rule === 'field-availability').map(withSeverity);
    expect(await rule(telemetry('1.20', targetRef))).toEqual([]);
    expect(await rule(telemetry('1.19', targetRef))).toEqual([
      'error: [istio-install/hand-telemetry] spec.targetRef: is not in the Telemetry CRD of Istio 1.19, only of Istio 1.20 and later (got {"group":"gateway.networking.k8s.io","kind":"Gateway","name":"gw"}); hint: remove it, or target a release that has it (source: istio/istio@1.19.10:manifests/charts/base/crds/crd-all.gen.yaml)',
    ]);
    expect(await rule(telemetry('1.21', { targetRefs: [targetRef.targetRef] }))).toEqual([
      'error: [istio-install/hand-telemetry] spec.targetRefs: is not in the Telemetry CRD of Istio 1.21, only of Istio 1.22 and later (got [{"group":"gateway.networking.k8s.io","kind":"Gateway","name":"gw"}]); hint: remove it, or target a release that has it (source: istio/istio@1.21.6:manifests/charts/base/crds/crd-all.gen.yaml)',
    ]);
  });
});

describe('OpenTelemetry tracer', () => {
  it('is an opentelemetry extension provider used by Telemetry tracing, OTLP/HTTP from 1.22', () => {
    const { app, mesh, chart, webapp } = demoFixture({ istioVersion: '1.22' });
    new OpenTelemetryTracer(chart, 'otel', {
      mesh,
      target: ProxyTarget.workload(webapp),
      address: 'opentelemetry-collector.observability:4318',
      httpPath: '/v1/traces',
    });
    expect(find(app, 'IstioOperator', 'control-plane').spec).toEqual({
      meshConfig: {
        extensionProviders: [
          {
            name: 'otel',
            opentelemetry: {
              service: 'opentelemetry-collector.observability.svc.cluster.local',
              port: 4318,
              http: { path: '/v1/traces' },
            },
          },
        ],
      },
    });
    expect(find(app, 'Telemetry', 'webapp').spec).toEqual({
      selector: { matchLabels: { app: 'webapp' } },
      tracing: [{ providers: [{ name: 'otel' }] }],
    });
  });

  it('refuses ProxyConfig tracing, which has no OpenTelemetry tracer, and OTLP/HTTP before 1.22', () => {
    const legacy = demoFixture({ istioVersion: '1.21', tracing: 'proxy-config' });
    expect(
      refusalOf(
        () =>
          new OpenTelemetryTracer(legacy.chart, 'otel', {
            mesh: legacy.mesh,
            target: ProxyTarget.mesh(),
            address: 'otel.observability:4318',
            httpPath: '/v1/traces',
          }),
      ),
    ).toContain(
      '[istioinaction/otel] mesh.tracing: ProxyConfig tracing has no OpenTelemetry tracer (zipkin, datadog and the removed lightstep, stackdriver, opencensus only) (got "proxy-config", expected "telemetry-api"); hint: set the mesh tracing mechanism to "telemetry-api", or use ZipkinTracer (collectors such as the OpenTelemetry Collector and Jaeger accept Zipkin spans)\n' +
        '[istioinaction/otel] httpPath: needs opentelemetry provider http and resourceDetectors (Istio 1.22 and later), and the target is Istio 1.21 (got "/v1/traces", expected no httpPath (OTLP/gRPC)); hint: target a release that has it, or remove httpPath (source: istio/api@1.22.0:mesh/v1alpha1/config.proto (OpenTelemetryTracingProvider http, resource_detectors))',
    );
  });
});

describe('ProxyConfig tracing past 1.21', () => {
  it('still works when the mesh opts in, and warns that 1.22 has no default tracer', async () => {
    const { app, mesh } = demoFixture({ istioVersion: '1.22', tracing: 'proxy-config' });
    new TraceSampling(mesh, 'sampling', { mesh, target: ProxyTarget.mesh(), percentage: 5 });
    expect(find(app, 'IstioOperator', 'control-plane').spec).toEqual({
      meshConfig: { defaultConfig: { tracing: { sampling: 5 } } },
    });
    expect((await validateApp(app)).filter((f) => f.rule === 'version-adaptation').map(withSeverity)).toEqual([
      'warning: [istio-install/mesh/sampling] percentage: ProxyConfig sampling applies only to proxies that have a tracer, no ZipkinTracer covers the mesh, and Istio 1.22 is past the default zipkin tracer (global.proxy.tracer: zipkin) (Istio 1.13 to 1.21; removed in 1.22); configure one (ZipkinTracer) or use the Telemetry API tracing mechanism',
    ]);
  });

  // The chart's default zipkin tracer is gone from 1.22 (istio/istio@1.22.0:releasenotes/notes/
  // drop-default-tracing.yaml); a ProxyConfig zipkin address is a tracer for the proxies it covers.
  it('warns only about sampled proxies that no ZipkinTracer covers', async () => {
    const { app, mesh, chart, webapp, catalog } = demoFixture({ istioVersion: '1.22', tracing: 'proxy-config' });
    new ZipkinTracer(chart, 'webapp-zipkin', {
      mesh,
      target: ProxyTarget.workload(webapp),
      address: 'zipkin.istio-system:9411',
    });
    new TraceSampling(chart, 'webapp-sampling', { mesh, target: ProxyTarget.workload(webapp), percentage: 10 });
    new TraceSampling(chart, 'catalog-sampling', {
      mesh,
      target: ProxyTarget.workload(catalog as NonNullable<typeof catalog>),
      percentage: 10,
    });
    new TraceSampling(mesh, 'mesh-sampling', { mesh, target: ProxyTarget.mesh(), percentage: 5 });
    const notes = async () =>
      (await validateApp(app)).filter((f) => f.rule === 'version-adaptation').map((f) => f.path);
    expect(await notes()).toEqual(['istio-install/mesh/mesh-sampling', 'istioinaction/catalog-sampling']);
    new ZipkinTracer(mesh, 'mesh-zipkin', { mesh, target: ProxyTarget.mesh(), address: 'zipkin.istio-system:9411' });
    expect(await notes()).toEqual([]);
  });
});

describe('generated attributes from 1.24', () => {
  const rules = [{ value: 'getitems', condition: "request.url_path == '/items'" }];

  it('refuses reading one by its bare name, and points at the translated form', async () => {
    const { app, mesh, chart } = demoFixture({ istioVersion: '1.24' });
    new AttributeGen(chart, 'gen', { mesh, name: 'gen' }).addAttribute('istio_operationId', rules);
    new MetricDimensions(chart, 'dims', {
      mesh,
      metric: StandardMetric.REQUESTS_TOTAL,
      proxies: [ProxyKind.OUTBOUND_SIDECAR],
      target: ProxyTarget.namespace('istioinaction'),
      dimensions: { upstream_operation: 'istio_operationId' },
    });
    expect((await validateApp(app)).filter((f) => f.severity === 'error').map(formatFinding)).toEqual([
      `[istioinaction/dims] dimensions.upstream_operation: reads generated attribute "istio_operationId" by its bare name at column 1, which Istio 1.24 no longer resolves (got "istio_operationId", expected filter_state['wasm.istio_operationId']); hint: give the dimension as { attribute: istio_operationId }, which is translated for each release`,
    ]);
  });

  it('checks coverage through filter_state: a dimension read where the WasmPlugin does not run', async () => {
    const { app, mesh, chart } = demoFixture({ istioVersion: '1.30' });
    const operation = new AttributeGen(chart, 'gen', { mesh, name: 'gen' }).addAttribute('istio_operationId', rules);
    new MetricDimensions(chart, 'dims', {
      mesh,
      metric: StandardMetric.REQUESTS_TOTAL,
      proxies: [ProxyKind.INBOUND_SIDECAR, ProxyKind.OUTBOUND_SIDECAR],
      target: ProxyTarget.namespace('istioinaction'),
      dimensions: { upstream_operation: operation },
    });
    expect((await validateApp(app)).filter((f) => f.severity === 'error').map(formatFinding)).toEqual([
      '[istioinaction/dims] dimensions.upstream_operation: reads attribute "istio_operationId" on inboundSidecar, but istioinaction/gen generates it only on outboundSidecar; hint: narrow proxies or generate the attribute there too',
    ]);
  });
});

describe('attribute generation for one workload', () => {
  const rules = [{ value: 'getitems', condition: "request.url_path == '/items'" }];

  it('selects the workload: WasmPlugin selector from 1.18, EnvoyFilter workloadSelector on 1.17', () => {
    for (const [version, kind, field] of [
      ['1.30', 'WasmPlugin', 'selector'],
      ['1.17', 'EnvoyFilter', 'workloadSelector'],
    ] as const) {
      const { app, mesh, chart, webapp } = demoFixture({ istioVersion: version });
      new AttributeGen(chart, 'gen', { mesh, name: 'gen', workload: webapp }).addAttribute('istio_operationId', rules);
      const spec = find(app, kind, 'gen').spec ?? {};
      expect(spec[field], version).toEqual(
        kind === 'WasmPlugin' ? { matchLabels: { app: 'webapp' } } : { labels: { app: 'webapp' } },
      );
    }
  });

  it("refuses a namespace other than the workload's", () => {
    const { mesh, chart, webapp } = demoFixture({ istioVersion: '1.30' });
    expect(
      refusalOf(() => new AttributeGen(chart, 'gen', { mesh, workload: webapp, namespace: 'istio-system' })),
    ).toContain(
      '[istioinaction/gen] namespace: a workload selector only selects pods in the namespace of the object (got "istio-system", expected the namespace of Deployment "webapp": "istioinaction")',
    );
  });
});

describe('bootstrap tracer override next to Telemetry tracing', () => {
  it('warns that the extension provider tracer replaces Bootstrap.tracing', async () => {
    const { app, mesh, chart, webapp } = demoFixture({ istioVersion: '1.22' });
    new BootstrapOverride(chart, 'boot', {
      name: 'istio-custom-zipkin',
      bootstrap: zipkinTracingOverride({ collectorCluster: 'zipkin', collectorEndpoint: '/api/v2/spans' }),
      workloads: [webapp],
    });
    expect(mesh.tracing).toBe('telemetry-api');
    expect((await validateApp(app)).filter((f) => f.rule === 'deprecated-mechanism').map(withSeverity)).toEqual([
      `warning: [istioinaction/boot/Resource/Resource] data["custom_bootstrap.json"].tracing: Envoy deprecates Bootstrap.tracing in favour of the HTTP connection manager's tracing provider; Istio's own bootstrap still uses it, and the supported route is a Telemetry tracing provider (meshConfig.extensionProviders)`,
      'warning: [istioinaction/boot/Resource/Resource] data["custom_bootstrap.json"].tracing: is not used where Telemetry tracing applies (Istio 1.22 here): istiod gives the HTTP connection manager the extension provider\'s tracer, which Envoy uses instead of Bootstrap.tracing; set the collector on the provider (ZipkinTracer path, Istio 1.24+)',
    ]);
  });
});
