import { ServiceLevelObjective } from '../../../constructs/backends/service-level-objective';
import { ObservabilityConfigError } from '../../../core/errors';
import { sortedEntries } from '../../../core/merge/sorted-entries';
import { statement } from '../../../core/problems/problem';
import type { SectionBuilder } from './section-builder';

/**
 * `slos:`: service level objectives, in the backends chart; the backends' alert rules (the
 * PrometheusRule, the plain rule file) and the dashboards read them at synth.
 */
export const slosSection: SectionBuilder = {
  section: 'slos',
  build(context, mesh) {
    const slos = context.config.slos ?? {};
    const chart = context.backendsChart;
    const b = context.config.backends;
    // Where the objectives' rules are evaluated: a Prometheus with the alert rules of either kind.
    const operator = b?.prometheusOperator !== false && (b?.prometheusOperator?.alerts ?? true);
    const plain = b?.scrapeConfig !== undefined && (b.scrapeConfig.alerts ?? true);
    for (const [id, s] of sortedEntries(slos)) {
      // Refused backends say why once; an objective on them would only repeat it.
      if (b && chart && !context.backends) continue;
      const scope = chart ?? context.chart;
      context.piece(['slos', id], scope, [id], () => {
        if (!chart || !context.backends || !(operator || plain)) {
          throw new ObservabilityConfigError(scope, [
            statement(
              undefined,
              'no Prometheus evaluates this objective: no backend writes alert rules',
              'declare backends.prometheusOperator (its alerts are on by default) or backends.scrapeConfig',
            ),
          ]);
        }
        const service = s.service?.split('/');
        new ServiceLevelObjective(chart, id, {
          mesh,
          ...(s.workload !== undefined ? { workload: context.workload(s.workload, ['workload']) } : {}),
          ...(service ? { service: { namespace: service[0] as string, name: service[1] as string } } : {}),
          availability: s.availability,
          latency: s.latency,
          window: s.window,
        });
      });
    }
  },
};
