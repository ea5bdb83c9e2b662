import { Lazy } from 'cdk8s';
import { Construct, type IConstruct } from 'constructs';
import {
  EnvoyFilter,
  type EnvoyFilterSpecConfigPatches,
  EnvoyFilterSpecConfigPatchesApplyTo,
  EnvoyFilterSpecConfigPatchesPatchOperation,
} from '../../imports/networking.istio.io';
import { ObservabilityConfigError } from '../errors';
import { FragmentMerger } from '../merge/fragment-merger';
import { sortedValues } from '../merge/sorted-entries';
import type { StatsMetricConfig, StatsMetricDefinition } from '../overlays/istio-operator';
import { httpFilterMatch } from './envoy-filter-match';
import { ALL_PROXY_KINDS, type ProxyKind } from './proxy-kind';
import { STANDARD_METRIC_NAMES } from './standard-metrics';

export interface CustomMetricsFilterProps {
  /** metadata.name of the EnvoyFilter. */
  readonly name: string;
  /** The root namespace, so the filter applies to every proxy. */
  readonly namespace: string;
  /** RE2 regex matching the target release's proxies only. */
  readonly proxyVersion: string;
}

/** The filter name of the extra stats instance; Envoy finds the factory by the TypedStruct type_url. */
export const CUSTOM_METRICS_FILTER = 'istio.stats.custom_metrics';

/**
 * New metric definitions where the Telemetry API is the metrics mechanism: the Telemetry API
 * cannot define metrics on any release (facts A.4: istio/istio#42128, istio/api#2661), and a
 * `stats.PluginConfig` with `definitions` is the only way left.
 *
 * Shape, and why: the stats-filter-1.17…1.20 templates inserted `istio.stats` before the router
 * as a `TypedStruct` of `type.googleapis.com/stats.PluginConfig` (facts A.1); this filter inserts
 * a second instance the same way. It carries only the new definitions (and their dimensions),
 * and drops every standard metric, so the standard series are not reported twice (the duplication
 * of istio/istio#39772) and the Telemetry-generated filter is not touched. A MERGE into that
 * filter instead would depend on istiod merging a `TypedStruct` into its plain `stats.PluginConfig`
 * (what `istioctl proxy-config listener` shows on 1.18+), and would replace its `metrics` list
 * wholesale (Struct values merge per key).
 * Matched to the target release's proxies only, like Istio's own versioned filters. Not verified
 * against a running proxy; the custom-metrics-filter warning says so.
 */
export class CustomMetricsFilter extends Construct {
  private readonly merger = new FragmentMerger('custom metrics EnvoyFilter', ['*.definitions.*', '*.metrics.*']);
  readonly envoyFilter: EnvoyFilter;

  constructor(
    scope: Construct,
    id: string,
    private readonly props: CustomMetricsFilterProps,
  ) {
    super(scope, id);
    this.envoyFilter = new EnvoyFilter(this, 'Resource', {
      metadata: { name: props.name, namespace: props.namespace },
      spec: { configPatches: Lazy.any({ produce: () => this.configPatches() }) },
    });
  }

  /** Adds a new metric recorded by `proxy`. */
  addDefinition(contributor: IConstruct, proxy: ProxyKind, definition: StatsMetricDefinition): void {
    this.contribute(contributor, { [proxy]: { definitions: { [definition.name]: definition } } });
  }

  /** Adds dimensions to a metric defined here. */
  addDimensions(contributor: IConstruct, proxy: ProxyKind, metric: string, dimensions: Record<string, string>): void {
    this.contribute(contributor, { [proxy]: { metrics: { [metric]: { name: metric, dimensions } } } });
  }

  private contribute(contributor: IConstruct, fragment: Record<string, unknown>): void {
    const conflicts = this.merger.add(contributor.node.path, fragment);
    if (conflicts.length > 0) throw new ObservabilityConfigError(contributor, conflicts);
  }

  private configPatches(): EnvoyFilterSpecConfigPatches[] {
    const merged = this.merger.toValue() as Record<
      string,
      { definitions?: Record<string, StatsMetricDefinition>; metrics?: Record<string, StatsMetricConfig> }
    >;
    return ALL_PROXY_KINDS.filter((proxy) => merged[proxy] !== undefined).map((proxy) => {
      const plugin = merged[proxy] ?? {};
      const drop: StatsMetricConfig[] = STANDARD_METRIC_NAMES.map((name) => ({ name, drop: true }));
      return {
        applyTo: EnvoyFilterSpecConfigPatchesApplyTo.HTTP_UNDERSCORE_FILTER,
        match: httpFilterMatch(proxy, 'envoy.filters.http.router', this.props.proxyVersion),
        patch: {
          operation: EnvoyFilterSpecConfigPatchesPatchOperation.INSERT_UNDERSCORE_BEFORE,
          value: {
            // Not istio.stats: EnvoyFilters that match that sub-filter by name must keep finding istiod's.
            name: CUSTOM_METRICS_FILTER,
            typed_config: {
              '@type': 'type.googleapis.com/udpa.type.v1.TypedStruct',
              type_url: 'type.googleapis.com/stats.PluginConfig',
              value: {
                definitions: sortedValues(plugin.definitions ?? {}),
                metrics: [...drop, ...sortedValues(plugin.metrics ?? {})],
              },
            },
          },
        },
      };
    });
  }
}
