import type * as kplus from 'cdk8s-plus-27';
import type { IConstruct } from 'constructs';
import type { IstioMesh } from '../mesh/istio-mesh';
import { describeWorkload, IstioPodAnnotations } from './istio-pod-annotations';
import type { ProxyConfigFragment } from './proxy-config-fragment';

/**
 * Which proxies a ProxyConfig setting applies to: every proxy of the mesh
 * (`meshConfig.defaultConfig`) or the pods of one workload (`proxy.istio.io/config`).
 * Workload settings take precedence over mesh defaults.
 */
export abstract class ProxyTarget {
  /** All proxies of the mesh, through the install overlay's `meshConfig.defaultConfig`. */
  static mesh(): ProxyTarget {
    return new MeshProxyTarget();
  }

  /** The pods of `workload`, through its `proxy.istio.io/config` pod annotation. */
  static workload(workload: kplus.Workload): ProxyTarget {
    return new WorkloadProxyTarget(workload);
  }

  /** Readable name for messages, e.g. `the mesh` or `Deployment "webapp"`. */
  abstract readonly description: string;

  /** The workload, for workload targets. */
  abstract readonly workload?: kplus.Workload;

  /** Records `fragment` for the targeted proxies. */
  abstract contribute(mesh: IstioMesh, contributor: IConstruct, fragment: ProxyConfigFragment): void;
}

class MeshProxyTarget extends ProxyTarget {
  readonly description = 'the mesh';
  readonly workload = undefined;

  contribute(mesh: IstioMesh, contributor: IConstruct, fragment: ProxyConfigFragment): void {
    mesh.install.addMeshDefaultProxyConfig(contributor, fragment);
  }
}

class WorkloadProxyTarget extends ProxyTarget {
  constructor(readonly workload: kplus.Workload) {
    super();
  }

  get description(): string {
    return describeWorkload(this.workload);
  }

  contribute(_mesh: IstioMesh, contributor: IConstruct, fragment: ProxyConfigFragment): void {
    IstioPodAnnotations.of(this.workload).addProxyConfig(contributor, fragment);
  }
}
