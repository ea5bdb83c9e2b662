import { JaegerStorage } from '../../../constructs/backends/jaeger-storage';
import { BACKEND_IDS, ObservabilityBackends } from '../../../constructs/backends/observability-backends';
import { PrometheusInstance } from '../../../constructs/backends/prometheus-instance';
import type { BackendsConfig } from '../../config/observability-config';
import type { SectionBuilder } from './section-builder';

/** `backends:`: Prometheus Operator objects, a scrape config, Jaeger, Grafana dashboards, Kiali. */
export const backendsSection: SectionBuilder = {
  section: 'backends',
  build(context, mesh) {
    const b = context.config.backends;
    const chart = context.backendsChart;
    if (!b || !chart) return;
    const backendsPath = `${chart.node.path}/backends`;
    // Each backend's findings, refusals included, point at its own key in the config.
    for (const [key, ids] of Object.entries(BACKEND_IDS) as [keyof typeof BACKEND_IDS, readonly string[]][]) {
      const location = b[key] !== undefined ? context.locate(['backends', key]) : undefined;
      for (const id of ids) if (location) context.locations.set(`${backendsPath}/${id}`, location);
    }
    let backends: ObservabilityBackends | undefined;
    const built = context.piece(['backends'], chart, ['backends'], () => {
      backends = new ObservabilityBackends(chart, 'backends', {
        mesh,
        prometheus: PrometheusInstance.kubePrometheusStack(b.prometheus),
        prometheusOperator: b.prometheusOperator,
        scrapeConfig: b.scrapeConfig,
        jaeger: b.jaeger && { ...b.jaeger, storage: jaegerStorage(b.jaeger.storage) },
        grafana: b.grafana,
        kiali: b.kiali,
        runbookUrl: b.runbookUrl,
      });
    });
    // Tracers default to the generated Jaeger only when the backends were built.
    if (built) context.backends = backends;
  },
};

function jaegerStorage(storage: NonNullable<BackendsConfig['jaeger']>['storage']): JaegerStorage {
  if (storage.memory) return JaegerStorage.memory(storage.memory);
  if (storage.badgerOnClaim !== undefined) return JaegerStorage.badgerOnClaim(storage.badgerOnClaim);
  return JaegerStorage.badgerOnEmptyDir();
}
