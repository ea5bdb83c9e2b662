import { problem } from '../errors';
import type { FieldPath } from '../problems/field-path';
import type { InputRule } from '../problems/input-rule';
import type { Problem } from '../problems/problem';

export const standardMetricNameRule: InputRule = {
  id: 'standard-metric-name',
  summary:
    'A customized metric is one of the ten standard base names (`requests_total`, ...): `request_duration_milliseconds_count` or `istio_requests_total` match nothing (istio/istio#27764), so they are refused with the name to use.',
};

const SERIES_SUFFIXES = ['_count', '_sum', '_bucket'];

/** Problems with the name of a standard metric to customize; points at the base name when a series name is given. */
export function standardMetricProblems(field: FieldPath, name: string, standardNames: readonly string[]): Problem[] {
  if (standardNames.includes(name)) return [];
  const base = SERIES_SUFFIXES.map((s) => (name.endsWith(s) ? name.slice(0, -s.length) : '')).find((b) =>
    standardNames.includes(b),
  );
  const unprefixed = name.startsWith('istio_') ? name.slice('istio_'.length) : undefined;
  const hint = base
    ? `; use the base name "${base}" (istio/istio#27764)`
    : unprefixed !== undefined && standardNames.includes(unprefixed)
      ? `; use "${unprefixed}" without the istio_ prefix Prometheus adds`
      : '';
  return [problem(field, name, `a standard metric base name (${standardNames.join(', ')})${hint}`)];
}
