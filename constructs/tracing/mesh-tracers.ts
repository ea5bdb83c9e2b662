import type { IstioMesh } from '../mesh/istio-mesh';
import type { ProxyTarget } from '../proxy-config/proxy-target';

/** A tracer construct as sampling reads it: the proxies of which mesh send spans to it. */
export interface MeshTracer {
  readonly mesh: IstioMesh;
  readonly target: ProxyTarget;
}

const TRACERS = new WeakMap<IstioMesh, MeshTracer[]>();

/**
 * Records a tracer of `tracer.mesh`, when it is constructed. Sampling asks which tracers cover its
 * proxies; walking the whole construct tree for that, once per TraceSampling, made validating
 * 2,000 workloads quadratic (tens of seconds).
 */
export function registerTracer(tracer: MeshTracer): void {
  const tracers = TRACERS.get(tracer.mesh);
  if (tracers) tracers.push(tracer);
  else TRACERS.set(tracer.mesh, [tracer]);
}

/** The tracers declared for `mesh` so far, in the order they were constructed. */
export function tracersOf(mesh: IstioMesh): readonly MeshTracer[] {
  return TRACERS.get(mesh) ?? [];
}
