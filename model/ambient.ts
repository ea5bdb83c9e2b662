import {
  DATAPLANE_MODE_LABEL,
  GATEWAY_API_GROUP,
  USE_WAYPOINT_LABEL,
  USE_WAYPOINT_NAMESPACE_LABEL,
  WAYPOINT_FOR_LABEL,
  WAYPOINT_GATEWAY_CLASS,
} from '../core/istio/istio-names';
import { isMapping, listOf, mappingAt } from '../core/json-values';
import { apiGroupOf } from '../core/names';
import type { VersionPolicy } from '../core/version/version-policy';
import type { RenderedObject } from './objects';
import { perObjectSet } from './per-object-set';
import type { PodIdentity, TelemetryIndex, TelemetryPolicy } from './telemetry-precedence';

/**
 * The ambient data plane as the objects declare it, read once: which pods are ambient (the
 * `istio.io/dataplane-mode` label of their namespace or their own), the waypoints (Gateways of
 * class `istio-waypoint`), and which waypoint takes a pod's traffic (`istio.io/use-waypoint` on
 * its Service, else on its namespace; istio/api@1.24.0:label/labels.gen.go). Objects read from
 * this output include the label patches of Namespaces and Services it does not own.
 */

/** A waypoint's Gateway. */
export interface WaypointGateway {
  readonly object: RenderedObject;
  readonly name: string;
  readonly namespace: string;
  /** `istio.io/waypoint-for`: service (the default), workload, all or none. */
  readonly traffic: string;
}

/** How one workload's pods are in the mesh. */
export interface AmbientPlacement {
  readonly dataplane: 'sidecar' | 'ambient';
  /** What put it in ambient, e.g. `Namespace orders label istio.io/dataplane-mode`. */
  readonly enrolledBy?: string;
  /** The Service in front of its pods, when the objects have one. */
  readonly service?: { readonly name: string; readonly namespace: string };
  /** The waypoint its Service traffic goes through. */
  readonly waypoint?: {
    readonly name: string;
    readonly namespace: string;
    /** e.g. `Service orders/checkout label istio.io/use-waypoint`. */
    readonly attachedBy: string;
    /** Its Gateway, when the objects have it. */
    readonly gateway?: WaypointGateway;
  };
  /** Why it has none although its namespace has one, e.g. `Service orders/inventory label istio.io/use-waypoint: none`. */
  readonly optedOutBy?: string;
}

function labelsOf(object: RenderedObject): Readonly<Record<string, unknown>> {
  return mappingAt(object.manifest, 'metadata', 'labels');
}

function isCore(object: RenderedObject, kind: string): boolean {
  return object.manifest.kind === kind && apiGroupOf(object.manifest.apiVersion) === '';
}

/** Whether `object` is a waypoint's Gateway. */
export function isWaypointGateway(object: RenderedObject): boolean {
  const { manifest } = object;
  return (
    manifest.kind === 'Gateway' &&
    apiGroupOf(manifest.apiVersion) === GATEWAY_API_GROUP &&
    mappingAt(manifest, 'spec').gatewayClassName === WAYPOINT_GATEWAY_CLASS
  );
}

export class AmbientModel {
  readonly waypoints: readonly WaypointGateway[];
  private readonly namespaces = new Map<string, RenderedObject>();
  private readonly services: readonly {
    readonly object: RenderedObject;
    readonly selector: Readonly<Record<string, unknown>>;
  }[];

  constructor(objects: readonly RenderedObject[]) {
    for (const object of objects) {
      if (isCore(object, 'Namespace') && object.manifest.metadata.name) {
        this.namespaces.set(object.manifest.metadata.name, object);
      }
    }
    this.services = objects
      .filter((o) => isCore(o, 'Service'))
      .map((object) => ({
        object,
        // A patch of a Service deployed elsewhere names the pods it selects (its workload's selector).
        selector: object.podLabels ?? mappingAt(object.manifest, 'spec', 'selector'),
      }));
    this.waypoints = objects.filter(isWaypointGateway).map((object) => ({
      object,
      name: object.manifest.metadata.name ?? '',
      namespace: object.manifest.metadata.namespace ?? '',
      traffic: String(labelsOf(object)[WAYPOINT_FOR_LABEL] ?? 'service'),
    }));
  }

  /**
   * The waypoint that serves a Service's traffic, by its own `istio.io/use-waypoint` or its
   * namespace's: `none` when the objects say there is none, `unknown` when they hold neither the
   * Service nor its Namespace.
   */
  waypointOfService(
    namespace: string,
    name: string,
  ): { readonly name: string; readonly namespace: string; readonly attachedBy: string } | 'none' | 'unknown' {
    const service = this.services.find(
      ({ object }) =>
        object.manifest.metadata.name === name && (object.manifest.metadata.namespace ?? '') === namespace,
    );
    const namespaceObject = this.namespaces.get(namespace);
    for (const [object, by] of [
      [service?.object, `Service ${namespace}/${name}`],
      [namespaceObject, `Namespace ${namespace}`],
    ] as const) {
      if (!object) continue;
      const labels = labelsOf(object);
      const waypoint = labels[USE_WAYPOINT_LABEL];
      if (waypoint === 'none') return 'none';
      if (typeof waypoint === 'string' && waypoint !== '') {
        return {
          name: waypoint,
          namespace: String(labels[USE_WAYPOINT_NAMESPACE_LABEL] ?? namespace),
          attachedBy: `${by} label ${USE_WAYPOINT_LABEL}`,
        };
      }
    }
    // Without both, a label elsewhere may attach one.
    return service && namespaceObject ? 'none' : 'unknown';
  }

  /** The Namespaces and Services of other namespaces than the waypoint's that send their traffic through it. */
  crossNamespaceUsers(waypoint: {
    readonly name: string;
    readonly namespace: string;
  }): { readonly user: string; readonly namespace: string }[] {
    const users: { user: string; namespace: string }[] = [];
    const uses = (labels: Readonly<Record<string, unknown>>, own: string) =>
      labels[USE_WAYPOINT_LABEL] === waypoint.name &&
      String(labels[USE_WAYPOINT_NAMESPACE_LABEL] ?? own) === waypoint.namespace &&
      own !== waypoint.namespace;
    for (const [name, object] of this.namespaces) {
      if (uses(labelsOf(object), name)) users.push({ user: `Namespace ${name}`, namespace: name });
    }
    for (const { object } of this.services) {
      const own = object.manifest.metadata.namespace ?? '';
      if (uses(labelsOf(object), own)) {
        users.push({ user: `Service ${own}/${object.manifest.metadata.name}`, namespace: own });
      }
    }
    return users.sort((a, b) => (a.user < b.user ? -1 : a.user > b.user ? 1 : 0));
  }

  /**
   * Whether a waypoint's HBONE listener admits attachments from `namespace`: `allowedRoutes` is
   * `Same` unless it says otherwise (istio/istio@1.24.0:pilot/pkg/serviceregistry/kube/controller/
   * ambient/waypoints.go lines 375-393), a selector matched against the Namespace's labels, which
   * always include `kubernetes.io/metadata.name`.
   */
  admits(waypoint: WaypointGateway, namespace: string): boolean {
    if (namespace === waypoint.namespace) return true;
    const listener = listOf(mappingAt(waypoint.object.manifest, 'spec').listeners).find(
      (l) => isMapping(l) && l.protocol === 'HBONE' && l.port === 15008,
    );
    const allowed = mappingAt(listener, 'allowedRoutes', 'namespaces');
    const from = String(allowed.from ?? 'Same');
    if (from === 'All') return true;
    if (from !== 'Selector') return false;
    const object = this.namespaces.get(namespace);
    const labels: Record<string, unknown> = {
      ...(object ? labelsOf(object) : {}),
      'kubernetes.io/metadata.name': namespace,
    };
    const selector = mappingAt(allowed, 'selector');
    const matchLabels = Object.entries(mappingAt(selector, 'matchLabels'));
    const expressions = listOf(selector.matchExpressions).filter(isMapping);
    return (
      matchLabels.every(([k, v]) => labels[k] === v) &&
      expressions.every((e) => {
        const value = labels[String(e.key)];
        const values = listOf(e.values).map(String);
        switch (e.operator) {
          case 'In':
            return value !== undefined && values.includes(String(value));
          case 'NotIn':
            return value === undefined || !values.includes(String(value));
          case 'Exists':
            return value !== undefined;
          case 'DoesNotExist':
            return value === undefined;
          default:
            return false;
        }
      })
    );
  }

  /** Whether any namespace or pod of the objects is ambient, or a waypoint is declared. */
  get present(): boolean {
    return (
      this.waypoints.length > 0 ||
      [...this.namespaces.values()].some((n) => labelsOf(n)[DATAPLANE_MODE_LABEL] === 'ambient')
    );
  }

  /** Whether `namespace`'s pods are ambient unless they say otherwise. */
  namespaceIsAmbient(namespace: string): boolean {
    const object = this.namespaces.get(namespace);
    return object !== undefined && labelsOf(object)[DATAPLANE_MODE_LABEL] === 'ambient';
  }

  /** Where a workload's pods are: ambient by their own label or their namespace's, and their waypoint. */
  placementOf(pod: PodIdentity): AmbientPlacement {
    const namespace = pod.namespace ?? '';
    const own = pod.labels[DATAPLANE_MODE_LABEL];
    const namespaceObject = this.namespaces.get(namespace);
    const ambient = own === 'ambient' || (own === undefined && this.namespaceIsAmbient(namespace));
    if (!ambient) return { dataplane: 'sidecar' };
    const enrolledBy =
      own === 'ambient' ? `pod label ${DATAPLANE_MODE_LABEL}` : `Namespace ${namespace} label ${DATAPLANE_MODE_LABEL}`;
    const service = this.services.find(
      ({ object, selector }) =>
        (object.manifest.metadata.namespace ?? '') === namespace &&
        Object.keys(selector).length > 0 &&
        Object.entries(selector).every(([k, v]) => String(pod.labels[k]) === String(v)),
    );
    const serviceName = service?.object.manifest.metadata.name;
    const attachment = (
      labels: Readonly<Record<string, unknown>> | undefined,
      by: string,
    ): AmbientPlacement['waypoint'] | undefined => {
      const name = labels?.[USE_WAYPOINT_LABEL];
      if (typeof name !== 'string' || name === '' || name === 'none') return undefined;
      const at = String(labels?.[USE_WAYPOINT_NAMESPACE_LABEL] ?? namespace);
      const gateway = this.waypoints.find((w) => w.name === name && w.namespace === at);
      return {
        name,
        namespace: at,
        attachedBy: `${by} label ${USE_WAYPOINT_LABEL}`,
        ...(gateway ? { gateway } : {}),
      };
    };
    // `none` on the Service opts it out of its namespace's waypoint (istio/istio@1.24.0:
    // pilot/pkg/serviceregistry/kube/controller/ambient/waypoints.go lines 100-104, 183-189).
    const optedOut = service !== undefined && labelsOf(service.object)[USE_WAYPOINT_LABEL] === 'none';
    const attached = optedOut
      ? undefined
      : (attachment(service ? labelsOf(service.object) : undefined, `Service ${namespace}/${serviceName}`) ??
        attachment(namespaceObject ? labelsOf(namespaceObject) : undefined, `Namespace ${namespace}`));
    // A waypoint for workload traffic only takes no Service's (waypoints.go lines 154-160).
    const workloadOnly = attached?.gateway !== undefined && !['service', 'all'].includes(attached.gateway.traffic);
    const waypoint = workloadOnly ? undefined : attached;
    const optedOutBy = optedOut
      ? `Service ${namespace}/${serviceName} label ${USE_WAYPOINT_LABEL}: none`
      : workloadOnly && attached
        ? `its waypoint ${attached.namespace}/${attached.name}, attached by ${attached.attachedBy}, takes workload traffic only (${WAYPOINT_FOR_LABEL}: ${attached.gateway?.traffic}), not its Service's`
        : undefined;
    return {
      dataplane: 'ambient',
      enrolledBy,
      ...(optedOutBy ? { optedOutBy } : {}),
      ...(serviceName ? { service: { name: serviceName, namespace } } : {}),
      ...(waypoint ? { waypoint } : {}),
    };
  }
}

/** The ambient model of a set of objects, built once per set. */
export const ambientModel: (objects: readonly RenderedObject[]) => AmbientModel = perObjectSet(
  (objects) => new AmbientModel(objects),
);

/**
 * The Telemetry a waypoint applies to the traffic of one Service, in istiod's order (the last
 * wins), as istio/istio@1.30.3:pilot/pkg/model/telemetry.go applicableTelemetries reads them:
 * the root namespace's namespace-wide one, the waypoint namespace's, from 1.30.3 the Service
 * namespace's when it is another (lines 454-469), then the policies bound by targetRefs among
 * the namespace it scans (the waypoint's; from 1.30.3 the Service's): to the waypoint's Gateway,
 * or to the Service. A selector never applies to a waypoint (istio/istio@1.24.0:
 * pilot/pkg/model/policyattachment.go lines 111-121; @1.30.3 lines 139-149).
 */
export function waypointTelemetry(
  index: TelemetryIndex,
  waypoint: { readonly name: string; readonly namespace: string },
  service: { readonly name: string; readonly namespace: string } | undefined,
  policy?: VersionPolicy,
): TelemetryPolicy[] {
  const applied: TelemetryPolicy[] = [];
  const root = index.namespaceWideIn(index.rootNamespace)[0];
  if (root) applied.push(root);
  if (waypoint.namespace !== index.rootNamespace) {
    const own = index.namespaceWideIn(waypoint.namespace)[0];
    if (own) applied.push(own);
  }
  const crossNamespace =
    service !== undefined &&
    service.namespace !== waypoint.namespace &&
    (policy === undefined || policy.has('waypointServiceNamespaceTelemetry'));
  if (crossNamespace && service) {
    const theirs = index.namespaceWideIn(service.namespace)[0];
    if (theirs) applied.push(theirs);
  }
  const scanned = crossNamespace && service ? service.namespace : waypoint.namespace;
  for (const candidate of index.policies) {
    if (candidate.namespace !== scanned || candidate.scope !== 'workload') continue;
    const bound = candidate.targetRefs.some((ref) => {
      const group = String(ref.group ?? '');
      // istiod reads a missing group as core, which no Gateway is (istio/istio@1.30.3:pkg/config/model.go lines 457-462).
      if (ref.kind === 'Gateway' && group === GATEWAY_API_GROUP) {
        return ref.name === waypoint.name && candidate.namespace === waypoint.namespace;
      }
      if (ref.kind === 'Service' && group === '' && service) {
        return ref.name === service.name && candidate.namespace === service.namespace;
      }
      return false;
    });
    if (bound) applied.push(candidate);
  }
  return applied;
}
