import { Construct } from 'constructs';
import { samplingProblems } from '../../core/checks/sampling-checks';
import type { PolicyNoteSource } from '../../core/contracts/construct-sources';
import { refuseInput } from '../../core/problems/construct-problems';
import { type Problem, statement } from '../../core/problems/problem';
import { describeFeature } from '../../core/version/version-policy';
import type { IstioMesh } from '../mesh/istio-mesh';
import type { ProxyTarget } from '../proxy-config/proxy-target';
import { tracersOf } from './mesh-tracers';
import { ZipkinTracer } from './zipkin-tracer';

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
 * With ProxyConfig tracing (the default up to 1.21) it is `tracing.sampling`; precedence
 * (istio/istio@1.30.3:pilot/pkg/networking/core/tracing.go): workload annotation > mesh
 * `defaultConfig` > `values.pilot.traceSampling`. ProxyConfig
 * reads 0 as "unset", so 0% is refused there. It is a bootstrap setting: pods must restart.
 * With Telemetry API tracing (the default from 1.22) it is the target Telemetry's
 * `randomSamplingPercentage`, which takes precedence over both and is pushed without a restart.
 */
export class TraceSampling extends Construct implements PolicyNoteSource {
  readonly percentage: number;
  private readonly mesh: IstioMesh;
  private readonly target: ProxyTarget;

  constructor(scope: Construct, id: string, props: TraceSamplingProps) {
    super(scope, id);
    const mechanism = props.mesh.tracing;
    this.percentage = props.percentage;
    this.mesh = props.mesh;
    this.target = props.target;
    const problems = [
      ...samplingProblems(['percentage'], props.percentage, mechanism === 'telemetry-api'),
      ...props.target.problems(['target']),
    ];
    if (refuseInput(this, problems)) return;
    switch (mechanism) {
      case 'proxy-config':
        props.target.contribute(props.mesh, this, { tracing: { sampling: props.percentage } });
        return;
      case 'telemetry-api':
        props.mesh.telemetry.addTracing(this, props.target, { randomSamplingPercentage: props.percentage });
        return;
    }
  }

  /**
   * ProxyConfig sampling without a tracer does nothing: from 1.22 the chart configures no default
   * zipkin tracer, so it is noted unless a ZipkinTracer of the same mesh covers every proxy sampled
   * here (read when the app is validated, wherever in the app the tracer was declared).
   */
  policyNotes(): readonly Problem[] {
    if (this.mesh.tracing === 'telemetry-api') return this.telemetryApiNotes();
    if (this.mesh.policy.has('defaultZipkinTracer')) return [];
    const covered = tracersOf(this.mesh).some(
      (c) => c instanceof ZipkinTracer && c.target.covers(this.target, this.mesh),
    );
    if (covered) return [];
    return [
      statement(
        ['percentage'],
        `ProxyConfig sampling applies only to proxies that have a tracer, no ZipkinTracer covers ${this.target.description}, and Istio ${this.mesh.istioVersion} is past ${describeFeature('defaultZipkinTracer')}; configure one (ZipkinTracer) or use the Telemetry API tracing mechanism`,
      ),
    ];
  }

  /**
   * A Telemetry tracing entry without a provider takes the provider of a broader Telemetry or of
   * meshConfig.defaultProviders; with none, istiod turns tracing off for those proxies
   * (istio/istio@1.30.3:pilot/pkg/model/telemetry.go Tracing; istio/istio#38920). This library
   * names providers in the Telemetry of a ZipkinTracer or OpenTelemetryTracer, so sampling no
   * tracer covers is noted.
   */
  private telemetryApiNotes(): readonly Problem[] {
    const covered = tracersOf(this.mesh).some((c) => c.target.covers(this.target, this.mesh));
    if (covered) return [];
    return [
      statement(
        ['percentage'],
        `Telemetry API sampling needs a tracing provider, and no ZipkinTracer or OpenTelemetryTracer covers ${this.target.description}: istiod turns tracing off for proxies whose Telemetry names none, unless meshConfig.defaultProviders.tracing names one (istio/istio#38920)`,
      ),
    ];
  }
}
