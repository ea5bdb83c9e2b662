import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { describe, expect, it } from 'vitest';
import {
  ConfigFile,
  EnvoyStatName,
  formatFinding,
  IstioMesh,
  JaegerAllInOne,
  JaegerStorage,
  ObservabilityBackends,
  ObservabilityStack,
  PrometheusInstance,
  ProxyTarget,
  StatsInclusion,
  TraceSampling,
  validateApp,
  ZipkinTracer,
} from '../constructs';
import { readmeRuleList } from '../scripts/readme-rules';
import { podAnnotations } from './support/fixtures';

describe('the README backends example', () => {
  it('wires every backend to one Jaeger and one Prometheus, and the tracer to that Jaeger, with no finding', async () => {
    const app = Testing.app();
    const mesh = new IstioMesh(new Chart(app, 'istio-install', { namespace: 'istio-system' }), 'mesh', {
      istioVersion: '1.22',
    });
    const chart = new Chart(app, 'shop', { namespace: 'shop' });
    // mesh and app chart as in "Using the constructs"; backends in a chart of their own.
    const backendsChart = new Chart(app, 'observability-backends');
    const jaeger = new JaegerAllInOne(backendsChart, 'jaeger', {
      mesh,
      storage: JaegerStorage.badgerOnClaim('jaeger-data'),
    });
    new ObservabilityBackends(backendsChart, 'backends', {
      mesh,
      prometheus: PrometheusInstance.kubePrometheusStack({ release: 'prom', namespace: 'prometheus' }),
      jaeger, // Kiali reads traces from it
    });
    new ZipkinTracer(chart, 'zipkin', { mesh, target: ProxyTarget.mesh(), address: jaeger.zipkinAddress });

    expect((await validateApp(app)).map(formatFinding)).toEqual([]);
    const kiali = backendsChart.toJson().find((o: { kind: string }) => o.kind === 'Kiali');
    expect(kiali.spec.external_services).toEqual({
      prometheus: {
        cache_duration: 10,
        cache_enabled: true,
        cache_expiration: 300,
        url: 'http://prom-kube-prometheus-stack-prometheus.prometheus:9090',
      },
      tracing: { enabled: true, in_cluster_url: 'http://tracing.istio-system:16685/jaeger', use_grpc: true },
    });
  });
});

describe('the README usage example', () => {
  it('synthesizes a plain cdk8s-plus Deployment with a merged proxy.istio.io/config', () => {
    const app = Testing.app();
    const mesh = new IstioMesh(new Chart(app, 'istio-install', { namespace: 'istio-system' }), 'mesh', {
      istioVersion: '1.17',
      profile: 'demo',
    });
    const chart = new Chart(app, 'shop', { namespace: 'shop' });
    const web = new kplus.Deployment(chart, 'web', { containers: [{ image: 'shop/web:1.0' }] });

    new StatsInclusion(chart, 'web-stats', {
      mesh,
      target: ProxyTarget.workload(web),
      inclusionPrefixes: [EnvoyStatName.outboundCluster({ port: 80, host: 'catalog.shop' })],
    });
    new TraceSampling(chart, 'web-sampling', { mesh, target: ProxyTarget.workload(web), percentage: 10 });
    app.synth();

    expect(podAnnotations(chart, web.name)).toEqual({
      'proxy.istio.io/config':
        'proxyStatsMatcher:\n  inclusionPrefixes:\n    - cluster.outbound|80||catalog.shop\ntracing:\n  sampling: 10\n',
    });
    expect(Testing.synth(app.charts[0] as Chart)).toEqual([
      {
        apiVersion: 'install.istio.io/v1alpha1',
        kind: 'IstioOperator',
        metadata: { name: 'control-plane', namespace: 'istio-system' },
        spec: { profile: 'demo' },
      },
    ]);
  });
});

describe('the README', () => {
  const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');

  it('lists exactly the rules of the rule catalog, with their summaries', () => {
    const expected = readmeRuleList();
    const listed = /<!-- rules:start -->\n([\s\S]*?)\n<!-- rules:end -->/.exec(readme)?.[1];
    expect(listed).toBe(expected);
  });

  it('documents a config file that synthesizes without errors', async () => {
    const example = /## The config file[\s\S]*?```yaml\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
    const file = ConfigFile.parse('README.md', example);
    const app = Testing.app();
    new ObservabilityStack(app, 'default', { config: file.config });
    const findings = await validateApp(app);
    expect(findings.filter((f) => f.severity === 'error').map(formatFinding)).toEqual([]);
    expect(Object.keys(file.config)).toEqual([
      'istioVersion',
      'namespace',
      'mesh',
      'demoApp',
      'statsInclusion',
      'attributeGenerators',
      'metricDimensions',
      'metricDefinitions',
      'pilotTraceSampling',
      'traceSampling',
      'zipkinTracers',
      'customTraceTags',
      'bootstrapOverrides',
      'backends',
    ]);
    expect(Object.keys(file.config.backends ?? {})).toEqual([
      'prometheus',
      'prometheusOperator',
      'scrapeConfig',
      'jaeger',
      'grafana',
      'kiali',
    ]);
  });
});
