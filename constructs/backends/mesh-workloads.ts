import * as kplus from 'cdk8s-plus-27';
import type { IConstruct } from 'constructs';
import { histogramBuckets, STATS_HISTOGRAM_BUCKETS_ANNOTATION } from '../../core/istio/histogram-buckets';
import { escapeRe2 } from '../../core/re2';
import type { Dataplane } from '../ambient/mesh-namespaces';
import type { IstioMesh } from '../mesh/istio-mesh';
import { ambientWaypoint, isAmbient } from '../proxy-config/proxy-target';
import {
  isWorkloadRef,
  type ObservedWorkload,
  WorkloadKind,
  WorkloadRef,
  workloadNamespace,
} from '../proxy-config/workload-ref';
import { eq, matches } from './rule-groups';

/** A declared workload whose pods are in the mesh, as alerts and objectives read its metrics. */
export interface MeshWorkload {
  readonly name: string;
  readonly namespace: string;
  readonly kind: string;
  /** `sidecar`: its own proxy reports it; `ambient`: ztunnel (L4) and its waypoint, if any (L7). */
  readonly dataplane: Dataplane;
  /** The waypoint its Service's requests go through (ambient workloads only). */
  readonly waypoint?: string;
  /**
   * A regex of the workload name its series carry, where that is not its name: before 1.22 a
   * Rollout's pods report their ReplicaSet, `<name>-<hash>`.
   * @default - its name
   */
  readonly workloadPattern?: string;
  /** The standard histograms' boundaries on its proxies, or why its annotation cannot be read. */
  readonly buckets: readonly number[] | string;
  /** The construct, for messages and lookups. */
  readonly construct: ObservedWorkload;
}

/** The pod-template kinds that keep pods running (a Job's finish). */
const LONG_RUNNING = new Set<string>(Object.values(WorkloadKind));

/**
 * Every workload of the app whose pods run in `mesh`: references with a sidecar or in an ambient
 * namespace, and cdk8s-plus Deployments, StatefulSets and DaemonSets whose pods are not labelled
 * out of injection. Sorted by namespace, then name.
 */
export function meshWorkloads(mesh: IstioMesh): MeshWorkload[] {
  const found: MeshWorkload[] = [];
  for (const c of mesh.node.root.node.findAll()) {
    const workload = observedWorkload(c);
    if (!workload || !LONG_RUNNING.has(workload.kind)) continue;
    const namespace = workloadNamespace(workload);
    if (namespace === undefined) continue;
    if (!inMesh(workload)) continue;
    const ambient = isAmbient(workload, mesh);
    const annotations = isWorkloadRef(workload)
      ? (workload.ownAnnotations?.annotations ?? {})
      : (workload.podMetadata.toJson().annotations ?? {});
    found.push({
      name: workload.name,
      namespace,
      kind: workload.kind,
      dataplane: ambient ? 'ambient' : 'sidecar',
      ...(ambient ? waypointOf(workload, mesh) : {}),
      ...(workload.kind === WorkloadKind.ROLLOUT && !mesh.policy.has('rolloutWorkloadName')
        ? { workloadPattern: `${escapeRe2(workload.name)}-[a-z0-9]+` }
        : {}),
      // Before 1.19 the proxies ignore the annotation and keep Envoy's defaults; an ambient
      // workload's histogram is its waypoint's, which does not read the workload's pod annotations.
      buckets: histogramBuckets(
        mesh.policy.has('statsHistogramBucketsAnnotation') && !ambient
          ? annotations[STATS_HISTOGRAM_BUCKETS_ANNOTATION]
          : undefined,
      ),
      construct: workload,
    });
  }
  return found.sort((a, b) => (`${a.namespace}/${a.name}` < `${b.namespace}/${b.name}` ? -1 : 1));
}

function observedWorkload(c: IConstruct): ObservedWorkload | undefined {
  if (WorkloadRef.isWorkloadRef(c)) return c;
  return c instanceof kplus.Workload ? c : undefined;
}

function waypointOf(workload: ObservedWorkload, mesh: IstioMesh): { waypoint?: string } {
  const waypoint = ambientWaypoint(workload, mesh);
  return waypoint ? { waypoint: waypoint.name } : {};
}

/**
 * Whether a workload's pods are in the mesh: not a reference declared outside it, nor pods this
 * app builds labelled out of injection (`sidecar.istio.io/inject: "false"`, the generated Jaeger's)
 * or out of ambient (`istio.io/dataplane-mode: none`).
 */
function inMesh(workload: ObservedWorkload): boolean {
  if (isWorkloadRef(workload)) return workload.sidecar;
  const labels = workload.podMetadata.toJson().labels ?? {};
  return labels['sidecar.istio.io/inject'] !== 'false' && labels['istio.io/dataplane-mode'] !== 'none';
}

/**
 * A matcher of the workload's series by `label` (`destination_workload`, `source_workload`): its
 * name, or the pattern of the names it reports (see {@link MeshWorkload.workloadPattern}).
 */
export function workloadMatcher(w: Pick<MeshWorkload, 'name' | 'workloadPattern'>, label: string): string {
  return w.workloadPattern === undefined ? eq(label, w.name) : matches(label, w.workloadPattern);
}

/**
 * A regex for the names of the pods of workloads of one kind, capturing the workload's name, as
 * Kubernetes generates them: a Deployment's (or an Argo Rollout's)
 * `<name>-<pod-template-hash>-<suffix>`, a StatefulSet's `<name>-<ordinal>`, a DaemonSet's
 * `<name>-<suffix>` (kubernetes/kubernetes pkg/controller: ReplicaSet and DaemonSet pods are
 * created with GenerateName, StatefulSet pods as `<set>-<ordinal>`).
 */
export function podNamePattern(kind: string, names: readonly string[]): string {
  const captured = `(${names.map(escapeRe2).join('|')})`;
  switch (kind) {
    case WorkloadKind.STATEFUL_SET:
      return `${captured}-[0-9]+`;
    case WorkloadKind.DAEMON_SET:
      return `${captured}-[a-z0-9]{5}`;
    default:
      return `${captured}-[a-z0-9]+-[a-z0-9]{5}`;
  }
}
