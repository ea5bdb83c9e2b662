import { Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { describe, expect, it } from 'vitest';
import { EnvoyStatName, IstioMesh, ProxyTarget, StatsInclusion, TraceSampling } from '../constructs';
import { podAnnotations } from './support/fixtures';

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
