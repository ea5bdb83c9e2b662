import { isMapping, type JsonMapping, listOf, mappingAt } from '../core/json-values';
import { apiGroupOf } from '../core/names';
import { meshRootNamespace } from './install-inputs';
import type { RenderedObject } from './objects';
import { perObjectSet } from './per-object-set';

/**
 * Which Telemetry objects istiod applies to a proxy, and in what order: Istio's precedence,
 * written once (istio/istio@1.26.8:pilot/pkg/model/telemetry.go, the same at 1.31.0-rc.0):
 *
 * - Every Telemetry is ordered by creation time, oldest first, then by name, then namespace
 *   (pilot/pkg/model/config.go sortConfigByCreationTime, lines 306-320).
 * - Root and namespace level: the first (oldest) Telemetry of the namespace without a selector or
 *   targetRef applies; any other selector-less one there is ignored entirely (telemetry.go
 *   namespaceWideTelemetryConfig, lines 672-679).
 * - Workload level: from 1.20 every Telemetry of the pod's namespace whose selector or targetRef
 *   matches it, oldest first, each overriding what the earlier set (lines 456-487, no `break`);
 *   before 1.20 only the oldest match (istio/istio@1.19.0:pilot/pkg/model/telemetry.go line 455,
 *   `break`; removed by istio/istio#47648).
 * - The levels apply root, then namespace, then workload: "The latter elements will override the
 *   first elements" (line 410).
 *
 * Objects read from files have no creation time: their order is their names', as it is for
 * objects applied in one `kubectl apply` within the same second.
 */
export type TelemetryScope = 'root' | 'namespace' | 'workload';

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

function readPolicy(object: RenderedObject, rootNamespace: string): TelemetryPolicy {
  const { manifest } = object;
  const spec = mappingAt(manifest, 'spec');
  const labels = mappingAt(spec, 'selector', 'matchLabels');
  const selector = Object.keys(labels).length > 0 ? (labels as Record<string, string>) : undefined;
  const targetRefs = [...(isMapping(spec.targetRef) ? [spec.targetRef] : []), ...listOf(spec.targetRefs)].filter(
    isMapping,
  );
  const namespace = manifest.metadata.namespace ?? '';
  const created = Date.parse(String(mappingAt(manifest, 'metadata').creationTimestamp ?? ''));
  return {
    object,
    name: manifest.metadata.name ?? '',
    namespace,
    scope: selector || targetRefs.length > 0 ? 'workload' : namespace === rootNamespace ? 'root' : 'namespace',
    ...(selector ? { selector } : {}),
    targetRefs,
    ...(Number.isNaN(created) ? {} : { createdAt: created }),
    spec,
  };
}

/** Istio's order: creation time (none counts as the same instant), then name, then namespace. */
export function istioOrder(a: TelemetryPolicy, b: TelemetryPolicy): number {
  const time = (a.createdAt ?? 0) - (b.createdAt ?? 0);
  if (time !== 0) return time;
  if (a.name !== b.name) return a.name < b.name ? -1 : 1;
  return a.namespace < b.namespace ? -1 : a.namespace > b.namespace ? 1 : 0;
}

/** Whether a workload-level Telemetry selects the pods: by labels, or a Gateway targetRef by its pods' label. */
export function selectsPods(policy: TelemetryPolicy, pod: PodIdentity): boolean {
  if (policy.scope !== 'workload' || (pod.namespace ?? '') !== policy.namespace) return false;
  if (policy.selector) return Object.entries(policy.selector).every(([k, v]) => String(pod.labels[k]) === v);
  // A Gateway API Gateway's pods carry its name (istio/istio@1.26.8:pkg/config/constants GatewayNameLabel);
  // a Service or ServiceEntry targetRef attaches to a waypoint, never to sidecar pods by label.
  return policy.targetRefs.some(
    (ref) => ref.kind === 'Gateway' && pod.labels['gateway.networking.k8s.io/gateway-name'] === ref.name,
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
  ) {
    this.policies = objects
      .filter(isTelemetry)
      .map((o) => readPolicy(o, rootNamespace))
      .sort(istioOrder);
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
    return [...candidates].filter((p) => selectsPods(p, pod)).sort(istioOrder);
  }

  /**
   * What applies to the pods, in the order istiod applies it. `mergesWorkloadLevel`: whether the
   * release merges every matching workload-level Telemetry (1.20 and later) or applies the oldest.
   */
  appliedTo(pod: PodIdentity, mergesWorkloadLevel = true): AppliedTelemetry {
    const namespace = pod.namespace ?? '';
    const matching = this.selecting(pod);
    const workload = mergesWorkloadLevel ? matching : matching.slice(0, 1);
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

/** The Telemetry index of a set of objects under its mesh's root namespace, built once per set. */
export const telemetryIndex: (objects: readonly RenderedObject[]) => TelemetryIndex = perObjectSet(
  (objects) => new TelemetryIndex(objects, meshRootNamespace(objects)),
);

/** `name` and namespace, as findings and REPORT.md name a Telemetry. */
export function describeTelemetry(policy: TelemetryPolicy): string {
  return `Telemetry ${policy.namespace}/${policy.name}`;
}
