import { problem } from '../../problems/problem';
import {
  cardinalityOf,
  declaredDimensions,
  estimateInputs,
  formatSeries,
  seriesEstimates,
} from '../../review/series-estimate';
import { builtMeshes } from '../built-meshes';
import type { AppRule, RuleFinding, ValidationContext } from '../rule';

/** The fix for a dimension whose values have no bound. */
const CLASSIFY_HINT =
  'classify it into a few values with an attribute generator (AttributeGenerator: one value per CEL condition, read as the generated attribute), as istio.io\'s "Classifying Metrics Based on Request or Response" does for paths, or remove the dimension';

/**
 * Every added dimension multiplies its metric's series by the number of values it takes; one read
 * from a path, a header, an id or an address takes a value per request, and Prometheus keeps a
 * series for each (istio.io "Classifying Metrics Based on Request or Response"). Those are warnings;
 * with a mesh `seriesBudget`, they and any metric estimated above the budget are errors.
 */
export const seriesCardinalityRule: AppRule = {
  id: 'series-cardinality',
  summary:
    "A metric dimension (Telemetry tagOverrides, IstioOperator configOverride) reads values with a bound: one read from a path, a header, an id or an address makes a Prometheus series per request (a warning, an error under the mesh's seriesBudget); with a seriesBudget, no standard metric's estimated series (REPORT.md's upper bound) exceeds it.",
  check(context: ValidationContext): RuleFinding[] {
    const budgets = builtMeshes(context.constructs).filter((m) => m.seriesBudget !== undefined);
    const budgeted = budgets.length > 0;
    const inputs = estimateInputs(context.objects);
    const findings: RuleFinding[] = [];
    for (const dimension of declaredDimensions(context.objects)) {
      if (dimension.expression === undefined) continue;
      const c = cardinalityOf(dimension.expression, inputs);
      if (!('unbounded' in c)) continue;
      const metric = dimension.metric === undefined ? 'every standard metric' : `istio_${dimension.metric}`;
      findings.push({
        path: dimension.path,
        severity: budgeted ? 'error' : 'warning',
        ...problem(dimension.field, dimension.expression, 'a dimension with a bounded set of values', {
          what: `reads ${c.unbounded}, which takes a value per request: each becomes a Prometheus series of ${metric}`,
          hint: CLASSIFY_HINT,
        }),
      });
    }
    if (!budgeted) return findings;
    const estimates = seriesEstimates(context.objects);
    for (const mesh of budgets) {
      const budget = mesh.seriesBudget as number;
      for (const estimate of estimates) {
        if (estimate.series !== 'unbounded' && estimate.series <= budget) continue;
        const largest = estimate.factors
          .filter((f) => f.values === 'unbounded' || f.values > 1)
          .sort(
            (a, b) =>
              (b.values === 'unbounded' ? Infinity : b.values) - (a.values === 'unbounded' ? Infinity : a.values),
          )
          .slice(0, 3)
          .map((f) => `${f.label} ×${f.values === 'unbounded' ? '∞' : f.values}`)
          .join(', ');
        findings.push({
          path: mesh.node.path,
          ...problem(['seriesBudget'], budget, `at least the estimate of ${estimate.metric}`, {
            what:
              estimate.series === 'unbounded'
                ? `${estimate.metric} has no bound: a dimension takes a value per request (largest factors: ${largest})`
                : `${estimate.metric} is estimated at ${formatSeries(estimate.series)} series (an upper bound; largest factors: ${largest})`,
            hint: 'remove or classify the dimensions that multiply it, or raise the budget',
          }),
        });
      }
    }
    return findings;
  },
};
