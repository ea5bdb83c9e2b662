import { Construct, type IConstruct } from 'constructs';
import { formatValue, problem } from '../../core/errors';
import { isDnsLabel } from '../../core/names';
import { refuseInput } from '../../core/problems/construct-problems';
import type { FieldPath } from '../../core/problems/field-path';
import type { Problem } from '../../core/problems/problem';
import { IstioPodAnnotations } from './istio-pod-annotations';
import type { ProxyConfigFragment } from './proxy-config-fragment';
import { describeWorkload, isWorkloadRef, type ObservedWorkload, workloadNamespace } from './workload-ref';

/**
 * What a proxy target needs of its mesh. IstioMesh satisfies it; naming only this keeps the
 * proxy-config constructs from importing the mesh that creates them.
 */
export interface ProxyTargetMesh {
  readonly rootNamespace: string;
  readonly install: {
    addMeshDefaultProxyConfig(contributor: IConstruct, fragment: ProxyConfigFragment): void;
  };
}

/**
 * Which proxies a setting applies to: every proxy of the mesh, the proxies of one namespace, or
 * the pods of one workload. More specific targets take precedence (Istio's hierarchy: workload >
 * namespace > root namespace).
 *
 * ProxyConfig settings reach the mesh through `meshConfig.defaultConfig` and a workload through
 * its `proxy.istio.io/config` annotation; ProxyConfig has no namespace level. Telemetry API
 * settings reach each target through one Telemetry resource ({@link MeshTelemetry}).
 */
export abstract class ProxyTarget {
  /** All proxies of the mesh. */
  static mesh(): ProxyTarget {
    return new MeshProxyTarget();
  }

  /** The proxies of one namespace (Telemetry API only). */
  static namespace(name: string): ProxyTarget {
    return new NamespaceProxyTarget(name);
  }

  /** The pods of `workload`: one this app builds, or a {@link WorkloadRef} to one deployed elsewhere. */
  static workload(workload: ObservedWorkload): ProxyTarget {
    return new WorkloadProxyTarget(workload);
  }

  abstract readonly kind: 'mesh' | 'namespace' | 'workload';

  /** Readable name for messages, e.g. `the mesh` or `Deployment "webapp"`. */
  abstract readonly description: string;

  /** The workload, for workload targets. */
  abstract readonly workload?: ObservedWorkload;

  /** Problems with the target itself (e.g. an invalid namespace name). */
  problems(_field: FieldPath): Problem[] {
    return [];
  }

  /** Records ProxyConfig `fragment` for the targeted proxies. */
  abstract contribute(mesh: ProxyTargetMesh, contributor: IConstruct, fragment: ProxyConfigFragment): void;

  /**
   * Whether every proxy of `other` is among this target's: the mesh covers all, a namespace its
   * own and its workloads', a workload only itself.
   */
  covers(other: ProxyTarget, mesh: ProxyTargetMesh): boolean {
    switch (this.kind) {
      case 'mesh':
        return true;
      case 'namespace':
        return other.kind !== 'mesh' && targetNamespace(other, mesh) === targetNamespace(this, mesh);
      case 'workload':
        return other.workload !== undefined && other.workload === this.workload;
    }
  }
}

class MeshProxyTarget extends ProxyTarget {
  readonly kind = 'mesh';
  readonly description = 'the mesh';
  readonly workload = undefined;

  contribute(mesh: ProxyTargetMesh, contributor: IConstruct, fragment: ProxyConfigFragment): void {
    mesh.install.addMeshDefaultProxyConfig(contributor, fragment);
  }
}

class NamespaceProxyTarget extends ProxyTarget {
  readonly kind = 'namespace';
  readonly workload = undefined;

  constructor(readonly namespace: string) {
    super();
  }

  get description(): string {
    return `namespace "${this.namespace}"`;
  }

  override problems(field: FieldPath): Problem[] {
    return isDnsLabel(this.namespace)
      ? []
      : [problem([...field, 'namespace'], this.namespace, 'a Kubernetes namespace name (RFC 1123 label)')];
  }

  contribute(_mesh: ProxyTargetMesh, contributor: IConstruct, _fragment: ProxyConfigFragment): void {
    refuseInput(contributor, [
      problem(['target'], { namespace: this.namespace }, 'the mesh or a workload', {
        what: 'ProxyConfig has no namespace level (meshConfig.defaultConfig or a pod annotation)',
        hint: 'target each workload, or use the Telemetry API tracing mechanism, which has one Telemetry per namespace',
      }),
    ]);
  }
}

class WorkloadProxyTarget extends ProxyTarget {
  readonly kind = 'workload';

  constructor(readonly workload: ObservedWorkload) {
    super();
  }

  get description(): string {
    return isWorkload(this.workload) ? describeWorkload(this.workload) : formatValue(this.workload);
  }

  /**
   * A JavaScript caller (or a cast) can pass anything: `undefined`, a name. It is refused with the
   * construct's other problems instead of failing deep inside with a TypeError.
   */
  override problems(field: FieldPath): Problem[] {
    if (isWorkload(this.workload)) {
      // Pods without a sidecar read no proxy setting: naming one is a mistake, not a no-op.
      if (!isWorkloadRef(this.workload) || this.workload.sidecar) return [];
      return [
        problem([...field, 'workload'], this.workload.name, 'a workload in the mesh', {
          what: `${describeWorkload(this.workload)} runs outside the mesh (sidecar: false), so no proxy reads what this sets for it`,
        }),
      ];
    }
    return [
      problem(
        [...field, 'workload'],
        this.workload,
        'a workload construct: a cdk8s-plus Deployment, StatefulSet or DaemonSet of this app, or a WorkloadRef',
        typeof this.workload === 'string'
          ? {
              hint: `name a workload deployed elsewhere with new WorkloadRef(scope, id, { name: '${this.workload}', ... })`,
            }
          : {},
      ),
    ];
  }

  contribute(_mesh: ProxyTargetMesh, contributor: IConstruct, fragment: ProxyConfigFragment): void {
    if (!isWorkload(this.workload)) return; // refused through problems()
    IstioPodAnnotations.of(this.workload).addProxyConfig(contributor, fragment);
  }
}

/** A construct that can be a workload target: a cdk8s-plus workload or a WorkloadRef. */
function isWorkload(value: unknown): value is ObservedWorkload {
  return (
    typeof value === 'object' &&
    value !== null &&
    Construct.isConstruct(value) &&
    typeof (value as { kind?: unknown }).kind === 'string' &&
    typeof (value as { name?: unknown }).name === 'string'
  );
}

/** The namespace a target's Telemetry lives in: the root namespace for the mesh. */
export function targetNamespace(target: ProxyTarget, mesh: Pick<ProxyTargetMesh, 'rootNamespace'>): string | undefined {
  switch (target.kind) {
    case 'mesh':
      return mesh.rootNamespace;
    case 'namespace':
      return (target as NamespaceProxyTarget).namespace;
    case 'workload':
      return isWorkload(target.workload) ? workloadNamespace(target.workload) : undefined;
  }
}
