import { isMapping, listOf, mappingAt } from '../../json-values';
import { standardMetricProblems } from '../../metrics/standard-metric-name-checks';
import { STANDARD_METRIC_NAMES } from '../../metrics/standard-metrics';
import type { AppRule, RuleFinding, ValidationContext } from '../rule';

/**
 * The stats filter applies a configOverride `metrics[]` entry to the metric of that name: a
 * standard base name or one the same proxy's `definitions` define. A Prometheus series name
 * (`request_duration_milliseconds_count`, `request_bytes_bucket`) or the `istio_` prefix matches
 * nothing, silently (istio/istio#27764, #35395).
 */
export const configOverrideMetricsRule: AppRule = {
  id: 'config-override-metrics',
  summary:
    'Every metrics[].name of an IstioOperator stats configOverride names a standard metric by its base name (requests_total, request_duration_milliseconds, ...) or a metric the same definitions define: a series name such as request_duration_milliseconds_count, or istio_requests_total, matches nothing and the override is silently lost (istio/istio#27764).',
  check(context: ValidationContext): RuleFinding[] {
    const findings: RuleFinding[] = [];
    for (const { path, manifest } of context.objects) {
      if (manifest.kind !== 'IstioOperator') continue;
      const overrides = mappingAt(manifest, 'spec', 'values', 'telemetry', 'v2', 'prometheus', 'configOverride');
      for (const [proxy, override] of Object.entries(overrides)) {
        if (!isMapping(override)) continue;
        const defined = listOf(override.definitions).flatMap((d) =>
          isMapping(d) && typeof d.name === 'string' ? [d.name] : [],
        );
        listOf(override.metrics).forEach((metric, m) => {
          const name = isMapping(metric) ? metric.name : undefined;
          if (typeof name !== 'string' || defined.includes(name)) return;
          const field = [
            'spec',
            'values',
            'telemetry',
            'v2',
            'prometheus',
            'configOverride',
            proxy,
            'metrics',
            m,
            'name',
          ];
          for (const found of standardMetricProblems(field, name, STANDARD_METRIC_NAMES))
            findings.push({ path, ...found });
        });
      }
    }
    return findings;
  },
};
