import {
  DATAPLANE_MODE_LABEL,
  PROXY_CONFIG_ANNOTATION,
  USE_WAYPOINT_LABEL,
  USE_WAYPOINT_NAMESPACE_LABEL,
} from '../../core/istio/istio-names';
import { isMapping, mappingAt } from '../../core/json-values';
import { ambientModel } from '../../model/ambient';
import { parseProxyConfig } from '../../model/pod-templates';
import type { TelemetryPolicy } from '../../model/telemetry-precedence';
import type { ImportContext } from './import-context';
import { statsMatcherOf, Untranslatable } from './import-pieces';

/**
 * The ambient data plane of the input (Istio 1.24 and later): namespaces enrolled by
 * `istio.io/dataplane-mode: ambient`, waypoints (Gateways of class `istio-waypoint`), and which
 * waypoint serves each namespace and Service (`istio.io/use-waypoint`), as `namespaces:`,
 * `waypoints:` and `workloads.<name>.waypoint`. The labels stay on the team's Namespaces and
 * Services; the declaration patches the same ones.
 */
export function importAmbient(ctx: ImportContext): void {
  if (!ctx.policy.has('ambientDataplane')) return;
  const { draft } = ctx;
  const model = ambientModel(ctx.objects);
  for (const waypoint of model.waypoints) {
    if (ctx.waypoints.has(`${waypoint.namespace}/${waypoint.name}`)) continue;
    if ([...ctx.waypoints.values()].includes(waypoint.name)) {
      draft.skip(
        draft.source(waypoint.object),
        `another waypoint is named ${waypoint.name} too; the declaration names waypoints by their Gateway's name, once`,
        ['dimensions', 'sampling', 'custom tags', 'tracer', 'access log'],
      );
      continue;
    }
    ctx.waypoints.set(`${waypoint.namespace}/${waypoint.name}`, waypoint.name);
    draft.replaced.add(waypoint.object.path);
    draft.add(
      'waypoints',
      waypoint.name,
      { namespace: waypoint.namespace, ...(waypoint.traffic !== 'service' ? { for: waypoint.traffic } : {}) },
      draft.source(waypoint.object),
    );
    // The waypoint's own ProxyConfig, which its pods read from the Gateway.
    const annotations = mappingAt(waypoint.object.manifest, 'spec', 'infrastructure', 'annotations');
    const config = annotations[PROXY_CONFIG_ANNOTATION];
    if (typeof config !== 'string') continue;
    const parsed = parseProxyConfig(config);
    const field = ['spec', 'infrastructure', 'annotations', PROXY_CONFIG_ANNOTATION];
    if (parsed instanceof Error || !isMapping(parsed.proxyStatsMatcher)) continue;
    const matcher = statsMatcherOf(parsed.proxyStatsMatcher);
    if (matcher instanceof Untranslatable)
      draft.skip(draft.source(waypoint.object, field), matcher.why, ['stats inclusion']);
    else {
      draft.add(
        'statsInclusion',
        `${waypoint.name}-stats-inclusion`,
        { target: { waypoint: waypoint.name }, ...matcher },
        draft.source(waypoint.object, field),
      );
    }
  }
  for (const object of ctx.objects) {
    const { manifest } = object;
    if (manifest.kind !== 'Namespace' || manifest.apiVersion !== 'v1' || !manifest.metadata.name) continue;
    const labels = mappingAt(manifest, 'metadata', 'labels');
    const ambient = labels[DATAPLANE_MODE_LABEL] === 'ambient';
    const use = labels[USE_WAYPOINT_LABEL];
    const waypointNamespace = String(labels[USE_WAYPOINT_NAMESPACE_LABEL] ?? manifest.metadata.name);
    const waypoint =
      typeof use === 'string' && use !== 'none' ? ctx.waypoints.get(`${waypointNamespace}/${use}`) : undefined;
    if (typeof use === 'string' && use !== 'none' && !waypoint) {
      draft.skip(
        draft.source(object, ['metadata', 'labels', USE_WAYPOINT_LABEL]),
        `names waypoint ${waypointNamespace}/${use}, whose Gateway the input does not hold`,
        ['dimensions', 'sampling', 'custom tags', 'tracer', 'access log'],
      );
    }
    if (!ambient && !waypoint) continue;
    draft.add(
      'namespaces',
      manifest.metadata.name,
      { ...(ambient ? { dataplane: 'ambient' } : {}), ...(waypoint ? { waypoint } : {}) },
      draft.source(object, ['metadata', 'labels']),
    );
  }
}

/** The waypoint or Service workload a Telemetry bound by targetRefs reaches, as declaration targets. */
export function targetRefTargets(
  ctx: ImportContext,
  policy: TelemetryPolicy,
): { target: unknown; label: string }[] | undefined {
  const model = ambientModel(ctx.objects);
  const targets: { target: unknown; label: string }[] = [];
  for (const ref of policy.targetRefs) {
    const name = String(ref.name ?? '');
    if (ref.kind === 'Gateway') {
      const waypoint = ctx.waypoints.get(`${policy.namespace}/${name}`);
      if (!waypoint) return undefined;
      targets.push({ target: { waypoint }, label: policy.name });
    } else if (ref.kind === 'Service' && (ref.group ?? '') === '') {
      const workload = ctx.workloads.find((w) => {
        const service = model.placementOf(w.template).service;
        return service?.name === name && service.namespace === policy.namespace;
      });
      if (!workload) return undefined;
      targets.push({ target: { workload: workload.key }, label: policy.name });
    } else return undefined;
  }
  return targets;
}
