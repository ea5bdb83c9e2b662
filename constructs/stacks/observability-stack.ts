import { type App, Chart } from 'cdk8s';
import type * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { AttributeGen, type WasmPhase } from '../attributes/attribute-gen';
import type { DimensionValue, GeneratedAttribute } from '../attributes/generated-attribute';
import { JaegerStorage } from '../backends/jaeger-storage';
import { BACKEND_IDS, ObservabilityBackends } from '../backends/observability-backends';
import { PrometheusInstance } from '../backends/prometheus-instance';
import { BootstrapOverride } from '../bootstrap/bootstrap-override';
import {
  combineBootstrapOverrides,
  type EnvoyBootstrapOverride,
  statsdSinkOverride,
  type ZipkinCollectorEndpointVersion,
  zipkinTracingOverride,
} from '../bootstrap/envoy-bootstrap';
import type {
  BackendsConfig,
  CustomTagConfigEntry,
  ObservabilityConfig,
  TargetConfig,
  WorkloadName,
} from '../config/observability-config';
import { CoolstoreGateway } from '../demo/coolstore-gateway';
import { HttpbinEgress } from '../demo/httpbin-egress';
import { IstioInActionApp } from '../demo/istioinaction-app';
import { formatValue, ObservabilityConfigError, problem } from '../errors';
import { sortedEntries } from '../merge/sorted-entries';
import { IstioMesh } from '../mesh/istio-mesh';
import {
  type DefinitionDimension,
  MetricDefinition,
  type MetricImplementation,
  type MetricType,
} from '../metrics/metric-definition';
import { MetricDimensions } from '../metrics/metric-dimensions';
import type { ProxyKind } from '../metrics/proxy-kind';
import type { StandardMetric } from '../metrics/standard-metrics';
import type { FieldPath } from '../problems/field-path';
import type { SourceLocation } from '../problems/source-location';
import { ProxyTarget } from '../proxy-config/proxy-target';
import { StatsInclusion } from '../stats/stats-inclusion';
import { CustomTag, CustomTraceTags } from '../tracing/custom-trace-tags';
import { OpenTelemetryTracer } from '../tracing/opentelemetry-tracer';
import { PilotTraceSampling } from '../tracing/pilot-trace-sampling';
import { TraceSampling } from '../tracing/trace-sampling';
import { ZipkinTracer } from '../tracing/zipkin-tracer';
import type { Finding } from '../validate/finding';

export interface ObservabilityStackProps {
  /** What to build, e.g. from `ConfigFile.load('observability.yaml').config`. */
  readonly config: ObservabilityConfig;
  /**
   * Where each piece was declared, by its key path in the config (for error locations).
   * @default - no locations
   */
  readonly locate?: (keyPath: readonly (string | number)[]) => SourceLocation | undefined;
}

/**
 * An app's observability built from declarative config: the mesh in chart `istio-install`
 * (the IstioOperator), every workload-level piece in a chart named after `config.namespace`, and
 * the backends, when declared, in chart `observability-backends`.
 *
 * Each piece becomes one construct whose id is the piece's key in the config. A piece the
 * constructs refuse does not stop the others: its problems are kept in {@link inputFindings},
 * located at the piece, and reported with every rule's findings before anything is written.
 */
export class ObservabilityStack extends Construct {
  readonly mesh?: IstioMesh;
  /** The backends, when the config declares `backends`. */
  readonly backends?: ObservabilityBackends;
  /** Problems the constructs found in the config's values, one per line, with the piece's location. */
  readonly inputFindings: Finding[] = [];
  /** Config location of each construct path, for findings of later rules. */
  readonly locations = new Map<string, SourceLocation>();
  private readonly workloads = new Map<WorkloadName, kplus.Workload>();
  private readonly generators = new Map<string, AttributeGen>();
  private readonly attributes: { generator: string; attribute: GeneratedAttribute }[] = [];

  constructor(scope: App, id: string, props: ObservabilityStackProps) {
    super(scope, id);
    const { config } = props;
    const locate = props.locate ?? (() => undefined);
    const installChart = new Chart(scope, 'istio-install', {
      namespace: config.mesh?.rootNamespace ?? 'istio-system',
      disableResourceNameHashes: true,
    });
    const chart = new Chart(scope, config.namespace, { namespace: config.namespace, disableResourceNameHashes: true });
    // Backends live in their own namespaces (prometheus, istio-system), which each object names.
    const backendsChart = config.backends
      ? new Chart(scope, 'observability-backends', { disableResourceNameHashes: true })
      : undefined;
    const charts = [installChart, chart, ...(backendsChart ? [backendsChart] : [])];

    /**
     * Runs one piece. A refused piece is recorded, whatever it had added to the charts is removed
     * (so no rule sees a half-built construct), and the next piece runs.
     */
    const piece = (keyPath: readonly (string | number)[], constructPath: string, build: () => void): void => {
      const location = locate(keyPath);
      if (location) this.locations.set(constructPath, location);
      const before = new Set(charts.flatMap((c) => c.node.children));
      try {
        build();
      } catch (error) {
        if (!(error instanceof ObservabilityConfigError)) throw error;
        for (const scope of charts) {
          for (const child of scope.node.children) if (!before.has(child)) scope.node.tryRemoveChild(child.node.id);
        }
        // Refusals raised by the stack itself (an unknown workload) belong to the piece, not the chart.
        const path = error.path.startsWith(constructPath) ? error.path : constructPath;
        // A part of the piece may have a location of its own (a backend's key under backends).
        const at = this.locations.get(path) ?? location;
        for (const problem of error.problems) {
          this.inputFindings.push({
            ...problem,
            severity: 'error',
            rule: 'input',
            path,
            ...(at ? { location: at } : {}),
          });
        }
      }
    };
    const inChart = (id: string) => `${chart.node.path}/${id}`;

    let mesh: IstioMesh | undefined;
    piece(config.mesh ? ['mesh'] : ['istioVersion'], `${installChart.node.path}/mesh`, () => {
      mesh = new IstioMesh(installChart, 'mesh', { istioVersion: config.istioVersion, ...config.mesh });
    });
    this.mesh = mesh;
    if (!mesh) return; // every other piece needs the target version
    const m = mesh;

    if (config.demoApp) {
      const demo = config.demoApp;
      piece(['demoApp'], inChart('app'), () => {
        const app = new IstioInActionApp(chart, 'app');
        this.workloads.set('webapp', app.webapp.deployment);
        if (app.catalog) this.workloads.set('catalog', app.catalog.deployment);
        if (demo.gateway ?? true) {
          const gateway = new CoolstoreGateway(chart, 'coolstore-gateway', { mesh: m });
          if (demo.httpbinEgress ?? true) new HttpbinEgress(chart, 'httpbin', { mesh: m, gateway });
        }
      });
    }

    let backends: ObservabilityBackends | undefined;
    if (config.backends && backendsChart) {
      const b = config.backends;
      const chartOf = backendsChart;
      const backendsPath = `${backendsChart.node.path}/backends`;
      // Each backend's findings, refusals included, point at its own key in the config.
      for (const [key, ids] of Object.entries(BACKEND_IDS) as [keyof typeof BACKEND_IDS, readonly string[]][]) {
        const location = b[key] !== undefined ? locate(['backends', key]) : undefined;
        for (const id of ids) if (location) this.locations.set(`${backendsPath}/${id}`, location);
      }
      piece(['backends'], backendsPath, () => {
        backends = new ObservabilityBackends(chartOf, 'backends', {
          mesh: m,
          prometheus: PrometheusInstance.kubePrometheusStack(b.prometheus),
          prometheusOperator: b.prometheusOperator,
          scrapeConfig: b.scrapeConfig,
          jaeger: b.jaeger && { ...b.jaeger, storage: jaegerStorage(b.jaeger.storage) },
          grafana: b.grafana,
          kiali: b.kiali,
        });
      });
    }
    this.backends = backends;
    /** A tracer's address, or the generated Jaeger's when the config leaves it out. */
    const tracerAddress = (given: string | undefined, kind: 'zipkin' | 'otlp', field: FieldPath): string => {
      if (given !== undefined) return given;
      const jaeger = backends?.jaeger;
      const address = kind === 'zipkin' ? jaeger?.zipkinAddress : jaeger?.otlpGrpcAddress;
      if (address) return address;
      throw new ObservabilityConfigError(chart, [
        problem(
          field,
          undefined,
          kind === 'zipkin' ? 'host:port of a Zipkin collector' : 'service.namespace:port of an OTLP/gRPC collector',
          {
            what: jaeger
              ? `is required: the generated Jaeger (${jaeger.generation}) has no OTLP receiver`
              : config.backends?.jaeger
                ? 'is required: backends.jaeger, its default, was refused (see its error)'
                : 'is required when backends.jaeger is not declared',
          },
        ),
      ]);
    };

    const target = (t: TargetConfig, field: FieldPath): ProxyTarget => {
      if (t === 'mesh') return ProxyTarget.mesh();
      if ('namespace' in t) return ProxyTarget.namespace(t.namespace);
      return ProxyTarget.workload(this.workload(t.workload, chart, field));
    };

    for (const [id, s] of sortedEntries(config.statsInclusion ?? {})) {
      piece(['statsInclusion', id], inChart(id), () => {
        new StatsInclusion(chart, id, { mesh: m, ...s, target: target(s.target, ['target']) });
      });
    }
    for (const [id, g] of sortedEntries(config.attributeGenerators ?? {})) {
      piece(['attributeGenerators', id], inChart(id), () => {
        const generator = new AttributeGen(chart, id, {
          mesh: m,
          name: g.name,
          namespace: g.namespace,
          proxies: g.proxies as ProxyKind[] | undefined,
          workload: g.workload === undefined ? undefined : this.workload(g.workload, chart, ['workload']),
          module: g.module,
          sha256: g.sha256,
          phase: g.phase as WasmPhase | undefined,
        });
        this.generators.set(id, generator);
        for (const [name, rules] of sortedEntries(g.attributes)) {
          this.attributes.push({ generator: id, attribute: generator.addAttribute(name, rules) });
        }
      });
    }
    for (const [id, d] of sortedEntries(config.metricDimensions ?? {})) {
      piece(['metricDimensions', id], inChart(id), () => {
        const dimensions: Record<string, DimensionValue> = {};
        for (const [name, value] of sortedEntries(d.dimensions ?? {})) {
          dimensions[name] = typeof value === 'string' ? value : this.attribute(value, chart, ['dimensions', name]);
        }
        new MetricDimensions(chart, id, {
          mesh: m,
          metric: d.metric as StandardMetric,
          proxies: d.proxies as ProxyKind[] | undefined,
          target: d.target === undefined ? undefined : target(d.target, ['target']),
          dimensions,
          tagsToRemove: d.tagsToRemove,
          extraStatTagsFor: d.extraStatTagsFor?.map((w, i) => this.workload(w, chart, ['extraStatTagsFor', i])),
        });
      });
    }
    for (const [id, d] of sortedEntries(config.metricDefinitions ?? {})) {
      piece(['metricDefinitions', id], inChart(id), () => {
        new MetricDefinition(chart, id, {
          mesh: m,
          name: d.name,
          type: d.type as MetricType,
          value: d.value,
          proxies: d.proxies as ProxyKind[] | undefined,
          dimensions: d.dimensions as Record<string, DefinitionDimension> | undefined,
          standardLabels: d.standardLabels,
          implementation: d.implementation as MetricImplementation | undefined,
        });
      });
    }
    if (config.pilotTraceSampling !== undefined) {
      const percentage = config.pilotTraceSampling;
      piece(['pilotTraceSampling'], inChart('pilot-sampling'), () => {
        new PilotTraceSampling(chart, 'pilot-sampling', { mesh: m, percentage });
      });
    }
    for (const [id, s] of sortedEntries(config.traceSampling ?? {})) {
      piece(['traceSampling', id], inChart(id), () => {
        new TraceSampling(chart, id, { mesh: m, target: target(s.target, ['target']), percentage: s.percentage });
      });
    }
    for (const [id, z] of sortedEntries(config.zipkinTracers ?? {})) {
      piece(['zipkinTracers', id], inChart(id), () => {
        new ZipkinTracer(chart, id, {
          mesh: m,
          target: target(z.target, ['target']),
          address: tracerAddress(z.address, 'zipkin', ['address']),
          provider: z.provider,
          path: z.path,
        });
      });
    }
    for (const [id, o] of sortedEntries(config.openTelemetryTracers ?? {})) {
      piece(['openTelemetryTracers', id], inChart(id), () => {
        new OpenTelemetryTracer(chart, id, {
          mesh: m,
          target: target(o.target, ['target']),
          address: tracerAddress(o.address, 'otlp', ['address']),
          provider: o.provider,
          httpPath: o.httpPath,
        });
      });
    }
    for (const [id, t] of sortedEntries(config.customTraceTags ?? {})) {
      piece(['customTraceTags', id], inChart(id), () => {
        const tags: Record<string, CustomTag> = {};
        for (const [name, tag] of sortedEntries(t.tags)) tags[name] = customTag(tag, chart, ['tags', name]);
        new CustomTraceTags(chart, id, { mesh: m, target: target(t.target, ['target']), tags });
      });
    }
    for (const [id, b] of sortedEntries(config.bootstrapOverrides ?? {})) {
      piece(['bootstrapOverrides', id], inChart(id), () => {
        const parts: EnvoyBootstrapOverride[] = [];
        if (b.zipkin) {
          const zipkin = b.zipkin;
          parts.push(
            zipkinTracingOverride({
              ...zipkin,
              collectorEndpointVersion: zipkin.collectorEndpointVersion as ZipkinCollectorEndpointVersion | undefined,
            }),
          );
        }
        if (b.statsd) parts.push(statsdSinkOverride(b.statsd));
        new BootstrapOverride(chart, id, {
          name: b.name,
          bootstrap: combineBootstrapOverrides(...parts),
          workloads: b.workloads.map((w, i) => this.workload(w, chart, ['workloads', i])),
        });
      });
    }
  }

  private workload(name: WorkloadName, chart: Chart, field: FieldPath): kplus.Workload {
    const workload = this.workloads.get(name);
    if (workload) return workload;
    const known = [...this.workloads.keys()];
    throw new ObservabilityConfigError(chart, [
      problem(
        field,
        name,
        known.length > 0
          ? `a workload of this config: ${known.join(', ')}`
          : 'a workload, but this config declares none (add demoApp)',
      ),
    ]);
  }

  private attribute(
    ref: { attribute: string; generator?: string },
    chart: Chart,
    field: FieldPath,
  ): GeneratedAttribute {
    const found = this.attributes.filter(
      (a) => a.attribute.name === ref.attribute && (ref.generator === undefined || a.generator === ref.generator),
    );
    if (found.length === 1 && found[0]) return found[0].attribute;
    const made = this.attributes.map((a) => `${a.attribute.name} (${a.generator})`);
    throw new ObservabilityConfigError(chart, [
      problem(
        [...field, 'attribute'],
        ref,
        found.length > 1
          ? `one generator: ${ref.attribute} is made by ${found.map((a) => a.generator).join(', ')}; name one with generator`
          : `an attribute made by an attributeGenerators entry of this config${made.length > 0 ? `: ${made.join(', ')}` : ' (there is none)'}`,
      ),
    ]);
  }
}

function jaegerStorage(storage: NonNullable<BackendsConfig['jaeger']>['storage']): JaegerStorage {
  if (storage.memory) return JaegerStorage.memory(storage.memory);
  if (storage.badgerOnClaim !== undefined) return JaegerStorage.badgerOnClaim(storage.badgerOnClaim);
  return JaegerStorage.badgerOnEmptyDir();
}

function customTag(tag: CustomTagConfigEntry, chart: Chart, field: FieldPath): CustomTag {
  const kinds = (['literal', 'environment', 'header', 'formatter'] as const).filter((k) => tag[k] !== undefined);
  const only = kinds.length === 1 ? kinds[0] : undefined;
  if (only === 'literal' && tag.defaultValue === undefined) return CustomTag.literal(tag.literal ?? '');
  if (only === 'formatter' && tag.defaultValue === undefined) return CustomTag.formatter(tag.formatter ?? '');
  if (only === 'environment') return CustomTag.environment(tag.environment ?? '', tag.defaultValue);
  if (only === 'header') return CustomTag.header(tag.header ?? '', tag.defaultValue);
  throw new ObservabilityConfigError(chart, [
    problem(
      field,
      tag,
      only === 'literal' || only === 'formatter'
        ? `a ${only} without defaultValue (it always has a value)`
        : `exactly one of literal, environment, header, formatter, not ${kinds.length === 0 ? 'none' : formatValue(kinds)}`,
    ),
  ]);
}
