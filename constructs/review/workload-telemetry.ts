import { CUSTOM_BOOTSTRAP_KEY } from '../bootstrap/bootstrap-override';
import { isMapping, type JsonMapping, listOf, mappingAt } from '../json-values';
import { byCodePoint } from '../merge/sorted-entries';
import { BOOTSTRAP_OVERRIDE_ANNOTATION, PROXY_CONFIG_ANNOTATION } from '../proxy-config/istio-pod-annotations';
import type { Manifest, RenderedObject } from '../validate/rule';
import { podTemplates, proxyConfigOf } from '../validate/rules/pod-templates';
import { parseBootstrapText } from '../validate/rules/rendered-objects';
import { changeEffect, type TakesEffect } from './change-effect';

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

const show = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));
const describe = (m: Manifest) =>
  `${m.kind} ${m.metadata.namespace ? `${m.metadata.namespace}/` : ''}${m.metadata.name}`;

type Add = (piece: string, value: string, source: string, takesEffect: TakesEffect) => void;

/** Collects the settings `fill` adds. */
function settingsOf(fill: (add: Add) => void): WorkloadSetting[] {
  const settings: WorkloadSetting[] = [];
  fill((piece, value, source, takesEffect) => settings.push({ piece, value, source, takesEffect }));
  return settings;
}

function selects(selector: unknown, labels: Readonly<JsonMapping>): boolean {
  const match = isMapping(selector) && isMapping(selector.matchLabels) ? selector.matchLabels : undefined;
  return match !== undefined && Object.entries(match).every(([k, v]) => labels[k] === v);
}

/**
 * What telemetry each workload of a set of objects gets, read from the objects alone (so it
 * holds for hand-written ones too): ProxyConfig from the mesh default and the pod annotation,
 * the Telemetry resources that apply (mesh, namespace, selector), IstioOperator configOverride,
 * and the bootstrap override. Each setting says whether it reaches running proxies by an xDS push,
 * by the rollout a changed pod template starts, or only after a restart (istio/istio#22311).
 */
export function workloadTelemetry(objects: readonly RenderedObject[]): WorkloadTelemetry[] {
  const manifests = objects.map((o) => o.manifest);
  const operators = manifests.filter((m) => m.kind === 'IstioOperator');
  const rootNamespace =
    operators.map((m) => mappingAt(m, 'spec', 'meshConfig').rootNamespace).find(Boolean) ?? 'istio-system';
  // What every workload gets from the IstioOperators, and what each Telemetry gives those it applies to.
  const meshWide = settingsOf((add) => {
    for (const operator of operators) operatorSettings(operator, add);
  });
  const telemetries = manifests
    .filter((m) => m.kind === 'Telemetry')
    .map((telemetry) => ({ telemetry, settings: settingsOf((add) => telemetrySettings(telemetry, add)) }));
  const byPath = new Map(objects.map((o) => [o.path, o.manifest]));
  const configMaps = new Map(
    manifests.filter((m) => m.kind === 'ConfigMap').map((c) => [`${c.metadata.namespace}/${c.metadata.name}`, c]),
  );
  return podTemplates(objects)
    .map((template) => {
      const settings = [...meshWide];
      const config = proxyConfigOf(template);
      if (config && !(config instanceof Error)) {
        const workload = byPath.get(template.path);
        const field = [...template.field, PROXY_CONFIG_ANNOTATION];
        const effect = workload ? changeEffect(workload, field) : 'rollout';
        settings.push(
          ...settingsOf((add) => proxyConfigSettings(config, `pod annotation ${PROXY_CONFIG_ANNOTATION}`, effect, add)),
        );
      }
      // Telemetry: mesh (root namespace, no selector), namespace, workload selector.
      for (const { telemetry, settings: given } of telemetries) {
        const spec = mappingAt(telemetry, 'spec');
        const ns = telemetry.metadata.namespace;
        const applies = spec.selector
          ? ns === template.namespace && selects(spec.selector, template.labels)
          : ns === rootNamespace || ns === template.namespace;
        if (applies) settings.push(...given);
      }
      // Bootstrap override: read when the pod starts, so a changed ConfigMap needs a restart (a
      // ConfigMap missing from the objects is reported by bootstrap-configmap-reference).
      const overrideName = template.annotations[BOOTSTRAP_OVERRIDE_ANNOTATION];
      if (typeof overrideName === 'string') {
        const configMap = configMaps.get(`${template.namespace}/${overrideName}`);
        settings.push({
          piece: 'bootstrap override',
          value: `ConfigMap ${overrideName}: ${bootstrapText(mappingAt(configMap, 'data')[CUSTOM_BOOTSTRAP_KEY])}`,
          source: `pod annotation ${BOOTSTRAP_OVERRIDE_ANNOTATION}`,
          takesEffect: configMap ? changeEffect(configMap, ['data', CUSTOM_BOOTSTRAP_KEY]) : 'restart-needed',
        });
      }
      return { workload: `${template.namespace ?? '-'}/${template.kind}/${template.name}`, settings };
    })
    .sort((a, b) => byCodePoint(a.workload, b.workload));
}

/** An IstioOperator's mesh-wide ProxyConfig, istiod's default sampling, and configOverride dimensions. */
function operatorSettings(operator: Manifest, add: Add): void {
  const source = describe(operator);
  proxyConfigSettings(
    mappingAt(operator, 'spec', 'meshConfig', 'defaultConfig'),
    `${source} meshConfig.defaultConfig`,
    changeEffect(operator, ['spec', 'meshConfig', 'defaultConfig']),
    add,
  );
  const pilot = mappingAt(operator, 'spec', 'values', 'pilot').traceSampling;
  if (pilot !== undefined) {
    add(
      'sampling',
      `${show(pilot)}% (istiod default, PILOT_TRACE_SAMPLING)`,
      `${source} values.pilot.traceSampling`,
      changeEffect(operator, ['spec', 'values', 'pilot', 'traceSampling']),
    );
  }
  const overrides = mappingAt(operator, 'spec', 'values', 'telemetry', 'v2', 'prometheus', 'configOverride');
  for (const [proxy, override] of Object.entries(overrides)) {
    for (const metric of listOf(mappingAt(override).metrics)) {
      if (!isMapping(metric)) continue;
      const added = Object.keys(mappingAt(metric, 'dimensions'));
      const removed = listOf(metric.tags_to_remove).map(show);
      add(
        'dimensions',
        dimensionText(show(metric.name), added, removed, proxy),
        `${source} configOverride`,
        changeEffect(operator, ['spec', 'values', 'telemetry', 'v2', 'prometheus', 'configOverride', proxy]),
      );
    }
  }
}

/** A Telemetry's metric overrides, sampling, custom tags and tracing providers (all pushed over xDS). */
function telemetrySettings(telemetry: Manifest, add: Add): void {
  const source = describe(telemetry);
  const spec = mappingAt(telemetry, 'spec');
  const pushed = changeEffect(telemetry, ['spec']);
  for (const metric of listOf(spec.metrics)) {
    for (const override of listOf(mappingAt(metric).overrides)) {
      if (!isMapping(override)) continue;
      const match = mappingAt(override, 'match');
      const tags = mappingAt(override, 'tagOverrides');
      const added = Object.keys(tags).filter((t) => mappingAt(tags, t).operation !== 'REMOVE');
      const removed = Object.keys(tags).filter((t) => mappingAt(tags, t).operation === 'REMOVE');
      add(
        'dimensions',
        dimensionText(show(match.metric ?? 'ALL_METRICS'), added, removed, show(match.mode ?? 'CLIENT_AND_SERVER')),
        source,
        pushed,
      );
    }
  }
  for (const tracing of listOf(spec.tracing)) {
    if (!isMapping(tracing)) continue;
    if (tracing.randomSamplingPercentage !== undefined)
      add('sampling', `${show(tracing.randomSamplingPercentage)}%`, source, pushed);
    if (isMapping(tracing.customTags)) add('custom tags', tagsText(tracing.customTags), source, pushed);
    const providers = listOf(tracing.providers).map((p) => show(mappingAt(p).name));
    if (providers.length > 0) add('tracer', `provider ${providers.join(', ')}`, source, pushed);
  }
}

function proxyConfigSettings(config: Readonly<JsonMapping>, source: string, takesEffect: TakesEffect, add: Add): void {
  const matcher = isMapping(config.proxyStatsMatcher) ? config.proxyStatsMatcher : undefined;
  if (matcher) {
    const parts = Object.entries(matcher).map(
      ([k, v]) => `${k.replace(/^inclusion/, '').toLowerCase()} ${listOf(v).map(show).join(', ')}`,
    );
    add('stats inclusion', parts.join('; '), source, takesEffect);
  }
  const tracing = isMapping(config.tracing) ? config.tracing : undefined;
  if (tracing?.sampling !== undefined) add('sampling', `${show(tracing.sampling)}%`, source, takesEffect);
  if (isMapping(tracing?.customTags)) add('custom tags', tagsText(tracing.customTags), source, takesEffect);
  const zipkin = isMapping(tracing?.zipkin) ? tracing.zipkin : undefined;
  if (zipkin?.address !== undefined) add('tracer', `zipkin ${show(zipkin.address)}`, source, takesEffect);
  const extra = listOf(config.extraStatTags);
  if (extra.length > 0) add('dimensions', `extraStatTags ${extra.map(show).join(', ')}`, source, takesEffect);
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
