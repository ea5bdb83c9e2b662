import { Construct, type IConstruct } from 'constructs';
import { ObservabilityConfigError, problem } from '../../core/errors';
import { DATAPLANE_MODE_LABEL, USE_WAYPOINT_LABEL, USE_WAYPOINT_NAMESPACE_LABEL } from '../../core/istio/istio-names';
import { isDnsLabel } from '../../core/names';
import type { Problem } from '../../core/problems/problem';
import { LabelPatch } from './label-patch';
import type { Waypoint } from './waypoint';

/** How a namespace's pods are in the mesh: a sidecar in each, or ztunnel and waypoints (ambient). */
export type Dataplane = 'sidecar' | 'ambient';

export const DATAPLANES: readonly Dataplane[] = ['sidecar', 'ambient'];

export interface MeshNamespaceOptions {
  /** @default - the mesh's data plane */
  readonly dataplane?: Dataplane;
  /**
   * The waypoint that processes the L7 traffic of the whole namespace (`istio.io/use-waypoint` on
   * the Namespace). Ambient namespaces only.
   * @default - none: its workloads get L4 telemetry from ztunnel only, unless a Service has a waypoint
   */
  readonly waypoint?: Waypoint;
}

/** What the mesh knows of one namespace. */
export interface MeshNamespace {
  readonly name: string;
  readonly dataplane: Dataplane;
  readonly waypoint?: Waypoint;
}

/**
 * The data plane of each namespace of the mesh, and the waypoint a namespace uses: the one place
 * the constructs ask whether a pod has a sidecar to read its settings. A namespace declared here
 * whose pods are ambient, or that uses a waypoint, gets its labels through a patch of the
 * Namespace (`patches/`, see {@link LabelPatch}): the namespace is its owners'.
 */
export class MeshNamespaces extends Construct {
  private readonly namespaces = new Map<string, MeshNamespace>();
  private readonly serviceUsers = new Map<Waypoint, Set<string>>();

  constructor(
    scope: Construct,
    id: string,
    /** The data plane of a namespace that does not say. */
    readonly defaultDataplane: Dataplane,
    /** Called once when the first ambient namespace is declared: the install then needs ztunnel and the CNI agent. */
    private readonly onAmbient: (contributor: IConstruct) => void,
  ) {
    super(scope, id);
  }

  /**
   * Declares a namespace: its data plane and waypoint. A namespace is declared once: a second
   * declaration is refused, as is a waypoint for a sidecar namespace (an ObservabilityConfigError
   * naming every problem).
   */
  addNamespace(name: string, options: MeshNamespaceOptions = {}): MeshNamespace {
    const dataplane = options.dataplane ?? this.defaultDataplane;
    const declared: MeshNamespace = { name, dataplane, ...(options.waypoint ? { waypoint: options.waypoint } : {}) };
    const problems: Problem[] = [];
    if (this.namespaces.has(name)) {
      problems.push(problem(['namespace'], name, 'a namespace declared once', { what: 'is declared twice' }));
    }
    if (!isDnsLabel(name)) problems.push(problem(['namespace'], name, 'a Kubernetes namespace name (RFC 1123 label)'));
    if (options.waypoint && dataplane !== 'ambient') {
      problems.push(
        problem(['waypoint'], options.waypoint.name, 'no waypoint for a sidecar namespace', {
          what: `is a waypoint, and namespace "${name}" runs sidecars, which do their own L7 processing`,
          hint: `declare the namespace's data plane ambient (namespaces.${name}.dataplane: ambient), or remove its waypoint`,
        }),
      );
    }
    if (problems.length > 0) throw new ObservabilityConfigError(this, problems);
    this.namespaces.set(name, declared);
    options.waypoint?.allowNamespace(name);
    if (dataplane === 'ambient') {
      this.onAmbient(this);
      const waypoint = options.waypoint;
      new LabelPatch(this, name, {
        kind: 'Namespace',
        name,
        labels: () => ({
          [DATAPLANE_MODE_LABEL]: 'ambient',
          ...(waypoint ? { [USE_WAYPOINT_LABEL]: waypoint.name } : {}),
          ...(waypoint && waypoint.namespace !== name ? { [USE_WAYPOINT_NAMESPACE_LABEL]: waypoint.namespace } : {}),
        }),
        reason: waypoint
          ? `joins the ambient data plane, its L7 traffic through ${waypoint.description}`
          : 'joins the ambient data plane (L4 telemetry from ztunnel; no waypoint)',
      });
    }
    return declared;
  }

  /** The data plane of `namespace`: as declared, else the mesh's. */
  dataplaneOf(namespace: string): Dataplane {
    return this.namespaces.get(namespace)?.dataplane ?? this.defaultDataplane;
  }

  /** The waypoint `namespace` uses, if any. */
  waypointOf(namespace: string): Waypoint | undefined {
    return this.namespaces.get(namespace)?.waypoint;
  }

  /** Every declared namespace, by name. */
  get declared(): ReadonlyMap<string, MeshNamespace> {
    return this.namespaces;
  }

  /**
   * Records that a Service of `namespace` sends its traffic through `waypoint` (its own
   * `istio.io/use-waypoint`), so the waypoint admits the namespace and a setting for the waypoint's
   * namespace knows whom else it reaches.
   */
  addServiceAttachment(waypoint: Waypoint, namespace: string): void {
    waypoint.allowNamespace(namespace);
    const users = this.serviceUsers.get(waypoint) ?? new Set<string>();
    users.add(namespace);
    this.serviceUsers.set(waypoint, users);
  }

  /** The namespaces whose traffic goes through `waypoint`: by the Namespace's label, or a Service's. */
  usersOf(waypoint: Waypoint): readonly string[] {
    const names = new Set([
      ...[...this.namespaces.values()].filter((n) => n.waypoint === waypoint).map((n) => n.name),
      ...(this.serviceUsers.get(waypoint) ?? []),
    ]);
    return [...names].sort();
  }
}
