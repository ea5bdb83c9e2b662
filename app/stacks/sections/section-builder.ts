import type { IstioMesh } from '../../../constructs/mesh/istio-mesh';
import type { StackContext } from '../stack-context';

/**
 * Builds one section of the config (`statsInclusion:`, `backends:`, ...) into constructs, one
 * piece per entry. Registered in SECTION_BUILDERS, in the order sections depend on each other.
 */
export interface SectionBuilder {
  /** The config key, for readers and for the test that every section has a builder. */
  readonly section: string;
  build(context: StackContext, mesh: IstioMesh): void;
}
