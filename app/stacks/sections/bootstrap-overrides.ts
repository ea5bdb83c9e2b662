import { BootstrapOverride } from '../../../constructs/bootstrap/bootstrap-override';
import {
  combineBootstrapOverrides,
  type EnvoyBootstrapOverride,
  statsdSinkOverride,
  zipkinTracingOverride,
} from '../../../constructs/bootstrap/envoy-bootstrap';
import { workloadNamespace } from '../../../constructs/proxy-config/workload-ref';
import { sortedEntries } from '../../../core/merge/sorted-entries';
import { ZIPKIN_ENDPOINT_VERSIONS } from '../config-values';
import type { SectionBuilder } from './section-builder';

/** `bootstrapOverrides:`: Envoy bootstrap overrides (Zipkin tracer, statsd sink) for workloads. */
export const bootstrapOverridesSection: SectionBuilder = {
  section: 'bootstrapOverrides',
  build(context) {
    for (const [id, b] of sortedEntries(context.config.bootstrapOverrides ?? {})) {
      // The ConfigMap goes where its pods are: the injector mounts it from their namespace.
      const first = b.workloads[0] === undefined ? undefined : context.findWorkload(b.workloads[0]);
      const namespace = (first && workloadNamespace(first)) ?? context.config.namespace;
      const chart = context.chartFor(namespace);
      context.piece(['bootstrapOverrides', id], chart, [id], () => {
        const parts: EnvoyBootstrapOverride[] = [];
        if (b.zipkin) {
          const { collectorEndpointVersion, ...zipkin } = b.zipkin;
          parts.push(
            zipkinTracingOverride({
              ...zipkin,
              collectorEndpointVersion:
                collectorEndpointVersion === undefined ? undefined : ZIPKIN_ENDPOINT_VERSIONS[collectorEndpointVersion],
            }),
          );
        }
        if (b.statsd) parts.push(statsdSinkOverride(b.statsd));
        new BootstrapOverride(chart, id, {
          name: b.name,
          bootstrap: combineBootstrapOverrides(...parts),
          workloads: b.workloads.map((w, i) => context.workload(w, ['workloads', i])),
        });
      });
    }
  },
};
