import { standardMetricProblems } from '../../core/checks/standard-metric-name-checks';
import { STANDARD_METRIC_NAMES } from '../../core/istio/standard-metrics';
import { isMapping, listOf } from '../../core/json-values';
import { statement } from '../../core/problems/problem';
import { MESH_CONFIG_KINDS, statsConfigOverrides } from '../../model/install-inputs';
import type { AppRule, RuleFinding, ValidationContext } from '../rule';

/** Fields of the Wasm stats plugin's config (istio/proxy release-1.17 extensions/stats/config.proto) the native filter does not have. */
const WASM_ONLY_FIELDS = ['debug', 'stat_prefix'];

/**
 * The stats filter applies a configOverride `metrics[]` entry to the metric of that name: a
 * standard base name or one the same proxy's `definitions` define. A Prometheus series name
 * (`request_duration_milliseconds_count`, `request_bytes_bucket`) or the `istio_` prefix matches
 * nothing, silently (istio/istio#27764, #35395).
 */
export const configOverrideRule: AppRule = {
  id: 'config-override',
  scope: 'object',
  summary:
    "Every metrics[].name of a stats configOverride (IstioOperator, istiod Helm values, Sail Istio) names a standard metric by its base name (requests_total, request_duration_milliseconds, ...) or a metric the same definitions define: a series name such as request_duration_milliseconds_count, or istio_requests_total, matches nothing and the override is silently lost (istio/istio#27764). The Wasm plugin's debug and stat_prefix, which istio.io's own task still shows, are a warning: the native filter (1.17+) ignores them.",
  remediation:
    "Name each metric by its standard base name (requests_total) or a name its definitions define, and drop the Wasm plugin's fields.",
  kinds: [...MESH_CONFIG_KINDS],
  severity: 'error',
  docs: 'docs/validation.md#config-override',
  check(context: ValidationContext): RuleFinding[] {
    const findings: RuleFinding[] = [];
    for (const { path, manifest } of context.objects) {
      for (const { field, override } of statsConfigOverrides(manifest)) {
        for (const key of WASM_ONLY_FIELDS) {
          if (override[key] === undefined) continue;
          findings.push({
            path,
            severity: 'warning',
            ...statement(
              [...field, key],
              `is a field of the Wasm stats plugin; the native stats filter of Istio 1.17+ reserves it and ignores it (istio/proxy@81864a1c:source/extensions/filters/http/istio_stats/config.proto)`,
              'remove it',
            ),
          });
        }
        const defined = listOf(override.definitions).flatMap((d) =>
          isMapping(d) && typeof d.name === 'string' ? [d.name] : [],
        );
        listOf(override.metrics).forEach((metric, m) => {
          const name = isMapping(metric) ? metric.name : undefined;
          if (typeof name !== 'string' || defined.includes(name)) return;
          for (const found of standardMetricProblems([...field, 'metrics', m, 'name'], name, STANDARD_METRIC_NAMES))
            findings.push({ path, ...found });
        });
      }
    }
    return findings;
  },
};
