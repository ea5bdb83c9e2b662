import { Chart } from 'cdk8s';
import type * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { brand, hasBrand } from '../../core/contracts/brand';
import { requireOutputFolder } from '../../core/contracts/output-folder';
import { problem } from '../../core/errors';
import { USE_WAYPOINT_LABEL, USE_WAYPOINT_NAMESPACE_LABEL } from '../../core/istio/istio-names';
import { isDnsLabel, isDnsSubdomain, isLabelValue, isQualifiedName } from '../../core/names';
import { refuseInput } from '../../core/problems/construct-problems';
import type { Problem } from '../../core/problems/problem';
import { LabelPatch } from '../ambient/label-patch';
import type { Dataplane } from '../ambient/mesh-namespaces';
import type { Waypoint } from '../ambient/waypoint';

/** The kinds of workload whose pods observability settings can target; each has a pod template at `spec.template`. */
export enum WorkloadKind {
  DEPLOYMENT = 'Deployment',
  STATEFUL_SET = 'StatefulSet',
  DAEMON_SET = 'DaemonSet',
  /** An Argo Rollout (`argoproj.io/v1alpha1`) with its own pod template. */
  ROLLOUT = 'Rollout',
}

/** The API version of each kind, for patches that target it. */
export const WORKLOAD_API_VERSIONS: Readonly<Record<WorkloadKind, string>> = {
  [WorkloadKind.DEPLOYMENT]: 'apps/v1',
  [WorkloadKind.STATEFUL_SET]: 'apps/v1',
  [WorkloadKind.DAEMON_SET]: 'apps/v1',
  [WorkloadKind.ROLLOUT]: 'argoproj.io/v1alpha1',
};

export interface WorkloadRefProps {
  /** `metadata.name` of the workload. */
  readonly name: string;
  /** Its namespace. */
  readonly namespace: string;
  /**
   * The labels of its pods that select exactly them, e.g. `{ app: 'cart' }`: Telemetry and
   * WasmPlugin resources select the pods with these labels.
   */
  readonly selector: Readonly<Record<string, string>>;
  /** @default WorkloadKind.DEPLOYMENT */
  readonly kind?: WorkloadKind;
  /**
   * The pod template annotations the workload's own manifest sets, and where it was read. A
   * strategic merge patch replaces an annotation's whole value, so the patch carries these: the
   * team's `proxy.istio.io/config` keys are merged with ours (a key both set to different values
   * is refused, naming both), and a single-valued annotation we also set must agree.
   * @default - unknown: the patch replaces the annotations it sets, whatever the workload has
   */
  readonly ownAnnotations?: OwnAnnotations;
  /**
   * Whether the workload's pods run an Istio sidecar. `false` for one outside the mesh (a node
   * agent): no setting may name it, and broader ones are not claimed for it.
   * @default true
   */
  readonly sidecar?: boolean;
  /**
   * With `sidecar: false`, the patch also sets the pod template label
   * `sidecar.istio.io/inject: "false"` (the label form: the annotation is deprecated,
   * istio/api@1.26.0:annotation/annotations.yaml).
   * @default - injection is left to the workload's own manifest and its namespace
   */
  readonly inject?: false;
  /**
   * The data plane of its pods. `ambient`: ztunnel carries its traffic (L4 telemetry) and its
   * waypoint, if any, does its L7 processing; no pod annotation reaches either, so pod-level settings
   * are refused and Telemetry binds to its Service at the waypoint.
   * @default - its namespace's, as the mesh declares it
   */
  readonly dataplane?: Dataplane;
  /**
   * The waypoint its Service's traffic goes through (`istio.io/use-waypoint` on the Service, a patch
   * in `patches/`), or `none` for none even where its namespace has one (L4 only). Ambient
   * workloads only.
   * @default - its namespace's waypoint, if any
   */
  readonly waypoint?: Waypoint | 'none';
  /**
   * The Service in front of its pods: a Telemetry binds to it at the waypoint (`targetRefs` kind
   * Service), and the waypoint attachment labels it.
   * @default - the workload's name
   */
  readonly service?: string;
}

/** A workload manifest's own pod template annotations, read before this app's patch applies. */
export interface OwnAnnotations {
  /** Where they were read, e.g. `apps/ratings/deployment.yaml:12`. */
  readonly source: string;
  readonly annotations: Readonly<Record<string, string>>;
}

/** The pod label that turns sidecar injection off for a workload's pods. */
export const SIDECAR_INJECT_LABEL = 'sidecar.istio.io/inject';

/**
 * A workload this app does not build: deployed by its own team, by Helm, or by another app. Its
 * Telemetry-API settings select its pods by `selector`; its pod-level settings (the merged
 * `proxy.istio.io/config`, `sidecar.istio.io/bootstrapOverride`) cannot be written into a pod
 * template this app does not own, so they become a kustomize patch of that workload's pod
 * template annotations, written with the synth's output (`patches/`, a kustomize Component).
 */
export class WorkloadRef extends Construct {
  /** Whether `value` is a {@link WorkloadRef}, across copies of this library. */
  static isWorkloadRef(value: unknown): value is WorkloadRef {
    return hasBrand(value, 'WorkloadRef');
  }

  readonly kind: WorkloadKind;
  readonly name: string;
  readonly namespace: string;
  readonly selector: Readonly<Record<string, string>>;
  readonly ownAnnotations?: OwnAnnotations;
  /** False for a workload outside the mesh (no sidecar). */
  readonly sidecar: boolean;
  /** The patch turns injection off (`sidecar.istio.io/inject: "false"` on the pod template). */
  readonly injectOff: boolean;
  /** As declared; undefined: its namespace's. */
  readonly dataplane?: Dataplane;
  /** Its own waypoint, attached through its Service, or `none`. */
  readonly waypoint?: Waypoint | 'none';
  /** The Service in front of its pods. */
  readonly service: string;
  /** The pod template annotations the patch sets, by key, in the order they were set. */
  private readonly annotations = new Map<string, () => string>();

  constructor(scope: Construct, id: string, props: WorkloadRefProps) {
    super(scope, id);
    brand(this, 'WorkloadRef');
    this.kind = props.kind ?? WorkloadKind.DEPLOYMENT;
    this.name = props.name;
    this.namespace = props.namespace;
    this.selector = { ...props.selector };
    if (props.ownAnnotations) this.ownAnnotations = props.ownAnnotations;
    this.sidecar = props.sidecar ?? true;
    this.injectOff = props.inject === false;
    if (props.dataplane !== undefined) this.dataplane = props.dataplane;
    if (props.waypoint !== undefined) this.waypoint = props.waypoint;
    this.service = props.service ?? props.name;
    const waypoint = props.waypoint;
    if (waypoint && waypoint !== 'none') waypoint.allowNamespace(this.namespace);
    if (waypoint && props.dataplane !== 'sidecar') {
      new LabelPatch(this, 'Service', {
        kind: 'Service',
        name: this.service,
        namespace: this.namespace,
        labels: () =>
          waypoint === 'none'
            ? { [USE_WAYPOINT_LABEL]: 'none' }
            : {
                [USE_WAYPOINT_LABEL]: waypoint.name,
                ...(waypoint.namespace !== this.namespace
                  ? { [USE_WAYPOINT_NAMESPACE_LABEL]: waypoint.namespace }
                  : {}),
              },
        podLabels: this.selector,
        reason:
          waypoint === 'none'
            ? `sends the traffic addressed to ${this.kind} ${this.namespace}/${this.name} through no waypoint, even where its namespace has one (L4 only)`
            : `sends the L7 traffic addressed to ${this.kind} ${this.namespace}/${this.name} through ${waypoint.description}`,
      });
    }
    // A bad reference is reported at synth with everything else; it emits nothing until then.
    refuseInput(this, workloadRefProblems(props));
    requireOutputFolder(this, () =>
      this.renderPatch()
        ? `a pod template patch of ${this.kind} ${this.namespace}/${this.name} in patches/`
        : undefined,
    );
  }

  get apiVersion(): string {
    return WORKLOAD_API_VERSIONS[this.kind];
  }

  /** Sets a pod template annotation through the patch; `value` is read when the patch is rendered. */
  setPodAnnotation(key: string, value: () => string): void {
    this.annotations.set(key, value);
  }

  /** The pod template annotations the patch sets; empty when nothing pod-level targets this workload. */
  get podAnnotations(): Readonly<Record<string, string>> {
    return Object.fromEntries([...this.annotations].map(([key, value]) => [key, value()]));
  }

  /**
   * The strategic merge patch of the workload's pod template annotations, or undefined when it
   * needs none. It names the workload fully, so it touches nothing else.
   */
  renderPatch(): WorkloadPatch | undefined {
    const annotations = this.podAnnotations;
    const hasAnnotations = Object.keys(annotations).length > 0;
    if (!hasAnnotations && !this.injectOff) return undefined;
    return {
      apiVersion: this.apiVersion,
      kind: this.kind,
      metadata: { name: this.name, namespace: this.namespace },
      spec: {
        template: {
          metadata: {
            ...(this.injectOff ? { labels: { [SIDECAR_INJECT_LABEL]: 'false' } } : {}),
            ...(hasAnnotations ? { annotations } : {}),
          },
        },
      },
    };
  }
}

/** A strategic merge patch that sets pod template annotations (and the injection label) of one workload. */
export interface WorkloadPatch {
  readonly apiVersion: string;
  readonly kind: WorkloadKind;
  readonly metadata: { readonly name: string; readonly namespace: string };
  readonly spec: {
    readonly template: {
      readonly metadata: {
        readonly labels?: Record<string, string>;
        readonly annotations?: Record<string, string>;
      };
    };
  };
}

/** What is wrong with a reference: names Kubernetes refuses, or a selector that selects nothing in particular. */
export function workloadRefProblems(props: WorkloadRefProps): Problem[] {
  const problems: Problem[] = [];
  if (!isDnsSubdomain(props.name)) problems.push(problem(['name'], props.name, 'a workload name (RFC 1123 subdomain)'));
  if (!isDnsLabel(props.namespace)) {
    problems.push(problem(['namespace'], props.namespace, 'a Kubernetes namespace name (RFC 1123 label)'));
  }
  if (props.inject === false && props.sidecar !== false) {
    problems.push(
      problem(['inject'], false, 'sidecar: false as well', {
        what: 'turns injection off for a workload declared in the mesh',
      }),
    );
  }
  if (props.service !== undefined && !isDnsLabel(props.service)) {
    problems.push(problem(['service'], props.service, 'a Service name (RFC 1123 label)'));
  }
  if (props.waypoint !== undefined && props.dataplane === 'sidecar') {
    problems.push(
      problem(
        ['waypoint'],
        props.waypoint === 'none' ? 'none' : props.waypoint.name,
        'no waypoint for a workload with a sidecar',
        {
          what: 'is a waypoint, and the workload runs a sidecar, which does its own L7 processing',
          hint: 'declare its namespace ambient, or remove its waypoint',
        },
      ),
    );
  }
  if (props.sidecar === false && props.dataplane === 'ambient') {
    problems.push(
      problem(['sidecar'], false, 'no sidecar: false for an ambient workload', {
        what: 'declares the workload outside the mesh, and its namespace is ambient',
        hint: 'keep a pod out of ambient with the pod label istio.io/dataplane-mode: none in its own manifest',
      }),
    );
  }
  if (props.kind !== undefined && !Object.values(WorkloadKind).includes(props.kind)) {
    problems.push(problem(['kind'], props.kind, `one of ${Object.values(WorkloadKind).join(', ')}`));
  }
  const entries = Object.entries(props.selector ?? {});
  if (entries.length === 0) {
    problems.push(
      problem(['selector'], props.selector ?? {}, 'at least one pod label, e.g. { app: cart }', {
        what: 'is empty: a Telemetry or WasmPlugin with an empty selector applies to every pod of the namespace',
      }),
    );
  }
  for (const [key, value] of entries) {
    if (!isQualifiedName(key)) problems.push(problem(['selector', key], key, 'a label key, e.g. "app"'));
    else if (typeof value !== 'string' || !isLabelValue(value)) {
      problems.push(problem(['selector', key], value, 'a label value (63 characters of [A-Za-z0-9_.-])'));
    }
  }
  return problems;
}

/** A workload observability settings can target: one built in this app with cdk8s-plus, or a reference. */
export type ObservedWorkload = kplus.Workload | WorkloadRef;

export function isWorkloadRef(workload: ObservedWorkload): workload is WorkloadRef {
  return WorkloadRef.isWorkloadRef(workload);
}

/** The label cdk8s-plus adds to select a workload's pods; a selector of its own is preferred. */
const CDK8S_ADDRESS_LABEL = 'cdk8s.io/metadata.addr';

/**
 * The labels that select `workload`'s pods, for Telemetry and WasmPlugin selectors: a reference's
 * declared selector; for a cdk8s-plus workload, the pod labels its author set (not cdk8s's
 * address label, which a rename of the construct changes), or its selector when it has no others.
 */
export function workloadSelector(workload: ObservedWorkload): Readonly<Record<string, string>> {
  if (isWorkloadRef(workload)) return workload.selector;
  const own = Object.entries(workload.matchLabels).filter(([key]) => key !== CDK8S_ADDRESS_LABEL);
  if (own.length > 0) return Object.fromEntries(own);
  const labels: Record<string, string> = workload.podMetadata.toJson().labels ?? {};
  const set = Object.entries(labels).filter(([key]) => key !== CDK8S_ADDRESS_LABEL);
  return set.length > 0 ? Object.fromEntries(set) : workload.matchLabels;
}

/** The namespace of `workload`'s pods, when known. */
export function workloadNamespace(workload: ObservedWorkload): string | undefined {
  if (isWorkloadRef(workload)) return workload.namespace;
  return workload.metadata.namespace ?? Chart.of(workload).namespace;
}

/** How messages name a workload: `Deployment "webapp"`. */
export function describeWorkload(workload: ObservedWorkload): string {
  return `${workload.kind} "${workload.name}"`;
}
