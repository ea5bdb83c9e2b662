import { type App, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { AttributeGen } from '../attributes/attribute-gen';
import { BootstrapOverride } from '../bootstrap/bootstrap-override';
import { BookRecipes } from '../demo/book-recipes';
import { CoolstoreGateway } from '../demo/coolstore-gateway';
import { HttpbinEgress } from '../demo/httpbin-egress';
import { IstioInActionApp } from '../demo/istioinaction-app';
import { IstioMesh } from '../mesh/istio-mesh';
import { MetricDefinition } from '../metrics/metric-definition';
import { MetricDimensions } from '../metrics/metric-dimensions';
import { ProxyKind } from '../metrics/proxy-kind';
import { StandardMetric } from '../metrics/standard-metrics';
import { ProxyTarget } from '../proxy-config/proxy-target';
import { StatsInclusion } from '../stats/stats-inclusion';
import { CustomTag, CustomTraceTags } from '../tracing/custom-trace-tags';
import { PilotTraceSampling } from '../tracing/pilot-trace-sampling';
import { TraceSampling } from '../tracing/trace-sampling';
import { ZipkinTracer } from '../tracing/zipkin-tracer';

export interface IstioInActionObservabilityProps {
  /**
   * Target Istio version.
   * @default '1.17'
   */
  readonly istioVersion?: string;
}

/**
 * The default stack: the book's istioinaction example (chapters 7 and 8) with every
 * observability piece switched on, in two charts:
 * - `istio-install`: the IstioOperator for `istioctl install -f` (not a cluster object);
 * - `istioinaction`: the demo app, its gateway, and the workload-level telemetry.
 */
export class IstioInActionObservability extends Construct {
  readonly mesh: IstioMesh;
  readonly app: IstioInActionApp;

  constructor(scope: App, id: string, props: IstioInActionObservabilityProps = {}) {
    super(scope, id);
    const installChart = new Chart(scope, 'istio-install', {
      namespace: 'istio-system',
      disableResourceNameHashes: true,
    });
    this.mesh = new IstioMesh(installChart, 'mesh', { istioVersion: props.istioVersion, profile: 'demo' });
    const mesh = this.mesh;

    const chart = new Chart(scope, 'istioinaction', { namespace: 'istioinaction', disableResourceNameHashes: true });
    this.app = new IstioInActionApp(chart, 'app');
    const webapp = this.app.webapp.deployment;
    const gateway = new CoolstoreGateway(chart, 'coolstore-gateway', { mesh });
    new HttpbinEgress(chart, 'httpbin', { mesh, gateway });

    // Stats inclusion (ch7): webapp's outbound cluster to catalog, per workload and mesh-wide.
    const catalogCluster = BookRecipes.catalogClusterStats;
    new StatsInclusion(chart, 'webapp-stats-inclusion', {
      mesh,
      target: ProxyTarget.workload(webapp),
      inclusionPrefixes: [catalogCluster],
    });
    new StatsInclusion(chart, 'mesh-stats-inclusion', {
      mesh,
      target: ProxyTarget.mesh(),
      inclusionPrefixes: [catalogCluster],
    });

    // Custom dimensions and a removed tag on istio_requests_total, for every proxy kind.
    new MetricDimensions(chart, 'requests-dimensions', {
      mesh,
      metric: StandardMetric.REQUESTS_TOTAL,
      dimensions: BookRecipes.requestDimensions,
      tagsToRemove: BookRecipes.removedRequestTags,
      extraStatTagsFor: [webapp],
    });

    // A new metric counting GET requests (istio_get_calls).
    new MetricDefinition(chart, 'get-calls', { mesh, ...BookRecipes.getCalls });

    // istio_operationId classifies catalog calls; upstream_operation reports it on outbound requests.
    const attributeGen = new AttributeGen(chart, 'attribute-gen', { mesh, name: 'attribute-gen-example' });
    const operationId = attributeGen.addAttribute(BookRecipes.operationIdAttribute, BookRecipes.operationIdRules);
    new MetricDimensions(chart, 'requests-operation', {
      mesh,
      metric: StandardMetric.REQUESTS_TOTAL,
      proxies: [ProxyKind.OUTBOUND_SIDECAR],
      dimensions: { upstream_operation: operationId },
    });

    // Tracing (ch8): mesh-wide defaults, then webapp's own sampling, tags and bootstrap tracer.
    const zipkinAddress = BookRecipes.zipkinAddress;
    new PilotTraceSampling(chart, 'pilot-sampling', { mesh, percentage: 100 });
    new TraceSampling(chart, 'mesh-sampling', { mesh, target: ProxyTarget.mesh(), percentage: 100 });
    new ZipkinTracer(chart, 'mesh-zipkin', { mesh, target: ProxyTarget.mesh(), address: zipkinAddress });
    new TraceSampling(chart, 'webapp-sampling', { mesh, target: ProxyTarget.workload(webapp), percentage: 10 });
    new ZipkinTracer(chart, 'webapp-zipkin', { mesh, target: ProxyTarget.workload(webapp), address: zipkinAddress });
    new CustomTraceTags(chart, 'webapp-trace-tags', {
      mesh,
      target: ProxyTarget.workload(webapp),
      tags: { custom_tag: CustomTag.literal('Test Tag') },
    });
    new BootstrapOverride(chart, 'webapp-bootstrap', {
      name: 'istio-custom-zipkin',
      bootstrap: BookRecipes.zipkinBootstrap,
      workloads: [webapp],
    });
  }
}
