import { isCelDeclared } from '../../core/contracts/construct-sources';
import { builtMeshes } from '../../core/contracts/istio-mesh';
import type { FieldPath } from '../../core/problems/field-path';
import { problem } from '../../core/problems/problem';
import { MESH_CONFIG_KINDS } from '../../model/install-inputs';
import { WORKLOAD_KINDS } from '../../model/pod-templates';
import {
  cardinalityOf,
  declaredDimensions,
  estimateInputs,
  formatFactor,
  formatSeries,
  seriesEstimates,
} from '../review/series-estimate';
import type { AppRule, RuleFinding, ValidationContext } from '../rule';
import { celSites } from './cel-expression';

/** The fix for a dimension whose values have no bound. */
const CLASSIFY_HINT =
  'classify it into a few values with an attribute generator (attributeGenerators in observability.yaml, AttributeGen in TypeScript: one value per CEL condition, read as the generated attribute), as istio.io\'s "Classifying Metrics Based on Request or Response" does for paths, or remove the dimension';

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
  remediation:
    'Read a bounded value (a method, a status class) instead of a path, header, id or address, or classify the requests first.',
  kinds: ['Telemetry', ...MESH_CONFIG_KINDS, ...WORKLOAD_KINDS],
  severity: 'error',
  docs: 'docs/validation.md#series-cardinality',
  check(context: ValidationContext): RuleFinding[] {
    const budgets = builtMeshes(context.constructs).filter((m) => m.seriesBudget !== undefined);
    const budgeted = budgets.length > 0;
    const inputs = estimateInputs(context.objects);
    const findings: RuleFinding[] = [];
    const unboundedFinding = (path: string, field: FieldPath, expression: string, metric: string | undefined) => {
      const c = cardinalityOf(expression, inputs);
      if (!('unbounded' in c)) return;
      findings.push({
        path,
        severity: budgeted ? 'error' : 'warning',
        ...problem(field, expression, 'a dimension with a bounded set of values', {
          what: `reads ${c.unbounded}, which takes a value per request: each becomes a Prometheus series of ${metric ?? 'every standard metric'}`,
          hint: CLASSIFY_HINT,
        }),
      });
    };
    // Dimensions a construct declared are reported at the construct (and so at the config key that
    // made it); those of objects no construct built, at the object.
    for (const { construct, site } of celSites(context.constructs)) {
      if (site.field[0] !== 'dimensions' || site.result !== 'any') continue;
      const metric = site.metric ?? 'its metric';
      unboundedFinding(construct.node.path, site.field, site.expression, metric);
    }
    const written = context.objects.filter((o) => !(o.apiObject && isCelDeclared(o.apiObject)));
    for (const dimension of declaredDimensions(written)) {
      if (dimension.expression === undefined) continue;
      const metric = dimension.metric === undefined ? undefined : `istio_${dimension.metric}`;
      unboundedFinding(dimension.path, dimension.field, dimension.expression, metric);
    }
    if (!budgeted) return findings;
    const estimates = seriesEstimates(context.objects, inputs);
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
          .map((f) => `${f.label} ${formatFactor(f.values)}`)
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
