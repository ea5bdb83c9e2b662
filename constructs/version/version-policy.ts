import { formatValue } from '../errors';
import { IstioVersion } from './istio-version';

/**
 * What one Istio minor release needs for each telemetry intent.
 *
 * This table is the only code that knows which mechanism a version uses; constructs ask the
 * policy and never compare versions themselves. Adding a release is a new row plus goldens.
 * Facts and sources: shared/reference/istio-observability-facts.md (section in each comment).
 */
export interface TelemetryMechanisms {
  /** apiVersion of Gateway, VirtualService and ServiceEntry (v1 is served only from 1.22). */
  readonly networkingApiVersion: 'networking.istio.io/v1alpha3';
  /**
   * How dimensions, removed tags and metric definitions reach the `istio.stats` filter.
   * `istio-operator-config-override`: IstioOperator `values.telemetry.v2.prometheus.configOverride`,
   * rendered by the chart into the `stats-filter-1.X` EnvoyFilters (A.1, A.2; removed in 1.21).
   */
  readonly statsCustomization: 'istio-operator-config-override';
  /**
   * Whether new dimensions are also listed in `extraStatTags` on the workloads that report them.
   * 1.17 runs the native stats filter, which does not need it (A.6), but Wasm-filter proxies of
   * older releases in the same mesh do, so it is emitted where the user asks for it, as the book does.
   * Deprecated from 1.21, so later rows say `never`.
   */
  readonly extraStatTags: 'on-request';
  /** How a new request attribute is produced: the null-VM `envoy.wasm.attributegen` (A.5, ≤1.17). */
  readonly attributeGeneration: 'envoy-filter-null-vm';
  /** How CEL reads a generated attribute: by its bare name before 1.24 (A.5). */
  readonly generatedAttributeReference: 'bare-name';
  /** Where sampling, custom tags and the tracer address go: ProxyConfig `tracing` (A.7, B.4). */
  readonly tracingConfiguration: 'proxy-config';
  /**
   * Root identifiers a CEL expression may read on this release's proxies, sorted (A.5): Envoy's
   * attributes (`request`, `response`, `source`, `destination`, `upstream`, `connection`,
   * `metadata`, `filter_state`; envoyproxy/envoy docs "Attributes") plus Istio's peer and node
   * metadata, which are separate roots before 1.24 (`upstream_peer`, `downstream_peer`, `node`).
   * Attributes made by an attribute generator in the same app are added by the validator.
   */
  readonly celRootAttributes: readonly string[];
  /**
   * Istio API versions the release serves (`group/version`). The `v1` networking, security and
   * telemetry APIs arrived in 1.22 (A.3; istio.io blog "Introducing Istio v1 APIs", 2024), so the
   * vendored 1.30.3 CRDs accept objects a 1.17 cluster refuses with "no matches for kind".
   */
  readonly istioApiVersions: readonly string[];
}

const MECHANISMS: ReadonlyMap<string, TelemetryMechanisms> = new Map([
  [
    '1.17',
    {
      networkingApiVersion: 'networking.istio.io/v1alpha3',
      statsCustomization: 'istio-operator-config-override',
      extraStatTags: 'on-request',
      attributeGeneration: 'envoy-filter-null-vm',
      generatedAttributeReference: 'bare-name',
      tracingConfiguration: 'proxy-config',
      celRootAttributes: [
        'connection',
        'destination',
        'downstream_peer',
        'filter_state',
        'metadata',
        'node',
        'request',
        'response',
        'source',
        'upstream',
        'upstream_peer',
      ],
      istioApiVersions: [
        'extensions.istio.io/v1alpha1',
        'install.istio.io/v1alpha1',
        'networking.istio.io/v1alpha3',
        'networking.istio.io/v1beta1',
        'security.istio.io/v1beta1',
        'telemetry.istio.io/v1alpha1',
      ],
    },
  ],
]);

/** CRD bundles (schemas/crds/<name>.json) that custom resources are checked against; the only ones vendored. */
const ISTIO_CRD_BUNDLE = 'istio-1.30.3';
const PROMETHEUS_OPERATOR_CRD_BUNDLE = 'prometheus-operator-v0.93.0';

/** The Istio version a mesh targets when none is given. */
export const DEFAULT_ISTIO_VERSION = '1.17';

/** The per-version decisions for one target. Obtain it with {@link VersionPolicy.resolve}. */
export class VersionPolicy {
  /** Target versions with a complete mechanism row, oldest first. */
  static supportedVersions(): readonly string[] {
    return [...MECHANISMS.keys()];
  }

  /**
   * Resolves the policy for `istioVersion` (`X.Y` or `X.Y.Z`), or returns the reason it cannot.
   * A version without a row is refused rather than served another version's mechanisms.
   */
  static resolve(istioVersion: string): VersionPolicy | string {
    const supported = VersionPolicy.supportedVersions()
      .map((v) => `"${v}"`)
      .join(', ');
    const version = IstioVersion.tryParse(istioVersion);
    if (!version) {
      return `istioVersion: got ${formatValue(istioVersion)}, expected an Istio release as "MAJOR.MINOR" or "MAJOR.MINOR.PATCH", one of ${supported}`;
    }
    const mechanisms = MECHANISMS.get(version.toString());
    if (!mechanisms) {
      return (
        `istioVersion: got ${formatValue(istioVersion)}, expected a target this library implements: ${supported}. ` +
        `Istio ${version} needs different telemetry mechanisms, so 1.17 output is not emitted for it`
      );
    }
    return new VersionPolicy(version, mechanisms);
  }

  private constructor(
    readonly version: IstioVersion,
    readonly mechanisms: TelemetryMechanisms,
  ) {}

  /**
   * CRD schema bundles that custom resources for this release are checked against. Only the
   * Istio 1.30.3 CRDs are vendored; their schemas are a superset of 1.17's for the kinds and
   * versions this library emits on 1.17 (EnvoyFilter, Gateway, VirtualService, ServiceEntry v1alpha3).
   */
  get crdSchemaBundles(): readonly string[] {
    return [ISTIO_CRD_BUNDLE, PROMETHEUS_OPERATOR_CRD_BUNDLE];
  }

  /** The CEL expression that reads attribute `name` produced by an attribute generator. */
  generatedAttributeExpression(name: string): string {
    switch (this.mechanisms.generatedAttributeReference) {
      case 'bare-name':
        return name;
    }
  }
}
