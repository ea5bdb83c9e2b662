import { Construct } from 'constructs';
import { throwIfProblems } from '../errors';
import type { IstioMesh } from '../mesh/istio-mesh';
import type { ProxyTarget } from '../proxy-config/proxy-target';
import { samplingProblems } from '../validate/rules/sampling-percentage';
import type { PolicyNoteSource } from '../validate/sources';
import { describeFeature } from '../version/version-policy';

export interface TraceSamplingProps {
  /** The mesh (and so the Istio version) this applies to. */
  readonly mesh: IstioMesh;
  /** The proxies to sample: the whole mesh, or one workload. */
  readonly target: ProxyTarget;
  /**
   * Percentage of requests to trace, at most 100 (e.g. 0.5, 10, 100). 0 only with the Telemetry
   * API tracing mechanism: ProxyConfig reads 0 as unset.
   */
  readonly percentage: number;
}

/**
 * Sets the trace sampling percentage.
 *
 * With ProxyConfig tracing (the default up to 1.21) it is `tracing.sampling`; precedence (facts
 * B.5): workload annotation > mesh `defaultConfig` > `values.pilot.traceSampling`. ProxyConfig
 * reads 0 as "unset", so 0% is refused there. It is a bootstrap setting: pods must restart.
 * With Telemetry API tracing (the default from 1.22) it is the target Telemetry's
 * `randomSamplingPercentage`, which takes precedence over both and is pushed without a restart.
 */
export class TraceSampling extends Construct implements PolicyNoteSource {
  readonly percentage: number;
  private readonly notes: string[] = [];

  constructor(scope: Construct, id: string, props: TraceSamplingProps) {
    super(scope, id);
    const mechanism = props.mesh.tracing;
    throwIfProblems(this, [
      ...samplingProblems('percentage', props.percentage, mechanism === 'telemetry-api'),
      ...props.target.problems('target'),
    ]);
    this.percentage = props.percentage;
    switch (mechanism) {
      case 'proxy-config':
        props.target.contribute(props.mesh, this, { tracing: { sampling: props.percentage } });
        if (!props.mesh.policy.has('defaultZipkinTracer')) {
          this.notes.push(
            `percentage: ProxyConfig sampling applies only to proxies that have a tracer, and Istio ${props.mesh.istioVersion} is past ${describeFeature('defaultZipkinTracer')}; configure one (ZipkinTracer) or use the Telemetry API tracing mechanism`,
          );
        }
        return;
      case 'telemetry-api':
        props.mesh.telemetry.addTracing(this, props.target, { randomSamplingPercentage: props.percentage });
        return;
    }
  }

  policyNotes(): readonly string[] {
    return [...this.notes];
  }
}
