// Public API of cdk8s-istio-observability. Layers: imports/ (generated L1) → overlays/ (hand-written
// L1) → the L2 constructs below → composed stacks.

export { AttributeGen, type AttributeGenProps, type AttributeMatch } from './attributes/attribute-gen';
export { type DimensionValue, type GeneratedAttribute, isGeneratedAttribute } from './attributes/generated-attribute';
export { BootstrapOverride, type BootstrapOverrideProps, CUSTOM_BOOTSTRAP_KEY } from './bootstrap/bootstrap-override';
export {
  type EnvoyBootstrapOverride,
  type EnvoyHttpTracer,
  ZipkinCollectorEndpointVersion,
  type ZipkinConfig,
  type ZipkinTracingOverrideProps,
  zipkinTracingOverride,
} from './bootstrap/envoy-bootstrap';
export { ConfigFile, ConfigFileError } from './config/config-file';
export type * from './config/observability-config';
export { BookRecipes } from './demo/book-recipes';
export { CoolstoreGateway, type CoolstoreGatewayProps } from './demo/coolstore-gateway';
export { HttpbinEgress, type HttpbinEgressProps } from './demo/httpbin-egress';
export { IstioInActionApp, type IstioInActionAppProps } from './demo/istioinaction-app';
export { IstioInActionService, type IstioInActionServiceProps } from './demo/istioinaction-service';
export { ObservabilityConfigError } from './errors';
export { IstioInstallOverlay, type IstioInstallOverlayProps, type MetricOverride } from './mesh/istio-install-overlay';
export { IstioMesh, type IstioMeshProps } from './mesh/istio-mesh';
export { MetricDefinition, type MetricDefinitionProps, MetricType } from './metrics/metric-definition';
export { MetricDimensions, type MetricDimensionsProps } from './metrics/metric-dimensions';
export { ALL_PROXY_KINDS, ProxyKind } from './metrics/proxy-kind';
export { STANDARD_LABELS, STANDARD_METRIC_NAMES, StandardMetric } from './metrics/standard-metrics';
export * from './overlays/istio-operator';
export {
  BOOTSTRAP_OVERRIDE_ANNOTATION,
  IstioPodAnnotations,
  PROXY_CONFIG_ANNOTATION,
} from './proxy-config/istio-pod-annotations';
export type {
  CustomTagConfig,
  ProxyConfigFragment,
  ProxyStatsMatcherConfig,
  ProxyTracingConfig,
} from './proxy-config/proxy-config-fragment';
export { ProxyTarget } from './proxy-config/proxy-target';
export { ObservabilityStack, type ObservabilityStackProps } from './stacks/observability-stack';
export { type ClusterStatProps, EnvoyStatName } from './stats/envoy-stat-name';
export { StatsInclusion, type StatsInclusionProps } from './stats/stats-inclusion';
export { type SynthOptions, type SynthReport, synthAtomically } from './synth/atomic-synth';
export { CustomTag, CustomTraceTags, type CustomTraceTagsProps } from './tracing/custom-trace-tags';
export { PilotTraceSampling, type PilotTraceSamplingProps } from './tracing/pilot-trace-sampling';
export { TraceSampling, type TraceSamplingProps } from './tracing/trace-sampling';
export { ZipkinTracer, type ZipkinTracerProps } from './tracing/zipkin-tracer';
export { validateApp } from './validate/app-validator';
export { type Finding, formatFinding, type Severity, ValidationFailedError } from './validate/finding';
export type { AppRule, InputRule, Manifest, RenderedObject, RuleFinding, ValidationContext } from './validate/rule';
export { APP_RULES, INPUT_RULES } from './validate/rule-catalog';
export type { AttributeSource, CelExpressionSource, CelSite, MetricCustomizationSource } from './validate/sources';
export { IstioVersion } from './version/istio-version';
export { DEFAULT_ISTIO_VERSION, type TelemetryMechanisms, VersionPolicy } from './version/version-policy';
