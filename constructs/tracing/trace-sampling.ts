import { Construct } from 'constructs';
import { throwIfProblems } from '../errors';
import type { IstioMesh } from '../mesh/istio-mesh';
import type { ProxyTarget } from '../proxy-config/proxy-target';
import { samplingProblems } from '../validate/rules/sampling-percentage';

export interface TraceSamplingProps {
  /** The mesh (and so the Istio version) this applies to. */
  readonly mesh: IstioMesh;
  /** The proxies to sample: the whole mesh, or one workload. */
  readonly target: ProxyTarget;
  /** Percentage of requests to trace, greater than 0 and at most 100 (e.g. 0.5, 10, 100). */
  readonly percentage: number;
}

/**
 * Sets the trace sampling percentage (ProxyConfig `tracing.sampling`).
 *
 * Precedence (facts B.5): workload annotation > mesh `defaultConfig` > `values.pilot.traceSampling`.
 * ProxyConfig reads 0 as "unset", so 0% cannot be expressed here: it needs the Telemetry API
 * (`randomSamplingPercentage: 0`). It is a bootstrap setting: pods must restart.
 */
export class TraceSampling extends Construct {
  readonly percentage: number;

  constructor(scope: Construct, id: string, props: TraceSamplingProps) {
    super(scope, id);
    throwIfProblems(this, samplingProblems('percentage', props.percentage));
    this.percentage = props.percentage;
    switch (props.mesh.policy.mechanisms.tracingConfiguration) {
      case 'proxy-config':
        props.target.contribute(props.mesh, this, { tracing: { sampling: props.percentage } });
        return;
    }
  }
}
