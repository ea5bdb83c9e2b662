import { AccessLogging } from '../../../constructs/logging/access-logging';
import { sortedEntries } from '../../../core/merge/sorted-entries';
import type { SectionBuilder } from './section-builder';

/** `accessLogging:`: access logs for the mesh, a namespace or a workload. */
export const accessLoggingSection: SectionBuilder = {
  section: 'accessLogging',
  build(context, mesh) {
    const { chart } = context;
    for (const [id, a] of sortedEntries(context.config.accessLogging ?? {})) {
      context.piece(['accessLogging', id], chart, [id], () => {
        new AccessLogging(chart, id, {
          mesh,
          ...(a.target !== undefined ? { target: context.target(a.target, ['target']) } : {}),
          file: a.file,
          openTelemetry: a.openTelemetry,
          filter: a.filter,
          disabled: a.disabled,
          ...(a.ztunnel !== undefined ? { ztunnel: a.ztunnel } : {}),
        });
      });
    }
  },
};
