import type { IConstruct } from 'constructs';
import type { TracingConfiguration, VersionPolicy } from '../version/version-policy';
import { brand, hasBrand } from './brand';

/**
 * What every layer may know of a mesh construct without importing it (the aws-cdk "ref via
 * interface" pattern): the release it targets and what that release decides. `IstioMesh`
 * implements it; validation, review and the app read meshes through it.
 */
export interface IIstioMesh extends IConstruct {
  /** The target release as declared, e.g. `1.24` or `1.24.6`. */
  readonly istioVersion: string;
  /** Undefined only on a mesh whose constructor refused its input (see {@link builtMeshes}). */
  readonly policy: VersionPolicy;
  readonly tracing: TracingConfiguration;
  /** Istio's root namespace: a Telemetry there applies mesh-wide. */
  readonly rootNamespace: string;
  /** The series a standard metric may reach before the series-cardinality rule refuses it. */
  readonly seriesBudget?: number;
}

/** Marks `construct` as a mesh, for {@link isIstioMesh}; `IstioMesh`'s constructor calls it. */
export function markIstioMesh(construct: IIstioMesh): void {
  brand(construct, 'IstioMesh');
}

/** Whether `construct` is a mesh (see core/contracts/brand.ts for why not `instanceof`). */
export function isIstioMesh(construct: unknown): construct is IIstioMesh {
  return hasBrand(construct, 'IstioMesh');
}

/**
 * The meshes of an app whose constructor completed. A refused IstioMesh can stay in the tree when
 * the caller catches its error; it has no policy, and the rules must not read it.
 */
export function builtMeshes(constructs: readonly IConstruct[]): IIstioMesh[] {
  return constructs.filter((c): c is IIstioMesh => isIstioMesh(c) && c.policy !== undefined);
}
