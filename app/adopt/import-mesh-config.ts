import { isMapping, type JsonMapping, listOf, mappingAt } from '../../core/json-values';
import { installProfiles } from '../../core/version/install-profiles';
import { installInputOf, pilotValuePaths, statsConfigOverrides, valueAt } from '../../model/install-inputs';
import { proxyConfigOf } from '../../model/pod-templates';
import { describeObject, type ImportSource } from './config-draft';
import {
  type ImportContext,
  type MetricsMechanism,
  meshTracesByDefault,
  rootNamesTracer,
  rootTelemetryLogs,
  rootTelemetrySets,
  type TracingPiece,
} from './import-context';
import { addAccessLog, addTracer, dimensionValues } from './import-declarations';
import { customTagsOf, statsMatcherOf, Untranslatable } from './import-pieces';

/**
 * `mesh:` from the install inputs: how the control plane is installed (the ConfigMap says Helm by
 * its labels), its profile, its root namespace. Every install input is replaced: ours layer over it.
 */
export function meshSection(ctx: ImportContext): JsonMapping {
  const inputs = ctx.objects.flatMap((o) => {
    const input = installInputOf(o.manifest);
    return input ? [{ object: o, input }] : [];
  });
  const chosen = inputs.find((i) => i.input.kind !== 'mesh-configmap') ?? inputs[0];
  const mesh: Record<string, unknown> = {};
  if (ctx.rootNamespace !== 'istio-system') mesh.rootNamespace = ctx.rootNamespace;
  if (!chosen) return mesh;
  const { object, input } = chosen;
  for (const other of inputs) ctx.draft.replaced.add(other.object.path);
  if (input.kind === 'helm-values') mesh.install = 'helm';
  else if (input.kind === 'sail-istio') mesh.install = 'sail';
  else if (input.kind === 'mesh-configmap') {
    const labels = mappingAt(object.manifest, 'metadata', 'labels');
    if (labels['app.kubernetes.io/managed-by'] === 'Helm' || 'helm.sh/chart' in labels) mesh.install = 'helm';
  }
  if (input.kind === 'istio-operator') {
    const profile = mappingAt(object.manifest, 'spec').profile;
    const known = installProfiles('istioctl', Number(ctx.options.istioVersion.split('.')[1]));
    if (typeof profile === 'string' && profile !== 'default') {
      if (known === undefined || known.includes(profile)) mesh.profile = profile;
      else {
        ctx.draft.skip(
          ctx.draft.source(object, ['spec', 'profile']),
          `is not a profile istioctl of Istio ${ctx.options.istioVersion} has (${known.join(', ')}); your install keeps it`,
        );
      }
    }
  }
  return mesh;
}

/** The tracing mechanism the input uses: the Telemetry API if any Telemetry or defaultProviders traces, else ProxyConfig if any sets tracing. */
export function tracingMechanism(ctx: ImportContext): 'proxy-config' | 'telemetry-api' | undefined {
  const viaTelemetry =
    ctx.telemetry.policies.some((p) => listOf(p.spec.tracing).length > 0) ||
    listOf(mappingAt(ctx.meshConfig().config, 'defaultProviders').tracing).length > 0;
  if (viaTelemetry) return 'telemetry-api';
  const { config } = ctx.meshConfig();
  const proxyTracing =
    isMapping(mappingAt(config, 'defaultConfig').tracing) ||
    ctx.workloads.some((w) => {
      const parsed = proxyConfigOf(w.template);
      return parsed !== undefined && !(parsed instanceof Error) && isMapping(parsed.tracing);
    });
  return proxyTracing ? 'proxy-config' : undefined;
}

/** How the input customizes metrics: configOverride (up to 1.20) unless Telemetry metrics do too, else the Telemetry API (1.18+). */
export function metricsMechanism(ctx: ImportContext): 'istio-operator' | 'telemetry-api' | undefined {
  const telemetryMetrics = ctx.telemetry.policies.some((p) => listOf(p.spec.metrics).length > 0);
  const overrides = ctx.objects.some((o) => statsConfigOverrides(o.manifest).length > 0);
  if (overrides && ctx.policy.has('istioOperatorConfigOverride') && !telemetryMetrics) return 'istio-operator';
  if (telemetryMetrics && ctx.policy.has('telemetryApiMetrics')) return 'telemetry-api';
  return undefined;
}

/**
 * The mesh config's pieces: the mesh-wide ProxyConfig (sampling, tracer, custom tags, stats
 * inclusion), default providers, meshConfig's own access log, istiod's default sampling, and the
 * stats filter's configOverride; each only where the root namespace's Telemetry does not override it.
 */
export function importMeshConfig(ctx: ImportContext, metrics: MetricsMechanism): void {
  const { draft } = ctx;
  const { config, source } = ctx.meshConfig();
  ctx.providers.push(...listOf(config.extensionProviders).filter(isMapping));
  const defaults = mappingAt(config, 'defaultConfig');
  const rootSets = (piece: TracingPiece) => rootTelemetrySets(ctx, piece);
  const tracing = mappingAt(defaults, 'tracing');
  if (tracing.sampling !== undefined && !rootSets('sampling')) {
    draft.add(
      'traceSampling',
      'mesh-sampling',
      { target: 'mesh', percentage: Number(tracing.sampling) },
      source(['defaultConfig', 'tracing', 'sampling']),
    );
  }
  if (isMapping(tracing.customTags) && !rootSets('custom tags')) {
    const tags = customTagsOf(tracing.customTags);
    if (tags instanceof Untranslatable)
      draft.skip(source(['defaultConfig', 'tracing', 'customTags']), tags.why, ['custom tags']);
    else
      draft.add(
        'customTraceTags',
        'mesh-trace-tags',
        { target: 'mesh', tags },
        source(['defaultConfig', 'tracing', 'customTags']),
      );
  }
  const zipkin = mappingAt(tracing, 'zipkin');
  const tracerShadowed = rootSets('tracer') || meshTracesByDefault(ctx);
  if (typeof zipkin.address === 'string' && tracerShadowed) {
    draft.skip(
      source(['defaultConfig', 'tracing', 'zipkin']),
      "has no effect: the mesh traces through the Telemetry API (the root namespace's Telemetry or defaultProviders.tracing), so istiod ignores ProxyConfig's tracer",
      [],
    );
  } else if (typeof zipkin.address === 'string') {
    draft.add(
      'zipkinTracers',
      'mesh-zipkin',
      { target: 'mesh', address: zipkin.address },
      source(['defaultConfig', 'tracing', 'zipkin']),
    );
    if (ctx.tracing === 'telemetry-api') {
      draft.convert(
        source(['defaultConfig', 'tracing', 'zipkin']),
        "the input also traces through the Telemetry API, so this ProxyConfig tracer becomes a zipkin extension provider named in the root namespace's Telemetry",
        ['tracer'],
      );
    }
  }
  for (const other of Object.keys(tracing).filter(
    (k) => !['sampling', 'customTags', 'zipkin', 'maxPathTagLength'].includes(k),
  )) {
    draft.skip(
      source(['defaultConfig', 'tracing', other]),
      `a ${other} tracer in ProxyConfig has no declaration (zipkin only; OpenTelemetry through the Telemetry API)`,
      ['tracer'],
    );
  }
  if (isMapping(defaults.proxyStatsMatcher)) {
    const matcher = statsMatcherOf(defaults.proxyStatsMatcher);
    if (matcher instanceof Untranslatable)
      draft.skip(source(['defaultConfig', 'proxyStatsMatcher']), matcher.why, ['stats inclusion']);
    else
      draft.add(
        'statsInclusion',
        'mesh-stats-inclusion',
        { target: 'mesh', ...matcher },
        source(['defaultConfig', 'proxyStatsMatcher']),
      );
  }
  if (listOf(defaults.extraStatTags).length > 0) {
    draft.skip(
      source(['defaultConfig', 'extraStatTags']),
      'mesh-wide extraStatTags are declared per workload, through metricDimensions.<id>.extraStatTagsFor',
      ['dimensions'],
    );
  }
  const defaultProviders = mappingAt(config, 'defaultProviders');
  const tracers = listOf(defaultProviders.tracing).filter((p): p is string => typeof p === 'string');
  // Default providers apply wherever no Telemetry names a provider of its own.
  if (tracers.length > 0 && !rootNamesTracer(ctx)) {
    for (const name of tracers) addTracer(ctx, name, 'mesh', source(['defaultProviders', 'tracing']), undefined);
  }
  const metricProviders = listOf(defaultProviders.metrics);
  if (
    isMapping(config.defaultProviders) &&
    !metricProviders.includes('prometheus') &&
    ctx.policy.has('telemetryApiMetrics')
  ) {
    draft.skip(
      source(['defaultProviders', 'metrics']),
      `names no prometheus metrics provider (got ${JSON.stringify(metricProviders)}), so istiod builds no stats filter and no proxy reports standard metrics; the declaration always keeps them (istio/istio#51384)`,
    );
  }
  const logs = listOf(defaultProviders.accessLogging).filter((p): p is string => typeof p === 'string');
  if (logs.length > 0 && !rootTelemetryLogs(ctx)) {
    for (const name of logs) addAccessLog(ctx, name, { target: 'mesh' }, source(['defaultProviders', 'accessLogging']));
  }
  if (typeof config.accessLogFile === 'string' && config.accessLogFile !== '' && !rootTelemetryLogs(ctx)) {
    const format = typeof config.accessLogFormat === 'string' ? config.accessLogFormat : undefined;
    const json = config.accessLogEncoding === 'JSON';
    if (logs.length > 0) {
      // istiod builds meshConfig's own log only while no access log provider applies
      // (istio/istio@1.26.8:pilot/pkg/networking/core/accesslog.go).
      draft.skip(
        source(['accessLogFile']),
        'has no effect: defaultProviders.accessLogging names providers, which istiod logs with instead',
        [],
      );
    } else if (json) {
      draft.skip(
        source(['accessLogEncoding']),
        "a JSON access log in meshConfig's encoding has no declaration (a file log's JSON is a map of keys to operators); keep it in your mesh config",
        ['access log'],
      );
    } else {
      // The built-in envoy provider is meshConfig's own log: /dev/stdout in the mesh's format.
      const plain = config.accessLogFile === '/dev/stdout' && !format;
      const file = plain ? undefined : { path: config.accessLogFile, ...(format ? { format: { text: format } } : {}) };
      draft.add(
        'accessLogging',
        'mesh-access-log',
        { target: 'mesh', ...(file ? { file } : {}) },
        source(['accessLogFile']),
      );
      draft.convert(
        source(['accessLogFile']),
        "meshConfig's own access log becomes a Telemetry access log of the envoy provider (or a file provider) in the root namespace",
        ['access log'],
      );
    }
  }
  if (config.enableTracing === false) {
    draft.skip(
      source(['enableTracing']),
      'turning tracing off mesh-wide has no declaration; leave it in your mesh config',
      ['tracer', 'sampling'],
    );
  }
  // istiod's default sampling, from the chart values of each install input.
  for (const object of ctx.objects) {
    for (const field of pilotValuePaths(object.manifest, 'traceSampling', ctx.policy)) {
      const value = valueAt(object.manifest, field);
      if (typeof value === 'number') {
        draft.set('pilotTraceSampling', value, `from ${describeObject(object)} ${field.join('.')}`);
      }
    }
  }
  importConfigOverrides(ctx, metrics);
}

/** The stats filter's configOverride (1.13-1.20): dimensions and removed tags, and new metrics. */
export function importConfigOverrides(ctx: ImportContext, metrics: MetricsMechanism): void {
  const { draft } = ctx;
  for (const object of ctx.objects) {
    const overrides = statsConfigOverrides(object.manifest);
    if (overrides.length === 0) continue;
    if (metrics !== 'istio-operator') {
      draft.skip(
        draft.source(object, overrides[0]?.field.slice(0, -1)),
        ctx.policy.has('istioOperatorConfigOverride')
          ? 'the input customizes metrics with the Telemetry API too; the declaration uses one mechanism, the Telemetry API'
          : `no longer respected from Istio 1.21 (istio/istio@1.21.0:releasenotes/notes/drop-telemetry-envoyfilter.yaml): nothing to import at ${ctx.options.istioVersion}`,
        ctx.policy.has('istioOperatorConfigOverride') ? ['dimensions'] : [],
      );
      continue;
    }
    // Entries equal on every proxy kind become one declaration with those proxies.
    const dimensions = new Map<string, { value: Record<string, unknown>; proxies: string[]; from: ImportSource }>();
    type Grouped = { value: Record<string, unknown>; proxies: string[]; from: ImportSource };
    const definitions = new Map<string, { value: Record<string, unknown>; proxies: string[]; from: ImportSource }>();
    for (const { proxy, field, override } of overrides) {
      listOf(override.metrics).forEach((metric, i) => {
        if (!isMapping(metric) || typeof metric.name !== 'string') return;
        const value = {
          metric: metric.name,
          ...(isMapping(metric.dimensions) ? { dimensions: dimensionValues(ctx, metric.dimensions) } : {}),
          ...(listOf(metric.tags_to_remove).length > 0 ? { tagsToRemove: listOf(metric.tags_to_remove) } : {}),
        };
        const key = JSON.stringify(value);
        const entry: Grouped = dimensions.get(key) ?? {
          value,
          proxies: [],
          from: draft.source(object, [...field, 'metrics', i]),
        };
        entry.proxies.push(proxy);
        dimensions.set(key, entry);
      });
      listOf(override.definitions).forEach((definition, i) => {
        if (!isMapping(definition)) return;
        const value = { name: definition.name, type: definition.type ?? 'COUNTER', value: definition.value };
        const key = JSON.stringify(value);
        const entry: Grouped = definitions.get(key) ?? {
          value,
          proxies: [],
          from: draft.source(object, [...field, 'definitions', i]),
        };
        entry.proxies.push(proxy);
        definitions.set(key, entry);
      });
    }
    const all = (proxies: string[]) =>
      ['inboundSidecar', 'outboundSidecar', 'gateway'].every((p) => proxies.includes(p));
    for (const { value, proxies, from } of dimensions.values()) {
      draft.add(
        'metricDimensions',
        `${String(value.metric)}-dimensions`,
        { ...value, ...(all(proxies) ? {} : { proxies: proxies.sort() }) },
        from,
      );
    }
    for (const { value, proxies, from } of definitions.values()) {
      // The filter gives a definition no standard label; the declaration's default adds reporter.
      const labels = listOf(mappingAt(value, 'dimensions')).length === 0 ? { standardLabels: [] } : {};
      draft.add(
        'metricDefinitions',
        String(value.name),
        { ...value, implementation: 'stats-filter', ...labels, ...(all(proxies) ? {} : { proxies: proxies.sort() }) },
        from,
      );
    }
  }
}
