import { DEFAULT_EXTENSION_PROVIDERS } from '../../core/istio/istio-names';
import { isMapping, listOf, mappingAt } from '../../core/json-values';
import { statement } from '../../core/problems/problem';
import { MESH_CONFIG_KINDS, meshConfigs } from '../../model/install-inputs';
import type { RenderedObject } from '../../model/objects';
import { type PodTemplate, podTemplates, WORKLOAD_KINDS } from '../../model/pod-templates';
import {
  describeOrder,
  describeTelemetry,
  type TelemetryIndex,
  type TelemetryPolicy,
  type TelemetryPrecedence,
  telemetryIndex,
} from '../../model/telemetry-precedence';
import type { AppRule, RuleFinding, ValidationContext } from '../rule';

const PRECEDENCE = 'istio/istio@1.26.8:pilot/pkg/model/telemetry.go';

/**
 * Telemetry objects that contend for the same proxies, found as Istio's analyzers find them
 * (istio/istio@1.26.8:pkg/config/analysis/analyzers/telemetry): two without a selector in one
 * namespace (IST0160; istiod applies only the oldest), two selecting the same pods (IST0159; from
 * 1.20 istiod merges them, the newest winning per field, before only the oldest applies), and a
 * provider no mesh config defines (istiod skips it: `fetchProvider` returns nothing, logged at debug
 * level only, telemetry.go lines 266-269). Which one applies is model/telemetry-precedence.ts's.
 */
export const telemetryConflictsRule: AppRule = {
  id: 'telemetry-conflicts',
  summary:
    'Telemetry objects do not contend for the same proxies: two without a selector in one namespace are an error (istiod applies only the oldest, IST0160); two selecting the same pods are a warning naming the one whose fields win (IST0159); a provider no mesh config defines is an error when the files are applied together or hold a mesh config, a warning otherwise.',
  remediation:
    'Keep one Telemetry without a selector per namespace and one per workload, and name only providers the mesh config defines.',
  kinds: ['Telemetry', ...MESH_CONFIG_KINDS, ...WORKLOAD_KINDS],
  severity: 'error',
  docs: 'docs/validation.md#telemetry-conflicts',
  check(context: ValidationContext): RuleFinding[] {
    // One release's precedence: the first target's (a lint has one; an app's meshes share a release).
    const index = telemetryIndex(context.objects, context.targets[0]?.policy);
    if (index.policies.length === 0) return [];
    return [
      ...namespaceWideDuplicates(context, index),
      ...overlaps(context, index),
      ...unknownProviders(context, index),
    ];
  },
};

/**
 * The objects that are applied with `object`: everything when the objects are complete (an app,
 * a synth's output, `--complete`), else those of its own file. Files linted alone may be
 * alternatives (Istio's own test data holds dozens of Telemetry objects meant one at a time).
 */
function appliedWith(context: ValidationContext, object: RenderedObject): string {
  return context.complete ? '' : (object.file ?? object.location?.file ?? '');
}

function names(policies: readonly TelemetryPolicy[]): string {
  return policies.map(describeTelemetry).join(', ');
}

/** IST0160: every selector-less Telemetry of a namespace but the one istiod applies. */
function namespaceWideDuplicates(context: ValidationContext, index: TelemetryIndex): RuleFinding[] {
  const groups = new Map<string, TelemetryPolicy[]>();
  for (const policy of index.policies) {
    if (policy.scope === 'workload') continue;
    const key = JSON.stringify([policy.namespace, appliedWith(context, policy.object)]);
    groups.set(key, [...(groups.get(key) ?? []), policy]);
  }
  return [...groups.values()].flatMap((all) => {
    const [applied, ...ignored] = all;
    if (!applied) return [];
    const namespace = applied.namespace;
    return ignored.map((policy) => ({
      path: policy.object.path,
      ...statement(
        ['spec'],
        `is one of ${all.length} Telemetry objects without a selector or targetRef in namespace "${namespace}" (${names(all)}): istiod applies only the oldest, ${describeOrder(index.precedence)}, ${describeTelemetry(applied)}, and ignores this one entirely (${PRECEDENCE} lines 672-679; Istio's analyzer reports IST0160)`,
        `merge it into ${describeTelemetry(applied)}, or give it a selector`,
      ),
    }));
  });
}

/** IST0159: pods selected by more than one workload-level Telemetry, reported once per workload. */
function overlaps(context: ValidationContext, index: TelemetryIndex): RuleFinding[] {
  return podTemplates(context.objects).flatMap((template) => {
    const groups = new Map<string, TelemetryPolicy[]>();
    for (const policy of index.selecting(template)) {
      const key = appliedWith(context, policy.object);
      groups.set(key, [...(groups.get(key) ?? []), policy]);
    }
    return [...groups.values()].flatMap((selecting) => overlapFinding(template, selecting, index.precedence));
  });
}

function overlapFinding(
  template: PodTemplate,
  selecting: readonly TelemetryPolicy[],
  precedence: TelemetryPrecedence,
): RuleFinding[] {
  const merges = precedence.mergesWorkloadLevel;
  if (selecting.length < 2) return [];
  const field = [...template.field.slice(0, -1), 'labels'];
  const what = merges
    ? `selects pods that ${names(selecting)} all select: istiod merges them oldest first, ${describeOrder(precedence)}, so where they set the same field ${describeTelemetry(selecting.at(-1) as TelemetryPolicy)} wins (${PRECEDENCE} lines 456-487; Istio's analyzer reports IST0159)`
    : `selects pods that ${names(selecting)} all select: before Istio 1.20 istiod applies only the oldest, ${describeOrder(precedence)}, ${describeTelemetry(selecting[0] as TelemetryPolicy)}, and ignores the others for these pods (istio/istio@1.19.0:pilot/pkg/model/telemetry.go line 455)`;
  return [
    {
      path: template.path,
      severity: 'warning' as const,
      ...statement(field, what, 'give each workload one Telemetry, or make the selectors disjoint'),
    },
  ];
}

/** A provider name no mesh config among the objects defines, nor Istio's defaults. */
function unknownProviders(context: ValidationContext, index: TelemetryIndex): RuleFinding[] {
  const configs = meshConfigs(context.objects);
  const defined = new Set([
    ...DEFAULT_EXTENSION_PROVIDERS,
    ...configs.flatMap(({ meshConfig }) =>
      listOf(meshConfig.extensionProviders).flatMap((p) =>
        isMapping(p) && typeof p.name === 'string' ? [p.name] : [],
      ),
    ),
  ]);
  const withMeshConfig = new Set(configs.map(({ object }) => appliedWith(context, object)));
  const findings: RuleFinding[] = [];
  for (const policy of index.policies) {
    // Applied with a mesh config, the provider is known to be missing, not merely unseen.
    const known = withMeshConfig.has(appliedWith(context, policy.object));
    for (const section of ['metrics', 'tracing', 'accessLogging'] as const) {
      listOf(policy.spec[section]).forEach((entry, i) => {
        listOf(mappingAt(entry).providers).forEach((provider, j) => {
          const name = mappingAt(provider).name;
          if (typeof name !== 'string' || defined.has(name)) return;
          findings.push({
            path: policy.object.path,
            severity: known ? 'error' : 'warning',
            ...statement(
              ['spec', section, i, 'providers', j, 'name'],
              known
                ? `names provider "${name}", which no mesh config applied with it defines (its extensionProviders, or Istio's ${DEFAULT_EXTENSION_PROVIDERS.join(', ')}): istiod skips it, so these proxies get none of this ${section} (${PRECEDENCE} lines 266-269)`
                : `names provider "${name}", which no mesh config in these files defines: it must be in the mesh's extensionProviders (Istio's own are ${DEFAULT_EXTENSION_PROVIDERS.join(', ')}), or istiod skips it`,
              `define "${name}" in meshConfig.extensionProviders, or name a provider the mesh has`,
            ),
          });
        });
      });
    }
  }
  return findings;
}
