import { Construct } from 'constructs';
import { ObservabilityConfigError, problem } from '../errors';
import { isDnsLabel } from '../names';
import { DEFAULT_ISTIO_VERSION, VersionPolicy } from '../version/version-policy';
import { IstioInstallOverlay } from './istio-install-overlay';

export interface IstioMeshProps {
  /**
   * The Istio release the generated configuration is for, as `MAJOR.MINOR` (`1.17.8` is accepted).
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
   * metadata.name of the generated IstioOperator.
   * @default 'control-plane'
   */
  readonly installName?: string;

  /**
   * The istioctl installation profile written into the IstioOperator, e.g. `demo`.
   * @default - none: istioctl applies its `default` profile
   */
  readonly profile?: string;
}

/**
 * The Istio mesh an app configures: its target version, its root namespace and the
 * install overlay (IstioOperator) that mesh-wide settings are written to.
 *
 * Every telemetry construct takes a mesh, so the target version is chosen once.
 */
export class IstioMesh extends Construct {
  /** Per-version decisions for the target version. */
  readonly policy: VersionPolicy;
  /** The mesh's root namespace. */
  readonly rootNamespace: string;
  /** The IstioOperator that mesh-wide settings merge into. */
  readonly install: IstioInstallOverlay;

  constructor(scope: Construct, id: string, props: IstioMeshProps = {}) {
    super(scope, id);
    const resolved = VersionPolicy.resolve(props.istioVersion ?? DEFAULT_ISTIO_VERSION);
    const problems = typeof resolved === 'string' ? [resolved] : [];
    this.rootNamespace = props.rootNamespace ?? 'istio-system';
    if (!isDnsLabel(this.rootNamespace)) {
      problems.push(problem('rootNamespace', this.rootNamespace, 'a Kubernetes namespace name (RFC 1123 label)'));
    }
    const installName = props.installName ?? 'control-plane';
    if (!isDnsLabel(installName)) {
      problems.push(problem('installName', installName, 'a Kubernetes object name (RFC 1123 label)'));
    }
    if (typeof resolved === 'string' || problems.length > 0) throw new ObservabilityConfigError(this, problems);
    this.policy = resolved;
    this.install = new IstioInstallOverlay(this, 'Install', {
      name: installName,
      namespace: this.rootNamespace,
      profile: props.profile,
    });
  }

  /** The target Istio version, e.g. `1.17`. */
  get istioVersion(): string {
    return this.policy.version.toString();
  }
}
