import { customTagRule } from '../core/checks/custom-tag-checks';
import { prometheusLabelNameRule } from '../core/checks/label-name-checks';
import { metricDefinitionNameRule } from '../core/checks/metric-definition-name-checks';
import { samplingPercentageRule } from '../core/checks/sampling-checks';
import { standardMetricNameRule } from '../core/checks/standard-metric-name-checks';
import type { AppRule, InputRule } from './rule';
import { backendCaveatsRule } from './rules/backend-caveats';
import { bootstrapConfigMapReferenceRule } from './rules/bootstrap-configmap-reference';
import { celExpressionRule } from './rules/cel-expression';
import { configOverrideRule } from './rules/config-override';
import { deprecatedMechanismRule } from './rules/deprecated-mechanism';
import { envoyBootstrapRule } from './rules/envoy-bootstrap';
import { extensionProvidersRule } from './rules/extension-providers';
import { extraStatTagsCoverageRule } from './rules/extra-stat-tags-coverage';
import { fieldAvailabilityRule } from './rules/field-availability';
import { generatedAttributeCoverageRule } from './rules/generated-attribute-coverage';
import { handWrittenInputsRule } from './rules/hand-written-inputs';
import { istioApiVersionRule } from './rules/istio-api-version';
import { istiodFlagsRule } from './rules/istiod-flags';
import { kialiLabelsRule } from './rules/kiali-labels';
import { kubernetesMetadataRule } from './rules/kubernetes-metadata';
import { meshDefaultProvidersRule } from './rules/mesh-default-providers';
import { metricsMergeRule } from './rules/metrics-merge';
import { nullVmAttributegenRule } from './rules/null-vm-attributegen';
import { objectSchemaRule } from './rules/object-schema';
import { patchReplacesAnnotationRule } from './rules/patch-replaces-annotation';
import { proxyConfigAnnotationRule } from './rules/proxy-config-annotation';
import { proxyVersionRegexRule } from './rules/proxy-version-regex';
import { removedTagRule } from './rules/removed-tag';
import { restartRequiredRule } from './rules/restart-required';
import { seriesCardinalityRule } from './rules/series-cardinality';
import { statsInclusionExclusiveRule } from './rules/stats-inclusion-exclusive';
import { telemetryConflictsRule } from './rules/telemetry-conflicts';
import { accessLogProviderRule, tracingProviderRule } from './rules/telemetry-providers';
import { tracingBackendAddressRule } from './rules/tracing-backend-address';
import { uniqueObjectsRule } from './rules/unique-objects';
import { versionAdaptationRule } from './rules/version-adaptation';
import { waypointTelemetryRule } from './rules/waypoint-telemetry';
import { bootstrapZipkinClusterRule, zipkinCollectorPathRule } from './rules/zipkin-collector';

/** Rules the constructs apply to their input as it is given (they throw at once, naming the construct). */
export const INPUT_RULES: readonly InputRule[] = [
  prometheusLabelNameRule,
  standardMetricNameRule,
  metricDefinitionNameRule,
  samplingPercentageRule,
  customTagRule,
];

/** Rules run over the whole app before anything is written, in this order. */
export const APP_RULES: readonly AppRule[] = [
  objectSchemaRule,
  istioApiVersionRule,
  fieldAvailabilityRule,
  kubernetesMetadataRule,
  uniqueObjectsRule,
  meshDefaultProvidersRule,
  extensionProvidersRule,
  configOverrideRule,
  handWrittenInputsRule,
  istiodFlagsRule,
  nullVmAttributegenRule,
  tracingProviderRule,
  accessLogProviderRule,
  telemetryConflictsRule,
  waypointTelemetryRule,
  celExpressionRule,
  generatedAttributeCoverageRule,
  removedTagRule,
  kialiLabelsRule,
  seriesCardinalityRule,
  proxyVersionRegexRule,
  envoyBootstrapRule,
  bootstrapConfigMapReferenceRule,
  bootstrapZipkinClusterRule,
  zipkinCollectorPathRule,
  proxyConfigAnnotationRule,
  metricsMergeRule,
  extraStatTagsCoverageRule,
  statsInclusionExclusiveRule,
  patchReplacesAnnotationRule,
  restartRequiredRule,
  deprecatedMechanismRule,
  versionAdaptationRule,
  backendCaveatsRule,
  tracingBackendAddressRule,
];
