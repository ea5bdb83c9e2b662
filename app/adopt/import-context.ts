import { isMapping, type JsonMapping, listOf, mappingAt } from '../../core/json-values';
import { byCodePoint } from '../../core/merge/sorted-entries';
import type { FieldPath } from '../../core/problems/field-path';
import type { VersionPolicy } from '../../core/version/version-policy';
import { installInputOf, meshConfigs, meshRootNamespace } from '../../model/install-inputs';
import type { RenderedObject } from '../../model/objects';
import type { PodTemplate } from '../../model/pod-templates';
import { appliesToBothModes } from '../../model/telemetry-objects';
import { TelemetryIndex, type TelemetryPolicy, telemetryPrecedence } from '../../model/telemetry-precedence';
import type { ConfigDraft, ImportSource } from './config-draft';
import type { InputSet } from './input-set';

/** What `import` needs besides the objects. */
export interface ImportOptions {
  readonly istioVersion: string;
  /** Why this release, for the file's header: `from --istio-version`. */
  readonly release: string;
  /** The file to write: workloads' manifests are named relative to its folder. */
  readonly outFile: string;
}

/** The tracing pieces a ProxyConfig and a Telemetry both set; Telemetry wins (tracing.go). */
export type TracingPiece = 'sampling' | 'custom tags' | 'tracer';

/** How the input customizes metrics, as the declaration's `mesh.metricsCustomization` says it. */
export type MetricsMechanism = 'istio-operator' | 'telemetry-api' | undefined;

/** A workload the declaration declares, from the last pod template of its name in the input. */
export interface DeclaredWorkload {
  readonly key: string;
  readonly template: PodTemplate;
  readonly object: RenderedObject;
  /** `ns/Kind/name`, as explain names it. */
  readonly reviewName: string;
}

/**
 * What every reader of one import shares: the input, read once through the model (the mesh's root
 * namespace, its Telemetry in istiod's order), the release, the draft being written, and what the
 * first readers decide for the later ones (the workloads declared, the tracing mechanism).
 */
export class ImportContext {
  readonly objects: readonly RenderedObject[];
  readonly byPath: ReadonlyMap<string, RenderedObject>;
  readonly rootNamespace: string;
  readonly telemetry: TelemetryIndex;
  readonly workloads: DeclaredWorkload[] = [];
  /** The mesh config's extension providers, which Telemetry objects name. */
  readonly providers: JsonMapping[] = [];
  tracing: 'proxy-config' | 'telemetry-api' | undefined;
  /** The declared waypoints' keys by `namespace/name` of their Gateway. */
  readonly waypoints = new Map<string, string>();
  private mesh?: ReturnType<typeof readMeshConfig>;

  constructor(
    set: InputSet,
    readonly policy: VersionPolicy,
    readonly draft: ConfigDraft,
    readonly options: ImportOptions,
  ) {
    this.objects = set.objects;
    this.byPath = new Map(set.objects.map((o) => [o.path, o]));
    this.rootNamespace = meshRootNamespace(set.objects);
    this.telemetry = new TelemetryIndex(set.objects, this.rootNamespace, telemetryPrecedence(policy));
  }

  /** The mesh config istiod applies, read once. */
  meshConfig(): ReturnType<typeof readMeshConfig> {
    this.mesh ??= readMeshConfig(this);
    return this.mesh;
  }
}

/** The mesh config istiod applies: the `istio` ConfigMap when the input has it, else the install inputs' in order (the last wins). */
function readMeshConfig(ctx: ImportContext): {
  readonly config: JsonMapping;
  readonly source: (field: FieldPath) => ImportSource;
} {
  const sources = meshConfigs(ctx.objects);
  const fromMap = sources.filter((s) => installInputOf(s.object.manifest)?.kind === 'mesh-configmap');
  const used = fromMap.length > 0 ? fromMap : sources;
  const config: Record<string, unknown> = {};
  const origin = new Map<string, (typeof sources)[number]>();
  for (const source of used) {
    for (const [key, value] of Object.entries(source.meshConfig)) {
      config[key] = isMapping(value) && isMapping(config[key]) ? { ...(config[key] as JsonMapping), ...value } : value;
      origin.set(key, source);
    }
  }
  return {
    config,
    source: (field) => {
      const from = origin.get(String(field[0])) ?? used[0];
      return from
        ? ctx.draft.source(from.object, [...from.field, ...field])
        : { object: 'mesh config', field: field.join('.') };
    },
  };
}

/** The declared workloads whose pods a Telemetry applies to (and istiod does not ignore for them). */
export function workloadsOf(ctx: ImportContext, policy: TelemetryPolicy): DeclaredWorkload[] {
  return ctx.workloads.filter((w) => ctx.telemetry.appliedTo(w.template).workload.includes(policy));
}

/** The workloads a target reaches, as explain names them; undefined for the mesh. */
export function affectedBy(ctx: ImportContext, target: unknown): readonly string[] | undefined {
  if (target === 'mesh') return undefined;
  const t = mappingAt(target);
  if (typeof t.namespace === 'string')
    return ctx.workloads.filter((w) => w.template.namespace === t.namespace).map((w) => w.reviewName);
  return ctx.workloads.filter((w) => w.key === t.workload).map((w) => w.reviewName);
}

/** Whether the root namespace's applied Telemetry sets a tracing piece (it wins over the mesh's ProxyConfig). */
export function rootTelemetrySets(ctx: ImportContext, piece: TracingPiece): boolean {
  const root = ctx.telemetry.namespaceWideIn(ctx.rootNamespace)[0];
  return root ? tracingSets(root.spec, piece) : false;
}

/** Whether the root namespace's applied Telemetry configures access logs (it wins over meshConfig's own). */
export function rootTelemetryLogs(ctx: ImportContext): boolean {
  const root = ctx.telemetry.namespaceWideIn(ctx.rootNamespace)[0];
  return root ? listOf(root.spec.accessLogging).length > 0 : false;
}

/** The mesh's default access log providers, which an accessLogging entry naming none uses. */
export function defaultAccessLogProviders(ctx: ImportContext): string[] {
  const providers = mappingAt(ctx.meshConfig().config, 'defaultProviders').accessLogging;
  return listOf(providers).filter((p): p is string => typeof p === 'string');
}

/**
 * Whether a Telemetry spec decides a tracing piece over ProxyConfig's, for both client and server
 * traffic: its sampling or custom tags; and for the tracer, any tracing entry at all, since then
 * istiod traces through the Telemetry API and ignores ProxyConfig's tracer (with no provider
 * anywhere, tracing is off; istio/istio@1.26.8:pilot/pkg/networking/core/tracing.go).
 */
export function tracingSets(spec: JsonMapping, piece: TracingPiece): boolean {
  return listOf(spec.tracing).some((t) => {
    const tracing = mappingAt(t);
    if (!appliesToBothModes(tracing)) return false;
    if (piece === 'sampling') return tracing.randomSamplingPercentage !== undefined;
    if (piece === 'custom tags') return isMapping(tracing.customTags) && Object.keys(tracing.customTags).length > 0;
    return true;
  });
}

/** Whether the root namespace's applied Telemetry names a tracing provider, which replaces the mesh's default ones. */
export function rootNamesTracer(ctx: ImportContext): boolean {
  const root = ctx.telemetry.namespaceWideIn(ctx.rootNamespace)[0];
  return root
    ? listOf(root.spec.tracing).some(
        (t) => appliesToBothModes(mappingAt(t)) && listOf(mappingAt(t).providers).length > 0,
      )
    : false;
}

/** Whether the mesh config names default tracing providers: istiod then ignores ProxyConfig's tracer everywhere. */
export function meshTracesByDefault(ctx: ImportContext): boolean {
  return listOf(mappingAt(ctx.meshConfig().config, 'defaultProviders').tracing).length > 0;
}

/** `label-suffix`, unless the label already ends with what the suffix says (`cart-sampling`). */
export function suffixed(label: string, suffix: string): string {
  const last = suffix.split(/[-_]/)[0] ?? suffix;
  return label.endsWith(`-${last}`) || label === last ? label : `${label}-${suffix}`;
}

/** A target as part of an id: `mesh`, or the workload, namespace or waypoint it names. */
export function targetLabel(target: unknown): string {
  if (target === 'mesh') return 'mesh';
  const t = mappingAt(target);
  return String(t.workload ?? t.namespace ?? t.waypoint ?? 'target');
}

/** The value most of `values` have (ties by code point), for the top-level namespace. */
export function mostCommon(values: readonly string[]): string | undefined {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || byCodePoint(a[0], b[0]))[0]?.[0];
}
