import { Chart, Lazy } from 'cdk8s';
import { Construct, type IConstruct } from 'constructs';
import { markCelDeclared } from '../../core/contracts/construct-sources';
import type { IIstioMesh } from '../../core/contracts/istio-mesh';
import { ObservabilityConfigError, problem } from '../../core/errors';
import { FragmentMerger } from '../../core/merge/fragment-merger';
import { sortedValues } from '../../core/merge/sorted-entries';
import { isDnsLabel } from '../../core/names';
import { refuseInput } from '../../core/problems/construct-problems';
import { Telemetry, TelemetryV1Alpha1 } from '../../imports/telemetry.istio.io';
import { type ProxyTarget, targetNamespace } from '../proxy-config/proxy-target';
import { workloadSelector } from '../proxy-config/workload-ref';

/** Telemetry `WorkloadMode` (istio/api@1.30.3:telemetry/v1alpha1/telemetry.proto); absent means CLIENT_AND_SERVER. */
export type WorkloadMode = 'CLIENT' | 'SERVER';

/** Telemetry `MetricSelector`: a standard metric by its enum name, or a custom metric by name. */
export type TelemetryMetric = { readonly metric: string } | { readonly customMetric: string };

/** One `metrics[].overrides[]` entry as contributed. */
export interface TelemetryMetricOverride {
  readonly match: TelemetryMetric & { readonly mode?: WorkloadMode };
  /** Dimension name to CEL value (UPSERT), or `undefined` value to remove the tag. */
  readonly upsert?: Readonly<Record<string, string>>;
  readonly remove?: readonly string[];
}

/** Telemetry `tracing[]` settings as contributed; a Telemetry has one tracing entry. */
export interface TelemetryTracing {
  readonly provider?: string;
  readonly randomSamplingPercentage?: number;
  readonly customTags?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}

/** Telemetry `accessLogging[]` settings as contributed; a Telemetry written here has one entry. */
export interface TelemetryAccessLogging {
  /** The extension provider that writes the log; absent means `meshConfig.defaultProviders.accessLogging`. */
  readonly provider?: string;
  /** A CEL condition: only requests or connections for which it is true are logged. */
  readonly filter?: string;
  /** Turns access logging off for these proxies (overriding a broader Telemetry). */
  readonly disabled?: boolean;
}

/** The metrics provider the stats filter exports through (istiod's built-in, istio/api@1.30.3:mesh/v1alpha1/config.proto). */
export const PROMETHEUS_PROVIDER = 'prometheus';

const ID = 'Telemetry';

/**
 * The one place that writes Telemetry resources (`telemetry.istio.io`) for a mesh.
 *
 * Istio allows one selector-less Telemetry per namespace and applies the most specific one
 * (workload > namespace > root namespace), so every contribution for a target is merged into a
 * single resource: `mesh-default` in the root namespace, `namespace-default` in a namespace, or one
 * named after the workload with its pod selector. Conflicting values are refused naming both
 * constructs. The apiVersion is the target release's (v1alpha1 before 1.22, v1 from 1.22).
 */
export class MeshTelemetry extends Construct {
  private readonly documents = new Map<string, TelemetryDocument>();

  constructor(
    scope: Construct,
    id: string,
    private readonly mesh: IIstioMesh,
  ) {
    super(scope, id);
  }

  /** Adds one metrics override for `target`'s proxies. */
  addMetricOverride(contributor: IConstruct, target: ProxyTarget, override: TelemetryMetricOverride): void {
    const { match } = override;
    const key = `${'metric' in match ? match.metric : `custom:${match.customMetric}`}|${match.mode ?? ''}`;
    const tags: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(override.upsert ?? {})) tags[name] = { value };
    for (const name of override.remove ?? []) tags[name] = { operation: 'REMOVE' };
    this.document(contributor, target).add(contributor, { overrides: { [key]: { match, tagOverrides: tags } } });
  }

  /** Adds access logging settings for `target`'s proxies. */
  addAccessLogging(contributor: IConstruct, target: ProxyTarget, logging: TelemetryAccessLogging): void {
    this.document(contributor, target).add(contributor, { accessLogging: { ...logging } });
  }

  /** Adds tracing settings for `target`'s proxies. */
  addTracing(contributor: IConstruct, target: ProxyTarget, tracing: TelemetryTracing): void {
    this.document(contributor, target).add(contributor, { tracing: { ...tracing } });
  }

  private document(contributor: IConstruct, target: ProxyTarget): TelemetryDocument {
    const namespace = targetNamespace(target, this.mesh);
    if (namespace === undefined || !isDnsLabel(namespace)) {
      throw new ObservabilityConfigError(contributor, [
        problem(
          ['target'],
          target.description,
          'a target whose namespace is known (set it on the chart or the workload)',
        ),
      ]);
    }
    const key = target.workload ? `workload:${target.workload.node.path}` : `${target.kind}:${namespace}`;
    let document = this.documents.get(key);
    if (!document) {
      document = this.create(contributor, target, namespace);
      this.documents.set(key, document);
    }
    return document;
  }

  /**
   * Mesh Telemetry goes with the mesh, a workload's with the workload, a namespace's with the app's
   * chart of that namespace (its `<namespace>.k8s.yaml`) when there is one, else with its first
   * contributor's chart.
   */
  private create(contributor: IConstruct, target: ProxyTarget, namespace: string): TelemetryDocument {
    switch (target.kind) {
      case 'mesh':
        return new TelemetryDocument(this, ID, this.mesh, { name: 'mesh-default', namespace });
      case 'namespace':
        return new TelemetryDocument(namespaceChart(contributor, namespace), `telemetry-${namespace}`, this.mesh, {
          name: 'namespace-default',
          namespace,
        });
      case 'workload': {
        const workload = target.workload;
        if (!workload) throw new Error('a workload target without a workload');
        return new TelemetryDocument(workload, ID, this.mesh, {
          name: workload.name,
          namespace,
          // Read at render time: the pod labels are final then, and reading them now would render the
          // pod template's annotations once per contribution.
          matchLabels: () => workloadSelector(workload),
        });
      }
    }
  }
}

/** The chart of the contributor's app whose namespace is `namespace`, else the contributor's own. */
function namespaceChart(contributor: IConstruct, namespace: string): Chart {
  const own = Chart.of(contributor);
  if (own.namespace === namespace) return own;
  const charts = own.node.root.node.children.filter((c): c is Chart => Chart.isChart(c));
  return charts.find((c) => c.namespace === namespace) ?? own;
}

interface DocumentMetadata {
  readonly name: string;
  readonly namespace: string;
  /** The workload's pod selector, for a workload's Telemetry. */
  readonly matchLabels?: () => Readonly<Record<string, string>>;
}

interface MergedTelemetry {
  readonly overrides?: Record<
    string,
    { readonly match: Record<string, unknown>; readonly tagOverrides?: Record<string, unknown> }
  >;
  readonly tracing?: TelemetryTracing;
  readonly accessLogging?: TelemetryAccessLogging;
}

/** One Telemetry resource and the merged contributions it renders. */
class TelemetryDocument extends Construct {
  private readonly merger: FragmentMerger;

  constructor(scope: Construct, id: string, mesh: IIstioMesh, metadata: DocumentMetadata) {
    super(scope, id);
    this.merger = new FragmentMerger(`Telemetry "${metadata.namespace}/${metadata.name}"`, [
      'tracing.customTags.*',
      'overrides.*.match',
    ]);
    const props = {
      metadata: { name: metadata.name, namespace: metadata.namespace },
      spec: Lazy.any({ produce: () => this.renderSpec(metadata) }),
    };
    markCelDeclared(
      mesh.policy.mechanisms.telemetryApiVersion === 'telemetry.istio.io/v1'
        ? new Telemetry(this, 'Resource', props)
        : new TelemetryV1Alpha1(this, 'Resource', props),
    );
  }

  add(contributor: IConstruct, fragment: Record<string, unknown>): void {
    const conflicts = this.merger.add(contributor.node.path, fragment);
    // A conflicting contribution is not merged; it is reported at synth against its contributor.
    refuseInput(contributor, conflicts);
  }

  /** Overrides render in the order they were first contributed; tag keys are sorted by cdk8s. */
  private renderSpec(metadata: DocumentMetadata): Record<string, unknown> {
    const merged = this.merger.toValue() as MergedTelemetry;
    const overrides = sortedValues(merged.overrides ?? {});
    const tracing = merged.tracing;
    return {
      ...(metadata.matchLabels ? { selector: { matchLabels: metadata.matchLabels() } } : {}),
      ...(overrides.length > 0 ? { metrics: [{ providers: [{ name: PROMETHEUS_PROVIDER }], overrides }] } : {}),
      ...(tracing
        ? {
            tracing: [
              {
                ...(tracing.provider !== undefined ? { providers: [{ name: tracing.provider }] } : {}),
                ...(tracing.randomSamplingPercentage !== undefined
                  ? { randomSamplingPercentage: tracing.randomSamplingPercentage }
                  : {}),
                ...(tracing.customTags !== undefined ? { customTags: tracing.customTags } : {}),
              },
            ],
          }
        : {}),
      ...(merged.accessLogging ? { accessLogging: [accessLoggingEntry(merged.accessLogging)] } : {}),
    };
  }
}

/** One `accessLogging[]` entry, keys in the API's order. */
function accessLoggingEntry(logging: TelemetryAccessLogging): Record<string, unknown> {
  return {
    ...(logging.provider !== undefined ? { providers: [{ name: logging.provider }] } : {}),
    ...(logging.filter !== undefined ? { filter: { expression: logging.filter } } : {}),
    ...(logging.disabled !== undefined ? { disabled: logging.disabled } : {}),
  };
}
