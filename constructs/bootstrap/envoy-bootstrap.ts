import { problem } from '../../core/errors';
import type { Problem } from '../../core/problems/problem';
import { statement } from '../../core/problems/problem';

/**
 * The part of Envoy's `envoy.config.bootstrap.v3.Bootstrap` that a bootstrap override sets, in
 * Envoy's proto-JSON field names (envoyproxy/envoy api/envoy/config/trace/v3/zipkin.proto). pilot-agent merges the override over the bootstrap
 * Istio generates.
 */
export interface EnvoyBootstrapOverride {
  /** Extra static clusters, appended to Istio's (repeated fields append when Envoy merges `--config-yaml`). */
  readonly staticResources?: { readonly clusters: readonly EnvoyCluster[] };
  /** Bootstrap-level tracer (`Bootstrap.tracing`, deprecated in Envoy in favour of HCM tracing, still what Istio's legacy path uses). */
  readonly tracing?: { readonly http: EnvoyHttpTracer };
  /** Where Envoy pushes its stats (`Bootstrap.stats_sinks`), appended to Istio's. */
  readonly statsSinks?: readonly EnvoyStatsSink[];
}

/** Where a builder below keeps what was wrong with its input, for the construct that uses the override to report. */
const INPUT_PROBLEMS = Symbol('bootstrap override input problems');

/**
 * What was wrong with the input of the builder(s) that made `override` (e.g. `statsd.address: got
 * "x", expected host:port`); empty for a well-formed override. The builders do not throw: they have
 * no construct to name, so {@link BootstrapOverride} reports these with its path.
 */
export function bootstrapOverrideProblems(override: EnvoyBootstrapOverride): readonly Problem[] {
  return (override as { [INPUT_PROBLEMS]?: readonly Problem[] })[INPUT_PROBLEMS] ?? [];
}

/** Attaches `problems` to `override` without changing its JSON (a symbol key is not serialized). */
function withProblems(override: EnvoyBootstrapOverride, problems: readonly Problem[]): EnvoyBootstrapOverride {
  if (problems.length > 0) Object.defineProperty(override, INPUT_PROBLEMS, { value: [...problems], enumerable: false });
  return override;
}

/** A STRICT_DNS `envoy.config.cluster.v3.Cluster` with one endpoint. */
export interface EnvoyCluster {
  readonly name: string;
  readonly type: 'STRICT_DNS';
  readonly connectTimeout: string;
  readonly loadAssignment: {
    readonly clusterName: string;
    readonly endpoints: readonly {
      readonly lbEndpoints: readonly {
        readonly endpoint: {
          readonly address: { readonly socketAddress: { readonly address: string; readonly portValue: number } };
        };
      }[];
    }[];
  };
}

/** `envoy.config.metrics.v3.StatsSink` with the statsd sink. */
export interface EnvoyStatsSink {
  readonly name: 'envoy.stat_sinks.statsd';
  readonly typedConfig: {
    readonly '@type': 'type.googleapis.com/envoy.config.metrics.v3.StatsdSink';
    readonly tcpClusterName: string;
    readonly prefix?: string;
  };
}

export interface EnvoyHttpTracer {
  readonly name: 'envoy.tracers.zipkin';
  readonly typedConfig: ZipkinConfig;
}

/** `Bootstrap.tracing.http.typedConfig` for the Zipkin tracer. */
export interface ZipkinConfig {
  readonly '@type': 'type.googleapis.com/envoy.config.trace.v3.ZipkinConfig';
  /**
   * Name of the cluster that receives spans. Istio's bootstrap defines `zipkin` only for proxies
   * whose ProxyConfig has a zipkin tracer (every proxy up to 1.21; from 1.22 only where
   * ProxyConfig sets one): elsewhere name a cluster the override defines (`collectorAddress`).
   */
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
export type ZipkinTracingOverrideProps = Omit<ZipkinConfig, '@type'> & {
  /**
   * The collector as `host:port` (e.g. `zipkin.istio-system:9411`): the override then defines
   * `collectorCluster` itself, a STRICT_DNS static cluster, so the tracer does not depend on Istio's
   * `zipkin` cluster, which ProxyConfig zipkin tracing alone creates. Not with `collectorCluster:
   * zipkin`: a second cluster of that name makes Envoy refuse the bootstrap.
   * @default - none: `collectorCluster` must exist in Istio's bootstrap
   */
  readonly collectorAddress?: string;
};

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
  const tracing = { http: { name: 'envoy.tracers.zipkin', typedConfig } } as const;
  if (props.collectorAddress === undefined) return { tracing };
  const address = hostPort(props.collectorAddress);
  const problems = address
    ? []
    : [problem(['zipkin', 'collectorAddress'], props.collectorAddress, 'host:port, e.g. "zipkin.istio-system:9411"')];
  if (props.collectorCluster === 'zipkin') {
    problems.push(
      problem(['zipkin', 'collectorCluster'], props.collectorCluster, 'another cluster name, e.g. "jaeger-zipkin"', {
        what: "with collectorAddress the override defines the cluster, and Istio's bootstrap has its own zipkin cluster wherever ProxyConfig has a zipkin tracer; Envoy refuses two of one name",
      }),
    );
  }
  return withProblems(
    {
      staticResources: {
        clusters: [strictDnsCluster(props.collectorCluster, address?.host ?? '', address?.port ?? 0)],
      },
      tracing,
    },
    problems,
  );
}

/** `host:port` with a DNS host and a port from 1 to 65535, or undefined. */
function hostPort(value: string): { host: string; port: number } | undefined {
  const match = /^([A-Za-z0-9.-]+):(\d{1,5})$/.exec(String(value));
  const port = Number(match?.[2]);
  return match && port >= 1 && port <= 65535 ? { host: match[1] as string, port } : undefined;
}

/**
 * A STRICT_DNS static cluster with one endpoint: pilot-agent only substitutes `$(HOST_IP)` in an
 * override and resolves no hostnames (istio/istio@1.30.3:pkg/envoy/proxy.go readBootstrapToJSON).
 */
function strictDnsCluster(name: string, host: string, port: number): EnvoyCluster {
  return {
    name,
    type: 'STRICT_DNS',
    connectTimeout: '1s',
    loadAssignment: {
      clusterName: name,
      endpoints: [{ lbEndpoints: [{ endpoint: { address: { socketAddress: { address: host, portValue: port } } } }] }],
    },
  };
}

export interface StatsdSinkOverrideProps {
  /** The statsd server as `host:port`, e.g. `statsd.istioinaction:9125` (statsd_exporter listens on TCP 9125). */
  readonly address: string;
  /** Prefix of every stat name. @default - Envoy's default, `envoy` */
  readonly prefix?: string;
  /** Name of the static cluster that reaches the server. @default 'statsd' */
  readonly clusterName?: string;
}

/**
 * Builds a bootstrap override that pushes Envoy's stats to statsd: Istio in Action chapter 7's recipe
 * (`--statsdUdpAddress statsd:8125`, a pilot-agent flag of Istio 1.3) as Envoy config.
 *
 * It uses a STRICT_DNS static cluster and the sink's `tcp_cluster_name`, because a UDP sink takes
 * a socket address that must be an IP literal, and pilot-agent resolves no hostnames in an override
 * (it only substitutes `$(HOST_IP)`, istio/istio@1.30.3:pkg/envoy/proxy.go readBootstrapToJSON). Source: envoyproxy/envoy
 * `api/envoy/config/metrics/v3/stats.proto` (StatsdSink).
 */
export function statsdSinkOverride(props: StatsdSinkOverrideProps): EnvoyBootstrapOverride {
  const address = hostPort(props.address);
  const problems = address
    ? []
    : [problem(['statsd', 'address'], props.address, 'host:port, e.g. "statsd.istioinaction:9125"')];
  const clusterName = props.clusterName ?? 'statsd';
  return withProblems(
    {
      staticResources: { clusters: [strictDnsCluster(clusterName, address?.host ?? '', address?.port ?? 0)] },
      statsSinks: [
        {
          name: 'envoy.stat_sinks.statsd',
          typedConfig: {
            '@type': 'type.googleapis.com/envoy.config.metrics.v3.StatsdSink',
            tcpClusterName: clusterName,
            ...(props.prefix !== undefined ? { prefix: props.prefix } : {}),
          },
        },
      ],
    },
    problems,
  );
}

/** Combines overrides of different bootstrap fields into one `custom_bootstrap.json` (a pod reads one). */
export function combineBootstrapOverrides(...parts: readonly EnvoyBootstrapOverride[]): EnvoyBootstrapOverride {
  const clusters = parts.flatMap((p) => p.staticResources?.clusters ?? []);
  const sinks = parts.flatMap((p) => p.statsSinks ?? []);
  const tracers = parts.flatMap((p) => (p.tracing ? [p.tracing] : []));
  const problems = parts.flatMap((p) => bootstrapOverrideProblems(p));
  if (tracers.length > 1) {
    problems.push(
      statement(
        ['tracing'],
        `set by ${tracers.length} of the combined overrides, expected one (a bootstrap has one tracer)`,
      ),
    );
  }
  return withProblems(
    {
      ...(clusters.length > 0 ? { staticResources: { clusters } } : {}),
      ...(tracers[0] ? { tracing: tracers[0] } : {}),
      ...(sinks.length > 0 ? { statsSinks: sinks } : {}),
    },
    problems,
  );
}
