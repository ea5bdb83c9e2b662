import { isMapping, type JsonMapping, listOf, mappingAt } from '../core/json-values';
import { apiGroupOf } from '../core/names';
import type { FeatureName } from '../core/version/version-features';
import type { VersionPolicy } from '../core/version/version-policy';
import { meshRootNamespace } from './install-inputs';
import type { RenderedObject } from './objects';
import { perObjectSet } from './per-object-set';

/**
 * Which Telemetry objects istiod applies to a proxy, and in what order: Istio's precedence,
 * written once (istio/istio@1.26.8:pilot/pkg/model/telemetry.go, the same at 1.31.0-rc.0):
 *
 * - Every Telemetry is ordered by creation time, oldest first, then by name, then namespace
 *   (pilot/pkg/model/config.go sortConfigByCreationTime, lines 306-320); before 1.23, then by the
 *   string `name.namespace` (istio/istio@1.22.8:pilot/pkg/model/config.go).
 * - Root and namespace level: the first (oldest) Telemetry of the namespace without a selector or
 *   targetRef applies; any other selector-less one there is ignored entirely (telemetry.go
 *   namespaceWideTelemetryConfig, lines 672-679). Before 1.24 a targetRef did not count: a
 *   Telemetry with only a targetRef was namespace-wide (istio/istio@1.20.8 lines 669-676).
 * - Workload level: from 1.20 every Telemetry of the pod's namespace whose selector or targetRef
 *   matches it, oldest first, each overriding what the earlier set (lines 456-487, no `break`);
 *   before 1.20 only the oldest match (istio/istio@1.19.0:pilot/pkg/model/telemetry.go line 455,
 *   `break`; removed by istio/istio#47648).
 * - The levels apply root, then namespace, then workload: "The latter elements will override the
 *   first elements" (line 410).
 *
 * Objects read from files have no creation time: they are applied after any object read back
 * from a cluster, and among themselves in the order of their names, as objects applied in one
 * `kubectl apply` within the same second.
 *
 * Which Telemetry a waypoint applies (a selector one never; from 1.30.3 a Service's own namespace's
 * too) is model/ambient.ts's waypointTelemetry.
 */
export type TelemetryScope = 'root' | 'namespace' | 'workload';

/** What the target release decides about Telemetry precedence (see the notes above). */
export interface TelemetryPrecedence {
  /** Every matching workload-level Telemetry applies (1.20+), or only the oldest. */
  readonly mergesWorkloadLevel: boolean;
  /** Same-instant ties by name, then namespace (1.23+), or by the string `name.namespace`. */
  readonly tiesByNameThenNamespace: boolean;
  /** A targetRef makes a Telemetry workload-level (1.24+), or only matchLabels does. */
  readonly targetRefIsWorkloadLevel: boolean;
  /** The labels by which a Gateway targetRef finds the Gateway's pods. */
  readonly gatewayNameLabels: readonly string[];
}

/** The precedence of `policy`'s release; the newest release's without one. */
export function telemetryPrecedence(policy?: VersionPolicy): TelemetryPrecedence {
  const has = (feature: FeatureName) => policy === undefined || policy.has(feature);
  return {
    mergesWorkloadLevel: has('telemetryWorkloadMerge'),
    tiesByNameThenNamespace: has('telemetryOrderByNameThenNamespace'),
    targetRefIsWorkloadLevel: has('telemetryTargetRefWorkloadLevel'),
    gatewayNameLabels: [
      ...(has('k8sGatewayNameLabel') ? ['gateway.networking.k8s.io/gateway-name'] : []),
      ...(policy?.has('istioGatewayNameLabel') ? ['istio.io/gateway-name'] : []),
    ],
  };
}

/** A Telemetry as istiod selects it. */
export interface TelemetryPolicy {
  readonly object: RenderedObject;
  readonly name: string;
  readonly namespace: string;
  readonly scope: TelemetryScope;
  /** `spec.selector.matchLabels`, when it has labels. */
  readonly selector?: Readonly<Record<string, string>>;
  /** `spec.targetRef` and `spec.targetRefs`, as written. */
  readonly targetRefs: readonly JsonMapping[];
  /** `metadata.creationTimestamp`, when the object has one (one read back from a cluster). */
  readonly createdAt?: number;
  readonly spec: JsonMapping;
}

/** The pods a Telemetry may select: their namespace and labels. */
export interface PodIdentity {
  readonly namespace: string | undefined;
  readonly labels: Readonly<Record<string, unknown>>;
}

/** Which Telemetry objects apply to one pod, in the order istiod applies them (the last wins). */
export interface AppliedTelemetry {
  readonly root?: TelemetryPolicy;
  readonly namespace?: TelemetryPolicy;
  /** The matching workload-level ones that apply, oldest first. */
  readonly workload: readonly TelemetryPolicy[];
  /** Matching workload-level ones istiod does not apply (before 1.20, all but the oldest). */
  readonly ignored: readonly TelemetryPolicy[];
}

function isTelemetry(object: RenderedObject): boolean {
  return object.manifest.kind === 'Telemetry' && apiGroupOf(object.manifest.apiVersion) === 'telemetry.istio.io';
}

function readPolicy(object: RenderedObject, rootNamespace: string, precedence: TelemetryPrecedence): TelemetryPolicy {
  const { manifest } = object;
  const spec = mappingAt(manifest, 'spec');
  const labels = mappingAt(spec, 'selector', 'matchLabels');
  const selector = Object.keys(labels).length > 0 ? (labels as Record<string, string>) : undefined;
  // `targetRefs`, or the older `targetRef` when there are none (pilot/pkg/model/policyattachment.go
  // lines 115-121; validation refuses both at once).
  const refs = listOf(spec.targetRefs).filter(isMapping);
  const targetRefs = refs.length > 0 ? refs : isMapping(spec.targetRef) ? [spec.targetRef] : [];
  const workloadLevel = selector !== undefined || (precedence.targetRefIsWorkloadLevel && targetRefs.length > 0);
  const namespace = manifest.metadata.namespace ?? '';
  const created = Date.parse(String(mappingAt(manifest, 'metadata').creationTimestamp ?? ''));
  return {
    object,
    name: manifest.metadata.name ?? '',
    namespace,
    scope: workloadLevel ? 'workload' : namespace === rootNamespace ? 'root' : 'namespace',
    ...(selector ? { selector } : {}),
    targetRefs,
    ...(Number.isNaN(created) ? {} : { createdAt: created }),
    spec,
  };
}

/**
 * Istio's order: creation time (an object without one, read from a file, is applied after those
 * read back from a cluster), then name and namespace as the release breaks ties.
 */
export function istioOrder(
  a: TelemetryPolicy,
  b: TelemetryPolicy,
  precedence: TelemetryPrecedence = telemetryPrecedence(),
): number {
  const time = (a.createdAt ?? Number.POSITIVE_INFINITY) - (b.createdAt ?? Number.POSITIVE_INFINITY);
  if (time !== 0 && !Number.isNaN(time)) return time;
  const compare = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);
  if (!precedence.tiesByNameThenNamespace) return compare(`${a.name}.${a.namespace}`, `${b.name}.${b.namespace}`);
  return compare(a.name, b.name) || compare(a.namespace, b.namespace);
}

/** Whether a workload-level Telemetry selects the pods: by labels, or a Gateway targetRef by its pods' label. */
export function selectsPods(
  policy: TelemetryPolicy,
  pod: PodIdentity,
  precedence: TelemetryPrecedence = telemetryPrecedence(),
): boolean {
  if (policy.scope !== 'workload' || (pod.namespace ?? '') !== policy.namespace) return false;
  if (policy.selector) return Object.entries(policy.selector).every(([k, v]) => String(pod.labels[k]) === v);
  // A Gateway API Gateway's pods carry its name (istio.io/api label.IoK8sNetworkingGatewayGatewayName,
  // istio/istio@1.26.8:pilot/pkg/model/policyattachment.go lines 104-107, 189-205); a Service or
  // ServiceEntry targetRef attaches to a waypoint, never to sidecar pods.
  return policy.targetRefs.some(
    (ref) =>
      ref.kind === 'Gateway' &&
      (ref.group === undefined || ref.group === 'gateway.networking.k8s.io') &&
      (ref.namespace === undefined || ref.namespace === '' || ref.namespace === policy.namespace) &&
      precedence.gatewayNameLabels.some((label) => pod.labels[label] === ref.name),
  );
}

/**
 * Every Telemetry among `objects`, ordered as istiod orders them and grouped for lookups per pod:
 * with a Telemetry per workload, reading every one for every pod made a review of 2,000 workloads
 * take seconds.
 */
export class TelemetryIndex {
  /** Every Telemetry, in Istio's order. */
  readonly policies: readonly TelemetryPolicy[];
  private readonly namespaceWide = new Map<string, TelemetryPolicy[]>();
  /** Workload-level Telemetry by namespace and one label of their selector (the first). */
  private readonly byLabel = new Map<string, TelemetryPolicy[]>();
  /** Workload-level Telemetry without labels (a targetRef), by namespace. */
  private readonly byTargetRef = new Map<string, TelemetryPolicy[]>();

  constructor(
    objects: readonly RenderedObject[],
    readonly rootNamespace: string,
    readonly precedence: TelemetryPrecedence = telemetryPrecedence(),
  ) {
    this.policies = objects
      .filter(isTelemetry)
      .map((o) => readPolicy(o, rootNamespace, precedence))
      .sort((a, b) => istioOrder(a, b, precedence));
    for (const policy of this.policies) {
      const first = Object.entries(policy.selector ?? {})[0];
      if (policy.scope !== 'workload') push(this.namespaceWide, policy.namespace, policy);
      else if (first) push(this.byLabel, labelKey(policy.namespace, first[0], first[1]), policy);
      else push(this.byTargetRef, policy.namespace, policy);
    }
  }

  /** The selector-less Telemetry objects of a namespace, in Istio's order: only the first applies. */
  namespaceWideIn(namespace: string): readonly TelemetryPolicy[] {
    return this.namespaceWide.get(namespace) ?? [];
  }

  /** The Telemetry objects that select the pods, in Istio's order. */
  selecting(pod: PodIdentity): TelemetryPolicy[] {
    const namespace = pod.namespace ?? '';
    const candidates = new Set([
      ...Object.entries(pod.labels).flatMap(([k, v]) => this.byLabel.get(labelKey(namespace, k, String(v))) ?? []),
      ...(this.byTargetRef.get(namespace) ?? []),
    ]);
    return [...candidates]
      .filter((p) => selectsPods(p, pod, this.precedence))
      .sort((a, b) => istioOrder(a, b, this.precedence));
  }

  /** What applies to the pods, in the order istiod applies it. */
  appliedTo(pod: PodIdentity): AppliedTelemetry {
    const namespace = pod.namespace ?? '';
    const matching = this.selecting(pod);
    const workload = this.precedence.mergesWorkloadLevel ? matching : matching.slice(0, 1);
    const root = this.namespaceWideIn(this.rootNamespace)[0];
    const own = namespace === this.rootNamespace ? undefined : this.namespaceWideIn(namespace)[0];
    return {
      ...(root ? { root } : {}),
      ...(own ? { namespace: own } : {}),
      workload,
      ignored: matching.slice(workload.length),
    };
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const values = map.get(key);
  if (values) values.push(value);
  else map.set(key, [value]);
}

function labelKey(namespace: string, label: string, value: string): string {
  return JSON.stringify([namespace, label, value]);
}

const indexes = perObjectSet(() => new Map<VersionPolicy | undefined, TelemetryIndex>());

/** The Telemetry index of a set of objects under its mesh's root namespace, built once per set and release. */
export function telemetryIndex(objects: readonly RenderedObject[], policy?: VersionPolicy): TelemetryIndex {
  const byPolicy = indexes(objects);
  let index = byPolicy.get(policy);
  if (!index) {
    index = new TelemetryIndex(objects, meshRootNamespace(objects), telemetryPrecedence(policy));
    byPolicy.set(policy, index);
  }
  return index;
}

/** How the release orders Telemetry, for a reader: `by creation time then name`. */
export function describeOrder(precedence: TelemetryPrecedence): string {
  return precedence.tiesByNameThenNamespace ? 'by creation time then name' : 'by creation time then "name.namespace"';
}

/** `name` and namespace, as findings and REPORT.md name a Telemetry. */
export function describeTelemetry(policy: TelemetryPolicy): string {
  return `Telemetry ${policy.namespace}/${policy.name}`;
}
