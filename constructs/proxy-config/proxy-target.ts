import { Construct, type IConstruct } from 'constructs';
import { formatValue, problem } from '../../core/errors';
import { PROXY_CONFIG_ANNOTATION } from '../../core/istio/istio-names';
import { isDnsLabel } from '../../core/names';
import { refuseInput } from '../../core/problems/construct-problems';
import type { FieldPath } from '../../core/problems/field-path';
import type { Problem } from '../../core/problems/problem';
import type { Dataplane } from '../ambient/mesh-namespaces';
import type { Waypoint } from '../ambient/waypoint';
import { IstioPodAnnotations } from './istio-pod-annotations';
import type { ProxyConfigFragment } from './proxy-config-fragment';
import { describeWorkload, isWorkloadRef, type ObservedWorkload, workloadNamespace } from './workload-ref';

/**
 * What a proxy target needs of its mesh. IstioMesh satisfies it; naming only this keeps the
 * proxy-config constructs from importing the mesh that creates them.
 */
export interface ProxyTargetMesh {
  readonly rootNamespace: string;
  readonly install: {
    addMeshDefaultProxyConfig(contributor: IConstruct, fragment: ProxyConfigFragment): void;
  };
  /** The data plane of a namespace's pods. */
  dataplaneOf(namespace: string): Dataplane;
  /** The waypoint a namespace uses, if any. */
  waypointOf(namespace: string): Waypoint | undefined;
}

/**
 * Which proxies a setting applies to: every proxy of the mesh, the proxies of one namespace, or
 * the pods of one workload. More specific targets take precedence (Istio's hierarchy: workload >
 * namespace > root namespace).
 *
 * ProxyConfig settings reach the mesh through `meshConfig.defaultConfig` and a workload through
 * its `proxy.istio.io/config` annotation; ProxyConfig has no namespace level. Telemetry API
 * settings reach each target through one Telemetry resource ({@link MeshTelemetry}).
 */
export abstract class ProxyTarget {
  /** All proxies of the mesh. */
  static mesh(): ProxyTarget {
    return new MeshProxyTarget();
  }

  /** The proxies of one namespace (Telemetry API only). */
  static namespace(name: string): ProxyTarget {
    return new NamespaceProxyTarget(name);
  }

  /** The pods of `workload`: one this app builds, or a {@link WorkloadRef} to one deployed elsewhere. */
  static workload(workload: ObservedWorkload): ProxyTarget {
    return new WorkloadProxyTarget(workload);
  }

  /**
   * A waypoint proxy of the ambient data plane: a Telemetry bound to its Gateway. Before Istio
   * 1.30.3 that reaches everything it processes, for every namespace and Service that use it; from
   * 1.30.3 the traffic of Services of other namespaces takes their own namespace's Telemetry instead
   * (istio/istio#60665).
   */
  static waypoint(waypoint: Waypoint): ProxyTarget {
    return new WaypointProxyTarget(waypoint);
  }

  abstract readonly kind: 'mesh' | 'namespace' | 'workload' | 'waypoint';

  /** The waypoint, for waypoint targets. */
  readonly waypoint?: Waypoint;

  /** Readable name for messages, e.g. `the mesh` or `Deployment "webapp"`. */
  abstract readonly description: string;

  /** The workload, for workload targets. */
  abstract readonly workload?: ObservedWorkload;

  /** Problems with the target itself (e.g. an invalid namespace name). */
  problems(_field: FieldPath): Problem[] {
    return [];
  }

  /** Records ProxyConfig `fragment` for the targeted proxies. */
  abstract contribute(mesh: ProxyTargetMesh, contributor: IConstruct, fragment: ProxyConfigFragment): void;

  /**
   * Whether every proxy of `other` is among this target's: the mesh covers all, a namespace its
   * own and its workloads', a workload only itself.
   */
  covers(other: ProxyTarget, mesh: ProxyTargetMesh): boolean {
    switch (this.kind) {
      case 'mesh':
        return true;
      case 'namespace':
        return other.kind !== 'mesh' && targetNamespace(other, mesh) === targetNamespace(this, mesh);
      case 'workload':
        return other.workload !== undefined && other.workload === this.workload;
      case 'waypoint':
        return other.waypoint !== undefined && other.waypoint === this.waypoint;
    }
  }
}

class MeshProxyTarget extends ProxyTarget {
  readonly kind = 'mesh';
  readonly description = 'the mesh';
  readonly workload = undefined;

  contribute(mesh: ProxyTargetMesh, contributor: IConstruct, fragment: ProxyConfigFragment): void {
    mesh.install.addMeshDefaultProxyConfig(contributor, fragment);
  }
}

class NamespaceProxyTarget extends ProxyTarget {
  readonly kind = 'namespace';
  readonly workload = undefined;

  constructor(readonly namespace: string) {
    super();
  }

  get description(): string {
    return `namespace "${this.namespace}"`;
  }

  override problems(field: FieldPath): Problem[] {
    return isDnsLabel(this.namespace)
      ? []
      : [problem([...field, 'namespace'], this.namespace, 'a Kubernetes namespace name (RFC 1123 label)')];
  }

  contribute(_mesh: ProxyTargetMesh, contributor: IConstruct, _fragment: ProxyConfigFragment): void {
    refuseInput(contributor, [
      problem(['target'], { namespace: this.namespace }, 'the mesh or a workload', {
        what: 'ProxyConfig has no namespace level (meshConfig.defaultConfig or a pod annotation)',
        hint: 'target each workload, or use the Telemetry API tracing mechanism, which has one Telemetry per namespace',
      }),
    ]);
  }
}

class WorkloadProxyTarget extends ProxyTarget {
  readonly kind = 'workload';

  constructor(readonly workload: ObservedWorkload) {
    super();
  }

  get description(): string {
    return isWorkload(this.workload) ? describeWorkload(this.workload) : formatValue(this.workload);
  }

  /**
   * A JavaScript caller (or a cast) can pass anything: `undefined`, a name. It is refused with the
   * construct's other problems instead of failing deep inside with a TypeError.
   */
  override problems(field: FieldPath): Problem[] {
    if (isWorkload(this.workload)) {
      // Pods without a sidecar read no proxy setting: naming one is a mistake, not a no-op.
      if (!isWorkloadRef(this.workload) || this.workload.sidecar) return [];
      return [
        problem([...field, 'workload'], this.workload.name, 'a workload in the mesh', {
          what: `${describeWorkload(this.workload)} runs outside the mesh (sidecar: false), so no proxy reads what this sets for it`,
        }),
      ];
    }
    return [
      problem(
        [...field, 'workload'],
        this.workload,
        'a workload construct: a cdk8s-plus Deployment, StatefulSet or DaemonSet of this app, or a WorkloadRef',
        typeof this.workload === 'string'
          ? {
              hint: `name a workload deployed elsewhere with new WorkloadRef(scope, id, { name: '${this.workload}', ... })`,
            }
          : {},
      ),
    ];
  }

  contribute(mesh: ProxyTargetMesh, contributor: IConstruct, fragment: ProxyConfigFragment): void {
    if (!isWorkload(this.workload)) return; // refused through problems()
    if (isAmbient(this.workload, mesh)) {
      // ztunnel and waypoints read no pod annotation: a ProxyConfig setting of an ambient pod reaches nothing.
      const waypoint = ambientWaypoint(this.workload, mesh);
      refuseInput(contributor, [
        problem(['target'], { workload: this.workload.node.id }, 'a workload with a sidecar, or a waypoint', {
          what: `${describeWorkload(this.workload)} runs in the ambient data plane: no sidecar reads ${Object.keys(fragment).join(', ')} from its ${PROXY_CONFIG_ANNOTATION} (ztunnel and waypoints read no pod annotation)`,
          hint: waypoint
            ? `set it on its waypoint instead: target: { waypoint: ${waypoint.name} } (its pods read proxy.istio.io/config from the Gateway's spec.infrastructure.annotations)`
            : 'declare a waypoint for it (workloads.<name>.waypoint) and target that: target: { waypoint: <name> }',
        }),
      ]);
      return;
    }
    IstioPodAnnotations.of(this.workload).addProxyConfig(contributor, fragment);
  }
}

class WaypointProxyTarget extends ProxyTarget {
  readonly kind = 'waypoint';
  readonly workload = undefined;

  constructor(override readonly waypoint: Waypoint) {
    super();
  }

  get description(): string {
    return this.waypoint.description;
  }

  contribute(_mesh: ProxyTargetMesh, contributor: IConstruct, fragment: ProxyConfigFragment): void {
    this.waypoint.addProxyConfig(contributor, fragment);
  }
}

/** Whether `workload`'s pods are in the ambient data plane: as the reference says, else as its namespace's. */
export function isAmbient(workload: ObservedWorkload, mesh: Pick<ProxyTargetMesh, 'dataplaneOf'>): boolean {
  if (isWorkloadRef(workload) && workload.dataplane !== undefined) return workload.dataplane === 'ambient';
  const namespace = workloadNamespace(workload);
  return namespace !== undefined && mesh.dataplaneOf(namespace) === 'ambient';
}

/** The waypoint an ambient workload's Service traffic goes through: its own, else its namespace's. */
export function ambientWaypoint(
  workload: ObservedWorkload,
  mesh: Pick<ProxyTargetMesh, 'waypointOf'>,
): Waypoint | undefined {
  if (isWorkloadRef(workload) && workload.waypoint) return workload.waypoint === 'none' ? undefined : workload.waypoint;
  const namespace = workloadNamespace(workload);
  return namespace === undefined ? undefined : mesh.waypointOf(namespace);
}

/** A construct that can be a workload target: a cdk8s-plus workload or a WorkloadRef. */
function isWorkload(value: unknown): value is ObservedWorkload {
  return (
    typeof value === 'object' &&
    value !== null &&
    Construct.isConstruct(value) &&
    typeof (value as { kind?: unknown }).kind === 'string' &&
    typeof (value as { name?: unknown }).name === 'string'
  );
}

/** The namespace a target's Telemetry lives in: the root namespace for the mesh. */
export function targetNamespace(target: ProxyTarget, mesh: Pick<ProxyTargetMesh, 'rootNamespace'>): string | undefined {
  switch (target.kind) {
    case 'mesh':
      return mesh.rootNamespace;
    case 'namespace':
      return (target as NamespaceProxyTarget).namespace;
    case 'workload':
      return isWorkload(target.workload) ? workloadNamespace(target.workload) : undefined;
    case 'waypoint':
      return target.waypoint?.namespace;
  }
}
