import { dirname, relative } from 'node:path';
import {
  BOOTSTRAP_OVERRIDE_ANNOTATION,
  CUSTOM_BOOTSTRAP_KEY,
  PROXY_CONFIG_ANNOTATION,
} from '../../core/istio/istio-names';
import { isMapping, type JsonMapping, listOf, mappingAt } from '../../core/json-values';
import { byCodePoint } from '../../core/merge/sorted-entries';
import type { FieldPath } from '../../core/problems/field-path';
import { installProfiles } from '../../core/version/install-profiles';
import type { VersionPolicy } from '../../core/version/version-policy';
import { parseBootstrapText } from '../../model/bootstrap-overrides';
import {
  installInputOf,
  meshConfigs,
  meshRootNamespace,
  pilotValuePaths,
  statsConfigOverrides,
  valueAt,
} from '../../model/install-inputs';
import type { RenderedObject } from '../../model/objects';
import { type PodTemplate, podTemplates, proxyConfigOf } from '../../model/pod-templates';
import { isEnvoyFilter, isTelemetry, isWasmPlugin } from '../../model/telemetry-objects';
import { TelemetryIndex, type TelemetryPolicy, telemetryPrecedence } from '../../model/telemetry-precedence';
import { resolvePolicy } from '../lint/manifest-validator';
import { ConfigDraft, describeObject, type ImportSource } from './config-draft';
import {
  accessLogOf,
  customTagsOf,
  proxiesOfMode,
  standardMetricOf,
  statsMatcherOf,
  tracerOf,
  Untranslatable,
} from './import-pieces';
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
type TracingPiece = 'sampling' | 'custom tags' | 'tracer';

const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'Rollout']);

/** Kinds of backends the declaration generates; the input's stay as they are. */
const BACKEND_KINDS = new Set(['PodMonitor', 'ServiceMonitor', 'PrometheusRule', 'Kiali', 'ScrapeConfig']);

/**
 * Builds the `observability.yaml` that synthesizes to the same effective settings per workload as
 * the input: workloads from the pod templates seen, each piece at the narrowest target that
 * gives it the same reach, with the mechanism the input uses (ProxyConfig or Telemetry tracing,
 * IstioOperator configOverride or Telemetry metrics). Where objects conflict, what Istio applies
 * is imported and the rest reported. What the declaration cannot say is listed, with why.
 */
export function importInputSet(set: InputSet, options: ImportOptions): ConfigDraft {
  const policy = resolvePolicy(options.istioVersion);
  const draft = new ConfigDraft((object, field) => {
    const document = set.documents.get(object.path);
    return document ? document.locate(field) : object.location;
  });
  const importer = new Importer(set, policy, draft, options);
  importer.run();
  return draft;
}

interface DeclaredWorkload {
  readonly key: string;
  readonly template: PodTemplate;
  readonly object: RenderedObject;
  /** `ns/Kind/name`, as explain names it. */
  readonly reviewName: string;
}

class Importer {
  private readonly objects: readonly RenderedObject[];
  private readonly byPath: Map<string, RenderedObject>;
  private readonly rootNamespace: string;
  private readonly telemetry: TelemetryIndex;
  private readonly workloads: DeclaredWorkload[] = [];
  private readonly providers: JsonMapping[] = [];
  private tracing: 'proxy-config' | 'telemetry-api' | undefined;

  constructor(
    set: InputSet,
    private readonly policy: VersionPolicy,
    private readonly draft: ConfigDraft,
    private readonly options: ImportOptions,
  ) {
    this.objects = set.objects;
    this.byPath = new Map(set.objects.map((o) => [o.path, o]));
    this.rootNamespace = meshRootNamespace(set.objects);
    this.telemetry = new TelemetryIndex(set.objects, this.rootNamespace, telemetryPrecedence(policy));
  }

  run(): void {
    const { draft } = this;
    draft.set('istioVersion', this.options.istioVersion, `Istio ${this.options.istioVersion}, ${this.options.release}`);
    this.declareWorkloads();
    const namespaces = this.workloads.map((w) => w.template.namespace ?? '');
    draft.set('namespace', mostCommon(namespaces) ?? this.rootNamespace, 'where workload-level objects go by default');
    const mesh = this.meshSection();
    this.tracing = this.tracingMechanism();
    const metrics = this.metricsMechanism();
    draft.set('mesh', {
      ...mesh,
      ...(this.tracing ? { tracing: this.tracing } : {}),
      ...(metrics ? { metricsCustomization: metrics } : {}),
    });
    this.importWorkloadsSection();
    this.importMeshConfig(metrics);
    this.importTelemetry(metrics);
    this.importPodAnnotations();
    this.importAttributeGenerators();
    this.listTheRest();
    draft.set(
      'backends',
      { prometheusOperator: false, grafana: false, kiali: false },
      'your monitors, rules, dashboards and Kiali stay as they are; turn ours on here (docs/backends.md)',
    );
  }

  // --- workloads -------------------------------------------------------------------------------

  private declareWorkloads(): void {
    // One workload object per name: kubectl keeps the last one applied, so the last variant counts.
    const last = new Map<string, PodTemplate>();
    const all = podTemplates(this.objects).filter((t) => !t.patch);
    for (const template of all) {
      const name = `${template.namespace}/${template.kind}/${template.name}`;
      const earlier = last.get(name);
      const object = this.byPath.get(template.path);
      if (earlier && object) {
        this.draft.conflict(
          this.draft.source(object),
          `declares ${template.kind} ${template.namespace}/${template.name} again (first at ${describeObject(this.byPath.get(earlier.path) ?? object)}); kubectl keeps the one applied last, which is imported`,
        );
      }
      last.set(name, template);
    }
    const taken = new Set<string>();
    for (const [reviewName, template] of [...last].sort(([a], [b]) => byCodePoint(a, b))) {
      const object = this.byPath.get(template.path);
      if (!object) continue;
      if (!WORKLOAD_KINDS.has(template.kind)) {
        this.draft.skip(
          this.draft.source(object),
          `a ${template.kind} is not a workload the declaration targets (Deployment, StatefulSet, DaemonSet, Rollout); settings aimed at it by selector still reach it`,
          ['stats inclusion', 'sampling', 'custom tags', 'tracer', 'bootstrap override'],
          [reviewName],
        );
        continue;
      }
      let key = template.name ?? 'workload';
      if (taken.has(key)) key = `${key}-${template.namespace}`;
      taken.add(key);
      this.workloads.push({ key, template, object, reviewName });
    }
  }

  private importWorkloadsSection(): void {
    for (const { key, template, object } of this.workloads) {
      const selector = mappingAt(object.manifest, 'spec', 'selector', 'matchLabels');
      const labels = Object.keys(selector).length > 0 ? selector : template.labels;
      const off =
        String(template.annotations['sidecar.istio.io/inject']) === 'false' ||
        String(template.labels['sidecar.istio.io/inject']) === 'false';
      const file = object.file;
      const manifest =
        file && !file.startsWith('kustomize build ')
          ? relative(dirname(this.options.outFile), file) || file
          : undefined;
      this.draft.add(
        'workloads',
        key,
        {
          ...(key !== template.name ? { name: template.name } : {}),
          namespace: template.namespace,
          ...(template.kind !== 'Deployment' ? { kind: template.kind } : {}),
          selector: Object.fromEntries(Object.entries(labels).map(([k, v]) => [k, String(v)])),
          ...(manifest ? { manifest } : {}),
          ...(off ? { sidecar: false } : {}),
        },
        this.draft.source(object),
      );
    }
  }

  /** The declared workloads whose pods a Telemetry applies to (and istiod does not ignore for them). */
  private workloadsOf(policy: TelemetryPolicy): DeclaredWorkload[] {
    return this.workloads.filter((w) => this.telemetry.appliedTo(w.template).workload.includes(policy));
  }

  // --- mesh config -----------------------------------------------------------------------------

  private meshSection(): JsonMapping {
    const inputs = this.objects.flatMap((o) => {
      const input = installInputOf(o.manifest);
      return input ? [{ object: o, input }] : [];
    });
    const chosen = inputs.find((i) => i.input.kind !== 'mesh-configmap') ?? inputs[0];
    const mesh: Record<string, unknown> = {};
    if (this.rootNamespace !== 'istio-system') mesh.rootNamespace = this.rootNamespace;
    if (!chosen) return mesh;
    const { object, input } = chosen;
    for (const other of inputs) this.draft.replaced.add(other.object.path);
    if (input.kind === 'helm-values') mesh.install = 'helm';
    else if (input.kind === 'sail-istio') mesh.install = 'sail';
    else if (input.kind === 'mesh-configmap') {
      const labels = mappingAt(object.manifest, 'metadata', 'labels');
      if (labels['app.kubernetes.io/managed-by'] === 'Helm' || 'helm.sh/chart' in labels) mesh.install = 'helm';
    }
    if (input.kind === 'istio-operator') {
      const profile = mappingAt(object.manifest, 'spec').profile;
      const known = installProfiles('istioctl', Number(this.options.istioVersion.split('.')[1]));
      if (typeof profile === 'string' && profile !== 'default') {
        if (known === undefined || known.includes(profile)) mesh.profile = profile;
        else {
          this.draft.skip(
            this.draft.source(object, ['spec', 'profile']),
            `is not a profile istioctl of Istio ${this.options.istioVersion} has (${known.join(', ')}); your install keeps it`,
          );
        }
      }
    }
    return mesh;
  }

  /** The mesh config istiod applies: the `istio` ConfigMap when the input has it, else the install inputs' in order (the last wins). */
  private meshConfig(): { readonly config: JsonMapping; readonly source: (field: FieldPath) => ImportSource } {
    const sources = meshConfigs(this.objects);
    const fromMap = sources.filter((s) => installInputOf(s.object.manifest)?.kind === 'mesh-configmap');
    const used = fromMap.length > 0 ? fromMap : sources;
    const config: Record<string, unknown> = {};
    const origin = new Map<string, (typeof sources)[number]>();
    for (const source of used) {
      for (const [key, value] of Object.entries(source.meshConfig)) {
        config[key] =
          isMapping(value) && isMapping(config[key]) ? { ...(config[key] as JsonMapping), ...value } : value;
        origin.set(key, source);
      }
    }
    return {
      config,
      source: (field) => {
        const from = origin.get(String(field[0])) ?? used[0];
        return from
          ? this.draft.source(from.object, [...from.field, ...field])
          : { object: 'mesh config', field: field.join('.') };
      },
    };
  }

  private tracingMechanism(): 'proxy-config' | 'telemetry-api' | undefined {
    const viaTelemetry =
      this.telemetry.policies.some((p) => listOf(p.spec.tracing).length > 0) ||
      listOf(mappingAt(this.meshConfig().config, 'defaultProviders').tracing).length > 0;
    if (viaTelemetry) return 'telemetry-api';
    const { config } = this.meshConfig();
    const proxyTracing =
      isMapping(mappingAt(config, 'defaultConfig').tracing) ||
      this.workloads.some((w) => {
        const parsed = proxyConfigOf(w.template);
        return parsed !== undefined && !(parsed instanceof Error) && isMapping(parsed.tracing);
      });
    return proxyTracing ? 'proxy-config' : undefined;
  }

  private metricsMechanism(): 'istio-operator' | 'telemetry-api' | undefined {
    const telemetryMetrics = this.telemetry.policies.some((p) => listOf(p.spec.metrics).length > 0);
    const overrides = this.objects.some((o) => statsConfigOverrides(o.manifest).length > 0);
    if (overrides && this.policy.has('istioOperatorConfigOverride') && !telemetryMetrics) return 'istio-operator';
    if (telemetryMetrics && this.policy.has('telemetryApiMetrics')) return 'telemetry-api';
    return undefined;
  }

  private importMeshConfig(metrics: 'istio-operator' | 'telemetry-api' | undefined): void {
    const { draft } = this;
    const { config, source } = this.meshConfig();
    this.providers.push(...listOf(config.extensionProviders).filter(isMapping));
    const defaults = mappingAt(config, 'defaultConfig');
    const rootSets = (piece: TracingPiece) => this.rootTelemetrySets(piece);
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
    if (typeof zipkin.address === 'string' && !rootSets('tracer')) {
      draft.add(
        'zipkinTracers',
        'mesh-zipkin',
        { target: 'mesh', address: zipkin.address },
        source(['defaultConfig', 'tracing', 'zipkin']),
      );
      if (this.tracing === 'telemetry-api') {
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
    if (tracers.length > 0 && !rootSets('tracer')) {
      for (const name of tracers) this.addTracer(name, 'mesh', source(['defaultProviders', 'tracing']), undefined);
    }
    const metricProviders = listOf(defaultProviders.metrics);
    if (
      isMapping(config.defaultProviders) &&
      !metricProviders.includes('prometheus') &&
      this.policy.has('telemetryApiMetrics')
    ) {
      draft.skip(
        source(['defaultProviders', 'metrics']),
        `names no prometheus metrics provider (got ${JSON.stringify(metricProviders)}), so istiod builds no stats filter and no proxy reports standard metrics; the declaration always keeps them (istio/istio#51384)`,
      );
    }
    const logs = listOf(defaultProviders.accessLogging).filter((p): p is string => typeof p === 'string');
    if (logs.length > 0 && !this.rootTelemetryLogs()) {
      for (const name of logs)
        this.addAccessLog(name, { target: 'mesh' }, source(['defaultProviders', 'accessLogging']));
    }
    if (typeof config.accessLogFile === 'string' && config.accessLogFile !== '' && !this.rootTelemetryLogs()) {
      const format = typeof config.accessLogFormat === 'string' ? config.accessLogFormat : undefined;
      const json = config.accessLogEncoding === 'JSON';
      const plain = config.accessLogFile === '/dev/stdout' && !format && !json;
      const file = plain
        ? undefined
        : { path: config.accessLogFile, ...(format ? { format: json ? { json: {} } : { text: format } } : {}) };
      if (json && format) {
        draft.skip(
          source(['accessLogFormat']),
          'a JSON access log format string has no declaration (a map of keys to operators only)',
          ['access log'],
        );
      } else {
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
    for (const object of this.objects) {
      for (const field of pilotValuePaths(object.manifest, 'traceSampling', this.policy)) {
        const value = valueAt(object.manifest, field);
        if (typeof value === 'number') {
          draft.set('pilotTraceSampling', value, `from ${describeObject(object)} ${field.join('.')}`);
        }
      }
    }
    this.importConfigOverrides(metrics);
  }

  /** The stats filter's configOverride (1.13-1.20): dimensions and removed tags, and new metrics. */
  private importConfigOverrides(metrics: 'istio-operator' | 'telemetry-api' | undefined): void {
    const { draft } = this;
    for (const object of this.objects) {
      const overrides = statsConfigOverrides(object.manifest);
      if (overrides.length === 0) continue;
      if (metrics !== 'istio-operator') {
        draft.skip(
          draft.source(object, overrides[0]?.field.slice(0, -1)),
          this.policy.has('istioOperatorConfigOverride')
            ? 'the input customizes metrics with the Telemetry API too; the declaration uses one mechanism, the Telemetry API'
            : `no longer respected from Istio 1.21 (istio/istio@1.21.0:releasenotes/notes/drop-telemetry-envoyfilter.yaml): nothing to import at ${this.options.istioVersion}`,
          this.policy.has('istioOperatorConfigOverride') ? ['dimensions'] : [],
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
            ...(isMapping(metric.dimensions) ? { dimensions: this.dimensionValues(metric.dimensions) } : {}),
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

  /** Dimension values: a generated attribute's name becomes `{attribute}`, anything else is CEL. */
  private dimensionValues(dimensions: JsonMapping): Record<string, unknown> {
    const attributes = this.generatedAttributes();
    return Object.fromEntries(
      Object.entries(dimensions).map(([name, value]) => [
        name,
        typeof value === 'string' && attributes.has(value) ? { attribute: value } : value,
      ]),
    );
  }

  private generatedAttributes(): Set<string> {
    const names = new Set<string>();
    for (const { config } of this.attributeGenConfigs()) {
      for (const attribute of listOf(config.attributes)) {
        const name = mappingAt(attribute).output_attribute;
        if (typeof name === 'string') names.add(name);
      }
    }
    return names;
  }

  private rootTelemetrySets(piece: TracingPiece): boolean {
    const root = this.telemetry.namespaceWideIn(this.rootNamespace)[0];
    return root ? tracingSets(root.spec, piece) : false;
  }

  private rootTelemetryLogs(): boolean {
    const root = this.telemetry.namespaceWideIn(this.rootNamespace)[0];
    return root ? listOf(root.spec.accessLogging).length > 0 : false;
  }

  // --- Telemetry -------------------------------------------------------------------------------

  private importTelemetry(metrics: 'istio-operator' | 'telemetry-api' | undefined): void {
    const { draft } = this;
    for (const policy of this.telemetry.policies) {
      const { object } = policy;
      const from = draft.source(object);
      let targets: { target: unknown; label: string }[];
      if (policy.scope === 'root' || policy.scope === 'namespace') {
        const first = this.telemetry.namespaceWideIn(policy.namespace)[0];
        if (first !== policy) {
          draft.conflict(
            from,
            `istiod applies only the oldest namespace-wide Telemetry of ${policy.namespace}, ${describeObject(first?.object ?? object)}, and ignores this one, so it is not imported`,
          );
          draft.replaced.add(object.path);
          continue;
        }
        targets = [{ target: policy.scope === 'root' ? 'mesh' : { namespace: policy.namespace }, label: policy.name }];
      } else if (policy.targetRefs.length > 0 && !policy.selector) {
        draft.skip(
          from,
          'a Telemetry bound by targetRefs (a Gateway or Service) is imported only for waypoints the declaration knows; keep applying it',
          ['dimensions', 'sampling', 'custom tags', 'tracer', 'access log'],
        );
        continue;
      } else {
        const selected = this.workloadsOf(policy);
        const ignored = this.workloads.filter((w) => this.telemetry.appliedTo(w.template).ignored.includes(policy));
        for (const w of ignored) {
          draft.conflict(
            from,
            `selects ${w.reviewName}, where this release applies only the oldest matching Telemetry; not imported for it`,
          );
        }
        if (selected.length === 0) {
          draft.skip(
            from,
            'selects no workload of the input; declare the workload (workloads.<name>) and import again, or keep applying it',
            [],
          );
          continue;
        }
        // One workload: the Telemetry's own name; several: one declaration each, named for both.
        targets = selected.map((w) => ({
          target: { workload: w.key },
          label: selected.length === 1 ? policy.name : `${policy.name}-${w.key}`,
        }));
      }
      draft.replaced.add(object.path);
      for (const { target, label } of targets) this.importTelemetrySpec(policy, target, label, metrics);
    }
  }

  private importTelemetrySpec(
    policy: TelemetryPolicy,
    target: unknown,
    label: string,
    metrics: 'istio-operator' | 'telemetry-api' | undefined,
  ): void {
    const { draft } = this;
    const { object, spec } = policy;
    const affected = this.affectedBy(target);
    listOf(spec.metrics).forEach((entry, i) => {
      const at = ['spec', 'metrics', i];
      const providers = listOf(mappingAt(entry).providers).map((p) => mappingAt(p).name);
      if (metrics !== 'telemetry-api') {
        draft.skip(
          draft.source(object, at),
          `the declaration customizes metrics with the Telemetry API from Istio 1.18, where istiod builds the stats filter (istio/istio@1.18.0:releasenotes/notes/telemetry-native.yaml); at ${this.options.istioVersion} the install's stats-filter EnvoyFilters carry the metrics`,
          ['dimensions'],
          affected,
        );
        return;
      }
      if (providers.some((p) => p !== 'prometheus')) {
        draft.skip(
          draft.source(object, [...at, 'providers']),
          `names metrics providers ${JSON.stringify(providers)}; the declaration customizes the prometheus provider only`,
          ['dimensions'],
          affected,
        );
      }
      listOf(mappingAt(entry).overrides).forEach((override, j) => {
        if (!isMapping(override)) return;
        const where = [...at, 'overrides', j];
        const match = mappingAt(override, 'match');
        if (override.disabled === true) {
          draft.skip(
            draft.source(object, [...where, 'disabled']),
            'turning a metric off has no declaration',
            ['dimensions'],
            affected,
          );
          return;
        }
        if (match.customMetric !== undefined) {
          draft.skip(
            draft.source(object, [...where, 'match', 'customMetric']),
            'a tag override of a custom metric has no declaration (metricDefinitions declare their own labels)',
            ['dimensions'],
            affected,
          );
          return;
        }
        const metric = typeof match.metric === 'string' ? standardMetricOf(match.metric) : undefined;
        if (!metric) {
          draft.skip(
            draft.source(object, [...where, 'match']),
            `matches ${JSON.stringify(match.metric ?? 'ALL_METRICS')}; the declaration names one standard metric per entry`,
            ['dimensions'],
            affected,
          );
          return;
        }
        const dimensions: Record<string, unknown> = {};
        const removed: string[] = [];
        for (const [tag, value] of Object.entries(mappingAt(override, 'tagOverrides'))) {
          const op = mappingAt(value);
          if (op.operation === 'REMOVE') removed.push(tag);
          else if (typeof op.value === 'string') dimensions[tag] = op.value;
        }
        const proxies = proxiesOfMode(match.mode);
        draft.add(
          'metricDimensions',
          suffixed(label, metric),
          {
            metric,
            ...(proxies ? { proxies } : {}),
            ...(Object.keys(dimensions).length > 0 ? { dimensions: this.dimensionValues(dimensions) } : {}),
            ...(removed.length > 0 ? { tagsToRemove: removed } : {}),
            ...(target !== 'mesh' ? { target } : {}),
          },
          draft.source(object, where),
        );
      });
    });
    const [tracing, ...more] = listOf(spec.tracing).filter(isMapping);
    if (more.length > 0)
      draft.skip(draft.source(object, ['spec', 'tracing', 1]), 'istiod reads only the first tracing entry', []);
    if (tracing) this.importTelemetryTracing(policy, tracing, target, label, affected);
    listOf(spec.accessLogging).forEach((entry, i) => {
      if (!isMapping(entry)) return;
      const where = ['spec', 'accessLogging', i];
      if (entry.match !== undefined) {
        draft.skip(
          draft.source(object, [...where, 'match']),
          'an access log for client or server traffic only has no declaration',
          ['access log'],
          affected,
        );
        return;
      }
      const names = listOf(entry.providers)
        .map((p) => mappingAt(p).name)
        .filter((n): n is string => typeof n === 'string');
      const filter = mappingAt(entry, 'filter').expression;
      const common = {
        target,
        ...(typeof filter === 'string' ? { filter } : {}),
        ...(entry.disabled === true ? { disabled: true } : {}),
      };
      if (entry.disabled === true && names.length === 0) {
        draft.add('accessLogging', suffixed(label, 'access-log-off'), common, draft.source(object, where));
        return;
      }
      // No providers: the mesh's default access log providers, if it has any.
      const used = names.length > 0 ? names : this.defaultAccessLogProviders();
      if (used.length === 0) {
        draft.skip(
          draft.source(object, where),
          'names no provider, and the mesh config names no default access log provider (defaultProviders.accessLogging), so it logs nothing',
          [],
        );
        return;
      }
      for (const name of used) this.addAccessLog(name, common, draft.source(object, where), affected);
    });
  }

  private importTelemetryTracing(
    policy: TelemetryPolicy,
    tracing: JsonMapping,
    target: unknown,
    label: string,
    affected: readonly string[] | undefined,
  ): void {
    const { draft } = this;
    const { object } = policy;
    const at = ['spec', 'tracing', 0];
    if (typeof tracing.randomSamplingPercentage === 'number') {
      draft.add(
        'traceSampling',
        suffixed(label, 'sampling'),
        { target, percentage: tracing.randomSamplingPercentage },
        draft.source(object, [...at, 'randomSamplingPercentage']),
      );
    }
    if (isMapping(tracing.customTags)) {
      const tags = customTagsOf(tracing.customTags);
      if (tags instanceof Untranslatable)
        draft.skip(draft.source(object, [...at, 'customTags']), tags.why, ['custom tags'], affected);
      else
        draft.add(
          'customTraceTags',
          suffixed(label, 'trace-tags'),
          { target, tags },
          draft.source(object, [...at, 'customTags']),
        );
    }
    for (const [i, provider] of listOf(tracing.providers).entries()) {
      const name = mappingAt(provider).name;
      if (typeof name === 'string')
        this.addTracer(name, target, draft.source(object, [...at, 'providers', i]), affected);
    }
    for (const key of ['disableSpanReporting', 'match', 'useRequestIdForTraceSampling', 'enableIstioTags']) {
      if (tracing[key] !== undefined && !(key === 'disableSpanReporting' && tracing[key] === false)) {
        draft.skip(
          draft.source(object, [...at, key]),
          `Telemetry tracing ${key} has no declaration`,
          ['tracer'],
          affected,
        );
      }
    }
  }

  private addTracer(name: string, target: unknown, from: ImportSource, affected: readonly string[] | undefined): void {
    const tracer = tracerOf(name, this.providers);
    if (tracer instanceof Untranslatable) {
      this.draft.skip(from, tracer.why, ['tracer'], affected);
      return;
    }
    // One declaration per provider and target; a provider named at several targets is declared for each.
    this.draft.add(tracer.section, `${name}-${targetLabel(target)}`, { target, ...tracer.value }, from);
  }

  private addAccessLog(name: string, common: JsonMapping, from: ImportSource, affected?: readonly string[]): void {
    const log = accessLogOf(name, this.providers);
    if (log instanceof Untranslatable) {
      this.draft.skip(from, log.why, ['access log'], affected);
      return;
    }
    this.draft.add('accessLogging', `${name}-${targetLabel(common.target ?? 'mesh')}`, { ...common, ...log }, from);
  }

  private defaultAccessLogProviders(): string[] {
    const providers = mappingAt(this.meshConfig().config, 'defaultProviders').accessLogging;
    return listOf(providers).filter((p): p is string => typeof p === 'string');
  }

  /** The workloads a target reaches, as explain names them; undefined for the mesh. */
  private affectedBy(target: unknown): readonly string[] | undefined {
    if (target === 'mesh') return undefined;
    const t = mappingAt(target);
    if (typeof t.namespace === 'string')
      return this.workloads.filter((w) => w.template.namespace === t.namespace).map((w) => w.reviewName);
    return this.workloads.filter((w) => w.key === t.workload).map((w) => w.reviewName);
  }

  // --- pod annotations -------------------------------------------------------------------------

  private importPodAnnotations(): void {
    const { draft } = this;
    const bootstrapUsers = new Map<string, { workloads: string[]; from: ImportSource; namespace: string }>();
    for (const w of this.workloads) {
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
        this.importProxyConfig(w, config, source);
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
      this.importBootstrap(key, workloads, from, namespace);
  }

  private importProxyConfig(w: DeclaredWorkload, config: JsonMapping, source: (sub?: FieldPath) => ImportSource): void {
    const { draft } = this;
    const target = { workload: w.key };
    const applied = this.telemetry.appliedTo(w.template);
    const telemetrySets = (piece: TracingPiece) =>
      [applied.root, applied.namespace, ...applied.workload].some((t) => t !== undefined && tracingSets(t.spec, piece));
    const shadowed = (piece: TracingPiece, sub: FieldPath) => {
      if (!telemetrySets(piece)) return false;
      draft.skip(
        source(sub),
        `has no effect: a Telemetry that applies to ${w.reviewName} sets its ${piece}, which wins over ProxyConfig`,
        [],
        [w.reviewName],
      );
      return true;
    };
    if (isMapping(config.proxyStatsMatcher)) {
      const matcher = statsMatcherOf(config.proxyStatsMatcher);
      if (matcher instanceof Untranslatable)
        draft.skip(source(['proxyStatsMatcher']), matcher.why, ['stats inclusion'], [w.reviewName]);
      else
        draft.add('statsInclusion', `${w.key}-stats-inclusion`, { target, ...matcher }, source(['proxyStatsMatcher']));
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
      const provider = this.tracing === 'telemetry-api' ? { provider: `zipkin-${w.key}` } : {};
      draft.add(
        'zipkinTracers',
        `${w.key}-zipkin`,
        { target, address: zipkin.address, ...provider },
        source(['tracing', 'zipkin']),
      );
      if (this.tracing === 'telemetry-api') {
        draft.convert(
          source(['tracing', 'zipkin']),
          'the input also traces through the Telemetry API, so this ProxyConfig tracer becomes a zipkin extension provider named in a Telemetry for the workload',
          ['tracer'],
          [w.reviewName],
        );
      }
    }
    const extra = listOf(config.extraStatTags).filter((t): t is string => typeof t === 'string');
    if (extra.length > 0) this.importExtraStatTags(w, extra, source(['extraStatTags']));
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
  private importExtraStatTags(w: DeclaredWorkload, tags: readonly string[], from: ImportSource): void {
    const entries = Object.values(this.draft.entries('metricDimensions'));
    const missing = tags.filter((tag) => !entries.some((e) => tag in mappingAt(e, 'dimensions')));
    for (const entry of entries) {
      if (!tags.some((tag) => tag in mappingAt(entry, 'dimensions'))) continue;
      if (entry.extraStatTagsFor === undefined) entry.extraStatTagsFor = [];
      const list = entry.extraStatTagsFor as string[];
      if (!list.includes(w.key)) list.push(w.key);
    }
    if (missing.length > 0) {
      this.draft.skip(
        from,
        `extraStatTags ${missing.join(', ')} name no dimension the input declares; the declaration lists only the tags of its dimensions`,
        ['dimensions'],
        [w.reviewName],
      );
    }
  }

  /** A bootstrap override ConfigMap of a zipkin tracer, as `bootstrapOverrides.<id>.zipkin`. */
  private importBootstrap(key: string, workloads: readonly string[], from: ImportSource, namespace: string): void {
    const { draft } = this;
    const [, name] = key.split('/') as [string, string];
    const configMap = this.objects.find(
      (o) =>
        o.manifest.kind === 'ConfigMap' &&
        o.manifest.metadata.name === name &&
        o.manifest.metadata.namespace === namespace,
    );
    const affected = this.workloads.filter((w) => workloads.includes(w.key)).map((w) => w.reviewName);
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

  // --- attribute generation --------------------------------------------------------------------

  /** The attributegen configurations of EnvoyFilters (1.13-1.17) and WasmPlugins (1.18+), parsed. */
  private attributeGenConfigs(): {
    object: RenderedObject;
    config: JsonMapping;
    proxies: string[];
    field: FieldPath;
  }[] {
    const found: { object: RenderedObject; config: JsonMapping; proxies: string[]; field: FieldPath }[] = [];
    for (const object of this.objects) {
      const { manifest } = object;
      if (isEnvoyFilter(manifest)) {
        const patches = listOf(mappingAt(manifest, 'spec').configPatches);
        const proxies = new Set<string>();
        let config: JsonMapping | undefined;
        let field: FieldPath = [];
        patches.forEach((patch, i) => {
          const value = mappingAt(patch, 'patch', 'value');
          if (value.name !== 'istio.attributegen') return;
          const context = mappingAt(patch, 'match').context;
          proxies.add(
            context === 'SIDECAR_INBOUND' ? 'inboundSidecar' : context === 'GATEWAY' ? 'gateway' : 'outboundSidecar',
          );
          const text = mappingAt(value, 'typed_config', 'value', 'config', 'configuration').value;
          field = ['spec', 'configPatches', i];
          try {
            const parsed: unknown = typeof text === 'string' ? JSON.parse(text) : undefined;
            if (isMapping(parsed)) config = parsed;
          } catch {
            config = undefined;
          }
        });
        if (config) found.push({ object, config, proxies: [...proxies].sort(), field });
      } else if (isWasmPlugin(manifest)) {
        const spec = mappingAt(manifest, 'spec');
        const config = mappingAt(spec, 'pluginConfig');
        if (String(spec.url ?? '').includes('attributegen') && listOf(config.attributes).length > 0) {
          found.push({ object, config, proxies: [], field: ['spec', 'pluginConfig'] });
        }
      }
    }
    return found;
  }

  private importAttributeGenerators(): void {
    const { draft } = this;
    for (const { object, config, proxies, field } of this.attributeGenConfigs()) {
      const attributes: Record<string, { value: string; condition: string }[]> = {};
      for (const attribute of listOf(config.attributes)) {
        const a = mappingAt(attribute);
        if (typeof a.output_attribute !== 'string') continue;
        attributes[a.output_attribute] = listOf(a.match).map((m) => ({
          value: String(mappingAt(m).value),
          condition: String(mappingAt(m).condition),
        }));
      }
      const spec = mappingAt(object.manifest, 'spec');
      const selector = mappingAt(
        spec,
        isWasmPlugin(object.manifest) ? 'selector' : 'workloadSelector',
        isWasmPlugin(object.manifest) ? 'matchLabels' : 'labels',
      );
      const workload = this.workloads.find(
        (w) =>
          w.template.namespace === object.manifest.metadata.namespace &&
          Object.entries(selector).every(([k, v]) => w.template.labels[k] === v),
      );
      if (Object.keys(selector).length > 0 && !workload) {
        draft.skip(draft.source(object, field), 'selects no workload of the input', []);
        continue;
      }
      draft.replaced.add(object.path);
      const all = proxies.length === 0 || proxies.length === 3;
      draft.add(
        'attributeGenerators',
        object.manifest.metadata.name ?? 'attribute-gen',
        {
          name: object.manifest.metadata.name,
          namespace: object.manifest.metadata.namespace,
          ...(all ? {} : { proxies }),
          ...(Object.keys(selector).length > 0 && workload ? { workload: workload.key } : {}),
          attributes,
          ...(typeof spec.url === 'string' && isWasmPlugin(object.manifest) ? { module: spec.url } : {}),
          ...(typeof spec.sha256 === 'string' ? { sha256: spec.sha256 } : {}),
          ...(typeof spec.phase === 'string' ? { phase: spec.phase } : {}),
        },
        draft.source(object, field),
      );
    }
  }

  // --- the rest --------------------------------------------------------------------------------

  /** Istio objects and backends the declaration does not replace: listed, kept by the team. */
  private listTheRest(): void {
    const { draft } = this;
    for (const object of this.objects) {
      if (draft.replaced.has(object.path)) continue;
      const { manifest } = object;
      if (isEnvoyFilter(manifest)) {
        draft.skip(
          draft.source(object),
          'an EnvoyFilter the declaration cannot say (only stats and attributegen filters are imported); keep applying it',
          [],
        );
      } else if (isWasmPlugin(manifest)) {
        draft.skip(draft.source(object), 'a WasmPlugin other than attributegen; keep applying it', []);
      } else if (manifest.kind === 'ProxyConfig' && manifest.apiVersion.startsWith('networking.istio.io/')) {
        draft.skip(
          draft.source(object),
          "a ProxyConfig resource has no declaration (its fields are the pod annotation's); keep applying it",
          ['sampling', 'tracer'],
        );
      } else if (BACKEND_KINDS.has(manifest.kind)) {
        draft.skip(
          draft.source(object),
          'a backend of yours: it stays as it is, and ours are off in the declaration',
          [],
        );
      } else if (isTelemetry(manifest)) {
        // Reported where it was read.
      }
    }
  }
}

/** Whether a Telemetry spec sets a tracing piece. */
function tracingSets(spec: JsonMapping, piece: TracingPiece): boolean {
  return listOf(spec.tracing).some((t) => {
    const tracing = mappingAt(t);
    if (piece === 'sampling') return tracing.randomSamplingPercentage !== undefined;
    if (piece === 'custom tags') return isMapping(tracing.customTags);
    return listOf(tracing.providers).length > 0;
  });
}

/** `label-suffix`, unless the label already ends with what the suffix says (`cart-sampling`). */
function suffixed(label: string, suffix: string): string {
  const last = suffix.split(/[-_]/)[0] ?? suffix;
  return label.endsWith(`-${last}`) || label === last ? label : `${label}-${suffix}`;
}

function targetLabel(target: unknown): string {
  if (target === 'mesh') return 'mesh';
  const t = mappingAt(target);
  return String(t.workload ?? t.namespace ?? t.waypoint ?? 'target');
}

function mostCommon(values: readonly string[]): string | undefined {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || byCodePoint(a[0], b[0]))[0]?.[0];
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
