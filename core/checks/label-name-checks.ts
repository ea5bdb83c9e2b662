import { problem } from '../errors';
import { isPrometheusLabelName } from '../names';
import type { InputRule } from '../problems/input-rule';
import type { Problem } from '../problems/problem';

export const prometheusLabelNameRule: InputRule = {
  id: 'prometheus-label-name',
  summary:
    'Dimension names are Prometheus label names (`[a-zA-Z_][a-zA-Z0-9_]*`, not starting with `__`) and not standard labels: Prometheus cannot ingest other names, and standard labels are set by Istio.',
};

/** Problems with a new dimension name. */
export function dimensionNameProblems(name: string, standardLabels: readonly string[]): Problem[] {
  const problems: Problem[] = [];
  if (!isPrometheusLabelName(name)) {
    problems.push(
      problem(['dimensions', name], name, 'a Prometheus label name ([a-zA-Z_][a-zA-Z0-9_]*, not starting with __)'),
    );
  }
  if (standardLabels.includes(name)) {
    problems.push(
      problem(
        ['dimensions', name],
        name,
        'a new label name; standard labels are set by Istio (remove it with tagsToRemove)',
      ),
    );
  }
  return problems;
}
