import { Construct } from 'constructs';
import { problem } from '../../core/errors';
import { refuseInput } from '../../core/problems/construct-problems';
import type { IstioMesh } from '../mesh/istio-mesh';
import type { ProxyTarget } from '../proxy-config/proxy-target';
import { registerTracer } from './mesh-tracers';
import {
  addressProblem,
  parseCollectorAddress,
  providerProblems,
  providerService,
  useTracingProvider,
} from './tracing-provider';

export interface ZipkinTracerProps {
  /** The mesh (and so the Istio version) this applies to. */
  readonly mesh: IstioMesh;
  /** The proxies that report spans: the whole mesh, a namespace (Telemetry API only) or one workload. */
  readonly target: ProxyTarget;
  /**
   * Collector address as `host:port`, e.g. `zipkin.istio-system:9411` (Jaeger accepts Zipkin spans).
   * With Telemetry API tracing the host must name a Service as `service.namespace` (made fully
   * qualified with the mesh's cluster domain) or be fully qualified already.
   */
  readonly address: string;
  /**
   * Name of the `meshConfig.extensionProviders` entry (Telemetry API tracing only). Two tracers
   * with one name must send to the same collector.
   * @default 'zipkin'
   */
  readonly provider?: string;
  /**
   * Path spans are posted to (Telemetry API tracing on Istio 1.24+): what a bootstrap override's
   * `collectorEndpoint` set before.
   * @default - Istio's default, `/api/v2/spans`
   */
  readonly path?: string;
}

/**
 * Sends spans to a Zipkin-compatible collector.
 *
 * With ProxyConfig tracing (the default up to 1.21) it is `tracing.zipkin.address`, rendered into
 * the Envoy bootstrap, so pods must restart to pick it up (istio/istio#22311). With Telemetry API tracing
 * (the default from 1.22, which dropped the default tracer: istio/istio@1.22.0:
 * releasenotes/notes/drop-default-tracing.yaml) it is a zipkin
 * `meshConfig.extensionProviders` entry, made the default tracing provider for a mesh target, and
 * named in the target Telemetry's `tracing[].providers` (the shape of the book's ch8/tracing/v2).
 */
export class ZipkinTracer extends Construct {
  readonly address: string;
  /** The mesh whose proxies send spans. */
  readonly mesh: IstioMesh;
  /** The proxies that send spans to this tracer. */
  readonly target: ProxyTarget;

  constructor(scope: Construct, id: string, props: ZipkinTracerProps) {
    super(scope, id);
    const { mesh, target } = props;
    const address = parseCollectorAddress(props.address);
    const provider = props.provider ?? 'zipkin';
    const problems = [...target.problems(['target'])];
    if (mesh.tracing === 'telemetry-api') {
      problems.push(...providerProblems(provider, props.address, 'zipkin.istio-system:9411'));
      if (props.path !== undefined) {
        const gate = mesh.policy.featureProblem('zipkinProviderPath', ['path'], props.path, {
          expected: 'no path (the provider posts to /api/v2/spans)',
          hint: 'a bootstrap override (BootstrapOverride with zipkinTracingOverride) sets collectorEndpoint on older releases',
        });
        if (gate) problems.push(gate);
        else if (!/^\/\S*$/.test(props.path))
          problems.push(problem(['path'], props.path, 'an absolute URL path, e.g. "/api/v2/spans"'));
      }
    } else {
      const malformed = addressProblem(props.address, 'zipkin.istio-system:9411');
      if (malformed) problems.push(malformed);
      for (const field of ['provider', 'path'] as const) {
        if (props[field] !== undefined) {
          problems.push(
            problem([field], props[field], 'no value with ProxyConfig tracing', {
              what: `${field} belongs to an extension provider, which only Telemetry API tracing uses`,
            }),
          );
        }
      }
    }
    this.address = props.address;
    this.mesh = mesh;
    this.target = target;
    registerTracer(this);
    if (refuseInput(this, problems) || !address) return;
    switch (mesh.tracing) {
      case 'proxy-config':
        target.contribute(mesh, this, { tracing: { zipkin: { address: props.address } } });
        return;
      case 'telemetry-api':
        useTracingProvider(mesh, this, target, {
          name: provider,
          zipkin: {
            service: providerService(address.host, mesh),
            port: address.port,
            ...(props.path !== undefined ? { path: props.path } : {}),
          },
        });
        return;
    }
  }
}
