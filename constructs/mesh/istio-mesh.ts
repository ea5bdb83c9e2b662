import { Construct } from 'constructs';
import { type IIstioMesh, markIstioMesh } from '../../core/contracts/istio-mesh';
import { ObservabilityConfigError, problem } from '../../core/errors';
import { isDnsLabel, isDnsSubdomain, isQualifiedName } from '../../core/names';
import type { Problem } from '../../core/problems/problem';
import type { CelTranslationOptions } from '../../core/version/cel-vocabulary';
import { installProfiles } from '../../core/version/install-profiles';
import { SAIL_ISTIO_VERSIONS, SAIL_OPERATOR_RELEASE } from '../../core/version/release-tables.generated';
import {
  DEFAULT_ISTIO_VERSION,
  type MetricsCustomization,
  type TracingConfiguration,
  VersionPolicy,
} from '../../core/version/version-policy';
import { DATAPLANES, type Dataplane, MeshNamespaces } from '../ambient/mesh-namespaces';
import type { Waypoint } from '../ambient/waypoint';
import { CustomMetricsFilter } from '../metrics/custom-metrics-filter';
import { MeshTelemetry } from '../telemetry/mesh-telemetry';
import { IstioInstallOverlay, type MeshInstallMethod } from './istio-install-overlay';

export interface IstioMeshProps {
  /**
   * The Istio release the generated configuration is for: `MAJOR.MINOR` (its newest known patch) or
   * `MAJOR.MINOR.PATCH`, where Istio changed behaviour within a minor (1.29.0 vs 1.29.1).
   * Every construct that takes this mesh emits the mechanism this release needs, or refuses.
   * @default '1.17'
   */
  readonly istioVersion?: string;

  /**
   * The mesh's root namespace (where istiod and mesh-wide config live).
   * @default 'istio-system'
   */
  readonly rootNamespace?: string;

  /**
   * metadata.name of the generated IstioOperator, or of the Sail Operator `Istio` with install
   * `sail`, where it is also the control plane's revision: only revision `default` serves namespaces
   * labelled `istio-injection=enabled`, so another name is refused there.
   * @default - 'control-plane' (istioctl), 'default' (sail)
   */
  readonly installName?: string;

  /**
   * The istioctl installation profile written into the IstioOperator, e.g. `demo`.
   * @default - none: istioctl applies its `default` profile
   */
  readonly profile?: string;

  /**
   * How dimensions, removed tags and new metrics reach the stats filter: `istio-operator`
   * (IstioOperator `configOverride`, honoured up to Istio 1.20) or `telemetry-api` (Telemetry
   * resources, from 1.18; new metrics through an EnvoyFilter). The two are incompatible, so the
   * choice is mesh-wide.
   * @default - `istio-operator` on 1.17 (the seeds' shape), `telemetry-api` from 1.18
   */
  readonly metricsCustomization?: MetricsCustomization;

  /**
   * How sampling, custom tags and the tracer are configured: `proxy-config` (ProxyConfig
   * `tracing`) or `telemetry-api` (`meshConfig.extensionProviders` + Telemetry `tracing`).
   * @default - `proxy-config` up to 1.21, `telemetry-api` from 1.22 (no default tracer any more)
   */
  readonly tracing?: TracingConfiguration;

  /**
   * The cluster's DNS domain, used to turn `service.namespace` addresses into the fully qualified
   * hostnames extension providers need.
   * @default 'cluster.local'
   */
  readonly clusterDomain?: string;

  /**
   * Pod label keys istiod adds to the peer metadata the proxies exchange (`PILOT_MX_ADDITIONAL_LABELS`,
   * Istio 1.25+), so CEL can read `upstream_peer.labels['<key>']` (written in the pre-1.24
   * vocabulary; it becomes `filter_state.upstream_peer.labels['<key>']`). `app`, `version` and the
   * canonical labels need no listing: they are peer fields of their own.
   * @default - none
   */
  readonly peerMetadataLabels?: readonly string[];

  /**
   * Some proxies may run the previous minor release while the control plane runs the target (a
   * canary or in-place upgrade in progress). On 1.24, whose CEL vocabulary the 1.23 proxies do not
   * read, peer metadata reads are then presence-guarded as the 1.24 upgrade note recommends
   * (`has(filter_state.upstream_peer) ? ... : filter_state['wasm.upstream_peer']...`); on other
   * releases both minors read the same vocabulary and nothing changes.
   * @default false
   */
  readonly mixedProxyVersions?: boolean;

  /**
   * How the control plane is installed, and so the form of the mesh-wide settings: `istioctl` an
   * IstioOperator file (`install/istio-operator.yaml`), `helm` a values file of the istiod chart
   * (`install/istiod-values.yaml`), `sail` the Sail Operator's `Istio` resource, applied to the
   * cluster (Istio releases the vendored Sail Operator supports only).
   * @default 'istioctl'
   */
  readonly install?: MeshInstallMethod;
  /**
   * The most Prometheus series any one standard metric may be estimated at (see REPORT.md's
   * series estimate, an upper bound from the declared workloads and dimensions); a metric estimated
   * above it, or with a dimension of unbounded values, fails synth.
   * @default - no budget: unbounded dimensions are warnings
   */
  readonly seriesBudget?: number;
  /**
   * The data plane of every namespace that does not declare its own ({@link MeshNamespaces}):
   * `sidecar` (an Envoy in each pod) or `ambient` (ztunnel on each node for L4, waypoints for L7,
   * Istio 1.24 and later). With ambient anywhere the install inputs install ztunnel and the CNI
   * node agent (`profile: ambient`).
   * @default 'sidecar'
   */
  readonly dataplane?: Dataplane;
}

const METRICS_CUSTOMIZATIONS: readonly MetricsCustomization[] = ['istio-operator', 'telemetry-api'];
const TRACING_CONFIGURATIONS: readonly TracingConfiguration[] = ['proxy-config', 'telemetry-api'];
const INSTALL_METHODS: readonly MeshInstallMethod[] = ['istioctl', 'helm', 'sail'];

/**
 * The Istio mesh an app configures: its target version, its root namespace and the
 * install overlay (IstioOperator) that mesh-wide settings are written to.
 *
 * Every telemetry construct takes a mesh, so the target version is chosen once.
 *
 * Unlike the other constructs, which record bad input and report it at synth with everything
 * else, the mesh refuses bad props at once: every other construct reads its release's mechanisms
 * from it, so without a valid mesh there is nothing to build or check the rest against.
 */
export class IstioMesh extends Construct implements IIstioMesh {
  /** Per-version decisions for the target version. */
  readonly policy: VersionPolicy;
  /** The mesh's root namespace. */
  readonly rootNamespace: string;
  /** The IstioOperator that mesh-wide settings merge into. */
  readonly install: IstioInstallOverlay;
  /** The Telemetry resources of the mesh, one per target. */
  readonly telemetry: MeshTelemetry;
  /** The metrics mechanism in effect. */
  readonly metricsCustomization: MetricsCustomization;
  /** The tracing mechanism in effect. */
  readonly tracing: TracingConfiguration;
  /** The cluster's DNS domain. */
  readonly clusterDomain: string;
  /** What CEL translation needs beyond the target release: the extra peer labels, mixed proxy versions. */
  readonly celOptions: CelTranslationOptions;
  /** See {@link IstioMeshProps.seriesBudget}. */
  readonly seriesBudget?: number;
  /** The data plane of namespaces that do not declare one. */
  readonly dataplane: Dataplane;
  /** Each namespace's data plane and waypoint. */
  readonly namespaces: MeshNamespaces;
  /**
   * Where ztunnel runs: the root namespace, istiod's, whose ztunnels istiod trusts unless
   * `trustedZtunnelNamespace` says otherwise (istio/istio@1.24.0:manifests/charts/istio-control/
   * istio-discovery/templates/deployment.yaml lines 171-174).
   */
  readonly ztunnelNamespace: string;
  private customMetrics?: CustomMetricsFilter;

  constructor(scope: Construct, id: string, props: IstioMeshProps = {}) {
    super(scope, id);
    markIstioMesh(this);
    const resolved = VersionPolicy.resolve(props.istioVersion ?? DEFAULT_ISTIO_VERSION);
    const problems: Problem[] = resolved instanceof VersionPolicy ? [] : [resolved];
    this.rootNamespace = props.rootNamespace ?? 'istio-system';
    this.seriesBudget = props.seriesBudget;
    if (props.seriesBudget !== undefined && !(Number.isSafeInteger(props.seriesBudget) && props.seriesBudget > 0)) {
      problems.push(problem(['seriesBudget'], props.seriesBudget, 'a positive whole number of series'));
    }
    if (!isDnsLabel(this.rootNamespace)) {
      problems.push(problem(['rootNamespace'], this.rootNamespace, 'a Kubernetes namespace name (RFC 1123 label)'));
    }
    const install = props.install ?? 'istioctl';
    const installName = props.installName ?? (install === 'sail' ? SAIL_DEFAULT_REVISION : 'control-plane');
    if (!isDnsLabel(installName)) {
      problems.push(problem(['installName'], installName, 'a Kubernetes object name (RFC 1123 label)'));
    } else if (install === 'sail' && installName !== SAIL_DEFAULT_REVISION) {
      problems.push(sailRevisionRefusal(installName));
    }
    this.clusterDomain = props.clusterDomain ?? 'cluster.local';
    if (!isDnsSubdomain(this.clusterDomain)) {
      problems.push(problem(['clusterDomain'], this.clusterDomain, 'a DNS domain, e.g. "cluster.local"'));
    }
    if (props.metricsCustomization !== undefined && !METRICS_CUSTOMIZATIONS.includes(props.metricsCustomization)) {
      problems.push(
        problem(['metricsCustomization'], props.metricsCustomization, `one of ${METRICS_CUSTOMIZATIONS.join(', ')}`),
      );
    }
    if (props.tracing !== undefined && !TRACING_CONFIGURATIONS.includes(props.tracing)) {
      problems.push(problem(['tracing'], props.tracing, `one of ${TRACING_CONFIGURATIONS.join(', ')}`));
    }
    let sailVersion: string | undefined;
    if (!INSTALL_METHODS.includes(install)) {
      problems.push(problem(['install'], install, `one of ${INSTALL_METHODS.join(', ')}`));
    } else if (install === 'sail' && resolved instanceof VersionPolicy) {
      sailVersion = sailVersionFor(props.istioVersion ?? DEFAULT_ISTIO_VERSION);
      if (sailVersion === undefined) problems.push(sailRefusal(props.istioVersion ?? DEFAULT_ISTIO_VERSION));
    }
    if (props.profile !== undefined && resolved instanceof VersionPolicy && INSTALL_METHODS.includes(install)) {
      const refusal = profileRefusal(install, props.profile, resolved);
      if (refusal) problems.push(refusal);
    }
    const peerLabels = [...new Set(props.peerMetadataLabels ?? [])].sort();
    props.peerMetadataLabels?.forEach((key, i) => {
      if (typeof key !== 'string' || !isQualifiedName(key)) {
        problems.push(problem(['peerMetadataLabels', i], key, 'a pod label key, e.g. "team" or "example.com/tier"'));
      }
    });
    if (resolved instanceof VersionPolicy && peerLabels.length > 0) {
      const gate = resolved.featureProblem('peerMetadataLabels', ['peerMetadataLabels'], props.peerMetadataLabels, {
        expected: 'no peer labels (filter_state.<peer> has app, version, service and revision)',
      });
      if (gate) problems.push(gate);
    }
    this.dataplane = props.dataplane ?? 'sidecar';
    if (!DATAPLANES.includes(this.dataplane)) {
      problems.push(problem(['dataplane'], this.dataplane, `one of ${DATAPLANES.join(', ')}`));
    } else if (this.dataplane === 'ambient' && resolved instanceof VersionPolicy) {
      const gate = resolved.featureProblem('ambientDataplane', ['dataplane'], this.dataplane, {
        expected: '"sidecar" on this release',
        hint: 'target Istio 1.24 or later for ambient mode, where it is GA; before, it was alpha or beta',
      });
      if (gate) problems.push(gate);
    }
    this.ztunnelNamespace = this.rootNamespace;
    if (!(resolved instanceof VersionPolicy) || problems.length > 0) throw new ObservabilityConfigError(this, problems);
    this.policy = resolved;
    const { mechanisms } = resolved;
    this.metricsCustomization = props.metricsCustomization ?? mechanisms.defaultMetricsCustomization;
    this.tracing = props.tracing ?? mechanisms.defaultTracing;
    const refusal =
      this.metricsCustomization === 'istio-operator'
        ? resolved.featureProblem('istioOperatorConfigOverride', ['metricsCustomization'], this.metricsCustomization, {
            expected: '"telemetry-api"',
            hint: 'the Telemetry API replaces it (istio.io upgrade notes "Use Telemetry API for metrics customization")',
          })
        : resolved.featureProblem('telemetryApiMetrics', ['metricsCustomization'], this.metricsCustomization, {
            expected: '"istio-operator"',
            hint: "on 1.17 the install's stats-filter-1.17 EnvoyFilters carry the configOverride, which would duplicate Telemetry-generated filters (istio/istio#39772)",
          });
    if (refusal) throw new ObservabilityConfigError(this, [refusal]);
    this.install = new IstioInstallOverlay(this, 'Install', {
      name: installName,
      namespace: this.rootNamespace,
      profile: props.profile,
      helmTraceSamplingPath: mechanisms.helmTraceSamplingPath,
      install,
      sailVersion,
    });
    this.telemetry = new MeshTelemetry(this, 'Telemetry', this);
    this.namespaces = new MeshNamespaces(this, 'Namespaces', this.dataplane, (contributor) =>
      this.install.useAmbient(contributor, { ztunnelNamespace: this.ztunnelNamespace }),
    );
    if (this.dataplane === 'ambient') this.install.useAmbient(this, { ztunnelNamespace: this.ztunnelNamespace });
    this.celOptions = { peerLabels, mixedProxies: props.mixedProxyVersions ?? false };
    // istiod adds these labels to the metadata exchange filter (istio/istio@1.25.0:pilot/pkg/xds/filters/filters.go).
    if (peerLabels.length > 0) this.install.setIstiodEnv(this, 'PILOT_MX_ADDITIONAL_LABELS', peerLabels.join(','));
  }

  /** The EnvoyFilter that defines new metrics under the Telemetry API mechanism, created on first use. */
  get customMetricsFilter(): CustomMetricsFilter {
    this.customMetrics ??= new CustomMetricsFilter(this, 'CustomMetrics', {
      name: `custom-metrics-${this.istioVersion.replace('.', '-')}`,
      namespace: this.rootNamespace,
      proxyVersion: this.policy.version.proxyVersionRegex(),
    });
    return this.customMetrics;
  }

  /** The data plane of `namespace`'s pods: as the namespace declares, else the mesh's. */
  dataplaneOf(namespace: string): Dataplane {
    return this.namespaces.dataplaneOf(namespace);
  }

  /** The waypoint `namespace` uses, if any. */
  waypointOf(namespace: string): Waypoint | undefined {
    return this.namespaces.waypointOf(namespace);
  }

  /** Whether any namespace runs ambient: ztunnel and its CNI agent are then installed. */
  get hasAmbient(): boolean {
    return (
      this.dataplane === 'ambient' || [...this.namespaces.declared.values()].some((n) => n.dataplane === 'ambient')
    );
  }

  /** The target Istio version, e.g. `1.17`. */
  get istioVersion(): string {
    return this.policy.version.toString();
  }
}

/**
 * The Sail Operator \`Istio\`'s \`spec.version\` for a target: the patch release when one is given
 * and supported, else the minor's \`-latest\`; undefined when the vendored Sail Operator release
 * does not support the minor.
 */
function sailVersionFor(istioVersion: string): string | undefined {
  const [major, minor, patch] = istioVersion.split('.');
  const exact = `v${major}.${minor}.${patch}`;
  if (patch !== undefined) return SAIL_ISTIO_VERSIONS.includes(exact) ? exact : undefined;
  const latest = `v${major}.${minor}-latest`;
  return SAIL_ISTIO_VERSIONS.includes(latest) ? latest : undefined;
}

/**
 * The Sail Operator names an InPlace revision after its `Istio` resource, and only revision
 * `default` is revision "" (istio-ecosystem/sail-operator@1.30.3:pkg/istiovalues/overrides.go lines
 * 27-29, controllers/istio/istio_controller.go lines 178 and 188), the only one whose injection
 * webhooks select `istio-injection=enabled` namespaces (istio/istio@1.30.3:manifests/charts/
 * istio-control/istio-discovery/templates/mutatingwebhook.yaml line 112).
 */
const SAIL_DEFAULT_REVISION = 'default';

function sailRevisionRefusal(name: string): Problem {
  return problem(['installName'], name, `"${SAIL_DEFAULT_REVISION}" with install sail`, {
    what: `names the Sail Operator Istio, and so its revision: a revision other than "${SAIL_DEFAULT_REVISION}" injects no sidecars into namespaces labelled istio-injection=enabled, and next to an existing "${SAIL_DEFAULT_REVISION}" it is a second control plane`,
    hint: `leave installName unset; a revision "${name}" serves only namespaces labelled istio.io/rev=${name}, or all of them through an IstioRevisionTag "default" that targets it (source: istio-ecosystem/sail-operator@1.30.3:docs/README.adoc)`,
  });
}

/** A profile the install method of the target release does not read, or reads as an error. */
function profileRefusal(install: MeshInstallMethod, profile: string, policy: VersionPolicy): Problem | undefined {
  const names = installProfiles(install, policy.version.minor);
  if (names === undefined || names.includes(profile)) return undefined;
  if (names.length === 0) {
    return problem(['profile'], profile, 'no profile: the istiod chart reads none before Istio 1.21', {
      what: `is a value the Istio ${policy.version} istiod chart does not read (profiles arrived in the chart in 1.21, istio/istio@1.21.0:manifests/charts/istio-control/istio-discovery/templates/zzz_profile.yaml), so Helm ignores it and none of the profile's settings apply`,
      hint: `remove profile and declare the settings you want from it; the istioctl demo profile sets meshConfig.accessLogFile /dev/stdout (accessLogging here) and 100% trace sampling (istio/istio@${policy.version.release}:manifests/profiles/demo.yaml)`,
    });
  }
  const source =
    install === 'helm'
      ? 'manifests/charts/istio-control/istio-discovery/files/profile-<name>.yaml'
      : 'manifests/profiles/<name>.yaml';
  return problem(['profile'], profile, `one of ${names.join(', ')}`, {
    what: `is not a profile ${install === 'helm' ? 'the istiod chart' : 'istioctl'} of Istio ${policy.version} has${install === 'helm' ? ', so the chart fails with "unknown profile"' : ''}`,
    hint: `leave profile unset for the defaults (source: istio/istio@${policy.version.release}:${source})`,
  });
}

function sailRefusal(istioVersion: string): Problem {
  const minors = [...new Set(SAIL_ISTIO_VERSIONS.map((v) => /^v(\d+\.\d+)/.exec(v)?.[1]))].sort();
  return problem(['install'], 'sail', 'istioctl or helm', {
    what: `needs a release the Sail Operator ${SAIL_OPERATOR_RELEASE} supports (Istio ${minors[0]} to ${minors[minors.length - 1]}), and the target is Istio ${istioVersion}`,
    hint: `install with helm or istioctl, or target Istio ${minors[minors.length - 1]} (source: istio-ecosystem/sail-operator@${SAIL_OPERATOR_RELEASE}:chart/crds/sailoperator.io_istios.yaml, spec.version)`,
  });
}
