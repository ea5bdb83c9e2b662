// A platform team's cdk8s app: its own namespace and workload, our constructs composed into its
// chart, and a Telemetry it writes by hand. `cdk8s synth` checks all of it with the
// IstioObservabilityValidation plugin listed in cdk8s.yaml.
import { ApiObject, Chart } from 'cdk8s';
import {
  EnvoyStatName,
  IstioMesh,
  MetricDimensions,
  ProxyKind,
  ProxyTarget,
  StandardMetric,
  StatsInclusion,
  TraceSampling,
  ZipkinTracer,
} from 'cdk8s-istio-observability';
import { ObservabilityApp } from 'cdk8s-istio-observability/app';
import * as kplus from 'cdk8s-plus-27';
import type { Construct } from 'constructs';

class PaymentsPlatform extends Chart {
  constructor(scope: Construct, id: string, mesh: IstioMesh) {
    super(scope, id, { namespace: 'payments' });
    new kplus.Namespace(this, 'namespace', { metadata: { name: 'payments' } });
    const api = new kplus.Deployment(this, 'api', {
      metadata: { name: 'payments-api' },
      containers: [
        { image: 'registry.example.com/payments/api:2.4.1', portNumber: 8080, securityContext: { user: 1000 } },
      ],
    });
    new StatsInclusion(this, 'api-stats', {
      mesh,
      target: ProxyTarget.workload(api),
      inclusionPrefixes: [EnvoyStatName.outboundCluster({ port: 443, host: 'ledger.payments.svc.cluster.local' })],
    });
    new TraceSampling(this, 'api-sampling', { mesh, target: ProxyTarget.workload(api), percentage: 25 });
    new MetricDimensions(this, 'request-dimensions', {
      mesh,
      metric: StandardMetric.REQUESTS_TOTAL,
      proxies: [ProxyKind.INBOUND_SIDECAR],
      dimensions: { request_host: 'request.host' },
    });
    // Written by hand, not with our constructs: the validation plugin checks it all the same.
    new ApiObject(this, 'access-logs', {
      apiVersion: 'telemetry.istio.io/v1',
      kind: 'Telemetry',
      metadata: { name: 'payments-access-logs' },
      spec: {
        accessLogging: [{ providers: [{ name: 'envoy' }] }],
        metrics: [
          {
            providers: [{ name: 'prometheus' }],
            overrides: [
              {
                match: { metric: 'REQUEST_COUNT' },
                tagOverrides: {
                  // PLATFORM_STACK_BAD reads a peer field Istio 1.24+ no longer has (facts A.5).
                  source_proxy: {
                    value: process.env.PLATFORM_STACK_BAD
                      ? 'upstream_peer.istio_version'
                      : 'filter_state.upstream_peer.version',
                  },
                },
              },
            ],
          },
        ],
      },
    });
  }
}

// An ObservabilityApp writes the whole output folder: the IstioOperator goes to install/ for
// istioctl, never into a chart applied to the cluster.
const app = new ObservabilityApp();
const install = new Chart(app, 'istio-install', { namespace: 'istio-system' });
const mesh = new IstioMesh(install, 'mesh', { istioVersion: '1.30' });
// Sampling needs somewhere to send spans: from 1.22 the istiod chart configures no tracer.
new ZipkinTracer(install, 'zipkin', { mesh, target: ProxyTarget.mesh(), address: 'zipkin.istio-system:9411' });
new PaymentsPlatform(app, 'payments', mesh);
app.synth();
