import type { IConstruct } from 'constructs';
import { IstioMesh } from '../mesh/istio-mesh';

/**
 * The meshes of an app whose constructor completed. A refused IstioMesh can stay in the tree when
 * the caller caught its error; it has no policy and is skipped.
 */
export function builtMeshes(constructs: readonly IConstruct[]): IstioMesh[] {
  return constructs.filter((c): c is IstioMesh => c instanceof IstioMesh && c.policy !== undefined);
}
