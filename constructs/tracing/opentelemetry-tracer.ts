import { Construct } from 'constructs';
import { problem } from '../../core/errors';
import { refuseInput } from '../../core/problems/construct-problems';
import type { IstioMesh } from '../mesh/istio-mesh';
import type { ProxyTarget } from '../proxy-config/proxy-target';
import { registerTracer } from './mesh-tracers';
import { parseCollectorAddress, providerProblems, providerService, useTracingProvider } from './tracing-provider';

export interface OpenTelemetryTracerProps {
  /** The mesh (and so the Istio version) this applies to. */
  readonly mesh: IstioMesh;
  /** The proxies that report spans: the whole mesh, a namespace or one workload. */
  readonly target: ProxyTarget;
  /**
   * OTLP collector as `service.namespace:port` (or a fully qualified host), e.g.
   * `opentelemetry-collector.observability:4317` (gRPC) or `:4318` with `http`.
   */
  readonly address: string;
  /**
   * Name of the `meshConfig.extensionProviders` entry.
   * @default 'otel'
   */
  readonly provider?: string;
  /**
   * Export over OTLP/HTTP to this path instead of gRPC (Istio 1.22+), e.g. `/v1/traces`.
   * @default - OTLP/gRPC
   */
  readonly httpPath?: string;
}

/**
 * Sends spans to an OpenTelemetry collector: an `opentelemetry` extension provider (Istio 1.16.1+,
 * so every supported target; istio/api@1.30.3:mesh/v1alpha1/config.proto) used by the target's Telemetry `tracing`. ProxyConfig
 * tracing has no OpenTelemetry tracer, so this needs the mesh's Telemetry API tracing mechanism.
 */
export class OpenTelemetryTracer extends Construct {
  readonly address: string;
  readonly mesh: IstioMesh;
  /** The proxies that send spans here. */
  readonly target: ProxyTarget;

  constructor(scope: Construct, id: string, props: OpenTelemetryTracerProps) {
    super(scope, id);
    const { mesh, target } = props;
    this.mesh = mesh;
    this.target = target;
    registerTracer(this);
    const provider = props.provider ?? 'otel';
    const problems = [...target.problems(['target'])];
    if (mesh.tracing !== 'telemetry-api') {
      problems.push(
        problem(['mesh', 'tracing'], mesh.tracing, '"telemetry-api"', {
          what: 'ProxyConfig tracing has no OpenTelemetry tracer (zipkin, datadog and the removed lightstep, stackdriver, opencensus only)',
          hint: 'set the mesh tracing mechanism to "telemetry-api", or use ZipkinTracer (collectors such as the OpenTelemetry Collector and Jaeger accept Zipkin spans)',
        }),
      );
    }
    problems.push(...providerProblems(provider, props.address, 'opentelemetry-collector.observability:4317'));
    if (props.httpPath !== undefined) {
      const gate = mesh.policy.featureProblem('openTelemetryHttp', ['httpPath'], props.httpPath, {
        expected: 'no httpPath (OTLP/gRPC)',
      });
      if (gate) problems.push(gate);
      else if (!/^\/\S*$/.test(props.httpPath)) {
        problems.push(problem(['httpPath'], props.httpPath, 'an absolute URL path, e.g. "/v1/traces"'));
      }
    }
    this.address = props.address;
    const address = parseCollectorAddress(props.address);
    if (refuseInput(this, problems) || !address) return;
    useTracingProvider(mesh, this, target, {
      name: provider,
      opentelemetry: {
        service: providerService(address.host, mesh),
        port: address.port,
        ...(props.httpPath !== undefined ? { http: { path: props.httpPath } } : {}),
      },
    });
  }
}
