import { PROXY_CONFIG_ANNOTATION } from '../../core/istio/istio-names';
import { statement } from '../../core/problems/problem';
import { renderLocation } from '../../core/problems/source-location';
import { type PodTemplate, podTemplates, proxyConfigOf, WORKLOAD_KINDS } from '../../model/pod-templates';
import type { AppRule, RuleFinding, ValidationContext } from '../rule';

/** Whether a patch (kustomize names its targets by kind and name) reaches a workload of these files. */
function patches(patch: PodTemplate, workload: PodTemplate): boolean {
  return (
    patch.kind === workload.kind &&
    patch.name === workload.name &&
    // kustomize's namespace: transformer often sets it after the patch: either side may lack one.
    (patch.namespace === undefined || workload.namespace === undefined || patch.namespace === workload.namespace)
  );
}

/**
 * A kustomize patch that sets `proxy.istio.io/config` sets the annotation's whole value: a strategic
 * merge patch merges annotations by key, and this one key is one YAML string. The workload's own
 * keys that the patch does not repeat are lost (an app team's holdApplicationUntilProxyStarts, a
 * platform team's stats matcher). Files only: synth merges the keys of a workload's manifest
 * (`workloads.<name>.manifest`) into its patch.
 */
export const patchReplacesAnnotationRule: AppRule = {
  id: 'patch-replaces-annotation',
  scope: 'mesh',
  summary:
    "Warns where a kustomize patch (strategic merge or JSON 6902) sets a workload's proxy.istio.io/config without keys the workload's own annotation has: the patch replaces the annotation's whole value, and those keys are lost.",
  remediation:
    "Repeat the workload's keys in the patch, or with this library's patches declare the workload's manifest (workloads.<name>.manifest) so synth merges them.",
  kinds: WORKLOAD_KINDS,
  severity: 'warning',
  docs: 'docs/validation.md#patch-replaces-annotation',
  check(context: ValidationContext): RuleFinding[] {
    const templates = podTemplates(context.objects);
    const workloads = templates.filter((t) => !t.patch && t.annotations[PROXY_CONFIG_ANNOTATION] !== undefined);
    if (workloads.length === 0) return [];
    const findings: RuleFinding[] = [];
    for (const patch of templates) {
      if (!patch.patch) continue;
      const replacing = proxyConfigOf(patch);
      if (replacing === undefined || replacing instanceof Error) continue;
      for (const workload of workloads) {
        if (!patches(patch, workload)) continue;
        const own = proxyConfigOf(workload);
        if (own === undefined || own instanceof Error) continue;
        const lost = Object.keys(own).filter((key) => !(key in replacing));
        if (lost.length === 0) continue;
        const object = context.objects.find((o) => o.path === workload.path);
        const where = object?.location ? ` (${renderLocation(object.location)})` : '';
        findings.push({
          path: patch.path,
          severity: 'warning',
          ...statement(
            [...patch.field, PROXY_CONFIG_ANNOTATION],
            `replaces the whole annotation of ${workload.workload}${where}, whose keys ${lost.join(', ')} it does not repeat: they are lost`,
            "repeat them in the patch, or declare the workload's manifest (workloads.<name>.manifest) so synth merges them into its patch",
          ),
        });
      }
    }
    return findings;
  },
};
