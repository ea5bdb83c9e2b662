import { AttributeGen } from '../../../constructs/attributes/attribute-gen';
import type { DimensionValue } from '../../../constructs/attributes/generated-attribute';
import { MetricDefinition } from '../../../constructs/metrics/metric-definition';
import { MetricDimensions } from '../../../constructs/metrics/metric-dimensions';
import { StatsInclusion } from '../../../constructs/stats/stats-inclusion';
import { sortedEntries } from '../../../core/merge/sorted-entries';
import {
  definitionDimensions,
  METRIC_IMPLEMENTATIONS,
  METRIC_TYPES,
  proxyKinds,
  standardMetric,
  WASM_PHASES,
} from '../config-values';
import type { SectionBuilder } from './section-builder';

/** `statsInclusion:`: extra Envoy stats the proxies keep. */
export const statsInclusionSection: SectionBuilder = {
  section: 'statsInclusion',
  build(context, mesh) {
    const { chart } = context;
    for (const [id, s] of sortedEntries(context.config.statsInclusion ?? {})) {
      context.piece(['statsInclusion', id], chart, [id], () => {
        new StatsInclusion(chart, id, { mesh, ...s, target: context.target(s.target, ['target']) });
      });
    }
  },
};

/** `attributeGenerators:`: new request attributes, which later dimensions may read. */
export const attributeGeneratorsSection: SectionBuilder = {
  section: 'attributeGenerators',
  build(context, mesh) {
    const { chart } = context;
    for (const [id, g] of sortedEntries(context.config.attributeGenerators ?? {})) {
      context.piece(['attributeGenerators', id], chart, [id], () => {
        const generator = new AttributeGen(chart, id, {
          mesh,
          name: g.name,
          namespace: g.namespace,
          proxies: proxyKinds(g.proxies),
          workload: g.workload === undefined ? undefined : context.workload(g.workload, ['workload']),
          module: g.module,
          sha256: g.sha256,
          phase: g.phase === undefined ? undefined : WASM_PHASES[g.phase],
        });
        const attributes = sortedEntries(g.attributes).map(([name, rules]) => generator.addAttribute(name, rules));
        // Recorded once every attribute is accepted, so a refused generator offers none.
        for (const attribute of attributes) context.addAttribute(id, attribute);
      });
    }
  },
};

/** `metricDimensions:`: dimensions added to, and labels removed from, standard metrics. */
export const metricDimensionsSection: SectionBuilder = {
  section: 'metricDimensions',
  build(context, mesh) {
    const { chart } = context;
    for (const [id, d] of sortedEntries(context.config.metricDimensions ?? {})) {
      context.piece(['metricDimensions', id], chart, [id], () => {
        const dimensions: Record<string, DimensionValue> = {};
        for (const [name, value] of sortedEntries(d.dimensions ?? {})) {
          dimensions[name] = typeof value === 'string' ? value : context.attribute(value, ['dimensions', name]);
        }
        new MetricDimensions(chart, id, {
          mesh,
          metric: standardMetric(chart, d.metric),
          proxies: proxyKinds(d.proxies),
          target: d.target === undefined ? undefined : context.target(d.target, ['target']),
          dimensions,
          tagsToRemove: d.tagsToRemove,
          extraStatTagsFor: d.extraStatTagsFor?.map((w, i) => context.workload(w, ['extraStatTagsFor', i])),
        });
      });
    }
  },
};

/** `metricDefinitions:`: new metrics. */
export const metricDefinitionsSection: SectionBuilder = {
  section: 'metricDefinitions',
  build(context, mesh) {
    const { chart } = context;
    for (const [id, d] of sortedEntries(context.config.metricDefinitions ?? {})) {
      context.piece(['metricDefinitions', id], chart, [id], () => {
        new MetricDefinition(chart, id, {
          mesh,
          name: d.name,
          type: METRIC_TYPES[d.type],
          value: d.value,
          proxies: proxyKinds(d.proxies),
          dimensions: definitionDimensions(d.dimensions),
          standardLabels: d.standardLabels,
          implementation: d.implementation === undefined ? undefined : METRIC_IMPLEMENTATIONS[d.implementation],
        });
      });
    }
  },
};
