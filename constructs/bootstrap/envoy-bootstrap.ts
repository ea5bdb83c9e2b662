/**
 * The part of Envoy's `envoy.config.bootstrap.v3.Bootstrap` that a bootstrap override sets, in
 * Envoy's proto-JSON field names (facts B.7). pilot-agent merges the override over the bootstrap
 * Istio generates.
 */
export interface EnvoyBootstrapOverride {
  /** Bootstrap-level tracer (`Bootstrap.tracing`, deprecated in Envoy in favour of HCM tracing, still what Istio's legacy path uses). */
  readonly tracing?: { readonly http: EnvoyHttpTracer };
}

export interface EnvoyHttpTracer {
  readonly name: 'envoy.tracers.zipkin';
  readonly typedConfig: ZipkinConfig;
}

/** `Bootstrap.tracing.http.typedConfig` for the Zipkin tracer. */
export interface ZipkinConfig {
  readonly '@type': 'type.googleapis.com/envoy.config.trace.v3.ZipkinConfig';
  /** Name of the cluster that receives spans; Istio's bootstrap defines `zipkin`. */
  readonly collectorCluster: string;
  /** Path spans are posted to, e.g. `/api/v2/spans`. */
  readonly collectorEndpoint: string;
  /** 128-bit trace ids (JSON boolean). */
  readonly traceId128bit?: boolean;
  /** Whether client and server spans share one span id. */
  readonly sharedSpanContext?: boolean;
  readonly collectorEndpointVersion?: ZipkinCollectorEndpointVersion;
  readonly collectorHostname?: string;
}

/** `ZipkinConfig.CollectorEndpointVersion`, without the unusable v1 value. */
export enum ZipkinCollectorEndpointVersion {
  /** Zipkin API v2, JSON over HTTP. */
  HTTP_JSON = 'HTTP_JSON',
  /** Zipkin API v2, protobuf over HTTP. */
  HTTP_PROTO = 'HTTP_PROTO',
}

export interface ZipkinTracingOverrideProps {
  readonly collectorCluster: string;
  readonly collectorEndpoint: string;
  /** @default - Envoy's default (64-bit ids) */
  readonly traceId128bit?: boolean;
  /** @default - Envoy's default (true) */
  readonly sharedSpanContext?: boolean;
  /** @default - Envoy's default, which is unusable (v1 JSON): set HTTP_JSON */
  readonly collectorEndpointVersion?: ZipkinCollectorEndpointVersion;
  /** @default - the cluster name */
  readonly collectorHostname?: string;
}

/** Builds a bootstrap override that replaces the bootstrap Zipkin tracer settings. */
export function zipkinTracingOverride(props: ZipkinTracingOverrideProps): EnvoyBootstrapOverride {
  const typedConfig: ZipkinConfig = {
    '@type': 'type.googleapis.com/envoy.config.trace.v3.ZipkinConfig',
    collectorCluster: props.collectorCluster,
    collectorEndpoint: props.collectorEndpoint,
    ...(props.traceId128bit !== undefined ? { traceId128bit: props.traceId128bit } : {}),
    ...(props.sharedSpanContext !== undefined ? { sharedSpanContext: props.sharedSpanContext } : {}),
    ...(props.collectorEndpointVersion !== undefined
      ? { collectorEndpointVersion: props.collectorEndpointVersion }
      : {}),
    ...(props.collectorHostname !== undefined ? { collectorHostname: props.collectorHostname } : {}),
  };
  return { tracing: { http: { name: 'envoy.tracers.zipkin', typedConfig } } };
}
