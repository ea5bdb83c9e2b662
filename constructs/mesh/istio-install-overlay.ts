import { type ApiObject, JsonPatch, Lazy } from 'cdk8s';
import { Construct, type IConstruct } from 'constructs';
import { markCelDeclared, markInstallInput } from '../../core/contracts/construct-sources';
import { problem } from '../../core/errors';
import type { ProxyKind } from '../../core/istio/proxy-kind';
import { FragmentMerger } from '../../core/merge/fragment-merger';
import { sortedEntries, sortedValues } from '../../core/merge/sorted-entries';
import { refuseInput } from '../../core/problems/construct-problems';
import type { InstallMethod } from '../../core/version/install-profiles';
import { Istio as SailIstio } from '../../imports/sailoperator.io';
import {
  IstioOperator,
  type IstioOperatorMeshConfig,
  type IstioOperatorSpec,
  type MeshExtensionProvider,
  type StatsMetricConfig,
  type StatsMetricDefinition,
  type StatsPluginConfig,
} from '../overlays/istio-operator';
import { PROXY_CONFIG_ATOMIC_PATHS, type ProxyConfigFragment } from '../proxy-config/proxy-config-fragment';
import { AmbientInstall } from './ambient-install';
import { IstiodHelmValues } from './istiod-helm-values';

/**
 * How the mesh's control plane is installed, and so what form its mesh-wide settings take:
 * `istioctl` an IstioOperator file for `istioctl install -f`, `helm` a values file of the istiod
 * chart, `sail` the Sail Operator's `Istio` resource (applied to the cluster).
 */
export type MeshInstallMethod = InstallMethod;

/** Where the IstioOperator is written in the output folder. */
export const ISTIO_OPERATOR_FILE = 'install/istio-operator.yaml';

export interface IstioInstallOverlayProps {
  /** metadata.name of the IstioOperator. */
  readonly name: string;
  /** metadata.namespace of the IstioOperator (the root namespace). */
  readonly namespace: string;
  /** Installation profile. @default - none: istioctl applies its `default` profile */
  readonly profile?: string;
  /**
   * Where the istiod Helm chart reads the pilot sampling ({@link IstioInstallOverlay.helmValues}).
   * @default 'pilot.traceSampling'
   */
  readonly helmTraceSamplingPath?: 'pilot.traceSampling' | 'traceSampling';
  /** @default 'istioctl' */
  readonly install?: MeshInstallMethod;
  /**
   * The Sail Operator `Istio`'s `spec.version`, e.g. `v1.30-latest` (install `sail` only).
   * @default - required with install `sail`
   */
  readonly sailVersion?: string;
}

/** One metric's overrides as contributed: dimensions and removed tags. */
export interface MetricOverride {
  readonly dimensions?: Readonly<Record<string, string>>;
  readonly tagsToRemove?: readonly string[];
}

/**
 * The one place that builds the mesh's IstioOperator (an `istioctl install -f` input).
 *
 * Mesh-wide ProxyConfig defaults, stats filter overrides for every proxy kind and the pilot
 * sampling default all merge into one document, so a user installs one file that carries every
 * intent (istioctl replaces, not merges, the previous install's settings). The IstioOperator is
 * emitted on the first contribution, or at once when a profile is given.
 */
export class IstioInstallOverlay extends Construct {
  readonly install: MeshInstallMethod;
  private readonly merger: FragmentMerger;
  private resource?: ApiObject;
  private helmValuesFile?: IstiodHelmValues;
  /** Set when a namespace runs ambient: the install needs ztunnel and the CNI agent. */
  private ambient?: AmbientInstall;

  constructor(
    scope: Construct,
    id: string,
    private readonly props: IstioInstallOverlayProps,
  ) {
    super(scope, id);
    this.install = props.install ?? 'istioctl';
    this.merger = new FragmentMerger(`${INSTALL_DOCUMENTS[this.install]} "${props.name}"`, [
      ...PROXY_CONFIG_ATOMIC_PATHS.map((path) => `meshConfig.defaultConfig.${path}`),
      'configOverride.*.definitions.*',
      'meshConfig.extensionProviders.*',
      'meshConfig.defaultProviders.tracing',
      'meshConfig.defaultProviders.metrics',
    ]);
    if (props.profile !== undefined) this.ensureResource();
  }

  /**
   * The object that carries the settings, once something was contributed: the IstioOperator
   * (istioctl), the Sail Operator `Istio` (sail); none with Helm, whose values are a file.
   */
  /**
   * Installs the ambient data plane with the control plane: profile `ambient` (istiod, and the CNI
   * chart, which both read it: istio/istio@1.24.0:manifests/helm-profiles/ambient.yaml), and
   * ztunnel: with Helm the `cni` and `ztunnel` charts' values files, with the Sail Operator its
   * `IstioCNI` and `ZTunnel`, with istioctl the profile alone (istio/istio@1.24.0:
   * manifests/profiles/ambient.yaml enables both components). Idempotent.
   */
  useAmbient(contributor: IConstruct, options: { readonly ztunnelNamespace: string }): void {
    if (this.ambient) return;
    const profile = this.props.profile;
    if (profile !== undefined && profile !== 'ambient') {
      refuseInput(contributor, [
        problem(['profile'], profile, 'profile ambient, or none', {
          what: `does not install ambient mode (ztunnel and the CNI agent), which a namespace of this mesh runs`,
          hint: 'leave mesh.profile unset: the ambient profile is set for you',
        }),
      ]);
      return;
    }
    this.ambient = new AmbientInstall(this, 'Ambient', {
      install: this.install,
      rootNamespace: this.props.namespace,
      ztunnelNamespace: options.ztunnelNamespace,
      sailVersion: this.props.sailVersion,
    });
    this.ensureResource();
  }

  /** The ambient install, when a namespace runs ambient. */
  get ambientInstall(): AmbientInstall | undefined {
    return this.ambient;
  }

  /** The profile written: the declared one, or `ambient` with ambient anywhere. */
  private get profile(): string | undefined {
    return this.props.profile ?? (this.ambient ? 'ambient' : undefined);
  }

  get resourceObject(): ApiObject | undefined {
    return this.resource;
  }

  /** Adds ProxyConfig defaults for all proxies (`meshConfig.defaultConfig`). */
  addMeshDefaultProxyConfig(contributor: IConstruct, fragment: ProxyConfigFragment): void {
    this.contribute(contributor, { meshConfig: { defaultConfig: { ...fragment } } });
  }

  /** Adds dimensions and removed tags of one standard metric for one proxy kind. */
  addMetricOverride(contributor: IConstruct, proxy: ProxyKind, metric: string, override: MetricOverride): void {
    this.contribute(contributor, {
      configOverride: {
        [proxy]: { metrics: { [metric]: { dimensions: override.dimensions, tags_to_remove: override.tagsToRemove } } },
      },
    });
  }

  /** Adds a new metric definition for one proxy kind. */
  addMetricDefinition(contributor: IConstruct, proxy: ProxyKind, definition: StatsMetricDefinition): void {
    const { name, ...rest } = definition;
    this.contribute(contributor, { configOverride: { [proxy]: { definitions: { [name]: rest } } } });
  }

  /**
   * Adds a `meshConfig.extensionProviders` entry; contributions of the same provider name must be
   * equal (the list is keyed by name in Istio).
   */
  addExtensionProvider(contributor: IConstruct, provider: MeshExtensionProvider): void {
    this.contribute(contributor, { meshConfig: { extensionProviders: { [provider.name]: provider } } });
  }

  /**
   * Sets `meshConfig.defaultProviders`: the providers Telemetry uses where it names none. It replaces
   * the istiod chart's default (`metrics: [prometheus]`) as a whole, so a caller that sets tracing
   * on 1.18+ must name the metrics provider too (the policy's `meshDefaultProviders` says how).
   */
  setDefaultProviders(
    contributor: IConstruct,
    providers: { readonly tracing?: readonly string[]; readonly metrics?: readonly string[] },
  ): void {
    this.contribute(contributor, { meshConfig: { defaultProviders: { ...providers } } });
  }

  /** Sets an environment variable of istiod (`values.pilot.env`; the istiod chart's `env` from 1.24). */
  setIstiodEnv(contributor: IConstruct, name: string, value: string): void {
    this.contribute(contributor, { pilot: { env: { [name]: value } } });
  }

  /** Sets `values.pilot.traceSampling` (istiod's `PILOT_TRACE_SAMPLING`). */
  setPilotTraceSampling(contributor: IConstruct, percentage: number): void {
    this.contribute(contributor, { pilot: { traceSampling: percentage } });
  }

  /**
   * The same settings as values for a direct Helm install of the istiod chart: `meshConfig` and
   * the `values` as they are, except istiod's own (sampling, environment), which the chart reads at
   * top level (`traceSampling`, `env`) from 1.24 (flattened values,
   * istio/istio@1.25.0:manifests/charts/istio-control/istio-discovery/templates/deployment.yaml)
   * and under `pilot` before. istioctl keeps reading `values.pilot` on every release, so the
   * IstioOperator does not change.
   */
  helmValues(): Record<string, unknown> {
    const spec = this.renderSpec();
    const { pilot, ...values } = spec.values ?? {};
    // The istiod chart reads its former pilot.* values at top level from 1.24 (flattened values).
    const flat = (this.props.helmTraceSamplingPath ?? 'pilot.traceSampling') === 'traceSampling';
    const pilotValues = pilot && Object.keys(pilot).length > 0 ? (flat ? { ...pilot } : { pilot }) : {};
    return {
      ...(spec.profile !== undefined ? { profile: spec.profile } : {}),
      ...(spec.meshConfig ? { meshConfig: spec.meshConfig } : {}),
      ...values,
      ...pilotValues,
    };
  }

  private contribute(contributor: IConstruct, fragment: Record<string, unknown>): void {
    const conflicts = this.merger.add(contributor.node.path, fragment);
    // A conflicting contribution is not merged; it is reported at synth against its contributor.
    if (refuseInput(contributor, conflicts)) return;
    this.ensureResource();
  }

  private ensureResource(): void {
    if (this.resource || this.helmValuesFile) return;
    switch (this.install) {
      case 'istioctl':
        this.resource = markInstallInput(
          markCelDeclared(
            new IstioOperator(this, 'Resource', {
              metadata: { name: this.props.name, namespace: this.props.namespace },
              spec: Lazy.any({ produce: () => this.renderSpec() }),
            }),
          ),
          ISTIO_OPERATOR_FILE,
        );
        return;
      case 'helm':
        this.helmValuesFile = new IstiodHelmValues(this, 'HelmValues', () => this.helmValues());
        return;
      case 'sail':
        // Cluster-scoped; spec.values are the istiod chart's values, pilot.* nested (the CRD's schema).
        this.resource = markCelDeclared(
          new SailIstio(this, 'Resource', {
            metadata: { name: this.props.name },
            spec: Lazy.any({ produce: () => this.sailSpec() }),
          }),
        );
        // The Istio resource is cluster-scoped: no namespace, whatever the chart's.
        this.resource.addJsonPatch(JsonPatch.remove('/metadata/namespace'));
        return;
    }
  }

  private sailSpec(): Record<string, unknown> {
    const spec = this.renderSpec();
    const values = { ...(spec.meshConfig ? { meshConfig: spec.meshConfig } : {}), ...(spec.values ?? {}) };
    return {
      version: this.props.sailVersion,
      namespace: this.props.namespace,
      ...(spec.profile !== undefined ? { profile: spec.profile } : {}),
      ...(Object.keys(values).length > 0 ? { values } : {}),
    };
  }

  /**
   * Turns the merged contributions into the IstioOperator spec. Metrics and definitions are
   * merged by name internally and become lists here, in the order they were first contributed.
   */
  private renderSpec(): IstioOperatorSpec {
    const merged = this.merger.toValue() as MergedInstall;
    const configOverride: Record<string, StatsPluginConfig> = {};
    for (const [proxy, plugin] of sortedEntries(merged.configOverride ?? {})) {
      const metrics: StatsMetricConfig[] = sortedEntries(plugin.metrics ?? {}).map(([name, m]) => ({ name, ...m }));
      const definitions: StatsMetricDefinition[] = sortedEntries(plugin.definitions ?? {}).map(([name, d]) => ({
        name,
        ...d,
      }));
      configOverride[proxy] = {
        // A configOverride replaces the template's whole object for its proxy kind, whose default for
        // inbound sidecars and gateways sets disable_host_header_fallback (so a Host header cannot name
        // destination_service); keep it (istio/istio@1.17.8 to @1.20.8:manifests/charts/istio-control/
        // istio-discovery/templates/telemetryv2_1.X.yaml; istiod does the same for those proxies from
        // 1.18, @1.30.3:pilot/pkg/model/telemetry.go disableHostHeaderFallback).
        ...(proxy === 'inboundSidecar' || proxy === 'gateway' ? { disable_host_header_fallback: true } : {}),
        ...(metrics.length > 0 ? { metrics } : {}),
        ...(definitions.length > 0 ? { definitions } : {}),
      };
    }
    const hasOverride = Object.keys(configOverride).length > 0;
    // istioctl's ambient profile installs ztunnel from these values (IstioOperator spec.values.ztunnel).
    const ztunnelLogLevel = this.install === 'istioctl' ? this.ambient?.ztunnelLogLevel : undefined;
    const values =
      merged.pilot || hasOverride || ztunnelLogLevel !== undefined
        ? {
            ...(merged.pilot ? { pilot: merged.pilot } : {}),
            ...(hasOverride ? { telemetry: { v2: { prometheus: { configOverride } } } } : {}),
            ...(ztunnelLogLevel !== undefined ? { ztunnel: { logLevel: ztunnelLogLevel } } : {}),
          }
        : undefined;
    const mergedMesh = merged.meshConfig;
    const meshConfig: IstioOperatorMeshConfig | undefined = mergedMesh
      ? {
          ...(mergedMesh.defaultConfig ? { defaultConfig: mergedMesh.defaultConfig } : {}),
          ...(mergedMesh.extensionProviders ? { extensionProviders: sortedValues(mergedMesh.extensionProviders) } : {}),
          ...(mergedMesh.defaultProviders ? { defaultProviders: mergedMesh.defaultProviders } : {}),
        }
      : undefined;
    return {
      ...(this.profile !== undefined ? { profile: this.profile } : {}),
      ...(meshConfig ? { meshConfig } : {}),
      ...(values ? { values } : {}),
    };
  }
}

interface MergedInstall {
  readonly meshConfig?: {
    readonly defaultConfig?: ProxyConfigFragment;
    readonly extensionProviders?: Record<string, MeshExtensionProvider>;
    readonly defaultProviders?: { readonly tracing?: readonly string[]; readonly metrics?: readonly string[] };
  };
  readonly pilot?: { readonly traceSampling?: number; readonly env?: Readonly<Record<string, string>> };
  readonly configOverride?: Record<
    string,
    {
      readonly metrics?: Record<string, Omit<StatsMetricConfig, 'name'>>;
      readonly definitions?: Record<string, Omit<StatsMetricDefinition, 'name'>>;
    }
  >;
}

/** What each install method's document is called in messages. */
const INSTALL_DOCUMENTS: Readonly<Record<MeshInstallMethod, string>> = {
  istioctl: 'IstioOperator',
  helm: 'istiod Helm values',
  sail: 'Sail Operator Istio',
};
