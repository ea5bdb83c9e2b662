import { dirname, relative } from 'node:path';
import { mappingAt } from '../../core/json-values';
import { byCodePoint } from '../../core/merge/sorted-entries';
import { ambientModel } from '../../model/ambient';
import { type PodTemplate, podTemplates } from '../../model/pod-templates';
import { describeObject } from './config-draft';
import type { ImportContext } from './import-context';

const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'Rollout']);

/**
 * The workloads to declare, one per kind, namespace and name: of two variants, the one applied last
 * (kubectl keeps it), with the other reported. Kinds the declaration cannot target are listed.
 */
export function declareWorkloads(ctx: ImportContext): void {
  // One workload object per name: kubectl keeps the last one applied, so the last variant counts.
  const last = new Map<string, PodTemplate>();
  const all = podTemplates(ctx.objects).filter((t) => !t.patch);
  for (const template of all) {
    const name = `${template.namespace}/${template.kind}/${template.name}`;
    const earlier = last.get(name);
    const object = ctx.byPath.get(template.path);
    if (earlier && object) {
      ctx.draft.conflict(
        ctx.draft.source(object),
        `declares ${template.kind} ${template.namespace}/${template.name} again (first at ${describeObject(ctx.byPath.get(earlier.path) ?? object)}); kubectl keeps the one applied last, which is imported`,
      );
    }
    last.set(name, template);
  }
  const taken = new Set<string>();
  for (const [reviewName, template] of [...last].sort(([a], [b]) => byCodePoint(a, b))) {
    const object = ctx.byPath.get(template.path);
    if (!object) continue;
    if (!WORKLOAD_KINDS.has(template.kind)) {
      ctx.draft.skip(
        ctx.draft.source(object),
        `a ${template.kind} is not a workload the declaration targets (Deployment, StatefulSet, DaemonSet, Rollout); settings aimed at it by selector still reach it`,
        ['stats inclusion', 'sampling', 'custom tags', 'tracer', 'bootstrap override'],
        [reviewName],
      );
      continue;
    }
    let key = template.name ?? 'workload';
    if (taken.has(key)) key = `${key}-${template.namespace}`;
    taken.add(key);
    ctx.workloads.push({ key, template, object, reviewName });
  }
}

/** `workloads:`: each workload's namespace, kind, selector, the file it was read from, and its ambient attachment. */
export function importWorkloadsSection(ctx: ImportContext): void {
  for (const { key, template, object } of ctx.workloads) {
    const selector = mappingAt(object.manifest, 'spec', 'selector', 'matchLabels');
    const labels = Object.keys(selector).length > 0 ? selector : template.labels;
    const off =
      String(template.annotations['sidecar.istio.io/inject']) === 'false' ||
      String(template.labels['sidecar.istio.io/inject']) === 'false';
    const ambient = ambientOf(ctx, template);
    const file = object.file;
    const manifest =
      file && !file.startsWith('kustomize build ') ? relative(dirname(ctx.options.outFile), file) || file : undefined;
    ctx.draft.add(
      'workloads',
      key,
      {
        ...(key !== template.name ? { name: template.name } : {}),
        namespace: template.namespace,
        ...(template.kind !== 'Deployment' ? { kind: template.kind } : {}),
        selector: Object.fromEntries(Object.entries(labels).map(([k, v]) => [k, String(v)])),
        ...(manifest ? { manifest } : {}),
        ...(off ? { sidecar: false } : {}),
        ...ambient,
      },
      ctx.draft.source(object),
    );
  }
}

/**
 * An ambient workload's Service, when it is not named as the workload, and the waypoint its
 * Service's own `istio.io/use-waypoint` names (or `none`); its namespace's waypoint is declared
 * under `namespaces:`.
 */
function ambientOf(ctx: ImportContext, template: PodTemplate): Record<string, string> {
  if (!ctx.policy.has('ambientDataplane')) return {};
  const placement = ambientModel(ctx.objects).placementOf(template);
  if (placement.dataplane !== 'ambient') return {};
  const out: Record<string, string> = {};
  if (placement.service && placement.service.name !== template.name) out.service = placement.service.name;
  const { waypoint } = placement;
  if (waypoint?.attachedBy.startsWith('Service ')) {
    const key = ctx.waypoints.get(`${waypoint.namespace}/${waypoint.name}`);
    if (key) out.waypoint = key;
  } else if (placement.optedOutBy?.startsWith('Service ')) out.waypoint = 'none';
  return out;
}
