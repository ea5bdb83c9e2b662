import { Construct } from 'constructs';
import { dimensionNameProblems } from '../../core/checks/label-name-checks';
import { standardMetricProblems } from '../../core/checks/standard-metric-name-checks';
import type { CelSite, MetricCustomizationSource, PolicyNoteSource } from '../../core/contracts/construct-sources';
import { ObservabilityConfigError, problem, throwIfProblems } from '../../core/errors';
import { ALL_PROXY_KINDS, type ProxyKind, proxyKindProblems, workloadModeFor } from '../../core/istio/proxy-kind';
import {
  STANDARD_LABELS,
  STANDARD_METRIC_NAMES,
  type StandardMetric,
  TELEMETRY_METRIC,
} from '../../core/istio/standard-metrics';
import { refuseInput } from '../../core/problems/construct-problems';
import type { FieldPath } from '../../core/problems/field-path';
import type { Problem } from '../../core/problems/problem';
import { statement } from '../../core/problems/problem';
import { celForTarget } from '../../core/version/cel-vocabulary';
import { describeFeature } from '../../core/version/version-policy';
import { type DimensionValue, isGeneratedAttribute } from '../attributes/generated-attribute';
import type { IstioMesh } from '../mesh/istio-mesh';
import { IstioPodAnnotations } from '../proxy-config/istio-pod-annotations';
import { ProxyTarget } from '../proxy-config/proxy-target';
import { describeWorkload, type ObservedWorkload } from '../proxy-config/workload-ref';

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
   * Which proxies' metrics change: the mesh, a namespace or a workload. Only the Telemetry API
   * mechanism has namespace and workload levels; the IstioOperator configOverride is mesh-wide.
   * @default ProxyTarget.mesh()
   */
  readonly target?: ProxyTarget;
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
   * The native stats filter (1.17+) does not need it; proxies running the Wasm filter do. It is
   * deprecated from Istio 1.21 and then not emitted (a warning says so).
   * @default - none
   */
  readonly extraStatTagsFor?: readonly ObservedWorkload[];
}

/**
 * Adds dimensions to, and removes labels from, one standard Istio metric.
 *
 * With the `istio-operator` mechanism (the default on 1.17) this is the IstioOperator
 * `values.telemetry.v2.prometheus.configOverride` (one `metrics` entry per proxy kind), which
 * istioctl renders into the `stats-filter-1.X` EnvoyFilters. With `telemetry-api` (the default
 * from 1.18) it is a `metrics[].overrides[]` entry of the target's Telemetry, with the proxy kinds
 * expressed as `mode` CLIENT/SERVER, and from 1.24 the CEL values translated to the standard
 * attribute vocabulary (or refused where there is no equivalent).
 */
export class MetricDimensions extends Construct implements MetricCustomizationSource, PolicyNoteSource {
  readonly metric: StandardMetric;
  readonly proxies: readonly ProxyKind[];
  readonly mesh: IstioMesh;
  readonly target: ProxyTarget;
  private readonly dimensions = new Map<string, string>();
  private readonly removed: string[] = [];
  private readonly statTagWorkloads: ObservedWorkload[] = [];
  private readonly notes: Problem[] = [];
  private readonly mode?: 'CLIENT' | 'SERVER';

  constructor(scope: Construct, id: string, props: MetricDimensionsProps) {
    super(scope, id);
    this.mesh = props.mesh;
    this.metric = props.metric;
    this.proxies = props.proxies ?? ALL_PROXY_KINDS;
    this.target = props.target ?? ProxyTarget.mesh();
    const problems = [
      ...standardMetricProblems(['metric'], this.metric, STANDARD_METRIC_NAMES),
      ...proxyKindProblems(['proxies'], this.proxies),
      ...this.target.problems(['target']),
    ];
    if (this.mesh.metricsCustomization === 'istio-operator' && this.target.kind !== 'mesh') {
      problems.push(
        problem(['target'], this.target.description, 'the mesh', {
          what: 'IstioOperator configOverride applies to every proxy of the mesh',
          hint: 'use the mesh target, or metricsCustomization "telemetry-api" (Istio 1.18+) for namespace and workload Telemetry',
        }),
      );
    }
    // Every dimension, tag and workload is checked before anything reaches the mesh: a refused
    // construct contributes nothing, so a front end that goes on without it leaves nothing behind.
    const dimensions = new Map<string, string>();
    for (const [name, value] of Object.entries(props.dimensions ?? {})) {
      const checked = this.checkDimension(name, value);
      if ('expression' in checked) dimensions.set(name, checked.expression);
      else problems.push(...checked.problems);
    }
    (props.tagsToRemove ?? []).forEach((tag, i, tags) => {
      if (tags.indexOf(tag) !== i) problems.push(removedTwice(tag));
      else problems.push(...tagProblems(tag));
    });
    (props.extraStatTagsFor ?? []).forEach((workload, i, workloads) => {
      if (workloads.indexOf(workload) !== i) problems.push(listedTwice(workload));
    });
    if (refuseInput(this, problems)) return;
    if (this.mesh.metricsCustomization === 'telemetry-api') {
      const { mode, widened } = workloadModeFor(this.proxies, this.target.kind === 'workload');
      this.mode = mode;
      if (widened.length > 0) {
        this.notes.push(
          statement(
            ['proxies'],
            `${this.proxies.join(', ')} becomes Telemetry mode ${mode ?? 'CLIENT_AND_SERVER'}, which also covers ${widened.join(', ')} on ${this.target.description} (the Telemetry API selects by mode, not by proxy kind); scope it to workloads or namespaces to narrow it`,
          ),
        );
      }
    }
    for (const [name, expression] of dimensions) this.recordDimension(name, expression);
    for (const tag of props.tagsToRemove ?? []) this.removeTag(tag);
    for (const workload of props.extraStatTagsFor ?? []) this.addExtraStatTagsTo(workload);
  }

  /** Adds dimension `name` with a CEL expression or a generated attribute; each name once. */
  addDimension(name: string, value: DimensionValue): void {
    const checked = this.checkDimension(name, value);
    if ('problems' in checked) throw new ObservabilityConfigError(this, checked.problems);
    this.recordDimension(name, checked.expression);
  }

  /** The dimension's expression as the target's proxies read it, or why it is refused. */
  private checkDimension(
    name: string,
    value: DimensionValue,
  ): { readonly expression: string } | { readonly problems: readonly Problem[] } {
    const field = ['dimensions', name];
    const problems: Problem[] = [];
    if (this.dimensions.has(name)) problems.push(statement(field, 'is already added; each dimension name once'));
    problems.push(...dimensionNameProblems(name, STANDARD_LABELS));
    if (!isGeneratedAttribute(value) && (typeof value !== 'string' || value.trim() === '')) {
      problems.push(problem(field, value, 'a non-empty CEL expression or a GeneratedAttribute'));
    }
    if (problems.length > 0) return { problems };
    return this.translate(field, value);
  }

  private recordDimension(name: string, expression: string): void {
    this.dimensions.set(name, expression);
    this.emitOverride({ dimensions: { [name]: expression } });
    for (const workload of this.statTagWorkloads) this.emitStatTags(workload, [name]);
  }

  /**
   * Removes label `tag` from the metric: a standard label, or a dimension another construct adds
   * to the same metric (checked at synth by the `removed-tag` rule); each tag once.
   */
  removeTag(tag: string): void {
    if (this.removed.includes(tag)) throw new ObservabilityConfigError(this, [removedTwice(tag)]);
    throwIfProblems(this, tagProblems(tag));
    this.removed.push(tag);
    this.emitOverride({ tagsToRemove: [tag] });
  }

  /** Lists this construct's added dimensions in `extraStatTags` of `workload`'s pods. */
  addExtraStatTagsTo(workload: ObservedWorkload): void {
    if (this.statTagWorkloads.includes(workload)) throw new ObservabilityConfigError(this, [listedTwice(workload)]);
    this.statTagWorkloads.push(workload);
    this.emitStatTags(workload, [...this.dimensions.keys()]);
  }

  /** The value as the target release's proxies read it; refuses what has no equivalent. */
  private translate(
    field: FieldPath,
    value: DimensionValue,
  ): { readonly expression: string } | { readonly problems: readonly Problem[] } {
    if (isGeneratedAttribute(value)) return { expression: this.mesh.policy.generatedAttributeExpression(value.name) };
    return celForTarget(field, value, this.mesh.policy, this.mesh.celOptions);
  }

  private emitOverride(override: { dimensions?: Record<string, string>; tagsToRemove?: string[] }): void {
    switch (this.mesh.metricsCustomization) {
      case 'istio-operator':
        for (const proxy of this.proxies) this.mesh.install.addMetricOverride(this, proxy, this.metric, override);
        return;
      case 'telemetry-api':
        this.mesh.telemetry.addMetricOverride(this, this.target, {
          match: { metric: TELEMETRY_METRIC[this.metric], ...(this.mode ? { mode: this.mode } : {}) },
          upsert: override.dimensions,
          remove: override.tagsToRemove,
        });
        return;
    }
  }

  private emitStatTags(workload: ObservedWorkload, names: readonly string[]): void {
    if (names.length === 0) return;
    switch (this.mesh.policy.mechanisms.extraStatTags) {
      case 'tolerated':
        IstioPodAnnotations.of(workload).addProxyConfig(this, { extraStatTags: names });
        return;
      case 'deprecated':
        this.notes.push(
          statement(
            ['extraStatTagsFor'],
            `${describeWorkload(workload)} does not get extraStatTags ${names.join(', ')}, which the native stats filter does not need: Istio ${this.mesh.istioVersion} is past ${describeFeature('extraStatTags')}; remove extraStatTagsFor`,
          ),
        );
        return;
    }
  }

  policyNotes(): readonly Problem[] {
    return [...this.notes];
  }

  dimensionNames(): readonly string[] {
    return [...this.dimensions.keys()];
  }

  removedTags(): readonly string[] {
    return [...this.removed];
  }

  /** The dimension values, as the proxies evaluate them. */
  celExpressions(): readonly CelSite[] {
    return [...this.dimensions].map(([name, expression]) => ({
      field: ['dimensions', name],
      expression,
      result: 'any' as const,
      proxies: this.proxies,
      metric: `istio_${this.metric}`,
    }));
  }
}

function removedTwice(tag: string): Problem {
  return statement(['tagsToRemove'], `${JSON.stringify(tag)} is already removed; each tag once`);
}

function tagProblems(tag: string): Problem[] {
  return typeof tag !== 'string' || tag === '' ? [problem(['tagsToRemove'], tag, 'a label name')] : [];
}

function listedTwice(workload: ObservedWorkload): Problem {
  return statement(['extraStatTagsFor'], `${describeWorkload(workload)} is already listed`);
}
