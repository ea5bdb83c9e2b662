import { Waypoint } from '../../../constructs/ambient/waypoint';
import { sortedEntries } from '../../../core/merge/sorted-entries';
import type { SectionBuilder } from './section-builder';

/** `waypoints:`: each a Gateway of class istio-waypoint in its namespace's chart, a target and attachment by name. */
export const waypointsSection: SectionBuilder = {
  section: 'waypoints',
  build(context, mesh) {
    for (const [name, w] of sortedEntries(context.config.waypoints ?? {})) {
      const namespace = w.namespace ?? context.config.namespace;
      const chart = context.chartFor(namespace);
      let waypoint: Waypoint | undefined;
      const built = context.piece(['waypoints', name], chart, [name], () => {
        waypoint = new Waypoint(chart, name, { mesh, namespace, ...(w.for ? { for: w.for } : {}) });
      });
      // A refused waypoint is no target: naming it is a follow-on of its own refusal.
      if (built && waypoint) context.addWaypoint(name, waypoint);
    }
  },
};

/**
 * `namespaces:`, and every namespace the config's workloads run in: each declared once to the mesh
 * with its data plane and waypoint, before the workloads, whose data plane is their namespace's.
 */
export const namespacesSection: SectionBuilder = {
  section: 'namespaces',
  build(context, mesh) {
    const declared = context.config.namespaces ?? {};
    const used = new Set<string>([
      context.config.namespace,
      ...Object.keys(declared),
      ...Object.values(context.config.workloads ?? {}).map((w) => w.namespace ?? context.config.namespace),
    ]);
    for (const namespace of [...used].sort()) {
      const n = declared[namespace] ?? {};
      context.piece(['namespaces', namespace], mesh.namespaces, [namespace], () => {
        const waypoint = n.waypoint === undefined ? undefined : context.waypoint(n.waypoint, ['waypoint']);
        mesh.namespaces.addNamespace(namespace, {
          ...(n.dataplane ? { dataplane: n.dataplane } : {}),
          ...(waypoint ? { waypoint } : {}),
        });
      });
    }
  },
};
