/**
 * fast-check arbitraries for observability.yaml declarations: valid ones for every supported
 * Istio release (every piece, each with only what that release can do), and invalid ones made by
 * breaking one field of a valid one.
 */
import fc from 'fast-check';
import type {
  BackendsConfig,
  BootstrapOverrideConfig,
  CustomTagConfigEntry,
  MetricDimensionsConfig,
  ObservabilityConfig,
  ProxyKindName,
  TargetConfig,
  WorkloadName,
} from '../../app/config/observability-config';
import { STANDARD_LABELS, STANDARD_METRIC_NAMES } from '../../core/istio/standard-metrics';
import { describeProblem } from '../../core/problems/problem';
import { VersionPolicy } from '../../core/version/version-policy';

export const SUPPORTED_VERSIONS = VersionPolicy.supportedVersions();

const WORKLOADS: readonly WorkloadName[] = ['webapp', 'catalog'];
const PROXY_KINDS: readonly ProxyKindName[] = ['inboundSidecar', 'outboundSidecar', 'gateway'];
/** Labels a declaration may remove: the standard ones except those every dashboard needs. */
const REMOVABLE_LABELS = STANDARD_LABELS.filter(
  (l) => !['reporter', 'source_workload', 'destination_workload'].includes(l),
);
/** String-valued CEL attributes every supported release can read (1.24+ gets them translated where needed). */
const STRING_EXPRESSIONS = [
  'request.host',
  'request.method',
  'request.url_path',
  "request.headers['x-user-id']",
  "node.metadata['MESH_ID']",
  'upstream_peer.namespace',
];
const COUNTER_VALUES = ['1', "(request.method.startsWith('GET') ? 1 : 0)"];

/**
 * Strings that mean something to YAML, JSON, CEL, Go templates, shells or Helm, and non-ASCII:
 * every user string must either be refused or come out exactly as given.
 */
export const INJECTIONS: readonly string[] = [
  'a: b',
  '# c',
  '| d',
  '> e',
  '{{ .Values.x }}',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the placeholder is the input under test
  '${HOME}',
  '"quoted"',
  "it's",
  'line\nbreak',
  'back\\slash',
  '---',
  'null',
  'yes',
  'off',
  '0x1F',
  '010',
  '1e3',
  '~',
  '&anchor *alias',
  'ünïcödé',
  '日本語',
  '😀',
  '" || true || "',
  "' || true || '",
];

/** Any string a user could type: ASCII with the YAML, CEL and template specials, and non-ASCII. */
export const anyText = fc.oneof(
  fc.string({ minLength: 1, maxLength: 24 }),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 12 }),
  fc.constantFrom(...INJECTIONS),
);

const word = fc.stringMatching(/^[a-z][a-z0-9]{0,7}$/);
const dnsLabel = fc
  .stringMatching(/^[a-z]([a-z0-9-]{0,10}[a-z0-9])?$/)
  .filter((n) => !['istio-system', 'prometheus', 'kube-system', 'default'].includes(n));
const statName = fc.stringMatching(/^[a-z][a-z0-9_.|-]{0,30}$/);
const httpToken = fc.stringMatching(/^[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,12}$/);
const requestPath = fc
  .array(fc.oneof(word, fc.constantFrom(...INJECTIONS.filter((i) => !/[\n?#]/.test(i)))), {
    minLength: 1,
    maxLength: 3,
  })
  .map((parts) => `/${parts.join('/')}`);

/** `count` distinct construct ids, prefixed by section so that ids never collide across sections in a chart. */
function ids(prefix: string, count: number): fc.Arbitrary<string[]> {
  return fc
    .uniqueArray(word, { minLength: count, maxLength: count })
    .map((names) => names.map((n) => `${prefix}-${n}`));
}

/** A record with one entry per element of `values`, under distinct ids. */
function section<T>(prefix: string, values: fc.Arbitrary<T[]>): fc.Arbitrary<Record<string, T> | undefined> {
  return values.chain((list) =>
    ids(prefix, list.length).map((keys) =>
      list.length === 0 ? undefined : Object.fromEntries(keys.map((key, i) => [key, list[i] as T])),
    ),
  );
}

function optional<T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> {
  return fc.option(arb, { nil: undefined });
}

/** Drops undefined members, as a YAML file would not have them. */
export function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

function customTag(formatter: boolean): fc.Arbitrary<CustomTagConfigEntry> {
  const sources: fc.Arbitrary<CustomTagConfigEntry>[] = [
    anyText.filter((t) => t !== '').map((literal) => ({ literal })),
    fc.stringMatching(/^[A-Z_][A-Z0-9_]{0,10}$/).map((environment) => ({ environment })),
    fc.record({ header: httpToken, defaultValue: optional(anyText) }).map((t) => compact(t) as CustomTagConfigEntry),
  ];
  if (formatter)
    sources.push(fc.constantFrom({ formatter: '%REQUESTED_SERVER_NAME%' }, { formatter: '%UPSTREAM_HOST%' }));
  return fc.oneof(...sources);
}

/**
 * A bootstrap override that works on its release: a tracer on Istio's `zipkin` cluster only where
 * every proxy has one (up to 1.21; bootstrap-zipkin-cluster), otherwise on a cluster the override
 * defines; a Zipkin v1 path only without a v2 encoding (zipkin-collector-path).
 */
function bootstrapOverride(
  namespace: string,
  workloads: WorkloadName[],
  istioZipkinCluster: boolean,
): fc.Arbitrary<BootstrapOverrideConfig> {
  const statsd = fc.record({ address: fc.constant(`statsd.${namespace}:9125`), prefix: optional(word) }).map(compact);
  const ownCluster = { collectorCluster: 'jaeger-zipkin', collectorAddress: 'zipkin.istio-system:9411' };
  const zipkin = fc
    .record({
      cluster: istioZipkinCluster
        ? fc.constantFrom<{ collectorCluster: string; collectorAddress?: string }>(
            { collectorCluster: 'zipkin' },
            ownCluster,
          )
        : fc.constant(ownCluster),
      collectorEndpoint: fc.constantFrom('/api/v2/spans', '/zipkin/api/v2/spans', '/zipkin/api/v1/spans'),
      traceId128bit: optional(fc.boolean()),
      sharedSpanContext: optional(fc.boolean()),
      collectorEndpointVersion: optional(fc.constantFrom('HTTP_JSON' as const, 'HTTP_PROTO' as const)),
      collectorHostname: optional(fc.constantFrom('zipkin.istio-system', 'collector.example.com')),
    })
    .map(({ cluster, ...zipkin }) =>
      compact({
        ...cluster,
        ...zipkin,
        collectorEndpointVersion: zipkin.collectorEndpoint.includes('api/v1/spans')
          ? undefined
          : zipkin.collectorEndpointVersion,
      }),
    );
  return fc
    .record({ name: optional(dnsLabel.map((n) => `boot-${n}`)), statsd: optional(statsd), zipkin: optional(zipkin) })
    .filter((o) => o.statsd !== undefined || o.zipkin !== undefined)
    .map((o) => compact({ ...o, workloads }));
}

function backends(): fc.Arbitrary<BackendsConfig> {
  return fc
    .record(
      {
        prometheus: fc.record({ release: word, namespace: dnsLabel }),
        prometheusOperator: fc.oneof(
          fc.constant(false as const),
          fc
            .record({
              interval: optional(fc.constantFrom('15s', '1m', '30s')),
              podMonitorRelabeling: optional(fc.constantFrom('book' as const, 'dual-stack' as const)),
              recordingRules: optional(fc.boolean()),
            })
            .map(compact),
        ),
        // Prefixed: a ConfigMap named like a bootstrap override in the same namespace is refused (unique-objects).
        scrapeConfig: fc
          .record({ name: dnsLabel.map((n) => `scrape-${n}`), pruneEnvoyStats: optional(fc.boolean()) })
          .map(compact),
        jaeger: fc.record({
          storage: fc.oneof(
            fc.constant({ memory: {} }),
            fc.constant({ badgerOnEmptyDir: {} }),
            fc.constant({ badgerOnClaim: 'traces' }),
          ),
        }),
        grafana: fc.oneof(fc.constant(false as const), fc.constant({})),
        kiali: fc.oneof(
          fc.constant(false as const),
          fc.constantFrom({ auth: 'token' as const }, { auth: 'anonymous' as const }),
        ),
      },
      { requiredKeys: [] },
    )
    .map((b) => b as BackendsConfig);
}

/** A declaration Istio `version` accepts: every piece optional, each with only what that release can do. */
export function validDeclarationFor(version: string): fc.Arbitrary<ObservabilityConfig> {
  const policy = VersionPolicy.resolve(version);
  if (!(policy instanceof VersionPolicy)) throw new Error(describeProblem(policy));
  const { mechanisms } = policy;
  return fc
    .record({
      namespace: dnsLabel,
      metricsCustomization: fc.constantFrom(...mechanisms.metricsCustomizations),
      clusterDomain: optional(fc.constantFrom('cluster.local', 'mesh.example.internal')),
      demoApp: fc
        .record({ gateway: optional(fc.boolean()), httpbinEgress: optional(fc.boolean()) })
        // The egress demo is routed through the gateway: asking for it without one is refused.
        .filter((demo) => !(demo.gateway === false && demo.httpbinEgress === true))
        .map(compact),
    })
    .chain(({ namespace, metricsCustomization, clusterDomain, demoApp }) => {
      const telemetryMetrics = metricsCustomization === 'telemetry-api';
      const telemetryTracing = mechanisms.defaultTracing === 'telemetry-api';
      const proxyTargets: TargetConfig[] = ['mesh', { workload: 'webapp' }, { workload: 'catalog' }];
      const telemetryTargets: TargetConfig[] = [...proxyTargets, { namespace }];
      const tracingTargets = telemetryTracing ? telemetryTargets : proxyTargets;
      const proxies = optional(fc.subarray([...PROXY_KINDS], { minLength: 1 }));

      const statsInclusion = section(
        'si',
        fc.subarray(proxyTargets).chain((targets) =>
          fc.tuple(
            ...targets.map((target) =>
              fc
                .record({
                  inclusionPrefixes: optional(fc.uniqueArray(statName, { minLength: 1, maxLength: 3 })),
                  inclusionSuffixes: optional(fc.uniqueArray(statName, { minLength: 1, maxLength: 2 })),
                  inclusionRegexps: optional(fc.constantFrom(['.*outlier_detection.*'], ['.*upstream_rq_retry.*'])),
                })
                .filter((l) => Object.values(l).some((v) => v !== undefined))
                .map((lists) => compact({ target, ...lists })),
            ),
          ),
        ),
      );

      const metricDimensions = section(
        'md',
        fc
          .array(
            fc.record({
              metric: fc.constantFrom(...STANDARD_METRIC_NAMES),
              target: telemetryMetrics ? optional(fc.constantFrom(...telemetryTargets)) : fc.constant(undefined),
              proxies,
              dimensions: optional(
                fc.dictionary(
                  word.map((w) => `dim_${w}`),
                  fc.constantFrom(...STRING_EXPRESSIONS),
                  { minKeys: 1, maxKeys: 3 },
                ),
              ),
              tagsToRemove: optional(fc.subarray(REMOVABLE_LABELS, { minLength: 1, maxLength: 2 })),
              extraStatTagsFor:
                mechanisms.extraStatTags === 'tolerated'
                  ? optional(fc.subarray([...WORKLOADS], { minLength: 1 }))
                  : fc.constant(undefined),
            }),
            { maxLength: 3 },
          )
          .map((entries) => {
            // Each added label name once across the declaration: two entries adding one name with
            // different expressions to the same metric are a conflict (refused, and tested elsewhere).
            const seen = new Set<string>();
            return entries
              .map((e) => {
                const dimensions = Object.fromEntries(
                  Object.entries(e.dimensions ?? {}).filter(([name]) => !seen.has(name) && seen.add(name)),
                );
                return compact({ ...e, dimensions: Object.keys(dimensions).length > 0 ? dimensions : undefined });
              })
              .filter((e) => e.dimensions !== undefined || e.tagsToRemove !== undefined) as MetricDimensionsConfig[];
          }),
      );

      const metricDefinitions = section(
        'mdef',
        fc.uniqueArray(word, { maxLength: 2 }).chain((names) =>
          fc.tuple(
            ...names.map((name) =>
              fc
                .record({
                  name: fc.constant(`custom_${name}`),
                  type: fc.constantFrom('COUNTER' as const, 'GAUGE' as const, 'HISTOGRAM' as const),
                  value: fc.constantFrom(...COUNTER_VALUES),
                  proxies,
                  implementation: optional(fc.constantFrom('stats-filter' as const, 'recording-rule' as const)),
                })
                // A recording rule expresses request counters only; next to the Telemetry API, any
                // other definition must ask for the stats filter (the default is the recording rule).
                .map((d) =>
                  compact({
                    ...d,
                    implementation:
                      d.type !== 'COUNTER'
                        ? telemetryMetrics || d.implementation !== undefined
                          ? ('stats-filter' as const)
                          : undefined
                        : d.implementation,
                  }),
                ),
            ),
          ),
        ),
      );

      const attributeGenerators = section(
        'ag',
        fc
          .option(
            fc.record({
              proxies,
              workload: optional(fc.constantFrom(...WORKLOADS)),
              attributes: fc.dictionary(
                word.map((w) => `istio_${w}`),
                fc
                  .array(
                    fc.record({
                      value: anyText.filter((t) => t !== ''),
                      request: fc
                        .record({
                          path: optional(requestPath),
                          method: optional(fc.constantFrom('GET', 'POST', 'DELETE')),
                        })
                        .map(compact)
                        .filter((r) => Object.keys(r).length > 0),
                    }),
                    { minLength: 1, maxLength: 3 },
                  )
                  .map((rules) => rules.map((r) => r as { value: string; request: Record<string, string> })),
                { minKeys: 1, maxKeys: 2 },
              ),
            }),
            { nil: undefined },
          )
          .map((g) => (g ? [compact(g)] : [])),
      );

      const traceSampling = section(
        'ts',
        fc
          .subarray(tracingTargets)
          .chain((targets) =>
            fc.tuple(
              ...targets.map((target) =>
                fc
                  .oneof(fc.integer({ min: telemetryTracing ? 0 : 1, max: 100 }), fc.constantFrom(0.5, 2.5, 12.25))
                  .map((percentage) => ({ target, percentage })),
              ),
            ),
          ),
      );

      const customTraceTags = section(
        'tt',
        fc.subarray(tracingTargets).chain((targets) =>
          fc.tuple(
            ...targets.map((target) =>
              fc
                .dictionary(
                  fc.stringMatching(/^[a-z][a-z0-9_.:/-]{0,10}$/),
                  customTag(policy.has('telemetryTagFormatter') && telemetryTracing),
                  {
                    minKeys: 1,
                    maxKeys: 3,
                  },
                )
                .map((tags) => ({ target, tags })),
            ),
          ),
        ),
      );

      const bootstrapOverrides = section(
        'bo',
        fc
          .constantFrom<WorkloadName[][]>(
            [],
            [['webapp']],
            [['catalog']],
            [['webapp', 'catalog']],
            [['webapp'], ['catalog']],
          )
          .chain((groups) =>
            fc.tuple(...groups.map((group) => bootstrapOverride(namespace, group, policy.has('defaultZipkinTracer')))),
          )
          .map((overrides) => {
            const names = overrides.map((o) => o.name).filter(Boolean);
            // Two overrides may not share a ConfigMap name.
            return new Set(names).size === names.length ? overrides : overrides.map(({ name: _, ...o }) => o);
          }),
      );

      // Access logs: per target, a Telemetry accessLogging entry on every release (1.17 included).
      const accessLogFormat = optional(
        fc.oneof(
          fc.constantFrom(...ACCESS_LOG_TEXTS).map((text) => ({ text })),
          fc
            .dictionary(word, fc.constantFrom(...ACCESS_LOG_OPERATORS), { minKeys: 1, maxKeys: 3 })
            .map((json) => ({ json })),
        ),
      );
      type AccessLogEntry = NonNullable<ObservabilityConfig['accessLogging']>[string];
      const accessLogging = section<AccessLogEntry>(
        'al',
        fc.subarray(telemetryTargets).chain((targets) =>
          fc.tuple(
            ...targets.map((target, i) =>
              fc.oneof<fc.Arbitrary<AccessLogEntry>[]>(
                fc.constant({ target, disabled: true }),
                fc
                  .record({
                    file: optional(accessLogFormat.map((format) => compact({ name: `file-${i}`, format }))),
                    filter: optional(fc.constantFrom(...ACCESS_LOG_FILTERS)),
                  })
                  .map((entry) => compact({ target, ...entry })),
              ),
            ),
          ),
        ),
      );

      return fc
        .record({
          statsInclusion,
          accessLogging,
          metricDimensions,
          metricDefinitions,
          attributeGenerators,
          pilotTraceSampling: optional(fc.integer({ min: 1, max: 100 })),
          traceSampling,
          meshZipkin: fc.boolean(),
          openTelemetryTracers: telemetryTracing
            ? optional(
                fc.constantFrom(...WORKLOADS).map((workload) => ({
                  'ot-workload': {
                    target: { workload } as TargetConfig,
                    address: 'otel-collector.observability:4317',
                    provider: 'otel',
                  },
                })),
              )
            : fc.constant(undefined),
          customTraceTags,
          bootstrapOverrides,
          backends: optional(backends()),
        })
        .map(({ meshZipkin, ...pieces }) => {
          const tracingPieces = pieces.traceSampling !== undefined || pieces.customTraceTags !== undefined;
          const config: ObservabilityConfig = {
            istioVersion: version,
            namespace,
            mesh: compact({
              metricsCustomization:
                metricsCustomization === mechanisms.defaultMetricsCustomization ? undefined : metricsCustomization,
              clusterDomain,
            }),
            demoApp,
            ...pieces,
            // Telemetry API tracing settings need a tracer to send to.
            zipkinTracers:
              meshZipkin || (telemetryTracing && tracingPieces)
                ? { 'zt-mesh': { target: 'mesh', address: 'zipkin.istio-system:9411' } }
                : undefined,
          };
          return compact(config);
        });
    });
}

/** Access log format strings, as Istio's docs and users write them. */
const ACCESS_LOG_TEXTS = [
  '[%START_TIME%] "%REQ(:METHOD)% %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)% %PROTOCOL%" %RESPONSE_CODE% %RESPONSE_FLAGS%',
  '%REQ(:AUTHORITY)% %UPSTREAM_HOST% %DURATION% %REQ(USER-AGENT):40%',
];
const ACCESS_LOG_OPERATORS = ['%START_TIME%', '%RESPONSE_CODE%', '%REQ(:PATH)%', '%UPSTREAM_CLUSTER%', '%BYTES_SENT%'];
const ACCESS_LOG_FILTERS = [
  'response.code >= 500',
  "request.method == 'GET'",
  'response.code >= 400 && connection.mtls',
];

/** A valid declaration for any supported release. */
export const validDeclaration: fc.Arbitrary<ObservabilityConfig> = fc
  .constantFrom(...SUPPORTED_VERSIONS)
  .chain((version) => validDeclarationFor(version));

/** Every path to a value inside `value` (keys and array indexes), the root excluded. */
export function pathsOf(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (value === null || typeof value !== 'object') return [];
  const entries = Array.isArray(value) ? value.map((v, i) => [i, v] as const) : Object.entries(value);
  return entries.flatMap(([key, child]) => [[...prefix, key], ...pathsOf(child, [...prefix, key])]);
}

/** A copy of `value` with the member at `path` replaced (or removed, for `undefined`). */
export function withValueAt(value: unknown, path: readonly (string | number)[], replacement: unknown): unknown {
  if (path.length === 0) return replacement;
  const [head, ...rest] = path as [string | number, ...(string | number)[]];
  if (Array.isArray(value)) {
    const copy: unknown[] = [...value];
    copy[Number(head)] = withValueAt(copy[Number(head)], rest, replacement);
    return copy;
  }
  const copy: Record<string, unknown> = { ...(value as object) };
  const next = withValueAt(copy[head], rest, replacement);
  if (next === undefined) delete copy[head];
  else copy[head] = next;
  return copy;
}

/** Values of every JSON type and of the shapes users get wrong (numbers as strings, empty, huge, negative). */
const wrongValue = fc.oneof(
  fc.constantFrom(null, true, false, 0, -1, 1e9, 101, '', ' ', 'NOT-A-NAME', 'a: b', '1.99', [], {}, [1], { x: 1 }),
  anyText,
  fc.jsonValue({ maxDepth: 2 }),
);

/** Small edits that keep a value's type but may break it: what a hurried edit of a valid file does. */
function tweaks(value: unknown): unknown[] {
  if (typeof value === 'string') {
    return [
      `${value} x`,
      ` ${value}`,
      `${value}\n`,
      `${value}:`,
      value.toUpperCase(),
      value.replace(/\d+$/, '99999'),
      value.replace(/[a-z]/, '_'),
      value.slice(1),
      `${value}${value}`.slice(0, 300),
    ];
  }
  if (typeof value === 'number') return [-value, value * 1000, value + 0.5, value - 101];
  if (typeof value === 'boolean') return [!value];
  return [];
}

/**
 * A valid declaration with one member replaced by a wrong value, tweaked (same type, edited),
 * removed, or given an unknown sibling. Some of these happen to stay valid (an optional member
 * removed); the property accepts both outcomes and refuses only crashes.
 */
export const mutatedDeclaration: fc.Arbitrary<unknown> = validDeclaration.chain((config) => {
  const paths = pathsOf(config);
  const mutation = fc.record({
    path: fc.constantFrom(...paths),
    change: fc.oneof(
      wrongValue.map((value) => ({ kind: 'replace' as const, value })),
      fc.nat().map((index) => ({ kind: 'tweak' as const, index })),
      fc.constant({ kind: 'remove' as const }),
      word.map((key) => ({ kind: 'unknown-key' as const, key })),
    ),
  });
  // Up to two edits at once: the errors must all be reported.
  return fc.array(mutation, { minLength: 1, maxLength: 2 }).map((mutations) =>
    mutations.reduce<unknown>((current, { path, change }) => {
      if (change.kind === 'replace') return withValueAt(current, path, change.value);
      if (change.kind === 'tweak') {
        const options = tweaks(valueAt(current, path));
        return options.length === 0 ? current : withValueAt(current, path, options[change.index % options.length]);
      }
      if (change.kind === 'remove') return withValueAt(current, path, undefined);
      return withValueAt(current, [...path.slice(0, -1), `${change.key}_unknown`], 1);
    }, config),
  );
});

function valueAt(value: unknown, path: readonly (string | number)[]): unknown {
  return path.reduce<unknown>((node, key) => (node as Record<string | number, unknown> | undefined)?.[key], value);
}
