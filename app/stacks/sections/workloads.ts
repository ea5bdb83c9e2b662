import { AppMetricsEndpoints } from '../../../constructs/metrics/app-metrics-endpoints';
import {
  describeWorkload,
  type ObservedWorkload,
  WorkloadKind,
  WorkloadRef,
  workloadNamespace,
  workloadSelector,
} from '../../../constructs/proxy-config/workload-ref';
import { ObservabilityConfigError, problem } from '../../../core/errors';
import { jsonEqual } from '../../../core/json-values';
import { sortedEntries } from '../../../core/merge/sorted-entries';
import { formatValue } from '../../../core/problems/problem';
import type { WorkloadConfig } from '../../config/observability-config';
import { readOwnAnnotations } from '../workload-manifest';
import type { SectionBuilder } from './section-builder';

/** The config's kind names, typed both ways so the schema and the enum cannot drift apart. */
const WORKLOAD_KINDS: Readonly<Record<NonNullable<WorkloadConfig['kind']>, WorkloadKind>> = {
  Deployment: WorkloadKind.DEPLOYMENT,
  StatefulSet: WorkloadKind.STATEFUL_SET,
  DaemonSet: WorkloadKind.DAEMON_SET,
  Rollout: WorkloadKind.ROLLOUT,
};

/**
 * `workloads:`: each declared workload becomes a target by name. A workload this app builds
 * (the demo app's) keeps its own pod template, and its declaration must select its pods; any other
 * is a {@link WorkloadRef}, in the chart of its namespace.
 */
export const workloadsSection: SectionBuilder = {
  section: 'workloads',
  build(context, mesh) {
    for (const [name, w] of sortedEntries(context.config.workloads ?? {})) {
      const namespace = w.namespace ?? context.config.namespace;
      const scope = context.workloadScope(namespace);
      context.piece(['workloads', name], scope, [name], () => {
        const built = context.findWorkload(name);
        if (built && !WorkloadRef.isWorkloadRef(built)) {
          const problems = builtWorkloadProblems(built, namespace, w.selector);
          if (problems.length > 0) throw new ObservabilityConfigError(scope, problems);
          return;
        }
        const twin = [...context.declaredWorkloads].find(
          ([other, workload]) =>
            other !== name &&
            workloadNamespace(workload) === namespace &&
            jsonEqual(workloadSelector(workload), w.selector),
        );
        if (twin) {
          throw new ObservabilityConfigError(scope, [
            problem(['selector'], w.selector, `a selector no other workload of namespace "${namespace}" has`, {
              what: `selects the same pods as workload "${twin[0]}": a Telemetry or patch for one would apply to both`,
              hint: 'add the label that tells them apart, e.g. app',
            }),
          ]);
        }
        const kind = WORKLOAD_KINDS[w.kind ?? 'Deployment'];
        const own =
          w.manifest === undefined
            ? undefined
            : readOwnAnnotations(context.baseDir, w.manifest, { kind, name: w.name ?? name, namespace });
        if (Array.isArray(own)) throw new ObservabilityConfigError(scope, own);
        const waypoint =
          w.waypoint === undefined || w.waypoint === 'none' ? w.waypoint : context.waypoint(w.waypoint, ['waypoint']);
        const ref = new WorkloadRef(scope, name, {
          name: w.name ?? name,
          namespace,
          selector: w.selector,
          kind,
          dataplane: mesh.dataplaneOf(namespace),
          ...(waypoint ? { waypoint } : {}),
          ...(w.service !== undefined ? { service: w.service } : {}),
          ...(own ? { ownAnnotations: own } : {}),
          ...(w.sidecar === false ? { sidecar: false } : {}),
          ...(w.inject === false ? { inject: false } : {}),
        });
        if (waypoint && waypoint !== 'none') mesh.namespaces.addServiceAttachment(waypoint, namespace);
        context.addWorkload(name, ref);
      });
      const endpoints = w.metricsEndpoints;
      const workload = context.findWorkload(name);
      if (endpoints === undefined || workload === undefined) continue;
      if (w.sidecar === false) {
        // Metrics merging is the sidecar agent's: without one, nothing scrapes these ports for Istio.
        context.piece(['workloads', name], scope, [`${name}-metrics`], () => {
          throw new ObservabilityConfigError(scope, [
            problem(['metricsEndpoints'], endpoints, 'no metricsEndpoints for a workload with sidecar: false', {
              what: "are merged by the sidecar's agent, and this workload runs without one",
            }),
          ]);
        });
        continue;
      }
      context.piece(
        ['workloads', name],
        scope,
        [`${name}-metrics`],
        () => new AppMetricsEndpoints(scope, `${name}-metrics`, { mesh, workload, endpoints }),
        { endpoints: 'metricsEndpoints' },
      );
    }
  },
};

/** A declaration of a workload the app builds must name its namespace and select its pods. */
function builtWorkloadProblems(
  built: ObservedWorkload,
  namespace: string,
  selector: Readonly<Record<string, string>>,
): ReturnType<typeof problem>[] {
  const builtNamespace = workloadNamespace(built);
  if (builtNamespace !== namespace) {
    return [
      problem(
        ['namespace'],
        namespace,
        `the namespace of ${describeWorkload(built)}, which this app builds: ${formatValue(builtNamespace)}`,
      ),
    ];
  }
  // The labels its author set; cdk8s's address label is no selector a reader would write.
  const labels: Record<string, string> = Object.fromEntries(
    Object.entries<string>('podMetadata' in built ? (built.podMetadata.toJson().labels ?? {}) : {}).filter(
      ([key]) => key !== 'cdk8s.io/metadata.addr',
    ),
  );
  const missing = Object.entries(selector).filter(([key, value]) => labels[key] !== value);
  if (missing.length === 0) return [];
  return [
    problem(['selector'], selector, `labels of the pods of ${describeWorkload(built)}: ${formatValue(labels)}`, {
      what: 'does not match the pods of the workload this app builds, so its Telemetry would select none of them',
    }),
  ];
}
