import { Chart } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { validateApp } from '../app/validate/app-validator';
import { Jaeger } from '../constructs/backends/jaeger';
import { JaegerStorage } from '../constructs/backends/jaeger-storage';
import { BootstrapOverride } from '../constructs/bootstrap/bootstrap-override';
import { ZipkinCollectorEndpointVersion, zipkinTracingOverride } from '../constructs/bootstrap/envoy-bootstrap';
import { BookRecipes } from '../constructs/demo/book-recipes';
import { ProxyTarget } from '../constructs/proxy-config/proxy-target';
import { ZipkinTracer } from '../constructs/tracing/zipkin-tracer';
import { type Finding, formatFinding } from '../core/problems/finding';
import { demoFixture, lintText } from './support/fixtures';
import { refusalOf } from './support/refusals';

const withSeverity = (f: Finding) => `${f.severity}: ${formatFinding(f)}`;
/** A finding line up to its field: `5: warning: [Kind/ns/name] field`. */
const upToField = (line: string) => line.slice(0, line.indexOf(': ', line.indexOf('] ')));
const ruleFindings = async (app: Parameters<typeof validateApp>[0], rule: string) =>
  (await validateApp(app)).filter((f) => f.rule === rule).map(withSeverity);

/** The app of the default stack's shape: a Jaeger, a mesh zipkin tracer and webapp's bootstrap tracer. */
function withJaeger(istioVersion: string, bootstrap = BookRecipes.zipkinBootstrap) {
  const fixture = demoFixture({ istioVersion });
  const { app, mesh, chart, webapp } = fixture;
  const jaeger = new Jaeger(new Chart(app, 'backends'), 'jaeger', { mesh, storage: JaegerStorage.memory() });
  new ZipkinTracer(mesh, 'zipkin', { mesh, target: ProxyTarget.mesh(), address: jaeger.zipkinAddress });
  new BootstrapOverride(chart, 'boot', { name: 'istio-custom-zipkin', bootstrap, workloads: [webapp] });
  return fixture;
}

// istiod's zipkin provider always sends Zipkin v2 JSON to "/api/v2/spans" unless told a path
// (istio/istio@1.30.3:pilot/pkg/networking/core/tracing.go lines 264-267); Jaeger's Zipkin receiver
// (opentelemetry-collector-contrib receiver/zipkinreceiver/trace_receiver.go in Jaeger v2) decodes
// any path with api/v1/spans as v1 and answers 400; the seeds' lab lost every trace with the book's path.
describe('zipkin-collector-path', () => {
  it('reads a bootstrap override ConfigMap that no pod in the set names', async () => {
    const configMap = [
      'apiVersion: v1',
      'kind: ConfigMap',
      'metadata: { name: zipkin-override, namespace: shop }',
      'data:',
      '  custom_bootstrap.json: |',
      '    {"tracing": {"http": {"name": "envoy.tracers.zipkin", "typedConfig": {"@type": "type.googleapis.com/envoy.config.trace.v3.ZipkinConfig", "collectorCluster": "jaeger", "collectorEndpoint": "/api/v1/spans", "collectorEndpointVersion": "HTTP_JSON"}}}}',
      '',
    ].join('\n');
    expect(await lintText(configMap, '1.22', { rule: 'zipkin-collector-path' })).toEqual([
      '5: warning: [ConfigMap/shop/zipkin-override] data["custom_bootstrap.json"].tracing.http.typedConfig.collectorEndpoint: posts Zipkin v2 spans to a Zipkin v1 path (got "/api/v1/spans", expected a path with api/v2/spans, e.g. "/api/v2/spans"): the collector decodes the body as v1 and refuses it, so every span is lost; hint: use /api/v2/spans (source: istio/istio@1.30.3:pilot/pkg/networking/core/tracing.go sends v2 JSON) (zipkin-collector-path)',
    ]);
  });

  it("refuses the book's /zipkin/api/v1/spans with HTTP_JSON when the collector is the generated Jaeger", async () => {
    const { app } = withJaeger('1.17');
    expect(await ruleFindings(app, 'zipkin-collector-path')).toEqual([
      'error: [istioinaction/boot/Resource/Resource] data["custom_bootstrap.json"].tracing.http.typedConfig.collectorEndpoint: posts Zipkin v2 spans to a Zipkin v1 path (got "/zipkin/api/v1/spans", expected a path with api/v2/spans, e.g. "/api/v2/spans"): the collector decodes the body as v1 and refuses it, so every span is lost (the collector is the generated Jaeger, zipkin.istio-system:9411); hint: use /api/v2/spans (source: istio/istio@1.30.3:pilot/pkg/networking/core/tracing.go sends v2 JSON)',
    ]);
  });

  it('accepts /api/v2/spans, and a v1 path whose encoding is left to Envoy', async () => {
    const v2 = zipkinTracingOverride({
      collectorCluster: 'zipkin',
      collectorEndpoint: '/api/v2/spans',
      collectorEndpointVersion: ZipkinCollectorEndpointVersion.HTTP_JSON,
    });
    expect(await ruleFindings(withJaeger('1.17', v2).app, 'zipkin-collector-path')).toEqual([]);
    const unset = zipkinTracingOverride({ collectorCluster: 'zipkin', collectorEndpoint: '/api/v1/spans' });
    expect(await ruleFindings(withJaeger('1.17', unset).app, 'zipkin-collector-path')).toEqual([]);
  });

  it('refuses a zipkin provider path with api/v1/spans to the generated Jaeger, and warns for another collector', async () => {
    const { app, mesh, webapp, catalog } = demoFixture({ istioVersion: '1.30' });
    const jaeger = new Jaeger(new Chart(app, 'backends'), 'jaeger', { mesh, storage: JaegerStorage.memory() });
    new ZipkinTracer(mesh, 'webapp-zipkin', {
      mesh,
      target: ProxyTarget.workload(webapp),
      address: jaeger.zipkinAddress,
      provider: 'to-jaeger',
      path: '/zipkin/api/v1/spans',
    });
    new ZipkinTracer(mesh, 'catalog-zipkin', {
      mesh,
      target: ProxyTarget.workload(catalog as NonNullable<typeof catalog>),
      address: 'collector.observability:9411',
      provider: 'elsewhere',
      path: '/api/v1/spans',
    });
    // Providers are sorted by name: elsewhere, then to-jaeger; errors come first.
    expect((await ruleFindings(app, 'zipkin-collector-path')).map(upToField)).toEqual([
      'error: [istio-install/mesh/Install/Resource] spec.meshConfig.extensionProviders[1].zipkin.path',
      'warning: [istio-install/mesh/Install/Resource] spec.meshConfig.extensionProviders[0].zipkin.path',
    ]);
  });

  it('warns in lint mode, where the collector is not known', async () => {
    const configMap = `apiVersion: v1
kind: ConfigMap
metadata: { name: istio-custom-zipkin, namespace: istioinaction }
data:
  custom_bootstrap.json: |
    {"tracing": {"http": {"name": "envoy.tracers.zipkin", "typedConfig": {
      "@type": "type.googleapis.com/envoy.config.trace.v3.ZipkinConfig",
      "collectorCluster": "zipkin", "collectorEndpoint": "/zipkin/api/v1/spans",
      "traceId128bit": "true", "collectorEndpointVersion": "HTTP_JSON"}}}}
---
apiVersion: v1
kind: Pod
metadata:
  name: webapp
  namespace: istioinaction
  annotations: { sidecar.istio.io/bootstrapOverride: istio-custom-zipkin }
spec: { containers: [{ name: webapp, image: istioinaction/webapp:latest }] }
`;
    const lines = await lintText(configMap, '1.17');
    expect(lines.filter((l) => /zipkin-collector-path|envoy-bootstrap/.test(l)).map(upToField)).toEqual([
      '5: warning: [ConfigMap/istioinaction/istio-custom-zipkin] data["custom_bootstrap.json"].tracing.http.typedConfig.collectorEndpoint',
      '5: warning: [ConfigMap/istioinaction/istio-custom-zipkin] data["custom_bootstrap.json"].tracing.http.typedConfig.traceId128bit',
    ]);
  });
});

// Istio's bootstrap defines the zipkin cluster only `{{ if .zipkin }}`
// (istio/istio@1.30.3:tools/packaging/common/envoy_bootstrap.json lines 396-416), and from 1.22 the
// chart sets no default zipkin tracer (istio/istio@1.22.0:releasenotes/notes/drop-default-tracing.yaml).
describe('bootstrap-zipkin-cluster', () => {
  it("refuses a tracer on Istio's zipkin cluster from 1.22 when no ProxyConfig zipkin tracer makes it", async () => {
    const { app, chart, webapp } = demoFixture({ istioVersion: '1.22' });
    new BootstrapOverride(chart, 'boot', { bootstrap: BookRecipes.zipkinBootstrap, workloads: [webapp] });
    expect(await ruleFindings(app, 'bootstrap-zipkin-cluster')).toEqual([
      'error: [istioinaction/boot/Resource/Resource] data["custom_bootstrap.json"].tracing.http.typedConfig.collectorCluster: names Istio\'s "zipkin" bootstrap cluster (got "zipkin"), which Istio 1.22 defines only for proxies whose ProxyConfig has a zipkin tracer, and Deployment "webapp", which uses this override, has none; hint: give the workload ProxyConfig zipkin tracing (ZipkinTracer with the proxy-config tracing mechanism), or define the collector\'s cluster in the override under another name (collectorAddress) (source: istio/istio@1.30.3:tools/packaging/common/envoy_bootstrap.json "{{ if .zipkin }}")',
    ]);
  });

  it('accepts it where ProxyConfig has a zipkin tracer: the chart default up to 1.21, or one set for the workload', async () => {
    const old = demoFixture({ istioVersion: '1.21' });
    new BootstrapOverride(old.chart, 'boot', { bootstrap: BookRecipes.zipkinBootstrap, workloads: [old.webapp] });
    expect(await ruleFindings(old.app, 'bootstrap-zipkin-cluster')).toEqual([]);

    const proxyConfig = demoFixture({ istioVersion: '1.22', tracing: 'proxy-config' });
    new ZipkinTracer(proxyConfig.chart, 'zipkin', {
      mesh: proxyConfig.mesh,
      target: ProxyTarget.workload(proxyConfig.webapp),
      address: 'zipkin.istio-system:9411',
    });
    new BootstrapOverride(proxyConfig.chart, 'boot', {
      bootstrap: BookRecipes.zipkinBootstrap,
      workloads: [proxyConfig.webapp],
    });
    expect(await ruleFindings(proxyConfig.app, 'bootstrap-zipkin-cluster')).toEqual([]);
  });

  it('accepts an override that defines its own collector cluster (collectorAddress), on every release', async () => {
    const own = zipkinTracingOverride({
      collectorCluster: 'jaeger-zipkin',
      collectorAddress: 'zipkin.istio-system:9411',
      collectorEndpoint: '/api/v2/spans',
      collectorEndpointVersion: ZipkinCollectorEndpointVersion.HTTP_JSON,
    });
    expect(own.staticResources?.clusters).toEqual([
      {
        name: 'jaeger-zipkin',
        type: 'STRICT_DNS',
        connectTimeout: '1s',
        loadAssignment: {
          clusterName: 'jaeger-zipkin',
          endpoints: [
            {
              lbEndpoints: [
                { endpoint: { address: { socketAddress: { address: 'zipkin.istio-system', portValue: 9411 } } } },
              ],
            },
          ],
        },
      },
    ]);
    for (const version of ['1.17', '1.22', '1.30']) {
      const { app } = withJaeger(version, own);
      const findings = (await validateApp(app)).filter((f) => f.severity === 'error').map(withSeverity);
      expect(findings, version).toEqual([]);
    }
  });

  it('refuses collectorAddress with the cluster name zipkin, which Istio may define too', () => {
    const { chart, webapp } = demoFixture({ istioVersion: '1.22' });
    const bootstrap = zipkinTracingOverride({
      collectorCluster: 'zipkin',
      collectorAddress: 'zipkin.istio-system',
      collectorEndpoint: '/api/v2/spans',
    });
    expect(refusalOf(() => new BootstrapOverride(chart, 'boot', { bootstrap, workloads: [webapp] }))).toContain(
      '[istioinaction/boot] bootstrap.zipkin.collectorAddress: got "zipkin.istio-system", expected host:port, e.g. "zipkin.istio-system:9411"\n' +
        '[istioinaction/boot] bootstrap.zipkin.collectorCluster: with collectorAddress the override defines the cluster, and Istio\'s bootstrap has its own zipkin cluster wherever ProxyConfig has a zipkin tracer; Envoy refuses two of one name (got "zipkin", expected another cluster name, e.g. "jaeger-zipkin")',
    );
  });

  it('warns in lint mode from 1.22, where the mesh config may be applied from elsewhere', async () => {
    const files = `apiVersion: v1
kind: ConfigMap
metadata: { name: boot, namespace: shop }
data:
  custom_bootstrap.json: '{"tracing": {"http": {"name": "envoy.tracers.zipkin", "typedConfig": {"@type": "type.googleapis.com/envoy.config.trace.v3.ZipkinConfig", "collectorCluster": "zipkin", "collectorEndpoint": "/api/v2/spans", "collectorEndpointVersion": "HTTP_JSON"}}}}'
---
apiVersion: v1
kind: Pod
metadata: { name: p, namespace: shop, annotations: { sidecar.istio.io/bootstrapOverride: boot } }
spec: { containers: [{ name: c, image: example/c:1 }] }
`;
    expect((await lintText(files, '1.26', { rule: 'bootstrap-zipkin-cluster' })).map(upToField)).toEqual([
      '5: warning: [ConfigMap/shop/boot] data["custom_bootstrap.json"].tracing.http.typedConfig.collectorCluster',
    ]);
    expect(await lintText(files, '1.21', { rule: 'bootstrap-zipkin-cluster' })).toEqual([]);
  });
});
