import { Construct, type IConstruct } from 'constructs';
import { problem } from '../../core/errors';
import { ENVOY_DEFAULT_BUCKETS, nearestBoundaries } from '../../core/istio/histogram-buckets';
import { isDnsLabel } from '../../core/names';
import { refuseInput } from '../../core/problems/construct-problems';
import { type Problem, statement } from '../../core/problems/problem';
import type { IstioMesh } from '../mesh/istio-mesh';
import { describeWorkload, isWorkloadRef, type ObservedWorkload } from '../proxy-config/workload-ref';
import { type MeshWorkload, meshWorkloads, workloadMatcher } from './mesh-workloads';
import type { RuleGroup } from './rule-groups';
import { eq, matches } from './rule-groups';
import { type Sli, type SloTarget, sloRuleGroup } from './slo-rules';

const SLO_BRAND = Symbol.for('cdk8s-istio-observability.ServiceLevelObjective');

/** A latency objective: the percentage of requests that finish within a threshold. */
export interface LatencyObjective {
  /**
   * The threshold in milliseconds: one of the boundaries of the proxies' request-duration
   * histogram (Envoy's defaults: 0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, …),
   * since a ratio under any other value cannot be read from the buckets.
   */
  readonly thresholdMs: number;
  /** The percentage of requests under the threshold, below 100, e.g. 99. */
  readonly objective: number;
}

/** A Service the objective measures, by namespace and name. */
export interface ServiceRef {
  readonly namespace: string;
  readonly name: string;
}

export interface ServiceLevelObjectiveProps {
  /** The mesh whose standard metrics measure the objective. */
  readonly mesh: IstioMesh;
  /** The workload whose served requests it measures. Give this or `service`. @default - `service` */
  readonly workload?: ObservedWorkload;
  /** The Service whose requests it measures, whichever workloads serve them. @default - `workload` */
  readonly service?: ServiceRef;
  /**
   * The percentage of requests that succeed (no 5xx, and gRPC status OK for gRPC), below 100.
   * @default - no availability objective (then `latency` is required)
   */
  readonly availability?: number;
  /** @default - no latency objective (then `availability` is required) */
  readonly latency?: LatencyObjective;
  /** The rolling window the objective holds over: whole days (`30d`) or weeks (`4w`), 7d to 90d. @default '30d' */
  readonly window?: string;
  /** The `slo` label of its series and alerts. @default - the construct id */
  readonly name?: string;
}

/** The shortest window: twice the ticket alert's 3d window, rounded to a week. */
const MIN_WINDOW_DAYS = 7;
/** The longest: its ratio is the average of a 5m ratio over the window, 25920 samples at 90d. */
const MAX_WINDOW_DAYS = 90;

/**
 * A service level objective on the mesh's standard metrics: availability (the ratio of requests
 * that are not 5xx and, for gRPC, OK) and latency (the ratio under a histogram boundary) of a
 * workload or a Service, with recording rules for the error ratios and multi-window multi-burn-rate
 * alerts (Google SRE Workbook, chapter 5). Each request is counted once, by the server side:
 * `reporter="destination"` for sidecars, `reporter="waypoint"` for an ambient workload's waypoint.
 * The Prometheus backends (PrometheusRule, plain rule file) and the dashboards pick it up at synth.
 */
export class ServiceLevelObjective extends Construct {
  static isServiceLevelObjective(x: unknown): x is ServiceLevelObjective {
    return typeof x === 'object' && x !== null && (x as Record<symbol, unknown>)[SLO_BRAND] === true;
  }

  /** Every objective of `mesh` in the app, by name. */
  static of(mesh: IstioMesh): ServiceLevelObjective[] {
    return mesh.node.root.node
      .findAll()
      .filter((c: IConstruct): c is ServiceLevelObjective => ServiceLevelObjective.isServiceLevelObjective(c))
      .filter((s) => s.mesh === mesh)
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  readonly mesh: IstioMesh;
  readonly name: string;
  readonly window: string;
  /** Its indicators, availability first. */
  readonly slis: readonly Sli[];
  /** What its queries select. */
  readonly target: SloTarget;

  constructor(scope: Construct, id: string, props: ServiceLevelObjectiveProps) {
    super(scope, id);
    Object.defineProperty(this, SLO_BRAND, { value: true });
    this.mesh = props.mesh;
    this.name = props.name ?? id;
    this.window = props.window ?? '30d';
    const problems: Problem[] = [];
    if (!isDnsLabel(this.name))
      problems.push(problem(['name'], this.name, 'a name of lowercase letters, digits and -'));
    // Its group is istio-slo-<name>: Prometheus refuses a rule file with two groups of one name.
    const twin = ServiceLevelObjective.of(this.mesh).find((o) => o !== this && o.name === this.name);
    if (twin) {
      problems.push(
        problem(['name'], this.name, 'a name no other objective of the mesh has', {
          what: `is the name of ${twin.node.path} too`,
        }),
      );
    }
    const windowDays = windowProblems(this.window, problems);
    const selected = this.selection(props, problems);
    const slis: Sli[] = [];
    if (props.availability === undefined && props.latency === undefined) {
      problems.push(statement(['availability'], 'is missing: an objective needs availability, latency or both'));
    }
    if (props.availability !== undefined && percentageProblems(['availability'], props.availability, problems)) {
      slis.push({ kind: 'availability', objective: props.availability });
    }
    if (props.latency !== undefined) {
      const ok = percentageProblems(['latency', 'objective'], props.latency.objective, problems);
      if (thresholdProblems(props.latency.thresholdMs, selected?.buckets ?? ENVOY_DEFAULT_BUCKETS, problems) && ok) {
        slis.push({ kind: 'latency', objective: props.latency.objective, thresholdMs: props.latency.thresholdMs });
      }
    }
    this.slis = slis;
    this.target = {
      name: this.name,
      matchers: selected?.matchers ?? [],
      description: selected?.description ?? this.name,
      windowDays,
    };
    // Reported at synth with every other construct's problems; nothing is written until they are fixed.
    refuseInput(this, problems);
  }

  /** Its rule group: the error ratios, the objective and the burn-rate alerts. */
  ruleGroup(runbook: (alert: string) => string): RuleGroup {
    return sloRuleGroup(this.target, this.slis, runbook);
  }

  /**
   * The reporter matcher of a Service's requests: those of the declared workloads behind it
   * (`workloads.<name>.service`), else its namespace's data plane; a Service with both sidecar and
   * waypoint-served pods reads both, each request reported by one of them. Undefined when ambient
   * pods without a waypoint serve it.
   */
  private serviceReporter(namespace: string, name: string): string | undefined {
    const behind = meshWorkloads(this.mesh).filter(
      (w) => w.namespace === namespace && isWorkloadRef(w.construct) && w.construct.service === name,
    );
    const sides = new Set(
      behind.length > 0
        ? behind.map(reporterOf)
        : [
            reporterOf({
              dataplane: this.mesh.dataplaneOf(namespace),
              waypoint: this.mesh.waypointOf(namespace)?.name,
            }),
          ],
    );
    if (sides.has(undefined)) return undefined;
    return sides.size === 1 ? eq('reporter', [...sides][0] as string) : matches('reporter', 'destination|waypoint');
  }

  /** The matchers of its requests, its proxies' histogram boundaries and how messages name it. */
  private selection(
    props: ServiceLevelObjectiveProps,
    problems: Problem[],
  ): { matchers: string[]; buckets: readonly number[]; description: string } | undefined {
    if (props.workload !== undefined && props.service !== undefined) {
      problems.push(statement(['service'], 'is given with workload: an objective measures one of them', 'remove one'));
      return undefined;
    }
    if (props.workload === undefined && props.service === undefined) {
      problems.push(statement(['workload'], 'is missing: an objective measures a workload or a service'));
      return undefined;
    }
    if (props.service) {
      const { namespace, name } = props.service;
      if (!isDnsLabel(namespace)) problems.push(problem(['service', 'namespace'], namespace, 'a namespace name'));
      if (!isDnsLabel(name)) problems.push(problem(['service', 'name'], name, 'a Service name (RFC 1123 label)'));
      const reporter = this.serviceReporter(namespace, name);
      if (reporter === undefined) {
        problems.push(
          problem(['service'], `${namespace}/${name}`, 'a Service served by sidecars or behind a waypoint', {
            what: 'is served by ambient pods without a waypoint: ztunnel reports its connections (L4), no request, status or duration',
            hint: `give namespace ${namespace} a waypoint (namespaces.${namespace}.waypoint)`,
          }),
        );
        return undefined;
      }
      return {
        matchers: [reporter, eq('destination_service_namespace', namespace), eq('destination_service_name', name)],
        buckets: ENVOY_DEFAULT_BUCKETS,
        description: `Service ${namespace}/${name}`,
      };
    }
    const workload = props.workload as ObservedWorkload;
    const declared = meshWorkloads(this.mesh).find((w) => w.construct === workload);
    if (!declared) {
      problems.push(
        problem(['workload'], workload.name, 'a workload whose pods run in the mesh', {
          what: `(${describeWorkload(workload)}) has no proxy, so no standard metric measures its requests`,
        }),
      );
      return undefined;
    }
    if (declared.dataplane === 'ambient' && declared.waypoint === undefined) {
      problems.push(
        problem(['workload'], workload.name, 'a workload with a sidecar or behind a waypoint', {
          what: 'is ambient without a waypoint: ztunnel reports its connections (L4), no request, status or duration',
          hint: `give its namespace a waypoint (namespaces.${declared.namespace}.waypoint) or the workload its own (workloads.${declared.name}.waypoint)`,
        }),
      );
      return undefined;
    }
    if (typeof declared.buckets === 'string') {
      problems.push(
        problem(['workload'], workload.name, 'a workload whose histogram boundaries can be read', {
          what: declared.buckets,
        }),
      );
      return undefined;
    }
    const reporter = declared.dataplane === 'ambient' ? 'waypoint' : 'destination';
    return {
      matchers: [
        eq('reporter', reporter),
        eq('destination_workload_namespace', declared.namespace),
        workloadMatcher(declared, 'destination_workload'),
      ],
      buckets: declared.buckets,
      description: `workload ${declared.namespace}/${declared.name}`,
    };
  }
}

/** The side that reports a request, as a matcher; undefined when no proxy reports requests. */
function reporterOf(w: Pick<MeshWorkload, 'dataplane' | 'waypoint'>): 'destination' | 'waypoint' | undefined {
  if (w.dataplane === 'sidecar') return 'destination';
  return w.waypoint === undefined ? undefined : 'waypoint';
}

function windowProblems(window: string, problems: Problem[]): number {
  const match = /^([1-9][0-9]*)([dw])$/.exec(window);
  const days = match ? Number(match[1]) * (match[2] === 'w' ? 7 : 1) : Number.NaN;
  if (days >= MIN_WINDOW_DAYS && days <= MAX_WINDOW_DAYS) return days;
  const what = !match
    ? 'is not whole days or weeks: the ratios are recorded over days'
    : days < MIN_WINDOW_DAYS
      ? `is shorter than ${MIN_WINDOW_DAYS}d: the ticket alert reads the error ratio over 3d, which the window must hold twice`
      : `is longer than ${MAX_WINDOW_DAYS}d: the window's ratio is the average of the 5m ratio over it, ${(MAX_WINDOW_DAYS * 288).toLocaleString('en-US')} samples at ${MAX_WINDOW_DAYS}d`;
  problems.push(
    problem(['window'], window, `whole days or weeks from ${MIN_WINDOW_DAYS}d to ${MAX_WINDOW_DAYS}d, e.g. 30d or 4w`, {
      what,
    }),
  );
  return 30;
}

/** Whether `value` is a percentage an objective can have; records why not. */
function percentageProblems(field: string[], value: number, problems: Problem[]): boolean {
  if (typeof value === 'number' && value > 0 && value < 100) return true;
  problems.push(
    problem(field, value, 'a percentage above 0 and below 100, e.g. 99.9', {
      ...(typeof value === 'number' && value >= 100
        ? { what: 'leaves no error budget, so no burn rate can be computed', hint: 'use 99.9, 99.95 or 99.99' }
        : {}),
    }),
  );
  return false;
}

/** Whether `threshold` is a boundary of `buckets`; records the nearest ones if not. */
function thresholdProblems(threshold: number, buckets: readonly number[], problems: Problem[]): boolean {
  if (buckets.includes(threshold)) return true;
  const nearest = typeof threshold === 'number' ? nearestBoundaries(threshold, buckets) : [];
  problems.push(
    problem(['latency', 'thresholdMs'], threshold, 'a bucket boundary of istio_request_duration_milliseconds', {
      what:
        typeof threshold === 'number'
          ? `is between the proxies' bucket boundaries${buckets === ENVOY_DEFAULT_BUCKETS ? " (Envoy's defaults)" : ''}, so the share of requests under it cannot be read`
          : undefined,
      hint:
        nearest.length > 0
          ? `use ${nearest.join(' or ')} (the nearest boundaries)`
          : `use one of ${buckets.join(', ')}`,
    }),
  );
  return false;
}
