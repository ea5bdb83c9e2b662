/**
 * The part of Istio's ProxyConfig (`mesh/v1alpha1/proxy.proto`) that observability constructs
 * write, with the YAML keys of the `proxy.istio.io/config` annotation and of
 * `meshConfig.defaultConfig` (camelCase, as in the book and the Istio docs; istio/api@1.30.3:mesh/v1alpha1/proxy.proto).
 */
export interface ProxyConfigFragment {
  /** Envoy stats to report beyond the defaults (bootstrap setting: needs a pod restart). */
  readonly proxyStatsMatcher?: ProxyStatsMatcherConfig;
  /** Custom dimensions the Wasm stats filter must extract from stat names (deprecated in 1.21). */
  readonly extraStatTags?: readonly string[];
  /** Tracing settings of the legacy (ProxyConfig) tracing path. */
  readonly tracing?: ProxyTracingConfig;
  /** Environment variables of the proxy's pilot-agent, e.g. `ENVOY_SECURE_MERGED_METRICS_PORT` (read at pod start). */
  readonly proxyMetadata?: Readonly<Record<string, string>>;
}

export interface ProxyStatsMatcherConfig {
  readonly inclusionPrefixes?: readonly string[];
  readonly inclusionSuffixes?: readonly string[];
  readonly inclusionRegexps?: readonly string[];
}

export interface ProxyTracingConfig {
  /** Percentage of requests traced, 0.0-100.0 (0 means "unset" here, istio/istio@1.30.3:pilot/pkg/networking/core/tracing.go). */
  readonly sampling?: number;
  readonly zipkin?: { readonly address: string };
  readonly customTags?: Readonly<Record<string, CustomTagConfig>>;
}

/** One of `literal`, `environment` or `header` (proto oneof); `formatter` in Telemetry only (1.29+). */
export interface CustomTagConfig {
  readonly literal?: { readonly value: string };
  readonly environment?: { readonly name: string; readonly defaultValue?: string };
  readonly header?: { readonly name: string; readonly defaultValue?: string };
  readonly formatter?: { readonly value: string };
}

/** ProxyConfig values that are proto oneofs: a custom tag is one of literal, environment or header. */
export const PROXY_CONFIG_ATOMIC_PATHS: readonly string[] = ['tracing.customTags.*'];
