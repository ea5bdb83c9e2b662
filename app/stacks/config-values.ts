import type { IConstruct } from 'constructs';
import { WasmPhase } from '../../constructs/attributes/attribute-gen';
import { ZipkinCollectorEndpointVersion } from '../../constructs/bootstrap/envoy-bootstrap';
import { type DefinitionDimension, MetricImplementation, MetricType } from '../../constructs/metrics/metric-definition';
import { standardMetricProblems } from '../../core/checks/standard-metric-name-checks';
import { ObservabilityConfigError } from '../../core/errors';
import { ProxyKind } from '../../core/istio/proxy-kind';
import { STANDARD_METRIC_NAMES, StandardMetric } from '../../core/istio/standard-metrics';
import type {
  AttributeGeneratorConfig,
  BootstrapOverrideConfig,
  MetricDefinitionConfig,
  ProxyKindName,
} from '../config/observability-config';

/**
 * The config's names for the constructs' enum members. Typed both ways, so a value the schema
 * adds without a member here, or a member the schema lacks, fails to compile: config strings
 * become enum members by lookup, never by a cast.
 */
const PROXY_KINDS: Readonly<Record<ProxyKindName, ProxyKind>> = {
  inboundSidecar: ProxyKind.INBOUND_SIDECAR,
  outboundSidecar: ProxyKind.OUTBOUND_SIDECAR,
  gateway: ProxyKind.GATEWAY,
};
const PROXY_KIND_NAMES: readonly ProxyKindName[] = ['inboundSidecar', 'outboundSidecar', 'gateway'];

export const METRIC_TYPES: Readonly<Record<MetricDefinitionConfig['type'], MetricType>> = {
  COUNTER: MetricType.COUNTER,
  GAUGE: MetricType.GAUGE,
  HISTOGRAM: MetricType.HISTOGRAM,
};

export const METRIC_IMPLEMENTATIONS: Readonly<
  Record<NonNullable<MetricDefinitionConfig['implementation']>, MetricImplementation>
> = {
  'stats-filter': MetricImplementation.STATS_FILTER,
  'recording-rule': MetricImplementation.RECORDING_RULE,
};

export const WASM_PHASES: Readonly<Record<NonNullable<AttributeGeneratorConfig['phase']>, WasmPhase>> = {
  AUTHN: WasmPhase.AUTHN,
  AUTHZ: WasmPhase.AUTHZ,
  STATS: WasmPhase.STATS,
};

type ZipkinVersionName = NonNullable<NonNullable<BootstrapOverrideConfig['zipkin']>['collectorEndpointVersion']>;
export const ZIPKIN_ENDPOINT_VERSIONS: Readonly<Record<ZipkinVersionName, ZipkinCollectorEndpointVersion>> = {
  HTTP_JSON: ZipkinCollectorEndpointVersion.HTTP_JSON,
  HTTP_PROTO: ZipkinCollectorEndpointVersion.HTTP_PROTO,
};

/** `proxies:` as proxy kinds; undefined (the construct's default) when not given. */
export function proxyKinds(names: readonly ProxyKindName[] | undefined): ProxyKind[] | undefined {
  return names?.map((name) => PROXY_KINDS[name]);
}

/** A new metric's dimensions, per-proxy expressions keyed by proxy kind. */
export function definitionDimensions(
  dimensions: MetricDefinitionConfig['dimensions'],
): Record<string, DefinitionDimension> | undefined {
  if (dimensions === undefined) return undefined;
  return Object.fromEntries(
    Object.entries(dimensions).map(([name, value]) => [
      name,
      typeof value === 'string'
        ? value
        : // The schema allows exactly these keys (additionalProperties: false).
          Object.fromEntries(
            PROXY_KIND_NAMES.flatMap((proxy) =>
              value[proxy] === undefined ? [] : [[PROXY_KINDS[proxy], value[proxy]]],
            ),
          ),
    ]),
  );
}

/**
 * A standard metric by its base name. The schema leaves `metric` free so that the refusal can
 * point at the base name (`request_bytes_bucket` → `request_bytes`); it is the construct's check.
 */
export function standardMetric(scope: IConstruct, name: string): StandardMetric {
  const metric = Object.values(StandardMetric).find((m) => m === name);
  if (metric) return metric;
  throw new ObservabilityConfigError(scope, standardMetricProblems(['metric'], name, STANDARD_METRIC_NAMES));
}
