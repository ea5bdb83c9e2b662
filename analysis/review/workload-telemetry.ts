import { parse, stringify } from 'yaml';
import {
  BOOTSTRAP_OVERRIDE_ANNOTATION,
  CUSTOM_BOOTSTRAP_KEY,
  ISTIOD_VALUES_KIND,
  PROXY_CONFIG_ANNOTATION,
  SECURE_MERGED_METRICS_PORT_ENV,
} from '../../core/istio/istio-names';
import { isMapping, type JsonMapping, listOf, mappingAt } from '../../core/json-values';
import { byCodePoint } from '../../core/merge/sorted-entries';
import { type FieldPath, renderField } from '../../core/problems/field-path';
import type { VersionPolicy } from '../../core/version/version-policy';
import { type AmbientPlacement, ambientModel, waypointTelemetry } from '../../model/ambient';
import { parseBootstrapText } from '../../model/bootstrap-overrides';
import {
  meshConfigs,
  meshRootNamespace,
  pilotValuePaths,
  statsConfigOverrides,
  valueAt,
} from '../../model/install-inputs';
import type { Manifest, RenderedObject } from '../../model/objects';
import { type PodTemplate, parseProxyConfig, podTemplates, proxyConfigOf } from '../../model/pod-templates';
import { appliesToBothModes } from '../../model/telemetry-objects';
import {
  describeOrder,
  describeTelemetry,
  TelemetryIndex,
  type TelemetryPolicy,
  telemetryPrecedence,
} from '../../model/telemetry-precedence';
import { changeEffect, type TakesEffect } from './change-effect';

/** One value of a setting at one level of Istio's hierarchy, where it comes from, and when a change takes effect. */
export interface SettingValue {
  readonly value: string;
  /** The object it comes from, e.g. `Telemetry istio-system/mesh-default`. */
  readonly source: string;
  readonly takesEffect: TakesEffect;
}

/** A setting a workload gets: the value that applies, and the less specific ones it overrides. */
export interface WorkloadSetting extends SettingValue {
  /** `stats inclusion`, `dimensions`, `sampling`, `custom tags`, `tracer`, `access log`, `bootstrap override` */
  readonly piece: string;
  readonly overrides: readonly SettingValue[];
}

export interface WorkloadTelemetry {
  /** `istioinaction/Deployment/webapp` */
  readonly workload: string;
  /** The workload object's path (construct path, or `<Kind>/<namespace>/<name>` for one read from a file). */
  readonly path: string;
  /**
   * Two or more Telemetry objects select its pods: all of them, and those istiod applies, oldest
   * first (the last wins where they set the same field).
   */
  readonly overlapping?: {
    readonly selecting: readonly string[];
    readonly applied: readonly string[];
    /** How the release orders them, e.g. `by creation time then name`. */
    readonly order: string;
  };
  /** Deployed elsewhere (a WorkloadRef): only its pod annotations, through `patches/`, are ours. */
  readonly deployedElsewhere: boolean;
  /** Pod annotations this output patches into it. */
  readonly patched: boolean;
  readonly settings: readonly WorkloadSetting[];
  /** In the ambient data plane: what put it there, and the waypoint that does its L7 processing. */
  readonly ambient?: {
    /** e.g. `Namespace orders label istio.io/dataplane-mode`. */
    readonly enrolledBy: string;
    /** The Service whose traffic its waypoint processes, e.g. `orders/checkout`. */
    readonly service?: string;
    /** Why it has no waypoint where its namespace has one. */
    readonly optedOutBy?: string;
    readonly waypoint?: {
      /** `Gateway orders/orders-waypoint`, or `waypoint orders/orders-waypoint (not in this output)`. */
      readonly gateway: string;
      readonly attachedBy: string;
    };
  };
}

/** What the report knows of one cluster's objects. */
export interface TelemetryReview {
  /** Settings every meshed workload starts from (mesh config, root-namespace Telemetry). */
  readonly mesh: readonly WorkloadSetting[];
  readonly workloads: readonly WorkloadTelemetry[];
  /** Pod annotations of workloads deployed elsewhere, by workload. */
  readonly patches: readonly {
    readonly workload: string;
    readonly annotation: string;
    readonly value: string;
    /** Where the workload's own annotations were read and merged in; absent: the patch replaces its value whole. */
    readonly mergedFrom?: string;
  }[];
  /** Workloads left out: no sidecar (`sidecar.istio.io/inject: "false"`, or a namespace with injection disabled). */
  readonly unmeshed: readonly string[];
}

const show = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));
const describe = (m: Manifest) =>
  m.kind === ISTIOD_VALUES_KIND
    ? 'istiod Helm values'
    : `${m.kind} ${m.metadata.namespace ? `${m.metadata.namespace}/` : ''}${m.metadata.name ?? ''}`.trim();

/** The levels a setting can be set at, most specific first (Istio's precedence). */
type Levels = Partial<Record<string, SettingValue[]>>;

function add(levels: Levels, piece: string, value: SettingValue): void {
  const values = levels[piece];
  if (values) values.push(value);
  else levels[piece] = [value];
}

/** Adds every value of `more`, less specific than those `levels` has. */
function addAll(levels: Levels, more: Readonly<Levels>): void {
  for (const [piece, values] of Object.entries(more)) for (const value of values ?? []) add(levels, piece, value);
}

/** The most specific value of each piece, with what it overrides; dimensions all apply (they merge). */
function resolve(levels: Levels): WorkloadSetting[] {
  const settings: WorkloadSetting[] = [];
  for (const piece of PIECES) {
    const values = levels[piece] ?? [];
    if (piece === 'dimensions') {
      for (const v of values) settings.push({ piece, ...v, overrides: [] });
      continue;
    }
    const [effective, ...overridden] = values;
    // A less specific level that says the same changes nothing a reader needs to know.
    const overrides = overridden.filter((o) => o.value !== effective?.value);
    if (effective) settings.push({ piece, ...effective, overrides });
  }
  return settings;
}

const PIECES = [
  'stats inclusion',
  'dimensions',
  'sampling',
  'custom tags',
  'tracer',
  'access log',
  'secure metrics',
  'bootstrap override',
];

/**
 * What telemetry each meshed workload of a set of objects gets, read from the objects alone (so it
 * holds for hand-written ones too), with Istio's precedence: a workload's Telemetry over its
 * namespace's over the root namespace's, and for sampling the Telemetry over the ProxyConfig
 * (pod annotation over `meshConfig.defaultConfig`) over istiod's default, "telemetry.
 * RandomSamplingPercentage > defaultConfig.tracing.sampling > PILOT_TRACE_SAMPLING"
 * (istio/istio@1.30.3:pilot/pkg/networking/core/tracing.go). Each value says whether a change
 * reaches running proxies by an xDS push, a rollout, or only after a restart (istio/istio#22311).
 */
export function telemetryReview(objects: readonly RenderedObject[], policy?: VersionPolicy): TelemetryReview {
  const manifests = objects.map((o) => o.manifest);
  const configs = meshConfigs(objects);
  const byPath = new Map(objects.map((o) => [o.path, o.manifest]));
  const rootNamespace = meshRootNamespace(objects);
  const telemetry = new TelemetryIndex(objects, rootNamespace, telemetryPrecedence(policy));
  const configMaps = new Map(
    manifests.filter((m) => m.kind === 'ConfigMap').map((c) => [`${c.metadata.namespace}/${c.metadata.name}`, c]),
  );
  const uninjected = new Set(
    manifests
      .filter((m) => m.kind === 'Namespace' && mappingAt(m, 'metadata', 'labels')['istio-injection'] === 'disabled')
      .map((m) => m.metadata.name),
  );

  /** Root-namespace Telemetry and the mesh's default tracing providers: above any ProxyConfig. */
  const meshTelemetryLevels: Levels = {};
  const root = telemetry.namespaceWideIn(rootNamespace)[0];
  if (root) telemetryValues(root.object.manifest, meshTelemetryLevels);
  for (const { path, field, meshConfig } of configs) {
    const manifest = byPath.get(path);
    const providers = listOf(mappingAt(meshConfig, 'defaultProviders').tracing).map(show);
    if (!manifest || providers.length === 0) continue;
    add(meshTelemetryLevels, 'tracer', {
      value: `provider ${providers.join(', ')}`,
      source: `${describe(manifest)} ${[...field, 'defaultProviders'].join('.')}`,
      takesEffect: changeEffect(manifest, [...field, 'defaultProviders']),
    });
  }
  /** The mesh-wide ProxyConfig and istiod's default sampling: below the pod annotation. */
  const meshProxyConfigLevels: Levels = {};
  for (const { path, field, meshConfig } of configs) {
    const manifest = byPath.get(path);
    if (!manifest) continue;
    meshAccessLog(manifest, field, meshConfig, meshProxyConfigLevels);
    const at = [...field, 'defaultConfig'];
    proxyConfigValues(
      mappingAt(meshConfig, 'defaultConfig'),
      `${describe(manifest)} ${at.join('.')}`,
      changeEffect(manifest, at),
      meshProxyConfigLevels,
    );
  }
  for (const manifest of manifests) {
    pilotSampling(manifest, meshProxyConfigLevels);
    configOverrideDimensions(manifest, meshProxyConfigLevels);
  }

  const meshLevels: Levels = {};
  addAll(meshLevels, meshTelemetryLevels);
  addAll(meshLevels, meshProxyConfigLevels);
  tracingOff(meshLevels, root ? [root] : []);
  const mesh = resolve(meshLevels);

  const meshed = podTemplates(objects).filter((t) => !isUnmeshed(t, uninjected));
  const ambient = ambientModel(objects);
  const workloads = meshed
    .map((template): WorkloadTelemetry => {
      const placement = ambient.placementOf(template);
      if (placement.dataplane === 'ambient') {
        return ambientWorkload(template, placement, telemetry, meshTelemetryLevels, meshProxyConfigLevels, policy);
      }
      const levels: Levels = {};
      // Most specific first: the workload's Telemetry, its namespace's, the root namespace's and the
      // mesh's default providers, then the pod annotation, the mesh-wide ProxyConfig, istiod's default.
      // Istio applies the matching workload-level Telemetry oldest first, the newest winning: most
      // specific first here is newest first (model/telemetry-precedence.ts).
      const applied = telemetry.appliedTo(template);
      for (const t of [...applied.workload].reverse()) telemetryValues(t.object.manifest, levels);
      if (applied.namespace) telemetryValues(applied.namespace.object.manifest, levels);
      addAll(levels, meshTelemetryLevels);
      const config = proxyConfigOf(template);
      if (config && !(config instanceof Error)) {
        const workload = byPath.get(template.path);
        const effect =
          workload && !template.patch
            ? changeEffect(workload, [...template.field, PROXY_CONFIG_ANNOTATION])
            : 'rollout';
        const where = template.patch
          ? `patch of ${PROXY_CONFIG_ANNOTATION}`
          : `pod annotation ${PROXY_CONFIG_ANNOTATION}`;
        proxyConfigValues(config, where, effect, levels);
      }
      addAll(levels, meshProxyConfigLevels);
      tracingOff(levels, [...applied.workload].reverse().concat(applied.namespace ?? [], applied.root ?? []));
      // Bootstrap override: read when the pod starts (a missing ConfigMap is reported by
      // bootstrap-configmap-reference).
      const overrideName = template.annotations[BOOTSTRAP_OVERRIDE_ANNOTATION];
      if (typeof overrideName === 'string') {
        const configMap = configMaps.get(`${template.namespace}/${overrideName}`);
        add(levels, 'bootstrap override', {
          value: `ConfigMap ${overrideName}: ${bootstrapText(mappingAt(configMap, 'data')[CUSTOM_BOOTSTRAP_KEY])}`,
          source: `pod annotation ${BOOTSTRAP_OVERRIDE_ANNOTATION}`,
          takesEffect: configMap ? changeEffect(configMap, ['data', CUSTOM_BOOTSTRAP_KEY]) : 'restart-needed',
        });
      }
      const selecting = telemetry.selecting(template);
      return {
        workload: workloadName(template),
        path: template.path,
        ...(selecting.length > 1
          ? {
              overlapping: {
                selecting: selecting.map(describeTelemetry),
                applied: applied.workload.map(describeTelemetry),
                order: describeOrder(telemetry.precedence),
              },
            }
          : {}),
        deployedElsewhere: template.patch,
        patched: template.patch && Object.keys(template.annotations).length > 0,
        settings: resolve(levels),
      };
    })
    .sort((a, b) => byCodePoint(a.workload, b.workload));

  const patches = podTemplates(objects)
    .filter((t) => t.patch)
    .flatMap((t) =>
      Object.entries(t.annotations).map(([annotation, value]) => ({
        workload: workloadName(t),
        annotation,
        value: annotation === PROXY_CONFIG_ANNOTATION ? flowYaml(show(value)) : show(value),
        ...(t.patchedFrom !== undefined ? { mergedFrom: t.patchedFrom } : {}),
      })),
    )
    .sort((a, b) => byCodePoint(a.workload, b.workload) || byCodePoint(a.annotation, b.annotation));
  const unmeshed = podTemplates(objects)
    .filter((t) => isUnmeshed(t, uninjected))
    .map(workloadName)
    .sort(byCodePoint);
  return { mesh, workloads, patches, unmeshed };
}

/**
 * An ambient workload: no sidecar reads its pod annotations; ztunnel does its L4 and its waypoint,
 * if any, its L7 processing with the Telemetry bound there (model/ambient.ts) and the ProxyConfig
 * of the mesh and of the waypoint's Gateway.
 */
function ambientWorkload(
  template: PodTemplate,
  placement: AmbientPlacement,
  telemetry: TelemetryIndex,
  meshTelemetryLevels: Readonly<Levels>,
  meshProxyConfigLevels: Readonly<Levels>,
  policy: VersionPolicy | undefined,
): WorkloadTelemetry {
  const { waypoint, service } = placement;
  const levels: Levels = {};
  if (waypoint) {
    const applied = waypointTelemetry(telemetry, waypoint, service, policy).filter(
      (t) => !(t.scope === 'root' && t.namespace === telemetry.rootNamespace),
    );
    for (const t of [...applied].reverse()) telemetryValues(t.object.manifest, levels);
    addAll(levels, meshTelemetryLevels);
    const gateway = waypoint.gateway?.object.manifest;
    const annotations = mappingAt(gateway, 'spec', 'infrastructure', 'annotations');
    const config = annotations[PROXY_CONFIG_ANNOTATION];
    if (gateway && typeof config === 'string') {
      const parsed = parseProxyConfig(config);
      // istiod re-renders the waypoint's Deployment from its Gateway: a change replaces its pods.
      if (!(parsed instanceof Error)) {
        proxyConfigValues(parsed, `${describe(gateway)} spec.infrastructure.annotations`, 'rollout', levels);
      }
    }
    addAll(levels, meshProxyConfigLevels);
  }
  return {
    workload: workloadName(template),
    path: template.path,
    deployedElsewhere: template.patch,
    patched: false,
    settings: resolve(levels).filter((s) => s.piece !== 'bootstrap override' && s.piece !== 'secure metrics'),
    ambient: {
      enrolledBy: placement.enrolledBy ?? 'its namespace',
      ...(service ? { service: `${service.namespace}/${service.name}` } : {}),
      ...(placement.optedOutBy ? { optedOutBy: placement.optedOutBy } : {}),
      ...(waypoint
        ? {
            waypoint: {
              gateway: waypoint.gateway
                ? `Gateway ${waypoint.namespace}/${waypoint.name}`
                : `waypoint ${waypoint.namespace}/${waypoint.name} (no Gateway of that name in this output)`,
              attachedBy: waypoint.attachedBy,
            },
          }
        : {}),
    },
  };
}

function workloadName(template: PodTemplate): string {
  return `${template.namespace ?? '-'}/${template.kind}/${template.name}`;
}

/** No sidecar: declared outside the mesh, injection turned off on the pods, or on a namespace the objects declare. */
function isUnmeshed(template: PodTemplate, uninjected: ReadonlySet<string | undefined>): boolean {
  return (
    template.outsideMesh ||
    String(template.annotations['sidecar.istio.io/inject']) === 'false' ||
    String(template.labels['sidecar.istio.io/inject']) === 'false' ||
    uninjected.has(template.namespace)
  );
}

/**
 * Once a Telemetry configures tracing for a proxy (for client and server traffic), istiod traces
 * through the Telemetry API and ignores ProxyConfig's tracer; with no provider named by a Telemetry
 * or by meshConfig.defaultProviders.tracing, tracing is off
 * (istio/istio@1.26.8:pilot/pkg/networking/core/tracing.go, pilot/pkg/model/telemetry.go Tracing).
 * `telemetry` is what applies, most specific first.
 */
function tracingOff(levels: Levels, telemetry: readonly TelemetryPolicy[]): void {
  const tracing = telemetry.find((t) => listOf(t.spec.tracing).some(appliesToBothModes));
  if (!tracing) return;
  const values = levels.tracer ?? [];
  if (values.some((v) => v.value.startsWith('provider '))) return;
  levels.tracer = [
    {
      value: 'off (a Telemetry configures tracing and names no provider, nor does defaultProviders.tracing)',
      source: describe(tracing.object.manifest),
      takesEffect: 'xds-push',
    },
    ...values,
  ];
}

/** istiod's default sampling (PILOT_TRACE_SAMPLING), wherever the install input keeps it. */
function pilotSampling(manifest: Manifest, levels: Levels): void {
  // The chart applies them in order and the last wins: most specific first for `add`.
  for (const field of pilotValuePaths(manifest, 'traceSampling').reverse()) {
    const value = valueAt(manifest, field);
    if (value === undefined) continue;
    add(levels, 'sampling', {
      value: `${show(value)}%`,
      source: `${describe(manifest)} ${renderField(field)} (istiod's default, PILOT_TRACE_SAMPLING)`,
      takesEffect: changeEffect(manifest, field),
    });
  }
}

/** The stats filter's `configOverride` (Istio 1.13 to 1.20), in each install input's chart values. */
function configOverrideDimensions(manifest: Manifest, levels: Levels): void {
  for (const { proxy, field, override } of statsConfigOverrides(manifest)) {
    for (const metric of listOf(override.metrics)) {
      if (!isMapping(metric)) continue;
      add(levels, 'dimensions', {
        value: dimensionText(
          show(metric.name),
          Object.keys(mappingAt(metric, 'dimensions')),
          listOf(metric.tags_to_remove).map(show),
          proxy,
        ),
        source: `${describe(manifest)} configOverride`,
        takesEffect: changeEffect(manifest, field),
      });
    }
  }
}

/** A Telemetry's metric overrides, sampling, custom tags and tracing providers (all pushed over xDS). */
function telemetryValues(telemetry: Manifest, levels: Levels): void {
  const source = describe(telemetry);
  const spec = mappingAt(telemetry, 'spec');
  const takesEffect = changeEffect(telemetry, ['spec']);
  for (const metric of listOf(spec.metrics)) {
    for (const override of listOf(mappingAt(metric).overrides)) {
      if (!isMapping(override)) continue;
      const match = mappingAt(override, 'match');
      const tags = mappingAt(override, 'tagOverrides');
      const added = Object.keys(tags).filter((t) => mappingAt(tags, t).operation !== 'REMOVE');
      const removed = Object.keys(tags).filter((t) => mappingAt(tags, t).operation === 'REMOVE');
      add(levels, 'dimensions', {
        value: dimensionText(
          show(match.metric ?? 'ALL_METRICS'),
          added,
          removed,
          show(match.mode ?? 'CLIENT_AND_SERVER'),
        ),
        source,
        takesEffect,
      });
    }
  }
  for (const tracing of listOf(spec.tracing)) {
    if (!isMapping(tracing)) continue;
    if (tracing.randomSamplingPercentage !== undefined) {
      add(levels, 'sampling', { value: `${show(tracing.randomSamplingPercentage)}%`, source, takesEffect });
    }
    if (isMapping(tracing.customTags))
      add(levels, 'custom tags', { value: tagsText(tracing.customTags), source, takesEffect });
    const providers = listOf(tracing.providers).map((p) => show(mappingAt(p).name));
    if (providers.length > 0) add(levels, 'tracer', { value: `provider ${providers.join(', ')}`, source, takesEffect });
  }
  for (const logging of listOf(spec.accessLogging)) {
    if (!isMapping(logging)) continue;
    const providers = listOf(logging.providers).map((p) => show(mappingAt(p).name));
    const filter = mappingAt(logging, 'filter').expression;
    const value =
      logging.disabled === true
        ? 'off'
        : [
            providers.length > 0 ? `provider ${providers.join(', ')}` : 'the default providers',
            ...(filter !== undefined ? [`when ${show(filter)}`] : []),
          ].join(', ');
    add(levels, 'access log', { value, source, takesEffect });
  }
}

/** meshConfig's own access log (`accessLogFile`), below any Telemetry access logging. */
function meshAccessLog(manifest: Manifest, field: FieldPath, meshConfig: JsonMapping, levels: Levels): void {
  const file = meshConfig.accessLogFile;
  if (typeof file !== 'string' || file === '') return;
  const encoding = typeof meshConfig.accessLogEncoding === 'string' ? meshConfig.accessLogEncoding : 'TEXT';
  const format = typeof meshConfig.accessLogFormat === 'string' ? `, format ${show(meshConfig.accessLogFormat)}` : '';
  add(levels, 'access log', {
    value: `${file} (${encoding}${format})`,
    source: `${describe(manifest)} ${[...field, 'accessLogFile'].join('.')}`,
    takesEffect: changeEffect(manifest, [...field, 'accessLogFile']),
  });
}

function proxyConfigValues(
  config: Readonly<JsonMapping>,
  source: string,
  takesEffect: TakesEffect,
  levels: Levels,
): void {
  const matcher = isMapping(config.proxyStatsMatcher) ? config.proxyStatsMatcher : undefined;
  if (matcher) {
    const parts = Object.entries(matcher).map(
      ([k, v]) => `${k.replace(/^inclusion/, '').toLowerCase()} ${listOf(v).map(show).join(', ')}`,
    );
    add(levels, 'stats inclusion', { value: parts.join('; '), source, takesEffect });
  }
  const tracing = isMapping(config.tracing) ? config.tracing : undefined;
  if (tracing?.sampling !== undefined)
    add(levels, 'sampling', { value: `${show(tracing.sampling)}%`, source, takesEffect });
  if (isMapping(tracing?.customTags))
    add(levels, 'custom tags', { value: tagsText(tracing.customTags), source, takesEffect });
  const zipkin = isMapping(tracing?.zipkin) ? tracing.zipkin : undefined;
  if (zipkin?.address !== undefined)
    add(levels, 'tracer', { value: `zipkin ${show(zipkin.address)}`, source, takesEffect });
  const extra = listOf(config.extraStatTags);
  if (extra.length > 0)
    add(levels, 'dimensions', { value: `extraStatTags ${extra.map(show).join(', ')}`, source, takesEffect });
  const securePort = mappingAt(config, 'proxyMetadata')[SECURE_MERGED_METRICS_PORT_ENV];
  if (securePort !== undefined) {
    // The injector copies it into the pod's env and its prometheus.istio.io/secure-port annotation
    // when it creates the pod (istio/istio@1.31.0-rc.0:pkg/kube/inject/webhook.go lines 886-913):
    // running pods keep their plain port until they are recreated.
    add(levels, 'secure metrics', {
      value: `mTLS port ${show(securePort)}, set when a pod is injected`,
      source,
      takesEffect: takesEffect === 'xds-push' ? 'restart-needed' : takesEffect,
    });
  }
}

function dimensionText(metric: string, added: readonly string[], removed: readonly string[], where: string): string {
  const parts = [...added.map((d) => `+${d}`), ...removed.map((d) => `-${d}`)];
  return `${metric} (${where}): ${parts.length > 0 ? parts.join(' ') : 'no tag changes'}`;
}

function tagsText(tags: JsonMapping): string {
  return Object.entries(tags)
    .map(([name, tag]) => {
      const [kind, value] = Object.entries(isMapping(tag) ? tag : {})[0] ?? ['?', undefined];
      const detail = isMapping(value)
        ? (value.value ?? value.name ?? value.header ?? JSON.stringify(value))
        : show(value);
      return `${name} = ${kind} ${show(detail)}`;
    })
    .join(', ');
}

function bootstrapText(text: unknown): string {
  if (typeof text !== 'string') return 'not found in the pod namespace';
  let bootstrap: unknown;
  try {
    bootstrap = parseBootstrapText(text);
  } catch {
    return 'not JSON or YAML';
  }
  if (!isMapping(bootstrap)) return 'empty';
  const parts: string[] = [];
  const http = isMapping(bootstrap.tracing) && isMapping(bootstrap.tracing.http) ? bootstrap.tracing.http : undefined;
  if (http) {
    const typed = isMapping(http.typedConfig)
      ? http.typedConfig
      : isMapping(http.typed_config)
        ? http.typed_config
        : {};
    parts.push(
      `tracer ${show(http.name)} to cluster ${show(typed.collectorCluster ?? typed.collector_cluster)}${typed.collectorEndpoint ? ` ${show(typed.collectorEndpoint)}` : ''}`,
    );
  }
  for (const sink of listOf(bootstrap.statsSinks ?? bootstrap.stats_sinks))
    parts.push(`stats sink ${show(mappingAt(sink).name)}`);
  const other = Object.keys(bootstrap).filter(
    (k) => !['tracing', 'statsSinks', 'stats_sinks', 'staticResources', 'static_resources'].includes(k),
  );
  if (other.length > 0) parts.push(`also ${other.join(', ')}`);
  return parts.join('; ') || 'static resources only';
}

/** A YAML annotation on one line (flow style), for a table cell; as written when it is not YAML. */
function flowYaml(text: string): string {
  try {
    return stringify(parse(text, { version: '1.1' }), { collectionStyle: 'flow', lineWidth: 0, version: '1.1' }).trim();
  } catch {
    return text;
  }
}
