import { Construct } from 'constructs';
import { problem, throwIfProblems } from '../errors';
import type { IstioMesh } from '../mesh/istio-mesh';
import { metricDefinitionNameProblems } from '../validate/rules/metric-definition-name';
import type { CelExpressionSource, CelSite } from '../validate/sources';
import { ALL_PROXY_KINDS, type ProxyKind, proxyKindProblems } from './proxy-kind';
import { STANDARD_METRIC_NAMES } from './standard-metrics';

/** How the stats filter records a new metric (`stats.MetricType`). */
export enum MetricType {
  COUNTER = 'COUNTER',
  GAUGE = 'GAUGE',
  HISTOGRAM = 'HISTOGRAM',
}

export interface MetricDefinitionProps {
  /** The mesh (and so the Istio version) this applies to. */
  readonly mesh: IstioMesh;
  /** Metric name without the `istio_` prefix Istio adds: `get_calls` is exported as `istio_get_calls`. */
  readonly name: string;
  readonly type: MetricType;
  /** CEL expression for the value recorded per request, e.g. `(request.method.startsWith('GET') ? 1 : 0)`. */
  readonly value: string;
  /**
   * The proxy kinds that record the metric.
   * @default - inbound sidecars, outbound sidecars and gateways
   */
  readonly proxies?: readonly ProxyKind[];
}

/**
 * Defines a new metric recorded by the stats filter (`PluginConfig.definitions`).
 *
 * On Istio 1.17 this is the IstioOperator `configOverride` `definitions` list. The Telemetry API
 * cannot create metrics on any version (facts A.4), so it is never used for this.
 */
export class MetricDefinition extends Construct implements CelExpressionSource {
  readonly mesh: IstioMesh;
  readonly name: string;
  readonly proxies: readonly ProxyKind[];
  private readonly value: string;
  /** The Prometheus metric name, e.g. `istio_get_calls`. */
  readonly prometheusName: string;

  constructor(scope: Construct, id: string, props: MetricDefinitionProps) {
    super(scope, id);
    const proxies = props.proxies ?? ALL_PROXY_KINDS;
    const problems = proxyKindProblems('proxies', proxies);
    problems.push(...metricDefinitionNameProblems(props.name, STANDARD_METRIC_NAMES));
    if (!Object.values(MetricType).includes(props.type)) {
      problems.push(problem('type', props.type, `one of ${Object.values(MetricType).join(', ')}`));
    }
    if (typeof props.value !== 'string' || props.value.trim() === '') {
      problems.push(problem('value', props.value, 'a non-empty CEL expression'));
    }
    throwIfProblems(this, problems);
    this.mesh = props.mesh;
    this.name = props.name;
    this.proxies = proxies;
    this.value = props.value;
    this.prometheusName = `istio_${props.name}`;
    switch (props.mesh.policy.mechanisms.statsCustomization) {
      case 'istio-operator-config-override':
        for (const proxy of proxies) {
          props.mesh.install.addMetricDefinition(this, proxy, {
            name: props.name,
            type: props.type,
            value: props.value,
          });
        }
        return;
    }
  }

  /** The value expression, evaluated per request; it must be numeric. */
  celExpressions(): readonly CelSite[] {
    return [{ field: 'value', expression: this.value, result: 'number', proxies: this.proxies }];
  }
}
