/**
 * The declarative form of an app: what observability.yaml holds, as typed data.
 * The JSON Schema in schemas/observability.schema.json describes the same shape for editors and
 * for validation; {@link ObservabilityStack} turns it into constructs.
 */

export type ProxyKindName = 'inboundSidecar' | 'outboundSidecar' | 'gateway';
/** A workload of the demo app. */
export type WorkloadName = 'webapp' | 'catalog';
/** `mesh`, one namespace (Telemetry API only), or one workload. */
export type TargetConfig = 'mesh' | { readonly workload: WorkloadName } | { readonly namespace: string };

export interface ObservabilityConfig {
  readonly istioVersion: string;
  readonly namespace: string;
  readonly mesh?: {
    readonly rootNamespace?: string;
    readonly installName?: string;
    readonly profile?: string;
    readonly metricsCustomization?: 'istio-operator' | 'telemetry-api';
    readonly tracing?: 'proxy-config' | 'telemetry-api';
    readonly clusterDomain?: string;
    readonly peerMetadataLabels?: readonly string[];
    readonly mixedProxyVersions?: boolean;
  };
  readonly demoApp?: { readonly gateway?: boolean; readonly httpbinEgress?: boolean };
  readonly statsInclusion?: Readonly<Record<string, StatsInclusionConfig>>;
  readonly metricDimensions?: Readonly<Record<string, MetricDimensionsConfig>>;
  readonly metricDefinitions?: Readonly<Record<string, MetricDefinitionConfig>>;
  readonly attributeGenerators?: Readonly<Record<string, AttributeGeneratorConfig>>;
  readonly pilotTraceSampling?: number;
  readonly traceSampling?: Readonly<Record<string, { readonly target: TargetConfig; readonly percentage: number }>>;
  readonly zipkinTracers?: Readonly<
    Record<
      string,
      { readonly target: TargetConfig; readonly address?: string; readonly provider?: string; readonly path?: string }
    >
  >;
  readonly openTelemetryTracers?: Readonly<
    Record<
      string,
      {
        readonly target: TargetConfig;
        readonly address?: string;
        readonly provider?: string;
        readonly httpPath?: string;
      }
    >
  >;
  readonly customTraceTags?: Readonly<Record<string, CustomTraceTagsConfig>>;
  readonly bootstrapOverrides?: Readonly<Record<string, BootstrapOverrideConfig>>;
  readonly backends?: BackendsConfig;
  /** Clusters to synthesize, each with its target release and overrides of the sections above. */
  readonly clusters?: Readonly<Record<string, ClusterConfig>>;
  /** GitOps delivery objects for the cluster folders. */
  readonly gitops?: GitOpsConfig;
}

/** One cluster (or environment): its own Istio release and what it changes in the shared declaration. */
export interface ClusterConfig {
  readonly istioVersion: string;
  /** Sections merged over the shared declaration: mappings key by key, lists and values replaced, null removes. */
  readonly overrides?: Readonly<Record<string, unknown>>;
}

/** Where the output is committed, and which GitOps engine objects to generate for it. */
export interface GitOpsConfig {
  readonly repoURL: string;
  /** @default 'HEAD' */
  readonly revision?: string;
  /** @default the output folder as given */
  readonly path?: string;
  /** @default false */
  readonly prune?: boolean;
  /** @default { namespace: 'argocd', project: 'default' } */
  readonly argocd?: false | { readonly namespace?: string; readonly project?: string };
  /** @default { namespace: 'flux-system', sourceRef: 'flux-system', interval: '10m' } */
  readonly flux?: false | { readonly namespace?: string; readonly sourceRef?: string; readonly interval?: string };
}

/** The backends that collect and show the mesh's telemetry (chart `observability-backends`). */
export interface BackendsConfig {
  readonly prometheus?: { readonly release?: string; readonly namespace?: string; readonly url?: string };
  readonly prometheusOperator?:
    | false
    | {
        readonly interval?: string;
        readonly podMonitorRelabeling?: 'book' | 'dual-stack';
        readonly recordingRules?: boolean;
      };
  readonly scrapeConfig?: {
    readonly name: string;
    readonly namespace?: string;
    readonly labels?: Readonly<Record<string, string>>;
    readonly scrapeInterval?: string;
    readonly pruneEnvoyStats?: boolean;
  };
  readonly jaeger?: {
    /** Exactly one key (the JSON schema has maxProperties 1). */
    readonly storage: {
      readonly memory?: { readonly maxTraces?: number };
      readonly badgerOnEmptyDir?: Readonly<Record<string, never>>;
      readonly badgerOnClaim?: string;
    };
    readonly namespace?: string;
    readonly image?: string;
    readonly generation?: 'v1-all-in-one' | 'v2';
  };
  readonly grafana?:
    | false
    | {
        readonly name?: string;
        readonly namespace?: string;
        readonly sidecarLabel?: { readonly name: string; readonly value: string };
      };
  readonly kiali?:
    | false
    | {
        readonly name?: string;
        readonly namespace?: string;
        readonly auth?: 'token' | 'openid' | 'openshift' | 'header' | 'anonymous';
      };
}

export interface StatsInclusionConfig {
  readonly target: TargetConfig;
  readonly inclusionPrefixes?: readonly string[];
  readonly inclusionSuffixes?: readonly string[];
  readonly inclusionRegexps?: readonly string[];
}

export interface MetricDimensionsConfig {
  readonly metric: string;
  readonly target?: TargetConfig;
  readonly proxies?: readonly ProxyKindName[];
  readonly dimensions?: Readonly<Record<string, string | { readonly attribute: string; readonly generator?: string }>>;
  readonly tagsToRemove?: readonly string[];
  readonly extraStatTagsFor?: readonly WorkloadName[];
}

export interface MetricDefinitionConfig {
  readonly name: string;
  readonly type: 'COUNTER' | 'GAUGE' | 'HISTOGRAM';
  readonly value: string;
  readonly proxies?: readonly ProxyKindName[];
  readonly dimensions?: Readonly<Record<string, string | Readonly<Partial<Record<ProxyKindName, string>>>>>;
  readonly standardLabels?: readonly (
    | 'reporter'
    | 'source_workload'
    | 'source_workload_namespace'
    | 'destination_workload'
    | 'destination_workload_namespace'
  )[];
  readonly implementation?: 'stats-filter' | 'recording-rule';
}

export interface AttributeGeneratorConfig {
  readonly name?: string;
  readonly namespace?: string;
  readonly proxies?: readonly ProxyKindName[];
  readonly workload?: WorkloadName;
  readonly module?: string;
  readonly sha256?: string;
  readonly phase?: 'AUTHN' | 'AUTHZ' | 'STATS';
  readonly attributes: Readonly<
    Record<
      string,
      readonly {
        readonly value: string;
        readonly condition?: string;
        readonly request?: { readonly path?: string; readonly pathPrefix?: string; readonly method?: string };
      }[]
    >
  >;
}

export interface CustomTagConfigEntry {
  readonly literal?: string;
  readonly environment?: string;
  readonly header?: string;
  readonly formatter?: string;
  readonly defaultValue?: string;
}

export interface CustomTraceTagsConfig {
  readonly target: TargetConfig;
  readonly tags: Readonly<Record<string, CustomTagConfigEntry>>;
}

export interface BootstrapOverrideConfig {
  readonly name?: string;
  readonly workloads: readonly WorkloadName[];
  readonly statsd?: { readonly address: string; readonly prefix?: string };
  readonly zipkin?: {
    readonly collectorCluster: string;
    readonly collectorEndpoint: string;
    readonly traceId128bit?: boolean;
    readonly sharedSpanContext?: boolean;
    readonly collectorEndpointVersion?: 'HTTP_JSON' | 'HTTP_PROTO';
    readonly collectorHostname?: string;
    readonly collectorAddress?: string;
  };
}
