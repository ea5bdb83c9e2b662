import { problem } from '../errors';
import { isPrometheusMetricName } from '../names';
import type { InputRule } from '../problems/input-rule';
import type { Problem } from '../problems/problem';

export const metricDefinitionNameRule: InputRule = {
  id: 'metric-definition-name',
  summary:
    'A new metric has a Prometheus metric name without the istio_ prefix (Istio adds it) and does not redefine a standard metric, which the stats filter rejects ("Re-defining standard metric not allowed").',
};

/** Problems with the name of a new metric. */
export function metricDefinitionNameProblems(name: string, standardNames: readonly string[]): Problem[] {
  if (!isPrometheusMetricName(name)) {
    return [problem(['name'], name, 'a Prometheus metric name ([a-zA-Z_][a-zA-Z0-9_]*)')];
  }
  if (standardNames.includes(name)) {
    return [problem(['name'], name, 'a new metric name; redefining a standard metric is rejected by the stats filter')];
  }
  if (name.startsWith('istio_')) {
    return [problem(['name'], name, `a name without the istio_ prefix, which Istio adds ("${name.slice(6)}")`)];
  }
  return [];
}
