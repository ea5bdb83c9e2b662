import { ApiObject, JsonPatch } from 'cdk8s';
import { Construct, type IConstruct } from 'constructs';
import { problem } from '../../core/errors';
import { refuseInput } from '../../core/problems/construct-problems';
import type { InstallMethod } from '../../core/version/install-profiles';
import { SAIL_OPERATOR_RELEASE } from '../../core/version/release-tables.generated';
import { HelmValuesFile } from '../intent/helm-values-file';

/** Where the CNI and ztunnel charts' values are written with `install: helm`. */
export const CNI_VALUES_FILE = 'install/istio-cni-values.yaml';
export const ZTUNNEL_VALUES_FILE = 'install/ztunnel-values.yaml';

/**
 * ztunnel's log filter with its access log at debug: each connection is logged when it opens, not
 * only when it closes ("connection complete" logs at info, "connection opened" at debug, target
 * `access`: istio/ztunnel@1.24.0:src/proxy/metrics.rs lines 333-405; the chart's `logLevel` becomes
 * RUST_LOG, istio/istio@1.24.0:manifests/charts/ztunnel/templates/daemonset.yaml lines 121-122).
 */
export const ZTUNNEL_ACCESS_LOG_LEVEL = 'info,access=debug';

export interface AmbientInstallProps {
  readonly install: InstallMethod;
  /** Where istiod runs. */
  readonly rootNamespace: string;
  /** Where ztunnel runs. */
  readonly ztunnelNamespace: string;
  /** The Sail Operator `spec.version`, with install sail. */
  readonly sailVersion?: string;
}

/**
 * The node-level half of an ambient install, in the form the install method reads: the CNI node
 * agent (which redirects ambient pods' traffic to ztunnel) and ztunnel. With Helm they are the
 * `cni` chart (profile `ambient`, which its templates/zzz_profile.yaml loads from
 * files/profile-ambient.yaml: `cni.ambient.enabled`, istio/istio@1.24.0:manifests/charts/istio-cni)
 * and the `ztunnel` chart; with the
 * Sail Operator its `IstioCNI` and `ZTunnel` (istio-ecosystem/sail-operator@1.30.3:chart/crds/
 * sailoperator.io_istiocnis.yaml, sailoperator.io_ztunnels.yaml: `sailoperator.io/v1` from Sail 1.28,
 * named `default`); with istioctl the `ambient` profile installs both itself.
 */
export class AmbientInstall extends Construct {
  readonly install: InstallMethod;
  readonly ztunnelNamespace: string;
  private logLevel?: string;

  constructor(scope: Construct, id: string, props: AmbientInstallProps) {
    super(scope, id);
    this.install = props.install;
    this.ztunnelNamespace = props.ztunnelNamespace;
    switch (props.install) {
      case 'helm':
        new HelmValuesFile(this, 'CniValues', CNI_VALUES_FILE, () => ({ profile: 'ambient' }));
        new HelmValuesFile(this, 'ZtunnelValues', ZTUNNEL_VALUES_FILE, () =>
          this.logLevel !== undefined ? { logLevel: this.logLevel } : {},
        );
        return;
      case 'sail': {
        const version = props.sailVersion;
        const cni = new ApiObject(this, 'IstioCNI', {
          apiVersion: 'sailoperator.io/v1',
          kind: 'IstioCNI',
          metadata: { name: 'default' },
          spec: { version, namespace: 'istio-cni', profile: 'ambient' },
        });
        const ztunnel = new ApiObject(this, 'ZTunnel', {
          apiVersion: 'sailoperator.io/v1',
          kind: 'ZTunnel',
          metadata: { name: 'default' },
          spec: { version, namespace: props.ztunnelNamespace },
        });
        // Both are cluster-scoped, whatever the chart's namespace.
        for (const o of [cni, ztunnel]) o.addJsonPatch(JsonPatch.remove('/metadata/namespace'));
        return;
      }
      case 'istioctl':
        return;
    }
  }

  /** ztunnel's chart value `logLevel`, when set. */
  get ztunnelLogLevel(): string | undefined {
    return this.logLevel;
  }

  /** Logs each L4 connection at ztunnel when it opens too ({@link ZTUNNEL_ACCESS_LOG_LEVEL}). */
  logConnections(contributor: IConstruct): void {
    if (this.install === 'sail') {
      // The ZTunnel CRD takes one level, not a filter (sailoperator.io_ztunnels.yaml lines 1261-1271).
      refuseInput(contributor, [
        problem(['ztunnel'], true, 'no ztunnel access log setting with install sail', {
          what: `needs ztunnel's log filter "${ZTUNNEL_ACCESS_LOG_LEVEL}", and the Sail Operator ${SAIL_OPERATOR_RELEASE} ZTunnel's spec.values.ztunnel.logLevel takes one of trace, debug, info, warn, error`,
          hint: 'remove ztunnel: true; at its default level (info) ztunnel already logs each connection when it closes (istio/ztunnel@1.24.0:src/proxy/metrics.rs)',
        }),
      ]);
      return;
    }
    this.logLevel = ZTUNNEL_ACCESS_LOG_LEVEL;
  }
}
