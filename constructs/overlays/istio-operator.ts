import { ApiObject, type ApiObjectMetadata, type GroupVersionKind } from 'cdk8s';
import type { Construct } from 'constructs';
import type { ProxyConfigFragment } from '../proxy-config/proxy-config-fragment';

/**
 * Hand-written L1 for `install.istio.io/v1alpha1` IstioOperator.
 *
 * Istio 1.30.3 ships no IstioOperator CRD (the charts stopped installing it in 1.21, Istio 1.21.0 release notes):
 * an IstioOperator is an input file for `istioctl install -f`, not a cluster object. This overlay
 * types only the fields the observability constructs write; the shapes come from
 * `operator/pkg/apis/istio/v1alpha1/values_types.proto` (1.13-1.20) and `mesh/v1alpha1/config.proto`.
 */
export class IstioOperator extends ApiObject {
  static readonly GVK: GroupVersionKind = { apiVersion: 'install.istio.io/v1alpha1', kind: 'IstioOperator' };

  constructor(scope: Construct, id: string, props: IstioOperatorProps) {
    super(scope, id, { ...IstioOperator.GVK, ...props });
  }
}

export interface IstioOperatorProps {
  readonly metadata?: ApiObjectMetadata;
  readonly spec: IstioOperatorSpec;
}

export interface IstioOperatorSpec {
  /** Installation profile, e.g. `demo`. @default - istioctl's `default` profile */
  readonly profile?: string;
  readonly meshConfig?: IstioOperatorMeshConfig;
  readonly values?: IstioOperatorValues;
}

export interface IstioOperatorMeshConfig {
  /** ProxyConfig defaults for every proxy of the mesh. */
  readonly defaultConfig?: ProxyConfigFragment;
  /** Where every proxy writes its access log, e.g. `/dev/stdout`; empty or absent: no access log (istio/api@1.30.3:mesh/v1alpha1/config.proto). */
  readonly accessLogFile?: string;
  /** `TEXT` (default) or `JSON`. */
  readonly accessLogEncoding?: 'TEXT' | 'JSON';
  /** Envoy format string (TEXT) or JSON object of command operators (JSON); empty: Istio's default format. */
  readonly accessLogFormat?: string;
  /** Tracing (and other) backends Telemetry resources refer to by name (istio/api@1.30.3:mesh/v1alpha1/config.proto). */
  readonly extensionProviders?: readonly MeshExtensionProvider[];
  /**
   * Providers used where a Telemetry names none (istio/api@1.30.3:mesh/v1alpha1/config.proto
   * `DefaultProviders`). Setting it replaces the istiod chart's `metrics: [prometheus]` default.
   */
  readonly defaultProviders?: {
    readonly tracing?: readonly string[];
    readonly metrics?: readonly string[];
    readonly accessLogging?: readonly string[];
  };
}

/** `MeshConfig.ExtensionProvider` for tracing and access logging (istio/api mesh/v1alpha1/config.proto @1.30.3). */
export interface MeshExtensionProvider {
  readonly name: string;
  readonly zipkin?: ZipkinTracingProvider;
  readonly opentelemetry?: OpenTelemetryTracingProvider;
  readonly envoyFileAccessLog?: EnvoyFileAccessLogProvider;
  readonly envoyOtelAls?: EnvoyOpenTelemetryLogProvider;
}

/** An access log format: an Envoy format string, or a JSON object whose values are format strings (`labels`). */
export interface AccessLogFormatConfig {
  readonly text?: string;
  readonly labels?: Readonly<Record<string, string>>;
}

/** `EnvoyFileAccessLogProvider`: Envoy writes the log to a file or stream. */
export interface EnvoyFileAccessLogProvider {
  /** @default '/dev/stdout' */
  readonly path?: string;
  readonly logFormat?: AccessLogFormatConfig;
}

/** `EnvoyOpenTelemetryLogProvider`: Envoy sends the log to an OpenTelemetry collector over OTLP/gRPC. */
export interface EnvoyOpenTelemetryLogProvider {
  readonly service: string;
  readonly port: number;
  readonly logName?: string;
  readonly logFormat?: AccessLogFormatConfig;
}

export interface ZipkinTracingProvider {
  /** `[<namespace>/]<hostname>` of the collector Service, fully qualified. */
  readonly service: string;
  readonly port: number;
  readonly maxTagLength?: number;
  /** 64-bit instead of 128-bit trace ids. */
  readonly enable64bitTraceId?: boolean;
  /** Collector path (1.24+). @default '/api/v2/spans' */
  readonly path?: string;
}

export interface OpenTelemetryTracingProvider {
  readonly service: string;
  readonly port: number;
  readonly maxTagLength?: number;
  /** OTLP over HTTP instead of gRPC (1.22+). */
  readonly http?: { readonly path: string; readonly timeout?: string };
}

export interface IstioOperatorValues {
  readonly pilot?: {
    /** `PILOT_TRACE_SAMPLING`: the lowest-precedence sampling percentage (istio/istio@1.30.3:pilot/pkg/networking/core/tracing.go). */
    readonly traceSampling?: number;
    /** Environment variables of istiod, e.g. `PILOT_MX_ADDITIONAL_LABELS`. */
    readonly env?: Readonly<Record<string, string>>;
  };
  readonly telemetry?: {
    readonly v2?: {
      readonly prometheus?: {
        /** Stats filter config per proxy kind; ignored from Istio 1.21 (Istio 1.21.0 release notes). */
        readonly configOverride?: StatsConfigOverride;
      };
    };
  };
}

/** `values.telemetry.v2.prometheus.configOverride`: a stats `PluginConfig` per proxy kind. */
export interface StatsConfigOverride {
  readonly inboundSidecar?: StatsPluginConfig;
  readonly outboundSidecar?: StatsPluginConfig;
  readonly gateway?: StatsPluginConfig;
}

/** `stats.PluginConfig` with the snake_case keys the chart copies verbatim (istio/proxy release-1.30:source/extensions/filters/http/istio_stats/istio_stats.cc). */
export interface StatsPluginConfig {
  /**
   * Leave `destination_service` unknown rather than read it from the Host header. The 1.17 to 1.20
   * templates set it for inbound sidecars and gateways only when no configOverride is given
   * (istio/istio@1.17.8:manifests/charts/istio-control/istio-discovery/templates/telemetryv2_1.17.yaml).
   */
  readonly disable_host_header_fallback?: boolean;
  readonly metrics?: readonly StatsMetricConfig[];
  readonly definitions?: readonly StatsMetricDefinition[];
}

export interface StatsMetricConfig {
  /** A standard metric base name; empty means every metric. */
  readonly name?: string;
  /** Dimension name to CEL expression. */
  readonly dimensions?: Readonly<Record<string, string>>;
  readonly tags_to_remove?: readonly string[];
  /** Do not report the selected metric. */
  readonly drop?: boolean;
}

export interface StatsMetricDefinition {
  readonly name: string;
  readonly type?: 'COUNTER' | 'GAUGE' | 'HISTOGRAM';
  /** CEL expression giving the value to record. */
  readonly value: string;
}
