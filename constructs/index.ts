// Public API of cdk8s-istio-observability. Layers: imports/ (generated L1) → overlays/ (hand-written
// L1) → the L2 constructs below → composed stacks. api/cdk8s-istio-observability.api.md is its
// report: every change to what this file exports shows there in review. The book's demo app is
// the separate entry point cdk8s-istio-observability/demo (constructs/demo/index.ts).

export {
  ATTRIBUTEGEN_MODULE_URL,
  AttributeGen,
  type AttributeGenProps,
  type AttributeMatch,
  WasmPhase,
} from './attributes/attribute-gen';
export { type DimensionValue, type GeneratedAttribute, isGeneratedAttribute } from './attributes/generated-attribute';
export { celString, type RequestMatch, requestCondition } from './attributes/request-condition';
export { EnvoyStatsMonitor, type EnvoyStatsMonitorProps, type PodRelabeling } from './backends/envoy-stats-monitor';
export {
  ISTIOD_MONITORING_PORT,
  IstioComponentMonitor,
  type IstioComponentMonitorProps,
} from './backends/istio-component-monitor';
export {
  type DashboardPanel,
  IstioDashboards,
  type IstioDashboardsProps,
  WORKLOADS_DASHBOARD_KEY,
} from './backends/istio-dashboards';
export { Jaeger, type JaegerGeneration, type JaegerNetworkPolicy, type JaegerProps } from './backends/jaeger';
export { JaegerStorage } from './backends/jaeger-storage';
export { KialiInstance, type KialiInstanceProps } from './backends/kiali-instance';
export { type AddedDimension, type CustomMetric, MeshMetrics, type Reporter } from './backends/mesh-metrics';
export {
  MeshRecordingRules,
  type MeshRecordingRulesProps,
  type RecordingRule,
  type RecordingRuleGroup,
} from './backends/mesh-recording-rules';
export {
  ObservabilityBackends,
  type ObservabilityBackendsProps,
  type PrometheusOperatorOptions,
} from './backends/observability-backends';
export {
  type KubePrometheusStackProps,
  kubePrometheusStackFullname,
  PrometheusInstance,
} from './backends/prometheus-instance';
export {
  PROMETHEUS_CONFIG_KEY,
  PrometheusScrapeConfig,
  type PrometheusScrapeConfigProps,
} from './backends/prometheus-scrape-config';
export {
  DEFAULT_SECURE_METRICS_PORT,
  KUBE_PROMETHEUS_STACK_VALUES_FILE,
  SecureMetricsScrape,
  type SecureMetricsScrapeProps,
} from './backends/secure-metrics';
export { BootstrapOverride, type BootstrapOverrideProps, CUSTOM_BOOTSTRAP_KEY } from './bootstrap/bootstrap-override';
export {
  combineBootstrapOverrides,
  type EnvoyBootstrapOverride,
  type EnvoyCluster,
  type EnvoyHttpTracer,
  type EnvoyStatsSink,
  type StatsdSinkOverrideProps,
  statsdSinkOverride,
  ZipkinCollectorEndpointVersion,
  type ZipkinConfig,
  type ZipkinTracingOverrideProps,
  zipkinTracingOverride,
} from './bootstrap/envoy-bootstrap';
export {
  type ClusterDeclaration,
  ConfigFile,
  ConfigFileError,
  type ConfigProblem,
  formatConfigProblem,
} from './config/config-file';
export type * from './config/observability-config';
export { ObservabilityConfigError } from './errors';
export { HelmValuesFile } from './intent/helm-values-file';
export type {
  AttributeSource,
  CaveatSource,
  CelExpressionSource,
  CelResultType,
  CelSite,
  MetricCustomizationSource,
  PolicyNoteSource,
} from './intent/sources';
export { type LintReport, lintManifestFiles } from './lint/lint-stream';
export {
  type ManifestDocument,
  type ManifestFileProblem,
  type ManifestFiles,
  readManifestFiles,
} from './lint/manifest-files';
export { ManifestValidationError, type ManifestValidationOptions, validateManifests } from './lint/manifest-validator';
export {
  type AccessLogFormat,
  AccessLogging,
  type AccessLoggingProps,
  type FileAccessLogProps,
  type OpenTelemetryAccessLogProps,
} from './logging/access-logging';
export { type CommandOperator, type CommandOperatorParam, ENVOY_COMMAND_OPERATORS } from './logging/envoy-log-format';
export {
  ISTIO_OPERATOR_FILE,
  IstioInstallOverlay,
  type IstioInstallOverlayProps,
  type MeshInstallMethod,
  type MetricOverride,
} from './mesh/istio-install-overlay';
export { IstioMesh, type IstioMeshProps } from './mesh/istio-mesh';
export { ISTIOD_VALUES_FILE, IstiodHelmValues } from './mesh/istiod-helm-values';
export {
  AppMetricsEndpoints,
  type AppMetricsEndpointsProps,
  type ScrapeTarget,
} from './metrics/app-metrics-endpoints';
export { CustomMetricsFilter, type CustomMetricsFilterProps } from './metrics/custom-metrics-filter';
export {
  type DefinitionDimension,
  type DefinitionStandardLabel,
  MetricDefinition,
  type MetricDefinitionProps,
  MetricImplementation,
  MetricType,
} from './metrics/metric-definition';
export { MetricDimensions, type MetricDimensionsProps } from './metrics/metric-dimensions';
export { ALL_PROXY_KINDS, ProxyKind } from './metrics/proxy-kind';
export type { LabelMatcher, RequestSubset } from './metrics/request-subset';
export { STANDARD_LABELS, STANDARD_METRIC_NAMES, StandardMetric } from './metrics/standard-metrics';
export * from './overlays/istio-operator';
export * from './overlays/kiali';
export {
  type Cdk8sValidationContext,
  IstioObservabilityValidation,
  type IstioObservabilityValidationProps,
} from './plugin/validation-plugin';
export type { FieldPath, FieldSegment, KeySet } from './problems/field-path';
export { renderField } from './problems/field-path';
export { describeProblem, describeProblemWithHint, formatValue, type Problem } from './problems/problem';
export { renderLocation, type SourceLocation } from './problems/source-location';
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
export {
  type ObservedWorkload,
  WorkloadKind,
  type WorkloadPatch,
  WorkloadRef,
  type WorkloadRefProps,
  workloadSelector,
} from './proxy-config/workload-ref';
export { changeEffect, type StartupField, startupFields, type TakesEffect } from './review/change-effect';
export { ObservabilityStack, type ObservabilityStackProps } from './stacks/observability-stack';
export type { Locate } from './stacks/stack-context';
export { type ClusterStatProps, EnvoyStatName } from './stats/envoy-stat-name';
export { StatsInclusion, type StatsInclusionProps } from './stats/stats-inclusion';
export { type SynthOptions, type SynthReport, synthAtomically } from './synth/atomic-synth';
export { KUSTOMIZATION_FILE, PATCHES_FOLDER } from './synth/output-folder';
export {
  MeshTelemetry,
  PROMETHEUS_PROVIDER,
  type TelemetryMetric,
  type TelemetryMetricOverride,
  type TelemetryTracing,
  type WorkloadMode,
} from './telemetry/mesh-telemetry';
export { CustomTag, CustomTraceTags, type CustomTraceTagsProps } from './tracing/custom-trace-tags';
export { OpenTelemetryTracer, type OpenTelemetryTracerProps } from './tracing/opentelemetry-tracer';
export { PilotTraceSampling, type PilotTraceSamplingProps } from './tracing/pilot-trace-sampling';
export { TraceSampling, type TraceSamplingProps } from './tracing/trace-sampling';
export { ZipkinTracer, type ZipkinTracerProps } from './tracing/zipkin-tracer';
export { type AppValidation, validateApp, validateAppObjects } from './validate/app-validator';
export {
  type Finding,
  formatFinding,
  type ObjectRef,
  type Severity,
  ValidationFailedError,
} from './validate/finding';
export type {
  AppRule,
  InputRule,
  Manifest,
  RenderedObject,
  RuleFinding,
  ValidationContext,
  ValidationTarget,
} from './validate/rule';
export { APP_RULES } from './validate/rule-catalog';
export type { ObjectKind, ObjectSchemas, SchemaResult, SchemaSource } from './validate/schema/object-schemas';
export {
  type CelRefusal,
  type CelTranslation,
  type CelTranslationOptions,
  translateCel,
} from './version/cel-vocabulary';
export { IstioVersion } from './version/istio-version';
export { FEATURES, type FeatureName, type VersionFeature } from './version/version-features';
export {
  type AddonMechanisms,
  type CrdFieldStatus,
  DEFAULT_ISTIO_VERSION,
  describeFeature,
  type MetricsCustomization,
  type TelemetryMechanisms,
  type TracingConfiguration,
  VersionPolicy,
} from './version/version-policy';
