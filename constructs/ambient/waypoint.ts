import { ApiObject, Lazy } from 'cdk8s';
import { Construct, type IConstruct } from 'constructs';
import { stringify } from 'yaml';
import { brand, hasBrand } from '../../core/contracts/brand';
import type { IIstioMesh } from '../../core/contracts/istio-mesh';
import { problem } from '../../core/errors';
import {
  GATEWAY_API_GROUP,
  PROXY_CONFIG_ANNOTATION,
  WAYPOINT_FOR_LABEL,
  WAYPOINT_GATEWAY_CLASS,
} from '../../core/istio/istio-names';
import { FragmentMerger } from '../../core/merge/fragment-merger';
import { isDnsLabel, isDnsSubdomain } from '../../core/names';
import { refuseInput } from '../../core/problems/construct-problems';
import type { Problem } from '../../core/problems/problem';
import { PROXY_CONFIG_ATOMIC_PATHS, type ProxyConfigFragment } from '../proxy-config/proxy-config-fragment';

/** The traffic a waypoint processes (its `istio.io/waypoint-for` label). */
export type WaypointTraffic = 'service' | 'workload' | 'all';

const TRAFFIC: readonly WaypointTraffic[] = ['service', 'workload', 'all'];

/** The label Kubernetes sets on every Namespace to its name (kubernetes.io/metadata.name, Kubernetes 1.21+). */
const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

/** The port and protocol every waypoint listens on (istio/istio@1.24.0:istioctl/pkg/waypoint/waypoint.go lines 76-111). */
export const WAYPOINT_HBONE_PORT = 15008;

export interface WaypointProps {
  /** The mesh: ambient needs Istio 1.24 or later. */
  readonly mesh: IIstioMesh;
  /** The Gateway's namespace. */
  readonly namespace: string;
  /**
   * The Gateway's name.
   * @default - the construct id
   */
  readonly name?: string;
  /**
   * The traffic it processes: addressed to a Service, to a pod, or both. A Telemetry can bind to
   * a Service only through a waypoint that takes service traffic.
   * @default 'service'
   */
  readonly for?: WaypointTraffic;
}

/**
 * A waypoint proxy: the Gateway API `Gateway` of class `istio-waypoint` istiod deploys an Envoy
 * for, which does the L7 processing (metrics with `reporter="waypoint"`, spans, access logs) of
 * the ambient namespaces and Services that use it. Telemetry reaches it only through `targetRefs`
 * ("Waypoint proxies are required to use this field for policies to apply; `selector` policies
 * will be ignored", istio/api@1.24.0:telemetry/v1alpha1/telemetry.proto lines 277-289).
 *
 * Its pods take `spec.infrastructure.annotations` (istio/istio@1.24.0:manifests/charts/
 * istio-control/istio-discovery/files/waypoint.yaml lines 49-50), so ProxyConfig settings such as
 * `proxyStatsMatcher` reach it through `proxy.istio.io/config` there; a bootstrap override cannot
 * (the waypoint template mounts no `custom-bootstrap`).
 */
export class Waypoint extends Construct {
  /** Whether `value` is a {@link Waypoint}, across copies of this library. */
  static isWaypoint(value: unknown): value is Waypoint {
    return hasBrand(value, 'Waypoint');
  }

  readonly name: string;
  readonly namespace: string;
  readonly traffic: WaypointTraffic;
  readonly gateway: ApiObject;
  private readonly proxyConfig: FragmentMerger;
  /** Namespaces other than its own whose traffic it takes. */
  private readonly otherNamespaces = new Set<string>();

  constructor(scope: Construct, id: string, props: WaypointProps) {
    super(scope, id);
    brand(this, 'Waypoint');
    this.name = props.name ?? id;
    this.namespace = props.namespace;
    this.traffic = props.for ?? 'service';
    this.proxyConfig = new FragmentMerger(
      `${PROXY_CONFIG_ANNOTATION} of waypoint ${this.namespace}/${this.name}`,
      PROXY_CONFIG_ATOMIC_PATHS,
    );
    const problems: Problem[] = [];
    if (!isDnsSubdomain(this.name)) problems.push(problem(['name'], this.name, 'a Gateway name (RFC 1123 subdomain)'));
    if (!isDnsLabel(this.namespace)) {
      problems.push(problem(['namespace'], this.namespace, 'a Kubernetes namespace name (RFC 1123 label)'));
    }
    if (!TRAFFIC.includes(this.traffic)) problems.push(problem(['for'], this.traffic, `one of ${TRAFFIC.join(', ')}`));
    const gate = props.mesh.policy.featureProblem('ambientDataplane', ['namespace'], this.namespace, {
      expected: 'a sidecar data plane on this release',
      hint: 'target Istio 1.24 or later for waypoints',
    });
    if (gate) problems.push(gate);
    // Reported at synth with every other construct's problems; nothing is written until they are fixed.
    refuseInput(this, problems);
    this.gateway = new ApiObject(this, 'Resource', {
      apiVersion: `${GATEWAY_API_GROUP}/v1`,
      kind: 'Gateway',
      metadata: { name: this.name, namespace: this.namespace, labels: { [WAYPOINT_FOR_LABEL]: this.traffic } },
      spec: Lazy.any({ produce: () => this.renderSpec() }),
    });
  }

  /** Merges `fragment` into the waypoint pods' `proxy.istio.io/config`; refuses conflicting values. */
  addProxyConfig(contributor: IConstruct, fragment: ProxyConfigFragment): void {
    // A conflicting contribution is not merged; it is reported at synth against its contributor.
    refuseInput(contributor, this.proxyConfig.add(contributor.node.path, { ...fragment }));
  }

  /**
   * Lets namespace `namespace` send its traffic through this waypoint. istiod refuses an attachment
   * from another namespace unless the HBONE listener's `allowedRoutes` admits it (the default is
   * `Same`: istio/istio@1.24.0:pilot/pkg/serviceregistry/kube/controller/ambient/waypoints.go
   * lines 112-113, 130-131, 375-393), so the listener lists every such namespace.
   */
  allowNamespace(namespace: string): void {
    if (namespace !== this.namespace) this.otherNamespaces.add(namespace);
  }

  /** The namespaces other than its own that use it. */
  get allowedNamespaces(): readonly string[] {
    return [...this.otherNamespaces].sort();
  }

  /** Whether a Telemetry bound to one of its Services reaches it: it must take service traffic. */
  get takesServiceTraffic(): boolean {
    return this.traffic !== 'workload';
  }

  /** How messages name it: `waypoint shop/shop-waypoint`. */
  get description(): string {
    return `waypoint ${this.namespace}/${this.name}`;
  }

  private renderSpec(): Record<string, unknown> {
    const annotations = this.proxyConfig.isEmpty
      ? undefined
      : {
          // YAML 1.1, as pilot-agent reads the annotation (see IstioPodAnnotations.renderProxyConfig).
          [PROXY_CONFIG_ANNOTATION]: stringify(this.proxyConfig.toValue(), {
            sortMapEntries: true,
            lineWidth: 0,
            version: '1.1',
          }),
        };
    return {
      gatewayClassName: WAYPOINT_GATEWAY_CLASS,
      ...(annotations ? { infrastructure: { annotations } } : {}),
      listeners: [
        {
          name: 'mesh',
          port: WAYPOINT_HBONE_PORT,
          protocol: 'HBONE',
          ...(this.otherNamespaces.size > 0
            ? {
                allowedRoutes: {
                  namespaces: {
                    from: 'Selector',
                    selector: {
                      matchExpressions: [
                        {
                          key: NAMESPACE_NAME_LABEL,
                          operator: 'In',
                          values: [this.namespace, ...this.allowedNamespaces],
                        },
                      ],
                    },
                  },
                },
              }
            : {}),
        },
      ],
    };
  }
}
