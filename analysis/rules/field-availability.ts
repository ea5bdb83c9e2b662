import { apiGroupOf } from '../../core/names';
import type { FieldPath } from '../../core/problems/field-path';
import { CRD_FIELD_RANGES } from '../../core/version/release-tables.generated';
import type { FeatureName } from '../../core/version/version-features';
import { describeFeature } from '../../core/version/version-policy';
import { chartValuePaths, installInputOf, valueAt } from '../../model/install-inputs';
import type { Manifest, ValidationTarget } from '../../model/objects';
import { podTemplates, proxyConfigField, proxyConfigOf } from '../../model/pod-templates';
import type { AppRule, RuleFinding, ValidationContext } from '../rule';

/**
 * A field of a kind with no CRD (IstioOperator, the Kiali CR, ProxyConfig) that only some
 * releases have, by kind and path (`[]` any list item, `*` any map key). Fields of Istio's CRD
 * kinds are gated by the table derived from each release's CRDs (CRD_FIELD_RANGES) instead.
 */
interface GatedField {
  readonly kind: string;
  readonly path: string;
  /** Before the feature's release, or past its removal: an error; past its deprecation: a warning. */
  readonly feature: FeatureName;
}

/** ProxyConfig fields (of a `proxy.istio.io/config` annotation or the mesh defaults) that only some releases have. */
const GATED_PROXY_CONFIG: readonly { readonly path: string; readonly feature: FeatureName }[] = [
  { path: 'tracing.enableIstioTags', feature: 'tracingEnableIstioTags' },
  { path: 'extraStatTags', feature: 'extraStatTags' },
];

/**
 * MeshConfig fields that only some releases have, by path inside a MeshConfig: checked in every
 * install input that carries one (model/install-inputs.ts), an IstioOperator's `spec.meshConfig`
 * and `spec.values.meshConfig`, istiod's Helm values, a Sail `Istio`, the mesh ConfigMap.
 */
const GATED_MESH_CONFIG: readonly { readonly path: string; readonly feature: FeatureName }[] = [
  { path: 'extensionProviders[].zipkin.path', feature: 'zipkinProviderPath' },
  { path: 'extensionProviders[].zipkin.traceContextOption', feature: 'zipkinTraceContextOption' },
  { path: 'extensionProviders[].zipkin.timeout', feature: 'zipkinTimeoutHeaders' },
  { path: 'extensionProviders[].zipkin.headers', feature: 'zipkinTimeoutHeaders' },
  { path: 'extensionProviders[].opentelemetry', feature: 'openTelemetryProvider' },
  { path: 'extensionProviders[].opentelemetry.http', feature: 'openTelemetryHttp' },
  { path: 'extensionProviders[].opentelemetry.resourceDetectors', feature: 'openTelemetryHttp' },
  // ProxyConfig fields, as mesh defaults.
  ...GATED_PROXY_CONFIG.map((g) => ({ path: `defaultConfig.${g.path}`, feature: g.feature })),
];

/** Values of the istiod chart that only some releases read, in every install input with chart values. */
const GATED_CHART_VALUES: readonly { readonly path: readonly string[]; readonly feature: FeatureName }[] = [
  { path: ['telemetry', 'v2', 'prometheus', 'configOverride'], feature: 'istioOperatorConfigOverride' },
];

const GATED_FIELDS: readonly GatedField[] = [
  // The Kiali CR of the target's add-on (istio/istio samples/addons at each release tag).
  { kind: 'Kiali', path: 'spec.external_services.tracing.in_cluster_url', feature: 'kialiV1Cr' },
  { kind: 'Kiali', path: 'spec.external_services.grafana.in_cluster_url', feature: 'kialiV1Cr' },
  { kind: 'Kiali', path: 'spec.deployment.accessible_namespaces', feature: 'kialiV1Cr' },
  { kind: 'Kiali', path: 'spec.external_services.tracing.internal_url', feature: 'kialiV2Cr' },
  { kind: 'Kiali', path: 'spec.external_services.grafana.internal_url', feature: 'kialiV2Cr' },
  { kind: 'Kiali', path: 'spec.deployment.discovery_selectors', feature: 'kialiV2Cr' },
  { kind: 'Kiali', path: 'spec.external_services.tracing.url', feature: 'kialiV1Cr' },
  { kind: 'Kiali', path: 'spec.external_services.tracing.external_url', feature: 'kialiV2Cr' },
  { kind: 'Kiali', path: 'spec.external_services.tracing.provider', feature: 'kialiTracingProvider' },
];

/** {@link GATED_FIELDS} by kind: most objects (Deployments, Services, ConfigMaps) have none. */
const GATED_FIELDS_BY_KIND = new Map<string, GatedField[]>();
for (const gated of GATED_FIELDS)
  GATED_FIELDS_BY_KIND.set(gated.kind, [...(GATED_FIELDS_BY_KIND.get(gated.kind) ?? []), gated]);

/**
 * Objects are schema-checked against the newest supported release's CRDs, which accept fields older releases lack;
 * and some fields were removed or deprecated later. Fields of Istio's CRD kinds are checked against
 * the target release's own CRD (scripts/derive-release-tables.mjs); other gated fields against the
 * feature table. Each is checked against the target:
 * absent before its release is an error (the older API server or istiod rejects or ignores it),
 * removed is an error, deprecated a warning. Sources: the feature table (version-features.ts).
 */
export const fieldAvailabilityRule: AppRule = {
  id: 'field-availability',
  scope: 'object',
  summary:
    "Fields newer or older than the target Istio release are refused, read from each release's own CRDs for Istio kinds (a Telemetry customTags formatter before 1.29, targetRef before 1.20) and from the feature table otherwise (a zipkin provider path before 1.24, configOverride from 1.21, Kiali's in_cluster_url with the Kiali 2 add-on from 1.24); deprecated ones are warned about (extraStatTags from 1.21). Objects are schema-checked against the newest supported release's CRDs, which accept them all.",
  remediation:
    'Remove the field, or target an Istio release that has it; replace a deprecated field with its successor.',
  kinds: ['*'],
  severity: 'error',
  docs: 'docs/validation.md#field-availability',
  check(context: ValidationContext): RuleFinding[] {
    const findings: RuleFinding[] = [];
    for (const mesh of context.targets) {
      for (const { path, manifest } of context.objects) {
        const crdKind = `${apiGroupOf(manifest.apiVersion)}/${manifest.kind}`;
        for (const pattern of Object.keys(CRD_FIELD_RANGES[crdKind] ?? {})) {
          const status = mesh.policy.crdFieldStatus(crdKind, pattern);
          if (status.present) continue;
          for (const field of present(manifest, pattern)) {
            findings.push({
              path,
              field: field.path,
              what: `is not in the ${manifest.kind} CRD of Istio ${mesh.istioVersion}, only of ${status.releases}`,
              value: field.value,
              hint: `remove it, or target a release that has it (source: ${status.source})`,
            });
          }
        }
        for (const gated of GATED_FIELDS_BY_KIND.get(manifest.kind) ?? []) {
          for (const field of present(manifest, gated.path)) {
            const finding = gate(mesh, gated.feature, field.path, field.value);
            if (finding) findings.push({ path, ...finding });
          }
        }
        for (const { field: base, meshConfig } of installInputOf(manifest)?.meshConfigs ?? []) {
          for (const gated of GATED_MESH_CONFIG) {
            for (const field of present(meshConfig as unknown as Manifest, gated.path)) {
              const finding = gate(mesh, gated.feature, [...base, ...field.path], field.value);
              if (finding) findings.push({ path, ...finding });
            }
          }
        }
        for (const gated of GATED_CHART_VALUES) {
          for (const field of chartValuePaths(manifest, gated.path, mesh.policy)) {
            const value = valueAt(manifest, field);
            if (value === undefined) continue;
            const finding = gate(mesh, gated.feature, field, value);
            if (finding) findings.push({ path, ...finding });
          }
        }
      }
      for (const template of podTemplates(context.objects)) {
        const config = proxyConfigOf(template);
        if (!config || config instanceof Error) continue;
        for (const gated of GATED_PROXY_CONFIG) {
          for (const field of present(config as unknown as Manifest, gated.path)) {
            const finding = gate(mesh, gated.feature, [...proxyConfigField(template), ...field.path], field.value);
            if (finding) findings.push({ path: template.path, ...finding });
          }
        }
      }
    }
    return findings;
  },
};

function gate(
  mesh: ValidationTarget,
  feature: FeatureName,
  field: FieldPath,
  value: unknown,
): Omit<RuleFinding, 'path'> | undefined {
  const status = mesh.policy.featureStatus(feature);
  if (status === 'present') return undefined;
  return {
    severity: status === 'deprecated' ? 'warning' : 'error',
    field,
    what: `${status === 'not-yet' ? 'needs' : 'is past'} ${describeFeature(feature)}, and the target is Istio ${mesh.istioVersion}`,
    value,
  };
}

/** The values at `pattern` (`a.b[].c.*.d`) that are set, with their concrete paths. */
function present(root: Manifest, pattern: string): { path: FieldPath; value: unknown }[] {
  let current: { path: FieldPath; value: unknown }[] = [{ path: [], value: root }];
  for (const segment of pattern.split('.')) {
    const list = segment.endsWith('[]');
    const key = list ? segment.slice(0, -2) : segment;
    const next: { path: FieldPath; value: unknown }[] = [];
    for (const { path, value } of current) {
      if (value === null || typeof value !== 'object') continue;
      const entries =
        key === '*'
          ? Object.entries(value as Record<string, unknown>)
          : [[key, (value as Record<string, unknown>)[key]]];
      for (const [k, v] of entries as [string, unknown][]) {
        if (v === undefined) continue;
        const here = [...path, k];
        if (list) {
          if (Array.isArray(v)) {
            for (const [i, item] of v.entries()) next.push({ path: [...here, i], value: item });
          }
        } else next.push({ path: here, value: v });
      }
    }
    current = next;
  }
  return current;
}
