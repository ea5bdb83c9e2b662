import { Construct } from 'constructs';
import { problem, throwIfProblems } from '../errors';
import type { IstioMesh } from '../mesh/istio-mesh';
import { metricDefinitionNameProblems } from '../validate/rules/metric-definition-name';
import { dimensionNameProblems } from '../validate/rules/prometheus-label-name';
import type { CelExpressionSource, CelSite, PolicyNoteSource } from '../validate/sources';
import { celForTarget } from '../version/cel-vocabulary';
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
  /**
   * Labels of the new metric: label name to CEL expression, e.g. `{ destination_ip: 'destination.address' }`.
   * @default - none
   */
  readonly dimensions?: Readonly<Record<string, string>>;
}

/**
 * Defines a new metric recorded by the stats filter (`PluginConfig.definitions`), with optional
 * labels of its own (a `metrics` entry naming it, with `dimensions`).
 *
 * With the `istio-operator` mechanism this is the IstioOperator `configOverride` `definitions`
 * list (Istio 1.17 to 1.20). With `telemetry-api` it is an EnvoyFilter ({@link CustomMetricsFilter}):
 * the Telemetry API cannot create metrics on any release (facts A.4), and a Telemetry
 * `customMetric` only overrides a metric that is already defined, so it is never used for this.
 */
export class MetricDefinition extends Construct implements CelExpressionSource, PolicyNoteSource {
  readonly mesh: IstioMesh;
  readonly name: string;
  readonly proxies: readonly ProxyKind[];
  readonly type: MetricType;
  private readonly value: string;
  private readonly dimensions: Readonly<Record<string, string>>;
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
    for (const [name, expression] of Object.entries(props.dimensions ?? {})) {
      problems.push(...dimensionNameProblems(name, []));
      if (typeof expression !== 'string' || expression.trim() === '') {
        problems.push(problem(`dimensions.${name}`, expression, 'a non-empty CEL expression'));
      }
    }
    throwIfProblems(this, problems);
    this.mesh = props.mesh;
    this.name = props.name;
    this.proxies = proxies;
    this.type = props.type;
    this.prometheusName = `istio_${props.name}`;
    this.value = this.translate('value', props.value);
    this.dimensions = Object.fromEntries(
      Object.entries(props.dimensions ?? {}).map(([name, e]) => [name, this.translate(`dimensions.${name}`, e)]),
    );
    const definition = { name: props.name, type: props.type, value: this.value };
    const hasDimensions = Object.keys(this.dimensions).length > 0;
    for (const proxy of proxies) {
      switch (props.mesh.metricsCustomization) {
        case 'istio-operator':
          props.mesh.install.addMetricDefinition(this, proxy, definition);
          if (hasDimensions)
            props.mesh.install.addMetricOverride(this, proxy, props.name, { dimensions: this.dimensions });
          break;
        case 'telemetry-api':
          props.mesh.customMetricsFilter.addDefinition(this, proxy, definition);
          if (hasDimensions)
            props.mesh.customMetricsFilter.addDimensions(this, proxy, props.name, { ...this.dimensions });
          break;
      }
    }
  }

  /** The labels this metric has beyond the standard ones. */
  dimensionNames(): readonly string[] {
    return Object.keys(this.dimensions);
  }

  private translate(field: string, expression: string): string {
    return celForTarget(this, field, expression, this.mesh.policy, this.mesh.celOptions);
  }

  /** The value expression, evaluated per request; it must be numeric. Dimensions may be any type. */
  celExpressions(): readonly CelSite[] {
    return [
      { field: 'value', expression: this.value, result: 'number', proxies: this.proxies },
      ...Object.entries(this.dimensions).map(([name, expression]) => ({
        field: `dimensions.${name}`,
        expression,
        result: 'any' as const,
        proxies: this.proxies,
      })),
    ];
  }

  policyNotes(): readonly string[] {
    if (this.mesh.metricsCustomization !== 'telemetry-api') return [];
    return [
      `${this.prometheusName} is defined by EnvoyFilter "${this.mesh.customMetricsFilter.envoyFilter.name}", the only way to define a metric alongside the Telemetry API (facts A.4); Istio documents EnvoyFilter stats config and Telemetry as conflicting (istio/istio#39772), so this filter is a separate stats instance that drops the standard metrics; check ${this.prometheusName} after every Istio upgrade`,
    ];
  }
}
