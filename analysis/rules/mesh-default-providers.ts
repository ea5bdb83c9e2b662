import { formatValue } from '../../core/errors';
import { isMapping, listOf } from '../../core/json-values';
import { statement } from '../../core/problems/problem';
import { MESH_CONFIG_KINDS, meshConfigs, rootNamespaceOf } from '../../model/install-inputs';
import { namespacesNamingProvider } from '../../model/telemetry-objects';
import type { AppRule, RuleFinding, ValidationContext } from '../rule';

/**
 * `meshConfig.defaultProviders` replaces the istiod chart's default, `metrics: [prometheus]`, as a
 * whole: the chart writes its default only while the user sets none
 * (istio/istio@1.30.3:manifests/charts/istio-control/istio-discovery/templates/_helpers.tpl
 * "default-prometheus", templates/configmap.yaml), istiod's own default is empty
 * (pkg/config/mesh/mesh.go), and without a metrics provider istiod builds no `istio.stats` filter
 * (pilot/pkg/model/telemetry.go mergeMetrics). So `defaultProviders: {tracing: [zipkin]}` alone
 * removes every standard metric from each proxy no Telemetry names a metrics provider for
 * (istio/istio#51384, #53332). On 1.18 to 1.20 any `defaultProviders` also re-renders the
 * `stats-filter-1.X` EnvoyFilters (istio/istio@1.20.8:.../templates/telemetryv2_1.20.yaml), which
 * next to the Telemetry API count every metric twice (istio/istio#39772).
 */
export const meshDefaultProvidersRule: AppRule = {
  id: 'mesh-default-providers',
  summary:
    'A mesh config (IstioOperator, istiod Helm values, the Sail Operator Istio values, mesh ConfigMap) whose defaultProviders names no metrics provider turns off every standard metric on 1.21+ (the chart drops its metrics: [prometheus] default, istio/istio#51384): an error when the output is complete and no root-namespace Telemetry names one, a warning for files linted alone; on 1.18 to 1.20 any defaultProviders re-renders the stats EnvoyFilters (istio/istio#39772): a warning.',
  remediation:
    'Name a metrics provider (prometheus) in meshConfig.defaultProviders.metrics, or in a Telemetry of the root namespace.',
  kinds: [...MESH_CONFIG_KINDS, 'Telemetry'],
  severity: 'error',
  docs: 'docs/validation.md#mesh-default-providers',
  check(context: ValidationContext): RuleFinding[] {
    const findings: RuleFinding[] = [];
    const namingMetrics = namespacesNamingProvider(context.objects, 'metrics');
    for (const target of context.targets) {
      const mechanism = target.policy.mechanisms.meshDefaultProviders;
      if (mechanism === 'tracing-only') continue; // 1.17: the install's stats-filter-1.17 EnvoyFilters carry the metrics
      for (const source of meshConfigs(context.objects)) {
        const providers = source.meshConfig.defaultProviders;
        if (!isMapping(providers)) continue;
        const field = [...source.field, 'defaultProviders'];
        if (mechanism === 'never') {
          findings.push({
            path: source.path,
            severity: 'warning',
            ...statement(
              field,
              `is set (got ${formatValue(providers)}), so the Istio ${target.istioVersion} chart renders the stats-filter EnvoyFilters again, and next to Telemetry API metrics every standard metric is counted twice (istio/istio#39772)`,
            ),
            hint: "leave defaultProviders unset on 1.18 to 1.20 and name the providers in the root namespace's Telemetry (source: istio/istio@1.20.8:manifests/charts/istio-control/istio-discovery/templates/telemetryv2_1.20.yaml)",
          });
          continue;
        }
        if (listOf(providers.metrics).length > 0) continue;
        const root = rootNamespaceOf(source);
        if (namingMetrics.has(root)) continue;
        findings.push({
          path: source.path,
          severity: context.complete ? 'error' : 'warning',
          ...statement(
            field,
            `names no metrics provider (got ${formatValue(providers)}), expected metrics: [prometheus] beside the others: the istiod chart writes its default metrics: [prometheus] only while defaultProviders is unset, so istiod builds no stats filter and every proxy that no Telemetry names a metrics provider for loses all standard Istio metrics${context.complete ? ` (no Telemetry in ${root} names one)` : ''}`,
          ),
          hint: `add metrics: [prometheus] to defaultProviders, or name the provider in the metrics of a Telemetry in ${root} without a selector (istio/istio#51384; source: istio/istio@1.30.3:manifests/charts/istio-control/istio-discovery/templates/_helpers.tpl)`,
        });
      }
    }
    return findings;
  },
};
