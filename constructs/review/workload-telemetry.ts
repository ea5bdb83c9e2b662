import { parse } from 'yaml';
import { CUSTOM_BOOTSTRAP_KEY } from '../bootstrap/bootstrap-override';
import { BOOTSTRAP_OVERRIDE_ANNOTATION, PROXY_CONFIG_ANNOTATION } from '../proxy-config/istio-pod-annotations';
import type { Manifest, RenderedObject } from '../validate/rule';
import { podTemplates } from '../validate/rules/pod-templates';
import { parseBootstrapText } from '../validate/rules/rendered-objects';

/** When a setting reaches running proxies (facts A.9, B.5). */
export type TakesEffect = 'xds-push' | 'rollout' | 'restart-needed';

/** One telemetry setting a workload gets, where it comes from, and when it takes effect. */
export interface WorkloadSetting {
  /** `stats inclusion`, `dimensions`, `sampling`, `custom tags`, `bootstrap override`, `tracer` */
  readonly piece: string;
  readonly value: string;
  /** The object it comes from, e.g. `Telemetry istio-system/mesh-default`. */
  readonly source: string;
  readonly takesEffect: TakesEffect;
}

export interface WorkloadTelemetry {
  /** `istioinaction/Deployment/webapp` */
  readonly workload: string;
  readonly settings: readonly WorkloadSetting[];
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const show = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));
const describe = (m: Manifest) =>
  `${m.kind} ${m.metadata.namespace ? `${m.metadata.namespace}/` : ''}${m.metadata.name}`;

function podLabels(manifest: Manifest): Json {
  const spec = isObject(manifest.spec) ? manifest.spec : {};
  const template = isObject(spec.template) ? spec.template : {};
  const metadata = manifest.kind === 'Pod' ? manifest.metadata : isObject(template.metadata) ? template.metadata : {};
  return isObject(metadata.labels) ? metadata.labels : {};
}

function selects(selector: unknown, labels: Json): boolean {
  const match = isObject(selector) && isObject(selector.matchLabels) ? selector.matchLabels : undefined;
  return match !== undefined && Object.entries(match).every(([k, v]) => labels[k] === v);
}

/**
 * What telemetry each workload of a set of objects gets, read from the objects alone (so it
 * holds for hand-written ones too): ProxyConfig from the mesh default and the pod annotation,
 * the Telemetry resources that apply (mesh, namespace, selector), IstioOperator configOverride,
 * and the bootstrap override. Each setting says whether it reaches running proxies by an xDS push,
 * by the rollout a changed pod template starts, or only after a restart (facts A.9).
 */
export function workloadTelemetry(objects: readonly RenderedObject[]): WorkloadTelemetry[] {
  const manifests = objects.map((o) => o.manifest);
  const operators = manifests.filter((m) => m.kind === 'IstioOperator');
  const rootNamespace =
    operators.map((m) => ((m.spec as Json | undefined)?.meshConfig as Json | undefined)?.rootNamespace).find(Boolean) ??
    'istio-system';
  const telemetries = manifests.filter((m) => m.kind === 'Telemetry');
  const configMaps = manifests.filter((m) => m.kind === 'ConfigMap');
  return podTemplates(objects)
    .map((template) => {
      const object = objects.find((o) => o.path === template.path) as RenderedObject;
      const labels = podLabels(object.manifest);
      const settings: WorkloadSetting[] = [];
      const add = (piece: string, value: string, source: string, takesEffect: TakesEffect) =>
        settings.push({ piece, value, source, takesEffect });
      // ProxyConfig: mesh default (restart after install), then the pod's annotation (rollout).
      for (const operator of operators) {
        const mesh = ((operator.spec as Json | undefined)?.meshConfig ?? {}) as Json;
        const config = isObject(mesh.defaultConfig) ? mesh.defaultConfig : {};
        proxyConfigSettings(config, `${describe(operator)} meshConfig.defaultConfig`, 'restart-needed', add);
        const pilot = ((((operator.spec as Json | undefined)?.values as Json | undefined)?.pilot ?? {}) as Json)
          .traceSampling;
        if (pilot !== undefined)
          add(
            'sampling',
            `${show(pilot)}% (istiod default, PILOT_TRACE_SAMPLING)`,
            `${describe(operator)} values.pilot.traceSampling`,
            'xds-push',
          );
        const overrides = (
          (
            (((operator.spec as Json | undefined)?.values as Json | undefined)?.telemetry as Json | undefined)?.v2 as
              | Json
              | undefined
          )?.prometheus as Json | undefined
        )?.configOverride;
        if (isObject(overrides)) {
          for (const [proxy, override] of Object.entries(overrides)) {
            for (const metric of list(isObject(override) ? override.metrics : undefined)) {
              if (!isObject(metric)) continue;
              const added = Object.keys(isObject(metric.dimensions) ? metric.dimensions : {});
              const removed = list(metric.tags_to_remove).map(show);
              add(
                'dimensions',
                dimensionText(show(metric.name), added, removed, proxy),
                `${describe(operator)} configOverride`,
                'xds-push',
              );
            }
          }
        }
      }
      const annotation = template.annotations[PROXY_CONFIG_ANNOTATION];
      if (typeof annotation === 'string') {
        let config: unknown;
        try {
          config = parse(annotation, { version: '1.1' });
        } catch {
          config = undefined;
        }
        if (isObject(config)) proxyConfigSettings(config, `pod annotation ${PROXY_CONFIG_ANNOTATION}`, 'rollout', add);
      }
      // Telemetry: mesh (root namespace, no selector), namespace, workload selector.
      for (const telemetry of telemetries) {
        const spec = isObject(telemetry.spec) ? telemetry.spec : {};
        const ns = telemetry.metadata.namespace;
        const applies = spec.selector
          ? ns === template.namespace && selects(spec.selector, labels)
          : ns === rootNamespace || ns === template.namespace;
        if (!applies) continue;
        const source = describe(telemetry);
        for (const metric of list(spec.metrics)) {
          for (const override of list(isObject(metric) ? metric.overrides : undefined)) {
            if (!isObject(override)) continue;
            const match = isObject(override.match) ? override.match : {};
            const tags = isObject(override.tagOverrides) ? override.tagOverrides : {};
            const added = Object.keys(tags).filter((t) => (tags[t] as Json | undefined)?.operation !== 'REMOVE');
            const removed = Object.keys(tags).filter((t) => (tags[t] as Json | undefined)?.operation === 'REMOVE');
            add(
              'dimensions',
              dimensionText(
                show(match.metric ?? 'ALL_METRICS'),
                added,
                removed,
                show(match.mode ?? 'CLIENT_AND_SERVER'),
              ),
              source,
              'xds-push',
            );
          }
        }
        for (const tracing of list(spec.tracing)) {
          if (!isObject(tracing)) continue;
          if (tracing.randomSamplingPercentage !== undefined)
            add('sampling', `${show(tracing.randomSamplingPercentage)}%`, source, 'xds-push');
          if (isObject(tracing.customTags)) add('custom tags', tagsText(tracing.customTags), source, 'xds-push');
          const providers = list(tracing.providers).map((p) => show((p as Json).name));
          if (providers.length > 0) add('tracer', `provider ${providers.join(', ')}`, source, 'xds-push');
        }
      }
      // Bootstrap override: read when the pod starts; a changed ConfigMap needs a restart.
      const overrideName = template.annotations[BOOTSTRAP_OVERRIDE_ANNOTATION];
      if (typeof overrideName === 'string') {
        const configMap = configMaps.find(
          (c) => c.metadata.name === overrideName && c.metadata.namespace === template.namespace,
        );
        const text = (configMap?.data as Json | undefined)?.[CUSTOM_BOOTSTRAP_KEY];
        add(
          'bootstrap override',
          `ConfigMap ${overrideName}: ${bootstrapText(text)}`,
          `pod annotation ${BOOTSTRAP_OVERRIDE_ANNOTATION}`,
          'restart-needed',
        );
      }
      return { workload: `${template.namespace ?? '-'}/${template.workload.replace(/ "(.*)"$/, '/$1')}`, settings };
    })
    .sort((a, b) => (a.workload < b.workload ? -1 : a.workload > b.workload ? 1 : 0));
}

function proxyConfigSettings(
  config: Json,
  source: string,
  takesEffect: TakesEffect,
  add: (piece: string, value: string, source: string, takesEffect: TakesEffect) => void,
): void {
  const matcher = isObject(config.proxyStatsMatcher) ? config.proxyStatsMatcher : undefined;
  if (matcher) {
    const parts = Object.entries(matcher).map(
      ([k, v]) => `${k.replace(/^inclusion/, '').toLowerCase()} ${list(v).map(show).join(', ')}`,
    );
    add('stats inclusion', parts.join('; '), source, takesEffect);
  }
  const tracing = isObject(config.tracing) ? config.tracing : undefined;
  if (tracing?.sampling !== undefined) add('sampling', `${show(tracing.sampling)}%`, source, takesEffect);
  if (isObject(tracing?.customTags)) add('custom tags', tagsText(tracing.customTags), source, takesEffect);
  const zipkin = isObject(tracing?.zipkin) ? tracing.zipkin : undefined;
  if (zipkin?.address !== undefined) add('tracer', `zipkin ${show(zipkin.address)}`, source, takesEffect);
  const extra = list(config.extraStatTags);
  if (extra.length > 0) add('dimensions', `extraStatTags ${extra.map(show).join(', ')}`, source, takesEffect);
}

function dimensionText(metric: string, added: readonly string[], removed: readonly string[], where: string): string {
  const parts = [...added.map((d) => `+${d}`), ...removed.map((d) => `-${d}`)];
  return `${metric} (${where}): ${parts.length > 0 ? parts.join(' ') : 'no tag changes'}`;
}

function tagsText(tags: Json): string {
  return Object.entries(tags)
    .map(([name, tag]) => {
      const [kind, value] = Object.entries(isObject(tag) ? tag : {})[0] ?? ['?', undefined];
      const detail = isObject(value)
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
  if (!isObject(bootstrap)) return 'empty';
  const parts: string[] = [];
  const http = isObject(bootstrap.tracing) && isObject(bootstrap.tracing.http) ? bootstrap.tracing.http : undefined;
  if (http) {
    const typed = isObject(http.typedConfig) ? http.typedConfig : isObject(http.typed_config) ? http.typed_config : {};
    parts.push(
      `tracer ${show(http.name)} to cluster ${show(typed.collectorCluster ?? typed.collector_cluster)}${typed.collectorEndpoint ? ` ${show(typed.collectorEndpoint)}` : ''}`,
    );
  }
  for (const sink of list(bootstrap.statsSinks ?? bootstrap.stats_sinks))
    parts.push(`stats sink ${show((sink as Json).name)}`);
  const other = Object.keys(bootstrap).filter(
    (k) => !['tracing', 'statsSinks', 'stats_sinks', 'staticResources', 'static_resources'].includes(k),
  );
  if (other.length > 0) parts.push(`also ${other.join(', ')}`);
  return parts.join('; ') || 'static resources only';
}
