import { type App, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import type { Waypoint } from '../../constructs/ambient/waypoint';
import type { GeneratedAttribute } from '../../constructs/attributes/generated-attribute';
import type { ObservabilityBackends } from '../../constructs/backends/observability-backends';
import type { IstioMesh } from '../../constructs/mesh/istio-mesh';
import { ProxyTarget } from '../../constructs/proxy-config/proxy-target';
import { type ObservedWorkload, WorkloadRef } from '../../constructs/proxy-config/workload-ref';
import { ObservabilityConfigError, problem } from '../../core/errors';
import { isDnsLabel } from '../../core/names';
import { inputProblems } from '../../core/problems/construct-problems';
import { type FieldPath, keysOf } from '../../core/problems/field-path';
import type { Finding } from '../../core/problems/finding';
import { nearestNames } from '../../core/problems/nearest';
import { type Problem, statement } from '../../core/problems/problem';
import type { SourceLocation } from '../../core/problems/source-location';
import type { ObservabilityConfig, TargetConfig, WorkloadName } from '../config/observability-config';

/** Charts of the stack that are not a namespace's: their files would collide with a namespace's. */
const RESERVED_CHARTS: readonly string[] = ['mesh', 'observability-backends'];

/**
 * A piece that cannot be built only because another piece it depends on was refused (a tracer
 * whose default collector is a refused backends.jaeger): the piece is left out without a finding
 * of its own, so one mistake is reported once, at its key.
 */
class FollowOnRefusal extends Error {
  constructor() {
    super('a piece this one depends on was refused');
    this.name = 'FollowOnRefusal';
  }
}

/** Where a piece of the config is, by its key path (for error locations). */
export type Locate = (keyPath: readonly (string | number)[]) => SourceLocation | undefined;

/**
 * What the section builders of one {@link ObservabilityStack} share: the charts, the mesh, the
 * workloads and attributes declared so far, the findings of refused pieces, and their places in
 * the config file.
 */
export class StackContext {
  /** Chart `mesh`: the mesh's install settings and its mesh-wide objects (root-namespace Telemetry, EnvoyFilters). */
  readonly installChart: Chart;
  /** The chart named after `config.namespace`: every workload-level piece. */
  readonly chart: Chart;
  /** Chart `observability-backends`, when the config declares backends (each object names its namespace). */
  readonly backendsChart?: Chart;
  /** Set by the mesh section; every other section needs it. */
  mesh?: IstioMesh;
  /** Set by the backends section. */
  backends?: ObservabilityBackends;
  readonly inputFindings: Finding[] = [];
  readonly locations = new Map<string, SourceLocation>();
  private readonly workloads = new Map<WorkloadName, ObservedWorkload>();
  private readonly namespaceCharts = new Map<string, Chart>();
  /** The config key that took each construct path, e.g. `statsInclusion.cart`. */
  private readonly pieceKeys = new Map<string, string>();
  private readonly attributes: { generator: string; attribute: GeneratedAttribute }[] = [];
  private readonly waypoints = new Map<string, Waypoint>();

  constructor(
    scope: App,
    readonly config: ObservabilityConfig,
    readonly locate: Locate,
    /** The folder the config's relative paths start from. */
    readonly baseDir: string,
  ) {
    this.installChart = new Chart(scope, 'mesh', {
      namespace: config.mesh?.rootNamespace ?? 'istio-system',
      disableResourceNameHashes: true,
    });
    this.chart = new Chart(scope, config.namespace, { namespace: config.namespace, disableResourceNameHashes: true });
    this.namespaceCharts.set(config.namespace, this.chart);
    if (config.backends) {
      this.backendsChart = new Chart(scope, 'observability-backends', { disableResourceNameHashes: true });
    }
  }

  /**
   * Builds one piece: the constructs `ids` of `chart`, declared at `keyPath` in the config. The
   * constructs check all their input before they contribute anything outside their own subtree,
   * so a refused piece (one whose constructs threw or recorded input problems) has added nothing
   * but its own nodes: those are removed, its problems are kept as findings located at the piece,
   * and the next piece is built. Returns whether the piece was built.
   */
  piece(
    keyPath: readonly (string | number)[],
    chart: Construct,
    ids: readonly string[],
    build: () => void,
    /** The config's names of construct props that it spells otherwise, e.g. `percentage` → `pilotTraceSampling`. */
    configNames: Readonly<Record<string, string>> = {},
    /** Construct props the config declares outside `keyPath`, by their key path, e.g. the mesh's `istioVersion`. */
    fieldRoots: Readonly<Record<string, readonly (string | number)[]>> = {},
  ): boolean {
    const constructPath = `${chart.node.path}/${ids[0]}`;
    const location = this.locate(keyPath);
    // Keys of different sections share a chart: the second of two equal ids is refused, located.
    const taken = ids.map((id) => this.pieceKeys.get(`${chart.node.path}/${id}`)).find((k) => k !== undefined);
    if (taken) {
      this.inputFindings.push({
        ...statement(
          [...keyPath],
          `is the id of ${taken} too; a key names one piece across the sections of a namespace`,
          'rename one of them',
        ),
        severity: 'error',
        rule: 'input',
        path: constructPath,
        ...(location ? { location } : {}),
      });
      return false;
    }
    for (const id of ids) this.pieceKeys.set(`${chart.node.path}/${id}`, keyPath.join('.'));
    if (location) this.locations.set(constructPath, location);
    const refusals: { readonly path: string; readonly problems: readonly Problem[] }[] = [];
    try {
      build();
    } catch (error) {
      if (error instanceof FollowOnRefusal) {
        for (const id of ids) chart.node.tryRemoveChild(id);
        return false;
      }
      if (!(error instanceof ObservabilityConfigError)) throw error;
      refusals.push({ path: error.path, problems: error.problems });
    }
    // Constructs record bad input for synth rather than throw: the piece is refused the same way.
    for (const id of ids) {
      for (const construct of chart.node.tryFindChild(id)?.node.findAll() ?? []) {
        const problems = inputProblems(construct);
        if (problems.length > 0) refusals.push({ path: construct.node.path, problems });
      }
    }
    if (refusals.length === 0) return true;
    for (const id of ids) chart.node.tryRemoveChild(id);
    for (const refusal of refusals) {
      // Refusals raised by the stack itself (an unknown workload) belong to the piece, not the chart.
      const path = refusal.path.startsWith(constructPath) ? refusal.path : constructPath;
      // A part of the piece may have a location of its own (a backend's key under backends).
      const at = this.locations.get(path) ?? location;
      for (const found of refusal.problems) {
        const [first, ...rest] = found.field ?? [];
        const renamed = typeof first === 'string' && configNames[first] !== undefined;
        const field = renamed ? { field: [configNames[first as string] as string, ...rest] } : {};
        // A problem of the piece's own construct names a prop the config spells at a key of its
        // own: locate that key (or its nearest declared ancestor), not the piece's.
        const keys = path === constructPath ? keysOf([...(field.field ?? found.field ?? [])]) : [];
        const root = typeof keys[0] === 'string' ? fieldRoots[keys[0]] : undefined;
        const own =
          keys.length === 0 ? undefined : this.locate(root ? [...root, ...keys.slice(1)] : [...keyPath, ...keys]);
        const where = own ?? at;
        this.inputFindings.push({
          ...found,
          ...field,
          severity: 'error',
          rule: 'input',
          path,
          ...(where ? { location: where } : {}),
        });
      }
    }
    return false;
  }

  /** The construct path of piece `id` of the namespace chart. */
  inChart(id: string): string {
    return `${this.chart.node.path}/${id}`;
  }

  /**
   * The chart of a namespace's workload-level objects (`<namespace>.k8s.yaml`): the config
   * namespace's is {@link chart}; others are made on first use.
   */
  chartFor(namespace: string): Chart {
    let chart = this.namespaceCharts.get(namespace);
    if (!chart) {
      if (RESERVED_CHARTS.includes(namespace)) {
        throw new ObservabilityConfigError(this.chart, [
          problem(['namespace'], namespace, `a namespace not named ${RESERVED_CHARTS.join(' or ')}`, {
            what: `is the name of the output's ${namespace}.k8s.yaml, which holds the mesh-wide objects or the backends`,
          }),
        ]);
      }
      chart = new Chart(this.chart.node.scope as App, namespace, { namespace, disableResourceNameHashes: true });
      this.namespaceCharts.set(namespace, chart);
    }
    return chart;
  }

  /**
   * Where a namespace's declared workloads live (`<namespace>/workloads/<name>`): apart from the
   * pieces, whose ids are the config's keys too.
   */
  workloadScope(namespace: string): Construct {
    const chart = this.chartFor(namespace);
    return (chart.node.tryFindChild('workloads') as Construct | undefined) ?? new Construct(chart, 'workloads');
  }

  /** Makes `workload` a target by `name` (`target: { workload: <name> }`). */
  addWorkload(name: WorkloadName, workload: ObservedWorkload): void {
    this.workloads.set(name, workload);
  }

  /** A workload declared so far, if any. */
  findWorkload(name: WorkloadName): ObservedWorkload | undefined {
    return this.workloads.get(name);
  }

  /** Every declared workload, by name. */
  get declaredWorkloads(): ReadonlyMap<WorkloadName, ObservedWorkload> {
    return this.workloads;
  }

  /** Makes `waypoint` a target and attachment by `name` (`target: { waypoint: <name> }`). */
  addWaypoint(name: string, waypoint: Waypoint): void {
    this.waypoints.set(name, waypoint);
  }

  /** A waypoint the config declares, or the refusal naming the ones it does and the nearest. */
  waypoint(name: string, field: FieldPath): Waypoint {
    const waypoint = this.waypoints.get(name);
    if (waypoint) return waypoint;
    // One refused under waypoints: says why at its own key.
    if (this.config.waypoints?.[name] !== undefined) throw new FollowOnRefusal();
    throw this.undeclared(
      'waypoint',
      name,
      [...this.waypoints.keys()],
      field,
      `{ ${name}: { namespace: <namespace> } }`,
    );
  }

  /** The refusal of a name no entry of `section` declares: the ones it does, and the nearest. */
  private undeclared(
    kind: 'workload' | 'waypoint',
    name: string,
    names: readonly string[],
    field: FieldPath,
    declaration: string,
  ): ObservabilityConfigError {
    const section = `${kind}s`;
    const known = [...names].sort();
    const [nearest] = nearestNames(name, known);
    return new ObservabilityConfigError(this.chart, [
      problem(
        field,
        name,
        known.length > 0
          ? `a ${kind} declared under ${section}: ${known.join(', ')}`
          : `a ${kind} declared under ${section} (this config declares none)`,
        {
          what: `is not a declared ${kind}`,
          hint: nearest !== undefined ? `did you mean "${nearest}"?` : `declare it: ${section}: ${declaration}`,
        },
      ),
    ]);
  }

  addAttribute(generator: string, attribute: GeneratedAttribute): void {
    this.attributes.push({ generator, attribute });
  }

  /** The proxies a `target:` names. */
  target(target: TargetConfig, field: FieldPath): ProxyTarget {
    if (target === 'mesh') return ProxyTarget.mesh();
    if ('namespace' in target) {
      // The namespace's Telemetry lands in its own <namespace>.k8s.yaml.
      if (isDnsLabel(target.namespace)) this.chartFor(target.namespace);
      return ProxyTarget.namespace(target.namespace);
    }
    if ('waypoint' in target) return ProxyTarget.waypoint(this.waypoint(target.waypoint, [...field, 'waypoint']));
    return ProxyTarget.workload(this.workload(target.workload, field));
  }

  /** A workload the config declares, or the refusal naming the ones it does and the nearest. */
  workload(name: WorkloadName, field: FieldPath): ObservedWorkload {
    const workload = this.workloads.get(name);
    if (workload && WorkloadRef.isWorkloadRef(workload) && !workload.sidecar) {
      // Nothing reads a proxy setting in pods without a proxy: naming one is a mistake, not a no-op.
      throw new ObservabilityConfigError(this.chart, [
        problem(field, name, 'a workload in the mesh', {
          what: `runs outside the mesh (workloads.${name}.sidecar: false), so no proxy reads what this sets for it`,
          hint: 'target the workloads that run a sidecar, or declare its sidecar',
        }),
      ]);
    }
    if (workload) return workload;
    throw this.undeclared(
      'workload',
      name,
      [...this.workloads.keys()],
      field,
      `{ ${name}: { namespace: <namespace>, selector: { app: ${name} } } }`,
    );
  }

  /** An attribute an attributeGenerators entry makes, or the refusal naming the ones there are. */
  attribute(ref: { readonly attribute: string; readonly generator?: string }, field: FieldPath): GeneratedAttribute {
    const found = this.attributes.filter(
      (a) => a.attribute.name === ref.attribute && (ref.generator === undefined || a.generator === ref.generator),
    );
    if (found.length === 1 && found[0]) return found[0].attribute;
    const made = this.attributes.map((a) => `${a.attribute.name} (${a.generator})`);
    throw new ObservabilityConfigError(this.chart, [
      problem(
        [...field, 'attribute'],
        ref,
        found.length > 1
          ? `one generator: ${ref.attribute} is made by ${found.map((a) => a.generator).join(', ')}; name one with generator`
          : `an attribute made by an attributeGenerators entry of this config${made.length > 0 ? `: ${made.join(', ')}` : ' (there is none)'}`,
      ),
    ]);
  }

  /** A tracer's address, or the generated Jaeger's when the config leaves it out. */
  tracerAddress(given: string | undefined, kind: 'zipkin' | 'otlp', field: FieldPath): string {
    if (given !== undefined) return given;
    const jaeger = this.backends?.jaeger;
    const address = kind === 'zipkin' ? jaeger?.zipkinAddress : jaeger?.otlpGrpcAddress;
    if (address) return address;
    // The default was refused and says why; this piece would only repeat it at another key.
    if (!jaeger && this.config.backends?.jaeger) throw new FollowOnRefusal();
    throw new ObservabilityConfigError(this.chart, [
      problem(
        field,
        undefined,
        kind === 'zipkin' ? 'host:port of a Zipkin collector' : 'service.namespace:port of an OTLP/gRPC collector',
        {
          what: jaeger
            ? `is required: the generated Jaeger (${jaeger.generation}) has no OTLP receiver`
            : 'is required when backends.jaeger is not declared',
        },
      ),
    ]);
  }
}
