/**
 * The declarative form of an app: what observability.yaml holds, as typed data. Every type here
 * is derived from the types generated from the config's JSON schema
 * (schemas/observability.schema.json → observability-config.generated.ts), so the format is
 * written once; these give them read-only, public names. {@link ObservabilityStack} turns a
 * config into constructs.
 */
import type {
  CustomTag,
  ObservabilityConfigDocument,
  Target,
  WorkloadName as Workload,
} from './observability-config.generated';

/** Every field read-only, all the way down, as constructs receive their props. */
type DeepReadonly<T> = T extends (infer U)[]
  ? readonly DeepReadonly<U>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;

type Section<K extends keyof ObservabilityConfig> = NonNullable<ObservabilityConfig[K]>;
/** One entry of a section keyed by construct id. */
type Entry<K extends keyof ObservabilityConfig> = NonNullable<Section<K>[string & keyof Section<K>]>;

/** The whole file. */
export type ObservabilityConfig = DeepReadonly<ObservabilityConfigDocument>;
/** A workload of the demo app. */
export type WorkloadName = Workload;
/** `mesh`, one namespace (Telemetry API only), or one workload. */
export type TargetConfig = DeepReadonly<Target>;
/** `inboundSidecar`, `outboundSidecar` or `gateway`. */
export type ProxyKindName = NonNullable<AttributeGeneratorConfig['proxies']>[number];
/** One cluster (or environment): its own Istio release and what it changes in the shared declaration. */
export type ClusterConfig = Entry<'clusters'>;
/** Where the output is committed, and which GitOps engine objects to generate for it. */
export type GitOpsConfig = Section<'gitops'>;
/** The backends that collect and show the mesh's telemetry (chart `observability-backends`). */
export type BackendsConfig = Section<'backends'>;
export type StatsInclusionConfig = Entry<'statsInclusion'>;
export type MetricDimensionsConfig = Entry<'metricDimensions'>;
export type MetricDefinitionConfig = Entry<'metricDefinitions'>;
export type AttributeGeneratorConfig = Entry<'attributeGenerators'>;
export type CustomTagConfigEntry = DeepReadonly<CustomTag>;
export type CustomTraceTagsConfig = Entry<'customTraceTags'>;
export type BootstrapOverrideConfig = Entry<'bootstrapOverrides'>;
