import { Chart, Lazy } from 'cdk8s';
import { Construct, type IConstruct } from 'constructs';
import { markCelDeclared } from '../../core/contracts/construct-sources';
import type { IIstioMesh } from '../../core/contracts/istio-mesh';
import { ObservabilityConfigError, problem } from '../../core/errors';
import { GATEWAY_API_GROUP } from '../../core/istio/istio-names';
import { FragmentMerger } from '../../core/merge/fragment-merger';
import { sortedValues } from '../../core/merge/sorted-entries';
import { isDnsLabel } from '../../core/names';
import { refuseInput } from '../../core/problems/construct-problems';
import { Telemetry, TelemetryV1Alpha1 } from '../../imports/telemetry.istio.io';
import type { Waypoint } from '../ambient/waypoint';
import {
  ambientWaypoint,
  isAmbient,
  type ProxyTarget,
  type ProxyTargetMesh,
  targetNamespace,
} from '../proxy-config/proxy-target';
import {
  isWorkloadRef,
  type ObservedWorkload,
  workloadNamespace,
  workloadSelector,
} from '../proxy-config/workload-ref';

/** Telemetry `WorkloadMode` (istio/api@1.30.3:telemetry/v1alpha1/telemetry.proto); absent means CLIENT_AND_SERVER. */
export type WorkloadMode = 'CLIENT' | 'SERVER';

/** Telemetry `MetricSelector`: a standard metric by its enum name, or a custom metric by name. */
export type TelemetryMetric = { readonly metric: string } | { readonly customMetric: string };

/** One `metrics[].overrides[]` entry as contributed. */
export interface TelemetryMetricOverride {
  readonly match: TelemetryMetric & { readonly mode?: WorkloadMode };
  /** Dimension name to CEL value (UPSERT), or `undefined` value to remove the tag. */
  readonly upsert?: Readonly<Record<string, string>>;
  readonly remove?: readonly string[];
}

/** Telemetry `tracing[]` settings as contributed; a Telemetry has one tracing entry. */
export interface TelemetryTracing {
  readonly provider?: string;
  readonly randomSamplingPercentage?: number;
  readonly customTags?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}

/** Telemetry `accessLogging[]` settings as contributed; a Telemetry written here has one entry. */
export interface TelemetryAccessLogging {
  /** The extension provider that writes the log; absent means `meshConfig.defaultProviders.accessLogging`. */
  readonly provider?: string;
  /** A CEL condition: only requests or connections for which it is true are logged. */
  readonly filter?: string;
  /** Turns access logging off for these proxies (overriding a broader Telemetry). */
  readonly disabled?: boolean;
}

/** The metrics provider the stats filter exports through (istiod's built-in, istio/api@1.30.3:mesh/v1alpha1/config.proto). */
export const PROMETHEUS_PROVIDER = 'prometheus';

const ID = 'Telemetry';

/** What the Telemetry writer needs of its mesh: the release, and where each namespace's pods get their L7 processing. */
export interface TelemetryMesh extends IIstioMesh, Pick<ProxyTargetMesh, 'dataplaneOf' | 'waypointOf'> {
  readonly namespaces: { usersOf(waypoint: Waypoint): readonly string[] };
}

/** The Telemetry a target's settings go to: its key among the mesh's, and how to make it. */
interface DocumentBinding {
  readonly key: string;
  readonly create: () => TelemetryDocument;
}

/** A target as the config writes it, for refusals: `{ workload: checkout }`. */
function targetValue(target: ProxyTarget): unknown {
  if (target.kind === 'mesh') return 'mesh';
  if (target.waypoint) return { waypoint: target.waypoint.name };
  if (target.workload) return { workload: target.workload.node.id };
  return { namespace: targetNamespace(target, { rootNamespace: '' }) };
}

/** The Service a Telemetry binds to for an ambient workload. */
function serviceOf(workload: ObservedWorkload): string {
  return isWorkloadRef(workload) ? workload.service : workload.name;
}

/**
 * The one place that writes Telemetry resources (`telemetry.istio.io`) for a mesh.
 *
 * Istio allows one selector-less Telemetry per namespace and applies the most specific one
 * (workload > namespace > root namespace), so every contribution for a target is merged into a
 * single resource: `mesh-default` in the root namespace, `namespace-default` in a namespace, or one
 * named after the workload with its pod selector. Conflicting values are refused naming both
 * constructs. The apiVersion is the target release's (v1alpha1 before 1.22, v1 from 1.22).
 */
export class MeshTelemetry extends Construct {
  private readonly documents = new Map<string, TelemetryDocument>();

  constructor(
    scope: Construct,
    id: string,
    private readonly mesh: TelemetryMesh,
  ) {
    super(scope, id);
  }

  /** Adds one metrics override for `target`'s proxies. */
  addMetricOverride(contributor: IConstruct, target: ProxyTarget, override: TelemetryMetricOverride): void {
    const { match } = override;
    const document = this.document(contributor, target);
    const namespace = target.kind === 'namespace' ? targetNamespace(target, this.mesh) : undefined;
    // From 1.30.3 an ambient namespace's own Telemetry reaches its waypoint unbound: a waypoint still.
    const waypoint =
      document.binding ??
      (namespace !== undefined && this.mesh.dataplaneOf(namespace) === 'ambient'
        ? `the waypoint of namespace ${namespace}`
        : undefined);
    if (waypoint !== undefined && match.mode === 'CLIENT') {
      // A waypoint builds its stats filter for the inbound listener class: server metrics only.
      throw new ObservabilityConfigError(contributor, [
        problem(['target'], targetValue(target), 'proxies that report as clients (outboundSidecar) with a sidecar', {
          what: `${target.description} is reached through ${waypoint}, which reports as a server (reporter="waypoint"): a CLIENT-mode override never applies there (istio/istio@1.24.0:pilot/pkg/networking/core/listener_waypoint.go lines 469, 485)`,
          hint: 'declare the dimension for inboundSidecar (Telemetry mode SERVER), which waypoints honour',
        }),
      ]);
    }
    const key = `${'metric' in match ? match.metric : `custom:${match.customMetric}`}|${match.mode ?? ''}`;
    const tags: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(override.upsert ?? {})) tags[name] = { value };
    for (const name of override.remove ?? []) tags[name] = { operation: 'REMOVE' };
    document.add(contributor, { overrides: { [key]: { match, tagOverrides: tags } } });
  }

  /** Adds access logging settings for `target`'s proxies. */
  addAccessLogging(contributor: IConstruct, target: ProxyTarget, logging: TelemetryAccessLogging): void {
    const document = this.document(contributor, target);
    if (document.boundTo === 'Service') {
      const gate = this.mesh.policy.featureProblem('waypointServiceAccessLogging', ['target'], targetValue(target), {
        expected: 'the waypoint itself: target: { waypoint: <name> }',
        hint: `on ${this.mesh.policy.version.release} a waypoint logs only by its own Telemetry; target the waypoint, or Istio 1.24.2 or later`,
      });
      if (gate) throw new ObservabilityConfigError(contributor, [gate]);
    }
    document.add(contributor, { accessLogging: { ...logging } });
  }

  /** Adds tracing settings for `target`'s proxies. */
  addTracing(contributor: IConstruct, target: ProxyTarget, tracing: TelemetryTracing): void {
    this.document(contributor, target).add(contributor, { tracing: { ...tracing } });
  }

  private document(contributor: IConstruct, target: ProxyTarget): TelemetryDocument {
    const { key, create } = this.ambientBinding(contributor, target) ?? this.sidecarBinding(contributor, target);
    let document = this.documents.get(key);
    if (!document) {
      document = create();
      this.documents.set(key, document);
    }
    return document;
  }

  /** Where a setting for a sidecar target goes: the Telemetry of its workload, namespace or mesh. */
  private sidecarBinding(contributor: IConstruct, target: ProxyTarget): DocumentBinding {
    const namespace = targetNamespace(target, this.mesh);
    if (namespace === undefined || !isDnsLabel(namespace)) {
      throw new ObservabilityConfigError(contributor, [
        problem(
          ['target'],
          target.description,
          'a target whose namespace is known (set it on the chart or the workload)',
        ),
      ]);
    }
    return {
      key: target.workload ? `workload:${target.workload.node.path}` : `${target.kind}:${namespace}`,
      create: () => this.create(contributor, target, namespace),
    };
  }

  /**
   * Where a setting for an ambient target goes: its waypoint's Telemetry, bound by `targetRefs`
   * (a selector never reaches a waypoint, istio/istio@1.24.0:pilot/pkg/model/policyattachment.go
   * lines 111-121), or a refusal naming what is missing. Undefined for a sidecar target.
   *
   * - a waypoint: a Telemetry in its namespace bound to its Gateway (lines 144-152);
   * - an ambient workload: a Telemetry in its namespace bound to its Service, which the waypoint
   *   applies to that Service's traffic only (lines 126-133); a waypoint of another namespace reads
   *   it from 1.30.3 (istio/istio#60665), before only its own namespace's;
   * - an ambient namespace: its waypoint's, when the waypoint serves that namespace alone; from
   *   1.30.3 a waypoint of another namespace reads the namespace's own namespace-wide Telemetry for
   *   its Services instead of the Gateway-bound one of its own namespace.
   */
  private ambientBinding(contributor: IConstruct, target: ProxyTarget): DocumentBinding | undefined {
    const refuse = (expected: string, what: string, hint: string): never => {
      throw new ObservabilityConfigError(contributor, [
        problem(['target'], targetValue(target), expected, { what: `${target.description} ${what}`, hint }),
      ]);
    };
    const crossNamespace = this.mesh.policy.has('waypointServiceNamespaceTelemetry');
    if (target.kind === 'waypoint' && target.waypoint) {
      return this.waypointDocument(target.waypoint);
    }
    if (target.kind === 'namespace') {
      const namespace = targetNamespace(target, this.mesh);
      if (namespace === undefined || this.mesh.dataplaneOf(namespace) !== 'ambient') return undefined;
      const waypoint = this.mesh.waypointOf(namespace);
      if (!waypoint) {
        return refuse(
          'a namespace with a waypoint, or a sidecar namespace',
          `is ambient without a waypoint: ztunnel does L4 only, so no proxy of it applies metrics dimensions, sampling, tracing or access logs`,
          `declare a waypoint for it: waypoints: { ${namespace}-waypoint: { namespace: ${namespace} } } and namespaces.${namespace}.waypoint: ${namespace}-waypoint`,
        );
      }
      if (waypoint.namespace !== namespace && crossNamespace) {
        // From 1.30.3 the waypoint reads the Service's namespace: its namespace-wide Telemetry is the namespace's.
        return undefined;
      }
      const others = this.mesh.namespaces.usersOf(waypoint).filter((n) => n !== namespace);
      // From 1.30.3 a Gateway-bound Telemetry reaches only the Services of the waypoint's own namespace
      // (istio/istio@1.30.3:pilot/pkg/model/policyattachment.go lines 185-187), unless it takes workload traffic.
      if (others.length > 0 && !(crossNamespace && waypoint.traffic === 'service')) {
        return refuse(
          `a namespace whose waypoint serves it alone`,
          `goes through ${waypoint.description}, which also serves namespace ${others.join(', ')}: a Telemetry bound to it applies to them too`,
          `target the waypoint (target: { waypoint: ${waypoint.name} }) to mean all of them, or give the namespace a waypoint of its own`,
        );
      }
      return this.waypointDocument(waypoint);
    }
    const workload = target.workload;
    if (target.kind !== 'workload' || !workload || !isAmbient(workload, this.mesh)) return undefined;
    const waypoint = ambientWaypoint(workload, this.mesh);
    const name = workload.node.id;
    if (!waypoint) {
      return refuse(
        'a workload with a waypoint, or with a sidecar',
        'is ambient without a waypoint: ztunnel does L4 only, so no proxy applies this to it',
        `declare a waypoint (waypoints: { ${name}-waypoint: { namespace: ${workloadNamespace(workload)} } }) and attach it: workloads.${name}.waypoint: ${name}-waypoint`,
      );
    }
    if (!waypoint.takesServiceTraffic) {
      return refuse(
        'a workload whose waypoint takes service traffic (for: service or all)',
        `goes through ${waypoint.description}, which takes workload traffic only: a Telemetry bound to its Service is not applied there`,
        `declare the waypoint for: service (or all), or target the waypoint: target: { waypoint: ${waypoint.name} }`,
      );
    }
    const namespace = workloadNamespace(workload) ?? '';
    if (waypoint.namespace !== namespace && !crossNamespace) {
      return refuse(
        `a workload whose waypoint is in its namespace, on Istio ${this.mesh.policy.version.release}`,
        `goes through ${waypoint.description}, which reads only the Telemetry of its own namespace before Istio 1.30.3 (istio/istio#60665): a Telemetry bound to Service ${namespace}/${serviceOf(workload)} is not applied`,
        `put the waypoint in namespace ${namespace}, target the waypoint, or target Istio 1.30.3 or later`,
      );
    }
    const service = serviceOf(workload);
    return {
      key: `service:${namespace}/${service}`,
      create: () =>
        new TelemetryDocument(workload, ID, this.mesh, {
          name: workload.name,
          namespace,
          targetRefs: [{ group: '', kind: 'Service', name: service }],
          binding: `${waypoint.description} (Telemetry bound to Service ${namespace}/${service})`,
        }),
    };
  }

  private waypointDocument(waypoint: Waypoint): DocumentBinding {
    return {
      key: `waypoint:${waypoint.namespace}/${waypoint.name}`,
      create: () =>
        new TelemetryDocument(waypoint, ID, this.mesh, {
          name: waypoint.name,
          namespace: waypoint.namespace,
          targetRefs: [{ group: GATEWAY_API_GROUP, kind: 'Gateway', name: waypoint.name }],
          binding: waypoint.description,
        }),
    };
  }

  /**
   * Mesh Telemetry goes with the mesh, a workload's with the workload, a namespace's with the app's
   * chart of that namespace (its `<namespace>.k8s.yaml`) when there is one, else with its first
   * contributor's chart.
   */
  private create(contributor: IConstruct, target: ProxyTarget, namespace: string): TelemetryDocument {
    switch (target.kind) {
      case 'mesh':
        return new TelemetryDocument(this, ID, this.mesh, { name: 'mesh-default', namespace });
      case 'namespace':
        return new TelemetryDocument(namespaceChart(contributor, namespace), `telemetry-${namespace}`, this.mesh, {
          name: 'namespace-default',
          namespace,
        });
      case 'waypoint':
        throw new Error('a waypoint target is bound by ambientBinding');
      case 'workload': {
        const workload = target.workload;
        if (!workload) throw new Error('a workload target without a workload');
        return new TelemetryDocument(workload, ID, this.mesh, {
          name: workload.name,
          namespace,
          // Read at render time: the pod labels are final then, and reading them now would render the
          // pod template's annotations once per contribution.
          matchLabels: () => workloadSelector(workload),
        });
      }
    }
  }
}

/** The chart of the contributor's app whose namespace is `namespace`, else the contributor's own. */
function namespaceChart(contributor: IConstruct, namespace: string): Chart {
  const own = Chart.of(contributor);
  if (own.namespace === namespace) return own;
  const charts = own.node.root.node.children.filter((c): c is Chart => Chart.isChart(c));
  return charts.find((c) => c.namespace === namespace) ?? own;
}

interface DocumentMetadata {
  readonly name: string;
  readonly namespace: string;
  /** The workload's pod selector, for a workload's Telemetry. */
  readonly matchLabels?: () => Readonly<Record<string, string>>;
  /** `spec.targetRefs`, for a Telemetry a waypoint applies. */
  readonly targetRefs?: readonly { readonly group: string; readonly kind: string; readonly name: string }[];
  /** What applies a bound Telemetry, for messages: `waypoint shop/shop-waypoint`. */
  readonly binding?: string;
}

interface MergedTelemetry {
  readonly overrides?: Record<
    string,
    { readonly match: Record<string, unknown>; readonly tagOverrides?: Record<string, unknown> }
  >;
  readonly tracing?: TelemetryTracing;
  readonly accessLogging?: TelemetryAccessLogging;
}

/** One Telemetry resource and the merged contributions it renders. */
class TelemetryDocument extends Construct {
  private readonly merger: FragmentMerger;
  /** The proxy that applies it, when it is bound by targetRefs. */
  readonly binding?: string;
  /** The kind its targetRefs name. */
  readonly boundTo?: string;

  constructor(scope: Construct, id: string, mesh: IIstioMesh, metadata: DocumentMetadata) {
    super(scope, id);
    if (metadata.binding !== undefined) this.binding = metadata.binding;
    if (metadata.targetRefs?.[0]) this.boundTo = metadata.targetRefs[0].kind;
    this.merger = new FragmentMerger(`Telemetry "${metadata.namespace}/${metadata.name}"`, [
      'tracing.customTags.*',
      'overrides.*.match',
    ]);
    const props = {
      metadata: { name: metadata.name, namespace: metadata.namespace },
      spec: Lazy.any({ produce: () => this.renderSpec(metadata) }),
    };
    markCelDeclared(
      mesh.policy.mechanisms.telemetryApiVersion === 'telemetry.istio.io/v1'
        ? new Telemetry(this, 'Resource', props)
        : new TelemetryV1Alpha1(this, 'Resource', props),
    );
  }

  add(contributor: IConstruct, fragment: Record<string, unknown>): void {
    const conflicts = this.merger.add(contributor.node.path, fragment);
    // A conflicting contribution is not merged; it is reported at synth against its contributor.
    refuseInput(contributor, conflicts);
  }

  /** Overrides render in the order they were first contributed; tag keys are sorted by cdk8s. */
  private renderSpec(metadata: DocumentMetadata): Record<string, unknown> {
    const merged = this.merger.toValue() as MergedTelemetry;
    const overrides = sortedValues(merged.overrides ?? {});
    const tracing = merged.tracing;
    return {
      ...(metadata.matchLabels ? { selector: { matchLabels: metadata.matchLabels() } } : {}),
      ...(metadata.targetRefs ? { targetRefs: metadata.targetRefs.map((ref) => ({ ...ref })) } : {}),
      ...(overrides.length > 0 ? { metrics: [{ providers: [{ name: PROMETHEUS_PROVIDER }], overrides }] } : {}),
      ...(tracing
        ? {
            tracing: [
              {
                ...(tracing.provider !== undefined ? { providers: [{ name: tracing.provider }] } : {}),
                ...(tracing.randomSamplingPercentage !== undefined
                  ? { randomSamplingPercentage: tracing.randomSamplingPercentage }
                  : {}),
                ...(tracing.customTags !== undefined ? { customTags: tracing.customTags } : {}),
              },
            ],
          }
        : {}),
      ...(merged.accessLogging ? { accessLogging: [accessLoggingEntry(merged.accessLogging)] } : {}),
    };
  }
}

/** One `accessLogging[]` entry, keys in the API's order. */
function accessLoggingEntry(logging: TelemetryAccessLogging): Record<string, unknown> {
  return {
    ...(logging.provider !== undefined ? { providers: [{ name: logging.provider }] } : {}),
    ...(logging.filter !== undefined ? { filter: { expression: logging.filter } } : {}),
    ...(logging.disabled !== undefined ? { disabled: logging.disabled } : {}),
  };
}
