import type * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { type DimensionValue, isGeneratedAttribute } from '../attributes/generated-attribute';
import { ObservabilityConfigError, problem, throwIfProblems } from '../errors';
import type { IstioMesh } from '../mesh/istio-mesh';
import { describeWorkload, IstioPodAnnotations } from '../proxy-config/istio-pod-annotations';
import { dimensionNameProblems } from '../validate/rules/prometheus-label-name';
import { standardMetricProblems } from '../validate/rules/standard-metric-name';
import type { CelSite, MetricCustomizationSource } from '../validate/sources';
import { ALL_PROXY_KINDS, type ProxyKind, proxyKindProblems } from './proxy-kind';
import { STANDARD_LABELS, STANDARD_METRIC_NAMES, type StandardMetric } from './standard-metrics';

export interface MetricDimensionsProps {
  /** The mesh (and so the Istio version) this applies to. */
  readonly mesh: IstioMesh;
  /** The standard metric to customize, by base name. */
  readonly metric: StandardMetric;
  /**
   * The proxy kinds whose reports of `metric` change.
   * @default - inbound sidecars, outbound sidecars and gateways
   */
  readonly proxies?: readonly ProxyKind[];
  /**
   * Dimensions to add: label name to a CEL expression, or to an attribute generated in this app.
   * @default - none
   */
  readonly dimensions?: Readonly<Record<string, DimensionValue>>;
  /**
   * Standard labels to drop from `metric`.
   * @default - none
   */
  readonly tagsToRemove?: readonly string[];
  /**
   * Workloads whose pods get the added dimension names in `extraStatTags`, as the book does.
   * Istio 1.17's native stats filter does not need it; proxies running the Wasm filter do.
   * @default - none
   */
  readonly extraStatTagsFor?: readonly kplus.Workload[];
}

/**
 * Adds dimensions to, and removes labels from, one standard Istio metric.
 *
 * On Istio 1.17 this is the IstioOperator `values.telemetry.v2.prometheus.configOverride`
 * (one `metrics` entry per proxy kind), which istioctl renders into the `stats-filter-1.17`
 * EnvoyFilters.
 */
export class MetricDimensions extends Construct implements MetricCustomizationSource {
  readonly metric: StandardMetric;
  readonly proxies: readonly ProxyKind[];
  readonly mesh: IstioMesh;
  private readonly dimensions = new Map<string, DimensionValue>();
  private readonly removed: string[] = [];
  private readonly statTagWorkloads: kplus.Workload[] = [];

  constructor(scope: Construct, id: string, props: MetricDimensionsProps) {
    super(scope, id);
    this.mesh = props.mesh;
    this.metric = props.metric;
    this.proxies = props.proxies ?? ALL_PROXY_KINDS;
    throwIfProblems(this, [
      ...standardMetricProblems('metric', this.metric, STANDARD_METRIC_NAMES),
      ...proxyKindProblems('proxies', this.proxies),
    ]);
    for (const [name, value] of Object.entries(props.dimensions ?? {})) this.addDimension(name, value);
    for (const tag of props.tagsToRemove ?? []) this.removeTag(tag);
    for (const workload of props.extraStatTagsFor ?? []) this.addExtraStatTagsTo(workload);
  }

  /** Adds dimension `name` with a CEL expression or a generated attribute; each name once. */
  addDimension(name: string, value: DimensionValue): void {
    const field = `dimensions.${name}`;
    const problems: string[] = [];
    if (this.dimensions.has(name)) problems.push(`${field}: is already added; each dimension name once`);
    problems.push(...dimensionNameProblems(name, STANDARD_LABELS));
    if (!isGeneratedAttribute(value) && (typeof value !== 'string' || value.trim() === '')) {
      problems.push(problem(field, value, 'a non-empty CEL expression or a GeneratedAttribute'));
    }
    throwIfProblems(this, problems);
    this.dimensions.set(name, value);
    this.emitOverride({ dimensions: { [name]: this.expression(value) } });
    for (const workload of this.statTagWorkloads) this.emitStatTags(workload, [name]);
  }

  /**
   * Removes label `tag` from the metric: a standard label, or a dimension another construct adds
   * to the same metric (checked at synth by the `removed-tag` rule); each tag once.
   */
  removeTag(tag: string): void {
    if (this.removed.includes(tag)) {
      throw new ObservabilityConfigError(this, [
        `tagsToRemove: ${JSON.stringify(tag)} is already removed; each tag once`,
      ]);
    }
    if (typeof tag !== 'string' || tag === '') {
      throw new ObservabilityConfigError(this, [problem('tagsToRemove', tag, 'a label name')]);
    }
    this.removed.push(tag);
    this.emitOverride({ tagsToRemove: [tag] });
  }

  /** Lists this construct's added dimensions in `extraStatTags` of `workload`'s pods. */
  addExtraStatTagsTo(workload: kplus.Workload): void {
    if (this.statTagWorkloads.includes(workload)) {
      throw new ObservabilityConfigError(this, [`extraStatTagsFor: ${describeWorkload(workload)} is already listed`]);
    }
    this.statTagWorkloads.push(workload);
    this.emitStatTags(workload, [...this.dimensions.keys()]);
  }

  private expression(value: DimensionValue): string {
    return isGeneratedAttribute(value) ? this.mesh.policy.generatedAttributeExpression(value.name) : value;
  }

  private emitOverride(override: { dimensions?: Record<string, string>; tagsToRemove?: string[] }): void {
    switch (this.mesh.policy.mechanisms.statsCustomization) {
      case 'istio-operator-config-override':
        for (const proxy of this.proxies) this.mesh.install.addMetricOverride(this, proxy, this.metric, override);
        return;
    }
  }

  private emitStatTags(workload: kplus.Workload, names: readonly string[]): void {
    if (names.length === 0) return;
    switch (this.mesh.policy.mechanisms.extraStatTags) {
      case 'on-request':
        IstioPodAnnotations.of(workload).addProxyConfig(this, { extraStatTags: names });
        return;
    }
  }

  dimensionNames(): readonly string[] {
    return [...this.dimensions.keys()];
  }

  removedTags(): readonly string[] {
    return [...this.removed];
  }

  /** The dimension values, as the proxies evaluate them. */
  celExpressions(): readonly CelSite[] {
    return [...this.dimensions].map(([name, value]) => ({
      field: `dimensions.${name}`,
      expression: this.expression(value),
      result: 'any' as const,
      proxies: this.proxies,
    }));
  }
}
