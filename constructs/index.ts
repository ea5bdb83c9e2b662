// Public API of cdk8s-istio-observability: the constructs, and the facts and contracts they are
// typed with. Importing it loads no validator: validation and lint are
// cdk8s-istio-observability/validate, the config file and its stacks /config, writing an app's
// output folder /app, the cdk8s-cli plugin /plugin, the book's demo /demo. Each entry point has
// its report in api/*.api.md: every change to what it exports shows there in review.

export {
  type CommandOperator,
  type CommandOperatorParam,
  ENVOY_COMMAND_OPERATORS,
} from '../core/checks/envoy-log-format';
export type {
  AttributeSource,
  CaveatSource,
  CelExpressionSource,
  CelResultType,
  CelSite,
  MetricCustomizationSource,
  PolicyNoteSource,
} from '../core/contracts/construct-sources';
export { ObservabilityConfigError } from '../core/errors';
export {
  BOOTSTRAP_OVERRIDE_ANNOTATION,
  CUSTOM_BOOTSTRAP_KEY,
  PROXY_CONFIG_ANNOTATION,
} from '../core/istio/istio-names';
export { ALL_PROXY_KINDS, ProxyKind } from '../core/istio/proxy-kind';
export { STANDARD_LABELS, STANDARD_METRIC_NAMES, StandardMetric } from '../core/istio/standard-metrics';
export type { FieldPath, FieldSegment, KeySet } from '../core/problems/field-path';
export { renderField } from '../core/problems/field-path';
export { describeProblem, describeProblemWithHint, formatValue, type Problem } from '../core/problems/problem';
export { renderLocation, type SourceLocation } from '../core/problems/source-location';
export {
  type CelRefusal,
  type CelTranslation,
  type CelTranslationOptions,
  translateCel,
} from '../core/version/cel-vocabulary';
export { IstioVersion } from '../core/version/istio-version';
export { FEATURES, type FeatureName, type VersionFeature } from '../core/version/version-features';
export {
  type AddonMechanisms,
  type CrdFieldStatus,
  DEFAULT_ISTIO_VERSION,
  describeFeature,
  type MetricsCustomization,
  type TelemetryMechanisms,
  type TracingConfiguration,
  VersionPolicy,
} from '../core/version/version-policy';
export { LabelPatch, type LabelPatchProps } from './ambient/label-patch';
export {
  DATAPLANES,
  type Dataplane,
  type MeshNamespace,
  type MeshNamespaceOptions,
  MeshNamespaces,
} from './ambient/mesh-namespaces';
export { WAYPOINT_HBONE_PORT, Waypoint, type WaypointProps, type WaypointTraffic } from './ambient/waypoint';
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
export { JaegerMonitor, type JaegerMonitorProps } from './backends/jaeger-monitor';
export { JaegerStorage } from './backends/jaeger-storage';
export { KialiInstance, type KialiInstanceProps } from './backends/kiali-instance';
export {
  DEFAULT_RUNBOOK_URL,
  MeshAlertRules,
  type MeshAlertRulesProps,
} from './backends/mesh-alert-rules';
export { MeshMetrics } from './backends/mesh-metrics';
export {
  MeshRecordingRules,
  type MeshRecordingRulesProps,
  type RecordingRule,
  type RecordingRuleGroup,
} from './backends/mesh-recording-rules';
export type { AddedDimension, CustomMetric, Reporter } from './backends/mesh-series';
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
  PROMETHEUS_RULES_KEY,
  PrometheusScrapeConfig,
  type PrometheusScrapeConfigProps,
} from './backends/prometheus-scrape-config';
export type { AlertRule, Rule, RuleGroup } from './backends/rule-groups';
export type { CollectorScrapeJob, ProxyScrapeJob, ScrapeJobs } from './backends/scrape-jobs';
export {
  DEFAULT_SECURE_METRICS_PORT,
  KUBE_PROMETHEUS_STACK_VALUES_FILE,
  SecureMetricsScrape,
  type SecureMetricsScrapeProps,
} from './backends/secure-metrics';
export {
  type LatencyObjective,
  ServiceLevelObjective,
  type ServiceLevelObjectiveProps,
  type ServiceRef,
} from './backends/service-level-objective';
export { SLO_DASHBOARD_KEY } from './backends/slo-dashboard';
export { BURN_RATE_ALERT, type Sli, type SliKind, type SloTarget } from './backends/slo-rules';
export { HEALTH_ALERTS } from './backends/telemetry-health-alerts';
export { ZtunnelMonitor, type ZtunnelMonitorProps } from './backends/ztunnel-monitor';
export { BootstrapOverride, type BootstrapOverrideProps } from './bootstrap/bootstrap-override';
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
export { HelmValuesFile } from './intent/helm-values-file';
export {
  type AccessLogFormat,
  AccessLogging,
  type AccessLoggingProps,
  type FileAccessLogProps,
  type OpenTelemetryAccessLogProps,
} from './logging/access-logging';
export {
  AmbientInstall,
  type AmbientInstallProps,
  CNI_VALUES_FILE,
  ZTUNNEL_ACCESS_LOG_LEVEL,
  ZTUNNEL_VALUES_FILE,
} from './mesh/ambient-install';
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
export type { LabelMatcher, RequestSubset } from './metrics/request-subset';
export * from './overlays/istio-operator';
export * from './overlays/kiali';
export { IstioPodAnnotations } from './proxy-config/istio-pod-annotations';
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
export { type ClusterStatProps, EnvoyStatName } from './stats/envoy-stat-name';
export { StatsInclusion, type StatsInclusionProps } from './stats/stats-inclusion';
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
