import { formatValue } from '../../core/errors';
import { BOOTSTRAP_OVERRIDE_ANNOTATION, CUSTOM_BOOTSTRAP_KEY } from '../../core/istio/istio-names';
import { problem, statement } from '../../core/problems/problem';
import type { Manifest } from '../../model/objects';
import { podTemplates, WORKLOAD_KINDS } from '../../model/pod-templates';
import type { AppRule, RuleFinding, ValidationContext } from '../rule';

/**
 * The injector mounts the ConfigMap named by the annotation from the pod's own namespace and
 * points pilot-agent at its `custom_bootstrap.json` key (istio/istio@1.30.3:manifests/charts/istio-control/istio-discovery/files/injection-template.yaml). A missing ConfigMap keeps the
 * pod from starting; a missing key leaves the override unread.
 */
export const bootstrapConfigMapReferenceRule: AppRule = {
  id: 'bootstrap-configmap-reference',
  summary: `${BOOTSTRAP_OVERRIDE_ANNOTATION} names a ConfigMap this app creates in the pod's namespace, with key ${CUSTOM_BOOTSTRAP_KEY}: the injector mounts it from there, and a missing ConfigMap keeps the pod from starting.`,
  remediation: "Create the ConfigMap with a custom_bootstrap.json key in the pod's namespace, or drop the annotation.",
  kinds: ['ConfigMap', ...WORKLOAD_KINDS],
  severity: 'error',
  docs: 'docs/validation.md#bootstrap-configmap-reference',
  check(context: ValidationContext): RuleFinding[] {
    // By name, so that thousands of workloads do not each scan every ConfigMap.
    const configMaps = new Map<unknown, Manifest[]>();
    for (const { manifest } of context.objects) {
      if (manifest.kind !== 'ConfigMap' || manifest.apiVersion !== 'v1') continue;
      configMaps.set(manifest.metadata.name, [...(configMaps.get(manifest.metadata.name) ?? []), manifest]);
    }
    const findings: RuleFinding[] = [];
    for (const template of podTemplates(context.objects)) {
      const name = template.annotations[BOOTSTRAP_OVERRIDE_ANNOTATION];
      if (name === undefined) continue;
      const field = [...template.field, BOOTSTRAP_OVERRIDE_ANNOTATION];
      const namespace = formatValue(template.namespace ?? null);
      const named = configMaps.get(name) ?? [];
      // An object without metadata.namespace lands in the namespace it is applied to: it may be the other's.
      const same = named.find(
        (c) =>
          c.metadata.namespace === template.namespace ||
          c.metadata.namespace === undefined ||
          template.namespace === undefined,
      );
      if (!same) {
        // Files linted on their own may rely on a ConfigMap applied from another file.
        if (!context.complete && named.length === 0) continue;
        const elsewhere = named.map((c) => formatValue(c.metadata.namespace ?? null));
        findings.push({
          path: template.path,
          ...(elsewhere.length > 0
            ? problem(field, name, `a ConfigMap in the pod's namespace ${namespace}`, {
                what: `names a ConfigMap this app creates only in namespace ${elsewhere.join(', ')}`,
              })
            : problem(field, name, `a ConfigMap of this app in namespace ${namespace}`, {
                what: 'names a ConfigMap this app does not create',
              })),
          hint: "the sidecar injector mounts the override from the pod's own namespace; create it with BootstrapOverride",
        });
        continue;
      }
      const keys = Object.keys((same.data ?? {}) as object);
      if (!keys.includes(CUSTOM_BOOTSTRAP_KEY)) {
        findings.push({
          path: template.path,
          ...statement(
            field,
            `ConfigMap ${formatValue(name)} has no key ${CUSTOM_BOOTSTRAP_KEY} (got keys ${formatValue(keys)}, expected ${formatValue(CUSTOM_BOOTSTRAP_KEY)})`,
          ),
        });
      }
    }
    return findings;
  },
};
