import { CUSTOM_BOOTSTRAP_KEY } from '../../core/istio/istio-names';
import { statement } from '../../core/problems/problem';
import { bootstrapConfigMaps, parseBootstrapText } from '../../model/bootstrap-overrides';
import { MESH_CONFIG_KINDS } from '../../model/install-inputs';
import { podTemplates, proxyConfigField, proxyConfigOf, WORKLOAD_KINDS } from '../../model/pod-templates';
import type { AppRule, RuleFinding, ValidationContext } from '../rule';
import { STATS_INCLUSION_ANNOTATIONS } from './stats-inclusion-exclusive';

/** Works today, but is on its way out; say so once per place. Sources: istio/api@1.30.3:annotation/annotations.yaml; istio/api@1.30.3:mesh/v1alpha1/proxy.proto; envoyproxy/envoy api/envoy/config/trace/v3/zipkin.proto. */
export const deprecatedMechanismRule: AppRule = {
  id: 'deprecated-mechanism',
  scope: 'object',
  summary:
    "Warns about deprecated mechanisms: the sidecar.istio.io/statsInclusion* annotations, ProxyConfig zipkinAddress, and Envoy's Bootstrap.tracing in a bootstrap override (which Telemetry API tracing overrides).",
  remediation:
    'Move to the replacement the finding names: proxyStatsMatcher, ProxyConfig tracing.zipkin, a Telemetry tracing provider.',
  kinds: [...MESH_CONFIG_KINDS, 'ConfigMap', ...WORKLOAD_KINDS],
  severity: 'warning',
  docs: 'docs/validation.md#deprecated-mechanism',
  check(context: ValidationContext): RuleFinding[] {
    const findings: RuleFinding[] = [];
    const telemetryTracingMeshes = context.targets.filter((m) => m.tracing === 'telemetry-api');
    for (const template of podTemplates(context.objects)) {
      for (const annotation of STATS_INCLUSION_ANNOTATIONS.filter((a) => template.annotations[a] !== undefined)) {
        findings.push({
          path: template.path,
          severity: 'warning',
          ...statement([...template.field, annotation], 'is deprecated; use proxyStatsMatcher (StatsInclusion)'),
        });
      }
      const config = proxyConfigOf(template);
      if (config && !(config instanceof Error) && (config.zipkinAddress ?? config.zipkin_address) !== undefined) {
        findings.push({
          path: template.path,
          severity: 'warning',
          ...statement(
            [...proxyConfigField(template), 'zipkinAddress'],
            'is deprecated; use tracing.zipkin.address (ZipkinTracer)',
          ),
        });
      }
    }
    for (const { path, value } of bootstrapConfigMaps(context.objects)) {
      if (typeof value !== 'string') continue;
      let bootstrap: unknown;
      try {
        bootstrap = parseBootstrapText(value);
      } catch {
        continue; // reported by envoy-bootstrap
      }
      if (bootstrap !== null && typeof bootstrap === 'object' && 'tracing' in bootstrap) {
        findings.push({
          path,
          severity: 'warning',
          ...statement(
            ['data', CUSTOM_BOOTSTRAP_KEY, 'tracing'],
            `Envoy deprecates Bootstrap.tracing in favour of the HTTP connection manager's tracing provider; Istio's own bootstrap still uses it, and the supported route is a Telemetry tracing provider (meshConfig.extensionProviders)`,
          ),
        });
        for (const mesh of telemetryTracingMeshes) {
          findings.push({
            path,
            severity: 'warning',
            ...statement(
              ['data', CUSTOM_BOOTSTRAP_KEY, 'tracing'],
              `is not used where Telemetry tracing applies (Istio ${mesh.istioVersion} here): istiod gives the HTTP connection manager the extension provider's tracer, which Envoy uses instead of Bootstrap.tracing; set the collector on the provider (ZipkinTracer path, Istio 1.24+)`,
            ),
          });
        }
      }
    }
    return findings;
  },
};
