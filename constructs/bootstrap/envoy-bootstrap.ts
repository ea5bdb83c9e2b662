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
  /** 128-bit trace ids (a JSON boolean). @default - 64-bit ids */
  readonly traceId128bit?: boolean;
  /** Whether client and server spans share one span id. @default true */
  readonly sharedSpanContext?: boolean;
  /** @default - Envoy's default, the unusable v1 JSON: set HTTP_JSON */
  readonly collectorEndpointVersion?: ZipkinCollectorEndpointVersion;
  /** @default - the cluster name */
  readonly collectorHostname?: string;
}

/** `ZipkinConfig.CollectorEndpointVersion`, without the unusable v1 value. */
export enum ZipkinCollectorEndpointVersion {
  /** Zipkin API v2, JSON over HTTP. */
  HTTP_JSON = 'HTTP_JSON',
  /** Zipkin API v2, protobuf over HTTP. */
  HTTP_PROTO = 'HTTP_PROTO',
}

/** ZipkinConfig fields of {@link zipkinTracingOverride}; unset fields keep Envoy's defaults. */
export type ZipkinTracingOverrideProps = Omit<ZipkinConfig, '@type'>;

/** ZipkinConfig fields in proto field-number order, so the JSON key order never depends on the caller. */
const ZIPKIN_FIELD_ORDER: readonly (keyof ZipkinTracingOverrideProps)[] = [
  'collectorCluster',
  'collectorEndpoint',
  'traceId128bit',
  'sharedSpanContext',
  'collectorEndpointVersion',
  'collectorHostname',
];

/** Builds a bootstrap override that replaces the bootstrap Zipkin tracer settings. */
export function zipkinTracingOverride(props: ZipkinTracingOverrideProps): EnvoyBootstrapOverride {
  const fields = ZIPKIN_FIELD_ORDER.filter((field) => props[field] !== undefined).map((field) => [field, props[field]]);
  const typedConfig = {
    '@type': 'type.googleapis.com/envoy.config.trace.v3.ZipkinConfig',
    ...Object.fromEntries(fields),
  } as ZipkinConfig;
  return { tracing: { http: { name: 'envoy.tracers.zipkin', typedConfig } } };
}
