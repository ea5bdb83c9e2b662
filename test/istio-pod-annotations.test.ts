import { describe, expect, it } from 'vitest';
import { BootstrapOverride } from '../constructs/bootstrap/bootstrap-override';
import { zipkinTracingOverride } from '../constructs/bootstrap/envoy-bootstrap';
import { MetricDimensions } from '../constructs/metrics/metric-dimensions';
import { IstioPodAnnotations } from '../constructs/proxy-config/istio-pod-annotations';
import { ProxyTarget } from '../constructs/proxy-config/proxy-target';
import { StatsInclusion } from '../constructs/stats/stats-inclusion';
import { CustomTag, CustomTraceTags } from '../constructs/tracing/custom-trace-tags';
import { TraceSampling } from '../constructs/tracing/trace-sampling';
import { ZipkinTracer } from '../constructs/tracing/zipkin-tracer';
import { StandardMetric } from '../core/istio/standard-metrics';
import { demoFixture, podAnnotations } from './support/fixtures';
import { refusalOf } from './support/refusals';

describe('proxy.istio.io/config merging', () => {
  it('merges every construct that targets a workload into one YAML document with sorted keys', () => {
    // GIVEN
    const { mesh, chart, webapp } = demoFixture();
    const target = ProxyTarget.workload(webapp);
    // WHEN: contributions in an order unrelated to the key order
    new ZipkinTracer(chart, 'zipkin', { mesh, target, address: 'zipkin.istio-system:9411' });
    new CustomTraceTags(chart, 'tags', {
      mesh,
      target,
      tags: {
        user: CustomTag.header('x-user', 'anonymous'),
        env: CustomTag.environment('POD_NAME'),
        fixed: CustomTag.literal('a: b # c'),
      },
    });
    new StatsInclusion(chart, 'stats', {
      mesh,
      target,
      inclusionPrefixes: ['cluster.outbound|80||catalog.istioinaction'],
    });
    new TraceSampling(chart, 'sampling', { mesh, target, percentage: 2.5 });
    new MetricDimensions(chart, 'dims', {
      mesh,
      metric: StandardMetric.REQUESTS_TOTAL,
      dimensions: { request_host: 'request.host' },
      extraStatTagsFor: [webapp],
    });
    // THEN
    expect(podAnnotations(chart, 'webapp')).toEqual({
      'proxy.istio.io/config': [
        'extraStatTags:',
        '  - request_host',
        'proxyStatsMatcher:',
        '  inclusionPrefixes:',
        '    - cluster.outbound|80||catalog.istioinaction',
        'tracing:',
        '  customTags:',
        '    env:',
        '      environment:',
        '        name: POD_NAME',
        '    fixed:',
        '      literal:',
        '        value: "a: b # c"',
        '    user:',
        '      header:',
        '        defaultValue: anonymous',
        '        name: x-user',
        '  sampling: 2.5',
        '  zipkin:',
        '    address: zipkin.istio-system:9411',
        '',
      ].join('\n'),
    });
    expect(podAnnotations(chart, 'catalog')).toBeUndefined();
  });

  it('refuses a conflicting value with both construct paths', () => {
    const { mesh, chart, webapp } = demoFixture();
    new TraceSampling(chart, 'sampling-10', { mesh, target: ProxyTarget.workload(webapp), percentage: 10 });
    expect(
      refusalOf(
        () => new TraceSampling(chart, 'sampling-100', { mesh, target: ProxyTarget.workload(webapp), percentage: 100 }),
      ),
    ).toContain(
      '[istioinaction/sampling-100] proxy.istio.io/config of Deployment "webapp": tracing.sampling is set to 10 by ' +
        'istioinaction/sampling-10 and to 100 by istioinaction/sampling-100; set it in one place',
    );
  });

  it('refuses a custom tag name used twice with different sources', () => {
    const { mesh, chart, webapp } = demoFixture();
    const target = ProxyTarget.workload(webapp);
    new CustomTraceTags(chart, 'a', { mesh, target, tags: { team: CustomTag.literal('payments') } });
    expect(
      refusalOf(() => new CustomTraceTags(chart, 'b', { mesh, target, tags: { team: CustomTag.header('x-team') } })),
    ).toContain(
      '[istioinaction/b] proxy.istio.io/config of Deployment "webapp": tracing.customTags.team is set to ' +
        '{"literal":{"value":"payments"}} by istioinaction/a and to {"header":{"name":"x-team"}} by istioinaction/b; set it in one place',
    );
  });

  it('keeps mesh defaults out of the pod annotation', () => {
    const { mesh, meshChart, chart } = demoFixture();
    new TraceSampling(chart, 'sampling', { mesh, target: ProxyTarget.mesh(), percentage: 100 });
    expect(podAnnotations(chart, 'webapp')).toBeUndefined();
    expect(mesh.install.resourceObject?.toJson().spec).toEqual({
      meshConfig: { defaultConfig: { tracing: { sampling: 100 } } },
    });
    expect(meshChart.node.path).toBe('istio-install');
  });

  it('allows one bootstrap override per workload', () => {
    const { chart, webapp } = demoFixture();
    const bootstrap = zipkinTracingOverride({ collectorCluster: 'zipkin', collectorEndpoint: '/api/v2/spans' });
    new BootstrapOverride(chart, 'first', { name: 'first-bootstrap', bootstrap, workloads: [webapp] });
    expect(
      refusalOf(
        () => new BootstrapOverride(chart, 'second', { name: 'second-bootstrap', bootstrap, workloads: [webapp] }),
      ),
    ).toContain(
      '[istioinaction/second] sidecar.istio.io/bootstrapOverride of Deployment "webapp" is set to "first-bootstrap" by ' +
        'istioinaction/first and to "second-bootstrap" by istioinaction/second; a pod reads one bootstrap override',
    );
    expect(IstioPodAnnotations.of(webapp).mergedProxyConfig).toEqual({});
  });
});

describe('annotations set on the workload directly', () => {
  it('adopts an existing proxy.istio.io/config and merges contributions into it', () => {
    const { mesh, chart, webapp } = demoFixture();
    webapp.podMetadata.addAnnotation('proxy.istio.io/config', 'holdApplicationUntilProxyStarts: true\n');
    new TraceSampling(chart, 'sampling', { mesh, target: ProxyTarget.workload(webapp), percentage: 5 });
    expect(podAnnotations(chart, 'webapp')).toEqual({
      'proxy.istio.io/config': 'holdApplicationUntilProxyStarts: true\ntracing:\n  sampling: 5\n',
    });
  });

  it('refuses a contribution that conflicts with the existing annotation, naming it', () => {
    const { mesh, chart, webapp } = demoFixture();
    webapp.podMetadata.addAnnotation('proxy.istio.io/config', 'tracing:\n  sampling: 1\n');
    expect(
      refusalOf(
        () => new TraceSampling(chart, 'sampling', { mesh, target: ProxyTarget.workload(webapp), percentage: 5 }),
      ),
    ).toContain(
      '[istioinaction/sampling] proxy.istio.io/config of Deployment "webapp": tracing.sampling is set to 1 by ' +
        'istioinaction/app/webapp/Deployment (annotation set on the workload) and to 5 by istioinaction/sampling; set it in one place',
    );
  });

  it('refuses an existing annotation that is not a YAML mapping', () => {
    const { mesh, chart, webapp } = demoFixture();
    webapp.podMetadata.addAnnotation('proxy.istio.io/config', '- not a mapping');
    expect(
      refusalOf(
        () => new TraceSampling(chart, 'sampling', { mesh, target: ProxyTarget.workload(webapp), percentage: 5 }),
      ),
    ).toContain(
      '[istioinaction/app/webapp/Deployment] spec.template.metadata.annotations["proxy.istio.io/config"]: got "- not a mapping", expected a YAML mapping of ProxyConfig fields',
    );
  });

  it('reports at synth an annotation overwritten after constructs contributed', () => {
    const { app, mesh, chart, webapp } = demoFixture();
    new TraceSampling(chart, 'sampling', { mesh, target: ProxyTarget.workload(webapp), percentage: 5 });
    webapp.podMetadata.addAnnotation('proxy.istio.io/config', 'concurrency: 2\n');
    expect(() => app.synth()).toThrow(
      '[istioinaction/app/webapp/Deployment/IstioPodAnnotations] proxy.istio.io/config of Deployment "webapp" was overwritten ' +
        'after observability constructs contributed to it; set it before adding them, or contribute through IstioPodAnnotations.addProxyConfig()',
    );
  });

  it('treats a bootstrap override set by hand like one set by a construct', () => {
    const { chart, webapp } = demoFixture();
    webapp.podMetadata.addAnnotation('sidecar.istio.io/bootstrapOverride', 'by-hand');
    expect(
      refusalOf(
        () =>
          new BootstrapOverride(chart, 'b', {
            name: 'generated',
            bootstrap: zipkinTracingOverride({ collectorCluster: 'zipkin', collectorEndpoint: '/api/v2/spans' }),
            workloads: [webapp],
          }),
      ),
    ).toContain(
      '[istioinaction/b] sidecar.istio.io/bootstrapOverride of Deployment "webapp" is set to "by-hand" by ' +
        'istioinaction/app/webapp/Deployment (annotation set on the workload) and to "generated" by istioinaction/b; a pod reads one bootstrap override',
    );
  });
});
