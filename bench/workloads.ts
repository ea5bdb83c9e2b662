/**
 * The workloads of the scaling benchmark: N Deployments + Services, built either bare with
 * cdk8s-plus-27 (the baseline) or with every per-workload observability piece this library has:
 * stats inclusion, added dimensions, trace sampling, custom trace tags and a bootstrap override.
 */
import { type App, Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { BootstrapOverride } from '../constructs/bootstrap/bootstrap-override';
import { statsdSinkOverride } from '../constructs/bootstrap/envoy-bootstrap';
import { IstioMesh } from '../constructs/mesh/istio-mesh';
import { MetricDimensions } from '../constructs/metrics/metric-dimensions';
import { ProxyTarget } from '../constructs/proxy-config/proxy-target';
import { StatsInclusion } from '../constructs/stats/stats-inclusion';
import { CustomTag, CustomTraceTags } from '../constructs/tracing/custom-trace-tags';
import { TraceSampling } from '../constructs/tracing/trace-sampling';
import { ZipkinTracer } from '../constructs/tracing/zipkin-tracer';
import { StandardMetric } from '../core/istio/standard-metrics';

export const NAMESPACE = 'bench';

/** `workload-0007`: names sort in creation order, like a real platform's generated names. */
export function workloadName(index: number): string {
  return `workload-${String(index).padStart(4, '0')}`;
}

/** One Deployment + ClusterIP Service, as a platform team's generator would write it with cdk8s-plus-27. */
function workload(chart: Chart, index: number): kplus.Deployment {
  const name = workloadName(index);
  const deployment = new kplus.Deployment(chart, `${name}-deployment`, {
    metadata: { name },
    replicas: 2,
    containers: [
      {
        name: 'app',
        image: `registry.example.com/team/${name}:1.0.0`,
        ports: [{ number: 8080, name: 'http' }],
        securityContext: { ensureNonRoot: false },
      },
    ],
  });
  new kplus.Service(chart, `${name}-service`, {
    metadata: { name },
    selector: deployment,
    ports: [{ port: 80, targetPort: 8080, name: 'http' }],
  });
  return deployment;
}

/** The baseline: N bare Deployments + Services in one chart. */
export function bareWorkloads(app: App, n: number): void {
  const chart = new Chart(app, NAMESPACE, { namespace: NAMESPACE, disableResourceNameHashes: true });
  for (let i = 0; i < n; i++) workload(chart, i);
}

/**
 * The same N Deployments + Services, each with its own stats inclusion, dimensions, sampling,
 * custom tags and bootstrap override, on one mesh of the given Istio release (the mesh's IstioOperator
 * and Zipkin tracer are written once).
 */
export function observedWorkloads(app: App, n: number, istioVersion = '1.30'): void {
  const meshChart = new Chart(app, 'istio-install', { namespace: 'istio-system', disableResourceNameHashes: true });
  const mesh = new IstioMesh(meshChart, 'mesh', { istioVersion });
  new ZipkinTracer(meshChart, 'zipkin', { mesh, target: ProxyTarget.mesh(), address: 'zipkin.istio-system:9411' });
  const chart = new Chart(app, NAMESPACE, { namespace: NAMESPACE, disableResourceNameHashes: true });
  for (let i = 0; i < n; i++) {
    const deployment = workload(chart, i);
    const name = workloadName(i);
    const target = ProxyTarget.workload(deployment);
    new StatsInclusion(chart, `${name}-stats`, {
      mesh,
      target,
      inclusionPrefixes: [`cluster.outbound|80||${workloadName((i + 1) % n)}.${NAMESPACE}`],
    });
    new MetricDimensions(chart, `${name}-dimensions`, {
      mesh,
      target,
      metric: StandardMetric.REQUESTS_TOTAL,
      dimensions: { request_host: 'request.host' },
      tagsToRemove: ['request_protocol'],
    });
    new TraceSampling(chart, `${name}-sampling`, { mesh, target, percentage: 10 });
    new CustomTraceTags(chart, `${name}-tags`, {
      mesh,
      target,
      tags: { team: CustomTag.literal('payments'), user: CustomTag.header('x-user', 'anonymous') },
    });
    new BootstrapOverride(chart, `${name}-bootstrap`, {
      name: `${name}-bootstrap`,
      bootstrap: statsdSinkOverride({ address: `statsd.${NAMESPACE}:9125`, prefix: name }),
      workloads: [deployment],
    });
  }
}
