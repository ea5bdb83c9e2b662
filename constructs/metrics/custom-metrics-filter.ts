import type { ApiObject } from 'cdk8s';
import { Lazy } from 'cdk8s';
import { Construct, type IConstruct } from 'constructs';
import { ALL_PROXY_KINDS, type ProxyKind } from '../../core/istio/proxy-kind';
import { STANDARD_METRIC_NAMES } from '../../core/istio/standard-metrics';
import { FragmentMerger } from '../../core/merge/fragment-merger';
import { sortedValues } from '../../core/merge/sorted-entries';
import { refuseInput } from '../../core/problems/construct-problems';
import {
  EnvoyFilter,
  type EnvoyFilterSpecConfigPatches,
  EnvoyFilterSpecConfigPatchesApplyTo,
  EnvoyFilterSpecConfigPatchesPatchOperation,
} from '../../imports/networking.istio.io';
import type { StatsMetricConfig, StatsMetricDefinition } from '../overlays/istio-operator';
import { httpFilterMatch } from './envoy-filter-match';

export interface CustomMetricsFilterProps {
  /** metadata.name of the EnvoyFilter. */
  readonly name: string;
  /** The root namespace, so the filter applies to every proxy. */
  readonly namespace: string;
  /** RE2 regex matching the target release's proxies only. */
  readonly proxyVersion: string;
}

/** Any priority but 0 keeps istioctl analyze from IST0151/IST0155; positive applies after default-priority filters. */
export const CUSTOM_METRICS_PRIORITY = 10;

/** The filter name of the extra stats instance; Envoy finds the factory by the TypedStruct type_url. */
export const CUSTOM_METRICS_FILTER = 'istio.stats.custom_metrics';

/**
 * New metric definitions where the Telemetry API is the metrics mechanism and the definition asks
 * for the stats filter ({@link MetricImplementation.STATS_FILTER}): the Telemetry API cannot define
 * metrics on any release (istio/istio#42128, istio/api#2661), and the native filter of every
 * release still accepts `definitions` (istio/proxy@81864a1c:source/extensions/filters/http/
 * istio_stats/istio_stats.cc lines 504-531).
 *
 * Shape, and why: the stats-filter-1.17…1.20 templates inserted `istio.stats` before the router
 * as a `TypedStruct` of `type.googleapis.com/stats.PluginConfig`; this filter inserts a second
 * instance the same way, carrying only the new definitions (and their dimensions) and dropping
 * every standard metric, so the standard series are not reported twice. It does not MERGE into
 * istiod's filter: istiod appends repeated fields on MERGE (istio/istio@1.30.3:pkg/proto/merge/
 * merge.go mergeList), and a TypedStruct MERGE into istiod's typed `stats.PluginConfig` panics on
 * the descriptor mismatch, after which istiod drops every listener patch of that proxy
 * (@1.30.3:pilot/pkg/networking/core/envoyfilter/listener_patch.go).
 *
 * `priority` is set: an INSERT_BEFORE without one draws istioctl analyze IST0151 (IST0155 with a
 * proxyVersion) (istio/istio@1.30.3:pkg/config/analysis/analyzers/envoyfilter/envoyfilter.go), and
 * a positive one applies it after EnvoyFilters of the default priority. Matched to the target
 * release's proxies only, like Istio's own versioned filters. No Istio test runs two stats filter
 * instances; the definition's warning says so.
 */
export class CustomMetricsFilter extends Construct {
  private readonly merger = new FragmentMerger('custom metrics EnvoyFilter', ['*.definitions.*', '*.metrics.*']);
  readonly envoyFilter: ApiObject;

  constructor(
    scope: Construct,
    id: string,
    private readonly props: CustomMetricsFilterProps,
  ) {
    super(scope, id);
    this.envoyFilter = new EnvoyFilter(this, 'Resource', {
      metadata: { name: props.name, namespace: props.namespace },
      spec: { priority: CUSTOM_METRICS_PRIORITY, configPatches: Lazy.any({ produce: () => this.configPatches() }) },
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
    // A conflicting contribution is not merged; it is reported at synth against its contributor.
    refuseInput(contributor, conflicts);
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
