/**
 * The declarative form of an app: what observability.yaml holds, as typed data. Every type here
 * is derived from the types generated from the config's JSON schema
 * (schemas/observability.schema.json → observability-config.generated.ts), so the format is
 * written once; these give them read-only, public names. {@link ObservabilityStack} turns a
 * config into constructs.
 */
import type { CustomTagEntry, ObservabilityConfigDocument, Target } from './observability-config.generated';

export type {
  CustomTagEntry,
  DnsLabel,
  DnsSubdomain,
  ObservabilityConfigDocument,
  Target,
  WorkloadName,
} from './observability-config.generated';

/** Every field read-only, all the way down, as constructs receive their props. */
export type DeepReadonly<T> = T extends (infer U)[]
  ? readonly DeepReadonly<U>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;

/** A top-level section of the config, when it is given. */
export type ConfigSection<K extends keyof ObservabilityConfig> = NonNullable<ObservabilityConfig[K]>;
/** One entry of a section keyed by construct id. */
export type ConfigEntry<K extends keyof ObservabilityConfig> = NonNullable<
  ConfigSection<K>[string & keyof ConfigSection<K>]
>;

/** The whole file. */
export type ObservabilityConfig = DeepReadonly<ObservabilityConfigDocument>;
/** `mesh`, one namespace (Telemetry API only), or one workload. */
export type TargetConfig = DeepReadonly<Target>;
/** `inboundSidecar`, `outboundSidecar` or `gateway`. */
export type ProxyKindName = NonNullable<AttributeGeneratorConfig['proxies']>[number];
/** One cluster (or environment): its own Istio release and what it changes in the shared declaration. */
export type ClusterConfig = ConfigEntry<'clusters'>;
/** Where the output is committed, and which GitOps engine objects to generate for it. */
export type GitOpsConfig = ConfigSection<'gitops'>;
/** The backends that collect and show the mesh's telemetry (chart `observability-backends`). */
export type BackendsConfig = ConfigSection<'backends'>;
export type StatsInclusionConfig = ConfigEntry<'statsInclusion'>;
export type MetricDimensionsConfig = ConfigEntry<'metricDimensions'>;
export type MetricDefinitionConfig = ConfigEntry<'metricDefinitions'>;
export type AttributeGeneratorConfig = ConfigEntry<'attributeGenerators'>;
export type CustomTagConfigEntry = DeepReadonly<CustomTagEntry>;
export type CustomTraceTagsConfig = ConfigEntry<'customTraceTags'>;
export type BootstrapOverrideConfig = ConfigEntry<'bootstrapOverrides'>;
/** One declared workload: its namespace, pod selector and kind. */
export type WorkloadConfig = ConfigEntry<'workloads'>;
