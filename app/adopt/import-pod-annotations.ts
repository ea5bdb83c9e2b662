import {
  BOOTSTRAP_OVERRIDE_ANNOTATION,
  CUSTOM_BOOTSTRAP_KEY,
  PROXY_CONFIG_ANNOTATION,
} from '../../core/istio/istio-names';
import { isMapping, type JsonMapping, listOf, mappingAt } from '../../core/json-values';
import type { FieldPath } from '../../core/problems/field-path';
import { parseBootstrapText } from '../../model/bootstrap-overrides';
import { proxyConfigOf } from '../../model/pod-templates';
import type { ImportSource } from './config-draft';
import {
  type DeclaredWorkload,
  type ImportContext,
  meshTracesByDefault,
  type TracingPiece,
  tracingSets,
} from './import-context';
import { customTagsOf, statsMatcherOf, Untranslatable } from './import-pieces';

/** Each declared workload's `proxy.istio.io/config` and bootstrap override; deprecated stats annotations are listed. */
export function importPodAnnotations(ctx: ImportContext): void {
  const { draft } = ctx;
  const bootstrapUsers = new Map<string, { workloads: string[]; from: ImportSource; namespace: string }>();
  for (const w of ctx.workloads) {
    const config = proxyConfigOf(w.template);
    const field = [...w.template.field, PROXY_CONFIG_ANNOTATION];
    const source = (sub: FieldPath = []) => draft.source(w.object, field.concat(sub));
    if (config instanceof Error) {
      draft.skip(
        source(),
        `is not YAML (${config.message})`,
        ['stats inclusion', 'sampling', 'custom tags', 'tracer'],
        [w.reviewName],
      );
    } else if (config) {
      importProxyConfig(ctx, w, config, source);
    }
    const overrideName = w.template.annotations[BOOTSTRAP_OVERRIDE_ANNOTATION];
    if (typeof overrideName === 'string') {
      const key = `${w.template.namespace}/${overrideName}`;
      const entry = bootstrapUsers.get(key) ?? {
        workloads: [],
        from: draft.source(w.object, [...w.template.field, BOOTSTRAP_OVERRIDE_ANNOTATION]),
        namespace: w.template.namespace ?? '',
      };
      entry.workloads.push(w.key);
      bootstrapUsers.set(key, entry);
    }
    for (const legacy of [
      'sidecar.istio.io/statsInclusionPrefixes',
      'sidecar.istio.io/statsInclusionSuffixes',
      'sidecar.istio.io/statsInclusionRegexps',
      'sidecar.istio.io/extraStatTags',
    ]) {
      if (w.template.annotations[legacy] !== undefined) {
        draft.skip(
          draft.source(w.object, [...w.template.field, legacy]),
          `the deprecated ${legacy} annotation is left on the workload; declare it as proxy.istio.io/config instead`,
          [legacy.includes('extraStatTags') ? 'dimensions' : 'stats inclusion'],
          [w.reviewName],
        );
      }
    }
  }
  for (const [key, { workloads, from, namespace }] of bootstrapUsers)
    importBootstrap(ctx, key, workloads, from, namespace);
}

/**
 * One workload's ProxyConfig: its stats inclusion, and the tracing pieces no Telemetry that applies
 * to it overrides (a shadowed one is listed as having no effect). The team's other keys stay theirs.
 */
export function importProxyConfig(
  ctx: ImportContext,
  w: DeclaredWorkload,
  config: JsonMapping,
  source: (sub?: FieldPath) => ImportSource,
): void {
  const { draft } = ctx;
  const target = { workload: w.key };
  const applied = ctx.telemetry.appliedTo(w.template);
  const telemetrySets = (piece: TracingPiece) =>
    [applied.root, applied.namespace, ...applied.workload].some((t) => t !== undefined && tracingSets(t.spec, piece));
  const shadowed = (piece: TracingPiece, sub: FieldPath) => {
    // With the Telemetry API tracing at all (a Telemetry, or the mesh's default providers),
    // istiod ignores ProxyConfig's tracer.
    const byDefault = piece === 'tracer' && meshTracesByDefault(ctx);
    if (!telemetrySets(piece) && !byDefault) return false;
    draft.skip(
      source(sub),
      byDefault && !telemetrySets(piece)
        ? `has no effect: the mesh config names default tracing providers (defaultProviders.tracing), so istiod ignores ProxyConfig's tracer`
        : `has no effect: a Telemetry that applies to ${w.reviewName} configures its ${piece === 'tracer' ? 'tracing' : piece}, which wins over ProxyConfig`,
      [],
      [w.reviewName],
    );
    return true;
  };
  if (isMapping(config.proxyStatsMatcher)) {
    const matcher = statsMatcherOf(config.proxyStatsMatcher);
    if (matcher instanceof Untranslatable)
      draft.skip(source(['proxyStatsMatcher']), matcher.why, ['stats inclusion'], [w.reviewName]);
    else draft.add('statsInclusion', `${w.key}-stats-inclusion`, { target, ...matcher }, source(['proxyStatsMatcher']));
  }
  const tracing = mappingAt(config, 'tracing');
  if (tracing.sampling !== undefined && !shadowed('sampling', ['tracing', 'sampling'])) {
    draft.add(
      'traceSampling',
      `${w.key}-sampling`,
      { target, percentage: Number(tracing.sampling) },
      source(['tracing', 'sampling']),
    );
  }
  if (isMapping(tracing.customTags) && !shadowed('custom tags', ['tracing', 'customTags'])) {
    const tags = customTagsOf(tracing.customTags);
    if (tags instanceof Untranslatable)
      draft.skip(source(['tracing', 'customTags']), tags.why, ['custom tags'], [w.reviewName]);
    else draft.add('customTraceTags', `${w.key}-trace-tags`, { target, tags }, source(['tracing', 'customTags']));
  }
  const zipkin = mappingAt(tracing, 'zipkin');
  if (typeof zipkin.address === 'string' && !shadowed('tracer', ['tracing', 'zipkin'])) {
    const provider = ctx.tracing === 'telemetry-api' ? { provider: `zipkin-${w.key}` } : {};
    draft.add(
      'zipkinTracers',
      `${w.key}-zipkin`,
      { target, address: zipkin.address, ...provider },
      source(['tracing', 'zipkin']),
    );
    if (ctx.tracing === 'telemetry-api') {
      draft.convert(
        source(['tracing', 'zipkin']),
        'the input also traces through the Telemetry API, so this ProxyConfig tracer becomes a zipkin extension provider named in a Telemetry for the workload',
        ['tracer'],
        [w.reviewName],
      );
    }
  }
  const extra = listOf(config.extraStatTags).filter((t): t is string => typeof t === 'string');
  if (extra.length > 0) importExtraStatTags(ctx, w, extra, source(['extraStatTags']));
  const known = ['proxyStatsMatcher', 'tracing', 'extraStatTags'];
  const others = Object.keys(config).filter((k) => !known.includes(k));
  if (others.length > 0) {
    // Not ours: the patch keeps them, read from the workload's manifest (workloads.<name>.manifest).
    draft.skip(
      source(),
      `its other ProxyConfig keys (${others.join(', ')}) are the workload team's; the patch keeps them, read from workloads.${w.key}.manifest`,
      [],
    );
  }
}

/** A workload's extraStatTags: the dimensions they expose are declared, and name it in extraStatTagsFor. */
export function importExtraStatTags(
  ctx: ImportContext,
  w: DeclaredWorkload,
  tags: readonly string[],
  from: ImportSource,
): void {
  const entries = Object.values(ctx.draft.entries('metricDimensions'));
  const missing = tags.filter((tag) => !entries.some((e) => tag in mappingAt(e, 'dimensions')));
  for (const entry of entries) {
    if (!tags.some((tag) => tag in mappingAt(entry, 'dimensions'))) continue;
    if (entry.extraStatTagsFor === undefined) entry.extraStatTagsFor = [];
    const list = entry.extraStatTagsFor as string[];
    if (!list.includes(w.key)) list.push(w.key);
  }
  if (missing.length > 0) {
    ctx.draft.skip(
      from,
      `extraStatTags ${missing.join(', ')} name no dimension the input declares; the declaration lists only the tags of its dimensions`,
      ['dimensions'],
      [w.reviewName],
    );
  }
}

/** A bootstrap override ConfigMap of a zipkin tracer, as `bootstrapOverrides.<id>.zipkin`. */
export function importBootstrap(
  ctx: ImportContext,
  key: string,
  workloads: readonly string[],
  from: ImportSource,
  namespace: string,
): void {
  const { draft } = ctx;
  const [, name] = key.split('/') as [string, string];
  const configMap = ctx.objects.find(
    (o) =>
      o.manifest.kind === 'ConfigMap' &&
      o.manifest.metadata.name === name &&
      o.manifest.metadata.namespace === namespace,
  );
  const affected = ctx.workloads.filter((w) => workloads.includes(w.key)).map((w) => w.reviewName);
  const text = mappingAt(configMap?.manifest, 'data')[CUSTOM_BOOTSTRAP_KEY];
  if (!configMap || typeof text !== 'string') {
    draft.skip(
      from,
      `names ConfigMap ${key}, which the input does not hold with a ${CUSTOM_BOOTSTRAP_KEY} key`,
      ['bootstrap override'],
      affected,
    );
    return;
  }
  const cmFrom = draft.source(configMap, ['data', CUSTOM_BOOTSTRAP_KEY]);
  let bootstrap: unknown;
  try {
    bootstrap = parseBootstrapText(text);
  } catch {
    draft.skip(cmFrom, 'is not JSON or YAML', ['bootstrap override'], affected);
    return;
  }
  const zipkin = zipkinBootstrap(bootstrap);
  if (zipkin instanceof Untranslatable) {
    draft.skip(cmFrom, zipkin.why, ['bootstrap override'], affected);
    return;
  }
  draft.replaced.add(configMap.path);
  draft.add('bootstrapOverrides', name, { name, workloads: [...workloads], zipkin }, cmFrom);
}

/** A bootstrap of a zipkin tracer only, as `bootstrapOverrides.<id>.zipkin`. */
function zipkinBootstrap(bootstrap: unknown): JsonMapping | Untranslatable {
  const root = mappingAt(bootstrap);
  const others = Object.keys(root).filter((k) => k !== 'tracing');
  if (others.length > 0) {
    return new Untranslatable(
      `sets ${others.join(', ')} besides a zipkin tracer; the declaration's bootstrap overrides are a zipkin tracer or a statsd sink`,
    );
  }
  const http = mappingAt(root, 'tracing', 'http');
  const typed = mappingAt(http.typedConfig ?? http.typed_config);
  if (http.name !== 'envoy.tracers.zipkin' || Object.keys(typed).length === 0) {
    return new Untranslatable('holds no zipkin tracer (tracing.http envoy.tracers.zipkin)');
  }
  const read = (camel: string, snake: string) => typed[camel] ?? typed[snake];
  const bool = (v: unknown) => (v === true || v === 'true' ? true : v === false || v === 'false' ? false : undefined);
  const zipkin: Record<string, unknown> = {
    collectorCluster: read('collectorCluster', 'collector_cluster'),
    collectorEndpoint: read('collectorEndpoint', 'collector_endpoint'),
  };
  const traceId = bool(read('traceId128bit', 'trace_id_128bit'));
  if (traceId !== undefined) zipkin.traceId128bit = traceId;
  const shared = bool(read('sharedSpanContext', 'shared_span_context'));
  if (shared !== undefined) zipkin.sharedSpanContext = shared;
  const version = read('collectorEndpointVersion', 'collector_endpoint_version');
  if (typeof version === 'string') zipkin.collectorEndpointVersion = version;
  const hostname = read('collectorHostname', 'collector_hostname');
  if (typeof hostname === 'string') zipkin.collectorHostname = hostname;
  if (typeof zipkin.collectorCluster !== 'string' || typeof zipkin.collectorEndpoint !== 'string') {
    return new Untranslatable('its zipkin tracer names no collectorCluster and collectorEndpoint');
  }
  return zipkin;
}
