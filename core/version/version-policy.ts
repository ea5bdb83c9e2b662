import { problem } from '../errors';
import type { FieldPath } from '../problems/field-path';
import { renderField } from '../problems/field-path';
import type { Problem } from '../problems/problem';
import { ENVOY_MINOR_OF_ISTIO } from './envoy-releases';
import { IstioVersion } from './istio-version';
import {
  ADDON_RELEASES,
  type AddonRelease,
  CRD_FIELD_RANGES,
  CRD_RELEASE_TAGS,
  CRD_RULE_RELEASES,
  SERVED_API_VERSIONS,
} from './release-tables.generated';
import { FEATURES, type FeatureName, type VersionFeature } from './version-features';

/** How dimensions, removed tags and new metric definitions reach the `istio.stats` filter. */
export type MetricsCustomization =
  /** IstioOperator `values.telemetry.v2.prometheus.configOverride` (the seeds' way; ≤1.20). */
  | 'istio-operator'
  /** Telemetry API `metrics[].overrides`; new metrics through an EnvoyFilter (istio/istio@1.30.3:pilot/pkg/model/telemetry.go). */
  | 'telemetry-api';

/** How sampling, custom tags and the tracer are configured. */
export type TracingConfiguration =
  /** ProxyConfig `tracing` (mesh `defaultConfig` or the `proxy.istio.io/config` annotation). */
  | 'proxy-config'
  /** `meshConfig.extensionProviders` + Telemetry `tracing`. */
  | 'telemetry-api';

/**
 * What one Istio minor release needs for each telemetry intent. Every field is derived from
 * {@link FEATURES}; constructs read these and never compare versions themselves.
 */
export interface TelemetryMechanisms {
  /** apiVersion of Gateway, VirtualService and ServiceEntry: v1 where served (1.22+), else v1alpha3. */
  readonly networkingApiVersion: 'networking.istio.io/v1alpha3' | 'networking.istio.io/v1';
  /** apiVersion of Telemetry: v1 where the release's CRD serves it (1.22+), v1alpha1 before. */
  readonly telemetryApiVersion: 'telemetry.istio.io/v1alpha1' | 'telemetry.istio.io/v1';
  /** The metrics mechanism used when the mesh does not choose one. */
  readonly defaultMetricsCustomization: MetricsCustomization;
  /** The metrics mechanisms this release honours. */
  readonly metricsCustomizations: readonly MetricsCustomization[];
  /**
   * `tolerated`: emitted where the user asks (the native filter does not need it, Wasm-filter
   * proxies of older releases in the same mesh do; istio/api#3037, first in 1.21.0). `deprecated` (1.21+): never emitted.
   */
  readonly extraStatTags: 'tolerated' | 'deprecated';
  /** How a new request attribute is produced: the null-VM plugin up to 1.17, a WasmPlugin from 1.18. */
  readonly attributeGeneration: 'envoy-filter-null-vm' | 'wasm-plugin';
  /** How CEL reads a generated attribute: bare name before 1.24, `filter_state['wasm.<name>']` from 1.24. */
  readonly generatedAttributeReference: 'bare-name' | 'wasm-filter-state';
  /** Peer and node metadata vocabulary of CEL: Istio's own roots before 1.24, Envoy's from 1.24. */
  readonly celVocabulary: 'istio-peer-metadata' | 'envoy-standard';
  /**
   * Whether the previous minor release's proxies read another vocabulary (1.24 next to 1.23), so a
   * mesh mid-upgrade needs presence-guarded peer reads (istio/istio@1.24.0:releasenotes/notes/telemetry-cel.yaml).
   */
  readonly celVocabularyChanged: boolean;
  /** The tracing mechanism used when the mesh does not choose one. */
  readonly defaultTracing: TracingConfiguration;
  /**
   * Root identifiers a CEL expression may read on this release's proxies, sorted
   * (istio/istio@1.24.0:releasenotes/notes/telemetry-cel.yaml for the 1.24 change):
   * Envoy's attributes (`request`, `response`, `source`, `destination`, `upstream`, `connection`,
   * `metadata`, `filter_state`; envoyproxy/envoy docs "Attributes") plus, before 1.24, Istio's peer
   * and node roots (`upstream_peer`, `downstream_peer`, `node`) and from 1.24 Envoy's `xds`.
   * Attributes made by an attribute generator in the same app are added by the validator.
   */
  readonly celRootAttributes: readonly string[];
  /**
   * Istio API versions the release serves (`group/version`). The `v1` networking, security and
   * telemetry APIs arrived in 1.22 (each release's CRDs, release-tables.generated.ts), so the vendored (newest) CRDs accept objects a
   * 1.17 cluster refuses with "no matches for kind".
   */
  readonly istioApiVersions: readonly string[];
  /**
   * What `meshConfig.defaultProviders` may hold when Telemetry API tracing names a mesh-wide
   * provider: `tracing-only` on 1.17 (the install's stats-filter-1.17 EnvoyFilters carry the
   * metrics; a metrics provider would add a second stats filter), `never` on 1.18 to 1.20 (setting
   * it re-renders those EnvoyFilters next to the Telemetry API, istio/istio#39772), `with-metrics`
   * from 1.21 (the chart's `metrics: [prometheus]` default is dropped once the user sets any
   * `defaultProviders`, istio/istio#51384). Where it is `never`, the root namespace's Telemetry
   * names the provider alone.
   */
  readonly meshDefaultProviders: 'tracing-only' | 'never' | 'with-metrics';
  /** Where the istiod chart reads PILOT_TRACE_SAMPLING for direct Helm installs (istio/istio@1.30.3:pilot/pkg/networking/core/tracing.go). */
  readonly helmTraceSamplingPath: 'pilot.traceSampling' | 'traceSampling';
  /** The Envoy minor release the proxy is built on (`32` for Envoy 1.32): what its access log formatter accepts. */
  readonly envoyMinor: number;
  /** The observability add-ons of the release's `samples/addons` at its tag. */
  readonly addons: AddonMechanisms;
}

/**
 * What the release's observability add-ons look like, so generated backends match them: read from
 * istio/istio `samples/addons/jaeger.yaml` and `samples/addons/extras/prometheus-operator.yaml`
 * at each release's tag by scripts/derive-release-tables.mjs.
 */
export interface AddonMechanisms {
  /** The istio/istio tag the add-ons were read at, e.g. `1.30.3`. */
  readonly tag: string;
  /** The Jaeger image of `samples/addons/jaeger.yaml`. */
  readonly jaegerImage: string;
  /** Jaeger v1 all-in-one (environment variables, admin port 14269) or Jaeger v2 (a collector config file). */
  readonly jaeger: 'v1-all-in-one' | 'v2';
  /** Whether the `jaeger-collector` Service exposes OTLP (`grpc-otel` 4317, `http-otel` 4318): from 1.19. */
  readonly jaegerOtlp: boolean;
  /** The Kiali CR field names of the release's Kiali: v1 (`in_cluster_url`, `accessible_namespaces`) or v2. */
  readonly kialiCr: 'v1' | 'v2';
  /** Whether the release's Kiali reads `external_services.tracing.provider` (jaeger or tempo). */
  readonly kialiTracingProvider: boolean;
  /**
   * The envoy-stats PodMonitor relabelings: `book` rewrites the discovered address (1.17, the
   * book's); `dual-stack` builds it from the pod IP with an IPv6 and an IPv4 rule (from 1.18).
   */
  readonly podMonitorRelabeling: 'book' | 'dual-stack';
  /** The release's envoy-stats relabelings, as its sample writes them (`pod_name` up to 1.24, `pod` from 1.25). */
  readonly podMonitorRelabelings: readonly Readonly<Record<string, unknown>>[];
}

/** The oldest and newest minor releases with a row; every minor in between has one. */
const OLDEST_MINOR = 17;
const NEWEST_MINOR = 31;

/** `1.<minor>`'s row of a generated table; every supported minor has one (test/release-tables.test.ts). */
function rowOf<T>(table: Readonly<Record<string, T>>, minor: number, what: string): T {
  const row = table[`1.${minor}`];
  if (row === undefined) throw new Error(`no ${what} row for Istio 1.${minor}`);
  return row;
}

/** Whether a [since, until?] range of the generated tables holds `minor`. */
function inRange(range: readonly string[], minor: number): boolean {
  const [since, until] = range;
  return since !== undefined && minor >= minorOf(since) && (until === undefined || minor < minorOf(until));
}

/** The API versions (`group/version`) the release's CRDs serve, plus the istioctl-only IstioOperator. */
function servedApiVersions(minor: number): string[] {
  return [
    ...Object.entries(SERVED_API_VERSIONS)
      .filter(([, range]) => inRange(range, minor))
      .map(([gv]) => gv),
    // No CRD: an `istioctl install -f` input on every release (the CRD left the charts in 1.21).
    'install.istio.io/v1alpha1',
  ].sort();
}

/** The add-on row of a release, as the backends read it. */
function addonMechanisms(release: AddonRelease, minor: number): AddonMechanisms {
  const repository = release.jaegerImage.replace(/:[^/:]*$/, '');
  return {
    tag: release.tag,
    jaegerImage: release.jaegerImage,
    jaeger: repository.endsWith('/jaeger') ? 'v2' : 'v1-all-in-one',
    jaegerOtlp: release.jaegerCollectorPorts.some((p) => p.port === 4317),
    kialiCr: has(FEATURES.kialiV2Cr, minor) ? 'v2' : 'v1',
    kialiTracingProvider: has(FEATURES.kialiTracingProvider, minor),
    podMonitorRelabeling: JSON.stringify(release.podMonitorRelabelings).includes('__meta_kubernetes_pod_ip')
      ? 'dual-stack'
      : 'book',
    podMonitorRelabelings: release.podMonitorRelabelings,
  };
}

const ENVOY_CEL_ROOTS = ['connection', 'destination', 'filter_state', 'metadata', 'request', 'response', 'source'];

function minorOf(version: string): number {
  return Number(version.split('.')[1]);
}

/** `1.29.1` → [29, 1]; a minor (`1.29`) starts at its patch 0. */
function releaseOf(version: string): readonly [number, number] {
  return [minorOf(version), Number(version.split('.')[2] ?? 0)];
}

/** Whether release 1.<minor>.<patch> is at or after `version` (`1.29` or `1.29.1`). */
function atOrAfter(minor: number, patch: number, version: string): boolean {
  const [m, p] = releaseOf(version);
  return minor > m || (minor === m && patch >= p);
}

/**
 * Whether release 1.<minor>.<patch> has `feature`. Without a patch, the minor's newest: a feature
 * that arrived in a patch (`1.29.1`) is then present in its minor.
 */
function has(feature: VersionFeature, minor: number, patch = Number.MAX_SAFE_INTEGER): boolean {
  return (
    atOrAfter(minor, patch, feature.since) && (feature.until === undefined || !atOrAfter(minor, patch, feature.until))
  );
}

/** The newest patch of a minor release this library knows: the tag its CRDs were read at (`1.31.0-rc.0` is 0). */
function newestPatch(minor: number): number {
  return Number(/^\d+\.\d+\.(\d+)/.exec(rowOf(CRD_RELEASE_TAGS, minor, 'CRD'))?.[1]);
}

/** The row of release `1.<minor>.<patch>`, derived from the feature table. */
function mechanismsFor(minor: number, patch: number): TelemetryMechanisms {
  const at = (name: FeatureName) => has(FEATURES[name], minor, patch);
  const served = servedApiVersions(minor);
  const v1 = (group: string) => served.includes(`${group}/v1`);
  const standardCel = at('standardCelAttributes');
  const metricsCustomizations: MetricsCustomization[] = [
    ...(at('istioOperatorConfigOverride') ? (['istio-operator'] as const) : []),
    ...(at('telemetryApiMetrics') ? (['telemetry-api'] as const) : []),
  ];
  return {
    networkingApiVersion: v1('networking.istio.io') ? 'networking.istio.io/v1' : 'networking.istio.io/v1alpha3',
    telemetryApiVersion: v1('telemetry.istio.io') ? 'telemetry.istio.io/v1' : 'telemetry.istio.io/v1alpha1',
    // 1.17 keeps the seeds' IstioOperator route; from 1.18 the default install is built for the Telemetry API.
    defaultMetricsCustomization: at('telemetryApiMetrics') ? 'telemetry-api' : 'istio-operator',
    metricsCustomizations,
    extraStatTags: at('extraStatTags') ? 'tolerated' : 'deprecated',
    attributeGeneration: at('nullVmAttributeGen') ? 'envoy-filter-null-vm' : 'wasm-plugin',
    generatedAttributeReference: standardCel ? 'wasm-filter-state' : 'bare-name',
    celVocabulary: standardCel ? 'envoy-standard' : 'istio-peer-metadata',
    celVocabularyChanged: standardCel !== has(FEATURES.standardCelAttributes, minor - 1),
    // Without the chart's default zipkin tracer (1.22+), ProxyConfig tracing has nowhere to send spans.
    defaultTracing: at('defaultZipkinTracer') ? 'proxy-config' : 'telemetry-api',
    celRootAttributes: [
      ...ENVOY_CEL_ROOTS,
      ...(standardCel ? ['upstream', 'xds'] : ['downstream_peer', 'node', 'upstream', 'upstream_peer']),
    ].sort(),
    istioApiVersions: served,
    meshDefaultProviders: !at('chartDefaultMetricsProvider')
      ? 'tracing-only'
      : at('statsEnvoyFiltersOnDefaultProviders')
        ? 'never'
        : 'with-metrics',
    helmTraceSamplingPath: at('flatIstiodHelmValues') ? 'traceSampling' : 'pilot.traceSampling',
    envoyMinor: rowOf(ENVOY_MINOR_OF_ISTIO, minor, 'Envoy'),
    addons: addonMechanisms(rowOf(ADDON_RELEASES, minor, 'add-on'), minor),
  };
}

/**
 * CRD bundles (schemas/crds/<name>.json) that custom resources are checked against; the only ones
 * vendored. Istio's is the newest supported release's (scripts/import-crds.mjs): releases add CRD
 * fields and have removed none since 1.17, so it accepts every release's objects, and
 * `crdFieldStatus` refuses the fields the target lacks.
 */
const ISTIO_CRD_BUNDLE = `istio-${rowOf(CRD_RELEASE_TAGS, NEWEST_MINOR, 'CRD')}`;
const PROMETHEUS_OPERATOR_CRD_BUNDLE = 'prometheus-operator-v0.93.0';
/** The Sail Operator's `Istio` CRD (istio-ecosystem/sail-operator@1.30.3:chart/crds/sailoperator.io_istios.yaml). */
const SAIL_OPERATOR_CRD_BUNDLE = 'sail-operator-1.30.3';

/** Whether a release's CRD has a field: see {@link VersionPolicy.crdFieldStatus}. */
export type CrdFieldStatus =
  | { readonly present: true }
  | { readonly present: false; readonly releases: string; readonly source: string };

/** A CRD rule without the spacing and quoting releases rewrite (scripts/derive-release-tables.mjs does the same). */
function celRuleKey(rule: string): string {
  return rule.replace(/\s+/g, '').replaceAll("'", '"');
}

/** The Istio version a mesh targets when none is given. */
export const DEFAULT_ISTIO_VERSION = '1.17';

/** The per-version decisions for one target. Obtain it with {@link VersionPolicy.resolve}. */
export class VersionPolicy {
  /** Target versions with a mechanism row, oldest first: every minor from the oldest to the newest row. */
  static supportedVersions(): readonly string[] {
    const versions: string[] = [];
    for (let minor = OLDEST_MINOR; minor <= NEWEST_MINOR; minor++) versions.push(`1.${minor}`);
    return versions;
  }

  /**
   * Resolves the policy for `istioVersion` (`X.Y` or `X.Y.Z`), or returns the reason it cannot.
   * A version without a row is refused rather than served another version's mechanisms.
   */
  static resolve(istioVersion: string): VersionPolicy | Problem {
    const versions = VersionPolicy.supportedVersions();
    const range = `"${versions[0]}" to "${versions[versions.length - 1]}"`;
    const version = IstioVersion.tryParse(istioVersion);
    if (!version) {
      return problem(
        ['istioVersion'],
        istioVersion,
        `an Istio release as "MAJOR.MINOR" or "MAJOR.MINOR.PATCH", from ${range}`,
      );
    }
    if (!versions.includes(version.toString())) {
      return problem(['istioVersion'], istioVersion, `a target this library implements, from ${range}`, {
        what: `Istio ${version} has no row in the version policy, so no other release's mechanisms are emitted for it`,
      });
    }
    const newest = newestPatch(version.minor);
    if (version.patch !== undefined && version.patch > newest) {
      return problem(
        ['istioVersion'],
        istioVersion,
        `a known patch of Istio ${version}, from "${version}.0" to "${version}.${newest}", or "${version}" for the newest`,
        {
          what: `Istio ${istioVersion} is a patch release this library has no facts for`,
        },
      );
    }
    const resolved = version.withPatch(version.patch ?? newest);
    return new VersionPolicy(resolved, mechanismsFor(resolved.minor, resolved.patch ?? newest));
  }

  private constructor(
    readonly version: IstioVersion,
    readonly mechanisms: TelemetryMechanisms,
  ) {}

  /** Whether the target release has `feature`. */
  has(feature: FeatureName): boolean {
    return has(FEATURES[feature], this.version.minor, this.version.patch);
  }

  /** Where the target stands with `feature`: it has it, it predates it, or it is past its removal or deprecation. */
  featureStatus(feature: FeatureName): 'present' | 'not-yet' | 'removed' | 'deprecated' {
    const f: VersionFeature = FEATURES[feature];
    if (this.has(feature)) return 'present';
    if (!atOrAfter(this.version.minor, this.version.patch ?? 0, f.since)) return 'not-yet';
    return f.ended ?? 'removed';
  }

  /**
   * A refusal for `field` when the target lacks `feature`, naming the releases that have it and
   * the alternative; undefined when the target has it.
   */
  featureProblem(
    feature: FeatureName,
    field: FieldPath,
    value: unknown,
    alternative: { readonly expected?: string; readonly hint?: string } = {},
  ): Problem | undefined {
    if (this.has(feature)) return undefined;
    return problem(field, value, alternative.expected ?? `a setting Istio ${this.version} has`, {
      // A feature that arrived in a patch names the target's patch; others the minor, as users wrote it.
      what: `needs ${describeFeature(feature)}, and the target is Istio ${FEATURES[feature].since.split('.').length > 2 ? this.version.release : this.version}`,
      hint: `${alternative.hint ?? `target a release that has it, or remove ${renderField(field)}`} (source: ${FEATURES[feature].source})`,
    });
  }

  /**
   * CRD schema bundles that custom resources for this release are checked against. Only the
   * newest supported release's Istio CRDs are vendored; the istio-api-version rule keeps emitted API versions to
   * those the target served, and the version policy keeps fields to those it had.
   */
  get crdSchemaBundles(): readonly string[] {
    return [ISTIO_CRD_BUNDLE, PROMETHEUS_OPERATOR_CRD_BUNDLE, SAIL_OPERATOR_CRD_BUNDLE];
  }

  /**
   * Whether the target release's CRD for `kind` (`group/Kind`) has the spec field at `pattern`
   * (`spec.a[].b.*.c`, as in `CRD_FIELD_RANGES`), and if not, the releases that do and the
   * istio/istio file it was read from. Fields every release has are not in the table: present.
   */
  crdFieldStatus(kind: string, pattern: string): CrdFieldStatus {
    const range = CRD_FIELD_RANGES[kind]?.[pattern];
    if (range === undefined || inRange(range, this.version.minor)) return { present: true };
    const [since = '', until] = range;
    const tag = CRD_RELEASE_TAGS[this.version.toString()] ?? this.version.toString();
    return {
      present: false,
      releases: until === undefined ? `Istio ${since} and later` : `Istio ${since} to 1.${minorOf(until) - 1}`,
      source: `istio/istio@${tag}:manifests/charts/base/${this.version.minor >= 24 ? 'files' : 'crds'}/crd-all.gen.yaml`,
    };
  }

  /**
   * Whether the release's CRD of `kind` (`group/Kind`) has the validation rule `rule`: the API
   * server of a release without it accepts what the rule refuses.
   */
  crdHasRule(kind: string, rule: string): boolean {
    const releases = CRD_RULE_RELEASES[kind]?.[celRuleKey(rule)];
    return releases === undefined || releases.includes(this.version.toString());
  }

  /** The CEL expression that reads attribute `name` produced by an attribute generator. */
  generatedAttributeExpression(name: string): string {
    switch (this.mechanisms.generatedAttributeReference) {
      case 'bare-name':
        return name;
      case 'wasm-filter-state':
        return `filter_state['wasm.${name}']`;
    }
  }
}

/** `Telemetry customTags formatter (Istio 1.29 and later)`, `... (Istio 1.13 to 1.20)`. */
export function describeFeature(feature: FeatureName): string {
  const f: VersionFeature = FEATURES[feature];
  if (f.until === undefined) return `${f.description} (Istio ${f.since} and later)`;
  return `${f.description} (Istio ${f.since} to 1.${minorOf(f.until) - 1}; ${f.ended ?? 'removed'} in ${f.until})`;
}
