import { Construct } from 'constructs';
import { samplingProblems } from '../../core/checks/sampling-checks';
import { refuseInput } from '../../core/problems/construct-problems';
import type { IstioMesh } from '../mesh/istio-mesh';

export interface PilotTraceSamplingProps {
  /** The mesh this applies to. */
  readonly mesh: IstioMesh;
  /** Percentage of requests to trace, greater than 0 and at most 100. */
  readonly percentage: number;
}

/**
 * Sets istiod's default sampling (`values.pilot.traceSampling`, the `PILOT_TRACE_SAMPLING`
 * env var): the legacy, lowest-precedence setting, used where neither the mesh
 * `defaultConfig` nor a workload sets `tracing.sampling` (istio/istio@1.30.3:pilot/pkg/networking/core/tracing.go).
 */
export class PilotTraceSampling extends Construct {
  constructor(scope: Construct, id: string, props: PilotTraceSamplingProps) {
    super(scope, id);
    if (refuseInput(this, samplingProblems(['percentage'], props.percentage))) return;
    props.mesh.install.setPilotTraceSampling(this, props.percentage);
  }
}
