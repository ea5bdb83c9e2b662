import type { ASTNode } from '@marcbachmann/cel-js';
import { STANDARD_LABELS, STANDARD_METRIC_NAMES, TELEMETRY_METRIC } from '../../core/istio/standard-metrics';
import { isMapping, type JsonMapping, mappingAt } from '../../core/json-values';
import type { FieldPath } from '../../core/problems/field-path';
import { ambientModel } from '../../model/ambient';
import { statsConfigOverrides } from '../../model/install-inputs';
import type { RenderedObject } from '../../model/objects';
import { type PodTemplate, podTemplates } from '../../model/pod-templates';
import { isTelemetry, telemetryTagOverrides } from '../../model/telemetry-objects';
import { celNodes } from '../rules/cel-checker';
import { manifestGeneratedAttributeValues } from '../rules/manifest-cel';

/**
 * An upper bound of the Prometheus series each standard metric makes, from what the output
 * declares: series = the product, over the metric's labels, of each label's expected number of
 * values (times the series of one histogram). It is a bound, not a forecast: it assumes every
 * workload may call every other one and every value of one label may meet every value of another.
 * Its use is to compare: what a change multiplies, and which dimension has no bound at all.
 */
export interface SeriesEstimate {
  readonly metric: string;
  /** `unbounded` when a dimension reads a value with no bound (a path, a header, an id). */
  readonly series: number | 'unbounded';
  readonly factors: readonly SeriesFactor[];
}

/** `12,345`, or `unbounded`. */
export function formatSeries(series: SeriesEstimate['series']): string {
  return series === 'unbounded' ? 'unbounded' : series.toLocaleString('en-US');
}

/** What a factor multiplies a metric by: `×8`, or `×∞` for no bound. */
export function formatFactor(values: SeriesFactor['values']): string {
  return `×${values === 'unbounded' ? '∞' : values}`;
}

/** One label (or group of labels) and the number of values it is expected to take. */
export interface SeriesFactor {
  /** A label, or `workload pairs` for the source and destination identity labels together. */
  readonly label: string;
  readonly values: number | 'unbounded';
  /** Where the number comes from, e.g. `request.method: 7 methods`. */
  readonly why: string;
  /** Set for a dimension the output adds (Telemetry `tagOverrides`, IstioOperator `configOverride`). */
  readonly dimension?: { readonly expression: string };
}

/**
 * The documented defaults for the standard labels whose values are not declared anywhere; the
 * identity labels are counted from the workloads instead. Labels: istio.io "Istio Standard Metrics".
 */
export const STANDARD_LABEL_VALUES: Readonly<Record<string, { readonly values: number; readonly why: string }>> = {
  reporter: { values: 2, why: 'source and destination' },
  request_protocol: { values: 2, why: 'http and grpc (tcp for the TCP metrics)' },
  response_code: { values: 8, why: 'a typical service: 200, 201, 204, 301, 400, 404, 500, 503' },
  grpc_response_status: { values: 3, why: 'empty for HTTP, OK and one error for gRPC' },
  response_flags: { values: 3, why: '"-" and two failure flags (e.g. UF, URX)' },
  connection_security_policy: { values: 2, why: 'mutual_tls and unknown' },
};

/**
 * `reporter` in a mesh with ambient pods: a waypoint reports as `waypoint` (istio/istio@1.24.0:
 * pilot/pkg/model/telemetry.go line 985), ztunnel as source and destination (istio/ztunnel@1.24.0:
 * src/proxy/metrics.rs).
 */
const AMBIENT_REPORTERS = {
  values: 3,
  why: 'source, destination (sidecars and ztunnel) and waypoint',
} as const;

/** Labels that are functions of the source and destination workloads: one factor for all of them. */
const IDENTITY_LABELS = new Set(STANDARD_LABELS.filter((l) => /^(source|destination)_/.test(l)));

/** The HTTP-only labels, which the TCP metrics do not have. */
const HTTP_ONLY_LABELS = new Set(['response_code', 'grpc_response_status']);

/**
 * Series of one histogram label set: Envoy's 19 default bucket bounds plus `+Inf`, `_sum` and
 * `_count` (envoyproxy/envoy source/common/stats/histogram_impl.cc HistogramSettingsImpl::defaultBuckets;
 * Istio sets no histogram_bucket_settings unless `sidecar.istio.io/statsHistogramBuckets` asks).
 */
export const HISTOGRAM_SERIES = 22;
const HISTOGRAMS = new Set(['request_duration_milliseconds', 'request_bytes', 'response_bytes']);

/** Values of the attributes a dimension may read, by path (`request.method`). */
const BOUNDED_ATTRIBUTES: Readonly<Record<string, { readonly values: number | 'workloads'; readonly why: string }>> = {
  'request.method': { values: 7, why: 'GET, HEAD, POST, PUT, DELETE, PATCH, OPTIONS' },
  'request.protocol': { values: 3, why: 'HTTP/1.1, HTTP/2, HTTP/3' },
  'request.scheme': { values: 2, why: 'http and https' },
  'request.host': { values: 'workloads', why: 'one host per destination' },
  'response.code': { values: 8, why: 'as response_code' },
  'response.grpc_status': { values: 17, why: 'the gRPC status codes' },
  'response.flags': { values: 3, why: 'as response_flags' },
  'connection.mtls': { values: 2, why: 'true or false' },
  'connection.tls_version': { values: 4, why: 'TLSv1 to TLSv1.3' },
  'connection.requested_server_name': { values: 'workloads', why: 'one server name per destination' },
  'destination.port': { values: 'workloads', why: 'one port per destination' },
};
/** Roots whose every value is a property of a proxy or a peer: one value per workload pair. */
const PER_PEER_ROOTS = [
  'node',
  'xds',
  'upstream_peer',
  'downstream_peer',
  'filter_state.upstream_peer',
  'filter_state.downstream_peer',
];
/** Attributes with one value per request or connection: no bound. */
const UNBOUNDED_ATTRIBUTES = [
  'request.url_path',
  'request.path',
  'request.query',
  'request.headers',
  'request.id',
  'request.useragent',
  'request.referer',
  'request.time',
  'request.duration',
  'request.size',
  'request.total_size',
  'request.headers_bytes',
  'response.headers',
  'response.trailers',
  'response.size',
  'response.total_size',
  'connection.id',
  'source.address',
  'source.port',
  'destination.address',
  'upstream.address',
  'upstream.local_address',
];

/** What a dimension's CEL can take: a number of values, or no bound, with the attribute to blame. */
type Cardinality = { readonly values: number; readonly why: string } | { readonly unbounded: string };

export interface EstimateInputs {
  /** Workloads whose pods the output annotates or selects (pod templates and patches); at least 1. */
  readonly workloads: number;
  /** Values of each generated attribute (its rules' values, plus unmatched). */
  readonly generated: ReadonlyMap<string, number>;
  /**
   * The mesh has ambient pods: ztunnel reports their TCP metrics (as source and destination) and
   * waypoints their requests and connections with a third reporter, `waypoint`.
   * @default false
   */
  readonly ambient?: boolean;
}

/** The estimate of every standard metric for the objects of one output (one mesh). */
export function seriesEstimates(
  objects: readonly RenderedObject[],
  inputs: EstimateInputs = estimateInputs(objects),
): SeriesEstimate[] {
  const dimensions = declaredDimensions(objects);
  // A dimension for every metric is classified once, not once per metric.
  const cardinalities = new Map<string, Cardinality>();
  const cardinality = (expression: string): Cardinality => {
    const known = cardinalities.get(expression);
    if (known) return known;
    const c = cardinalityOf(expression, inputs);
    cardinalities.set(expression, c);
    return c;
  };
  return STANDARD_METRIC_NAMES.map((metric) => estimateOf(metric, dimensions, inputs, cardinality));
}

/** What the estimate reads besides the dimensions: the meshed workloads and the generated attributes. */
export function estimateInputs(objects: readonly RenderedObject[]): EstimateInputs {
  return {
    workloads: Math.max(
      1,
      new Set(
        podTemplates(objects)
          .filter(meshed)
          .map((t) => `${t.namespace}/${t.kind}/${t.name}`),
      ).size,
    ),
    // An attribute takes its rules' values, or none when no rule matches.
    generated: new Map([...manifestGeneratedAttributeValues(objects)].map(([name, values]) => [name, values.size + 1])),
    ambient: ambientModel(objects).present,
  };
}

function estimateOf(
  metric: string,
  dimensions: readonly DeclaredDimension[],
  inputs: EstimateInputs,
  cardinality: (expression: string) => Cardinality,
): SeriesEstimate {
  const tcp = metric.startsWith('tcp_');
  const added = new Map<string, string>();
  const removed = new Set<string>();
  for (const d of dimensions.filter((d) => d.metric === undefined || d.metric === metric)) {
    if (d.expression === undefined) removed.add(d.label);
    else added.set(d.label, d.expression);
  }
  const factors: SeriesFactor[] = [];
  const pairs = (inputs.workloads + 1) * inputs.workloads;
  factors.push({
    label: 'workload pairs',
    values: pairs,
    why: `${inputs.workloads + 1} sources (the workloads and a gateway) × ${inputs.workloads} destinations`,
  });
  for (const label of STANDARD_LABELS) {
    if (IDENTITY_LABELS.has(label) || removed.has(label) || added.has(label)) continue;
    if (tcp && HTTP_ONLY_LABELS.has(label)) continue;
    const known = label === 'reporter' && inputs.ambient ? AMBIENT_REPORTERS : STANDARD_LABEL_VALUES[label];
    if (!known) continue;
    const values = tcp && label === 'request_protocol' ? 1 : known.values;
    factors.push({ label, values, why: tcp && label === 'request_protocol' ? 'tcp' : known.why });
  }
  for (const [label, expression] of [...added].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const c = cardinality(expression);
    factors.push({
      label,
      values: 'unbounded' in c ? 'unbounded' : c.values,
      why: 'unbounded' in c ? `reads ${c.unbounded}, which has a value per request` : c.why,
      dimension: { expression },
    });
  }
  if (HISTOGRAMS.has(metric)) {
    factors.push({ label: 'le, _sum, _count', values: HISTOGRAM_SERIES, why: 'a histogram: 20 buckets, sum, count' });
  }
  const series = factors.some((f) => f.values === 'unbounded')
    ? 'unbounded'
    : factors.reduce((product, f) => product * (f.values as number), 1);
  return { metric: `istio_${metric}`, series, factors };
}

/** Pods with a sidecar: not declared outside the mesh, nor opted out with `sidecar.istio.io/inject: "false"` (label or annotation). */
function meshed(template: PodTemplate): boolean {
  const inject = 'sidecar.istio.io/inject';
  return !template.outsideMesh && template.labels[inject] !== 'false' && template.annotations[inject] !== 'false';
}

/** A label a Telemetry or IstioOperator adds (with its CEL) or removes, for one metric or all. */
export interface DeclaredDimension {
  /** The metric's base name, e.g. `requests_total`; undefined for every metric. */
  readonly metric?: string;
  readonly label: string;
  /** Undefined for a removed tag. */
  readonly expression?: string;
  /** The object that declares it, and where. */
  readonly path: string;
  readonly field: FieldPath;
}

const METRIC_OF_TELEMETRY = new Map(Object.entries(TELEMETRY_METRIC).map(([name, enumName]) => [enumName, name]));

export function declaredDimensions(objects: readonly RenderedObject[]): DeclaredDimension[] {
  const found: DeclaredDimension[] = [];
  for (const { path, manifest } of objects) {
    if (isTelemetry(manifest)) {
      for (const { field, name: label, tag, match } of telemetryTagOverrides(manifest)) {
        const selected = typeof match.metric === 'string' ? match.metric : 'ALL_METRICS';
        const metric = selected === 'ALL_METRICS' ? undefined : METRIC_OF_TELEMETRY.get(selected);
        if ((selected !== 'ALL_METRICS' && metric === undefined) || !isMapping(tag)) continue; // a custom metric
        if (tag.operation === 'REMOVE') found.push({ metric, label, path, field });
        else if (typeof tag.value === 'string') found.push({ metric, label, expression: tag.value, path, field });
      }
    }
    for (const { override, field: base } of statsConfigOverrides(manifest)) {
      indexed(override.metrics).forEach(([spec, i]) => {
        const metric = typeof spec.name === 'string' && spec.name !== '' ? spec.name : undefined;
        for (const [label, expression] of Object.entries(mappingAt(spec, 'dimensions'))) {
          const field = [...base, 'metrics', i, 'dimensions', label];
          if (typeof expression === 'string') found.push({ metric, label, expression, path, field });
        }
        for (const label of Array.isArray(spec.tags_to_remove) ? spec.tags_to_remove : []) {
          if (typeof label === 'string')
            found.push({ metric, label, path, field: [...base, 'metrics', i, 'tags_to_remove'] });
        }
      });
    }
  }
  return found;
}

/** The mappings of an array, with their indexes (other entries are the schema's to refuse). */
function indexed(value: unknown): [JsonMapping, number][] {
  return Array.isArray(value) ? value.flatMap((v, i): [JsonMapping, number][] => (isMapping(v) ? [[v, i]] : [])) : [];
}

/** The dotted path an attribute read names: `request.headers`, `filter_state['wasm.x']` as `wasm.x`. */
function attributePath(node: ASTNode): string | undefined {
  if (node.op === 'id') return String(node.args);
  if (node.op === '.') {
    const [object, field] = node.args as [ASTNode, string];
    const base = attributePath(object);
    return base === undefined ? undefined : `${base}.${field}`;
  }
  if (node.op === '[]') {
    const [object, index] = node.args as [ASTNode, ASTNode];
    const base = attributePath(object);
    if (base === 'filter_state' && index.op === 'value') return `filter_state.${String(index.args)}`;
    return base === undefined ? undefined : `${base}.*`;
  }
  return undefined;
}

/** How many values a dimension's CEL takes, from what it reads (see BOUNDED_ATTRIBUTES). */
export function cardinalityOf(expression: string, inputs: EstimateInputs): Cardinality {
  let root: ASTNode;
  try {
    root = celNodes(expression)[0] as ASTNode;
  } catch {
    return { values: 1, why: 'not CEL (the cel-expression rule refuses it), counted as one value' };
  }
  return nodeCardinality(root, inputs);
}

const BOOLEAN_OPS = new Set(['==', '!=', '<', '<=', '>', '>=', '&&', '||', '!_', 'in']);
const BOOLEAN_CALLS = new Set(['startsWith', 'endsWith', 'contains', 'matches', 'has', 'exists', 'all']);

function nodeCardinality(node: ASTNode, inputs: EstimateInputs): Cardinality {
  if (node.op === 'value') return { values: 1, why: 'a literal' };
  if (BOOLEAN_OPS.has(node.op)) return { values: 2, why: 'a condition' };
  if (node.op === '?:') {
    const [, yes, no] = node.args as [ASTNode, ASTNode, ASTNode];
    return combine([nodeCardinality(yes, inputs), nodeCardinality(no, inputs)], (a, b) => a + b, 'branches');
  }
  if (node.op === 'rcall' || node.op === 'call') {
    const [name, ...rest] = node.args as [string, ...unknown[]];
    if (BOOLEAN_CALLS.has(name)) return { values: 2, why: `${name}(): true or false` };
    const operands = rest.flat().filter((a): a is ASTNode => isMapping(a) && 'op' in a);
    return combine(
      operands.map((o) => nodeCardinality(o, inputs)),
      (a, b) => a * b,
      `${name}()`,
    );
  }
  if (node.op === '+') {
    const operands = (node.args as ASTNode[]).map((o) => nodeCardinality(o, inputs));
    return combine(operands, (a, b) => a * b, 'concatenation');
  }
  const path = attributePath(node);
  if (path !== undefined) return attributeCardinality(path, inputs);
  return { values: 1, why: `an expression (${node.op}) not classified, counted as one value` };
}

function combine(parts: Cardinality[], join: (a: number, b: number) => number, what: string): Cardinality {
  const unbounded = parts.find((p) => 'unbounded' in p);
  if (unbounded) return unbounded;
  const values = parts.map((p) => (p as { values: number }).values);
  return { values: values.reduce(join), why: `${what}: ${parts.map((p) => (p as { why: string }).why).join('; ')}` };
}

function attributeCardinality(path: string, inputs: EstimateInputs): Cardinality {
  const generated = inputs.generated.get(path.replace(/^filter_state\.wasm\./, ''));
  if (generated !== undefined && (path.startsWith('filter_state.wasm.') || !path.includes('.'))) {
    return { values: generated, why: `${path}: ${generated - 1} generated values and none` };
  }
  const bound = Object.hasOwn(BOUNDED_ATTRIBUTES, path) ? BOUNDED_ATTRIBUTES[path] : undefined;
  if (bound)
    return { values: bound.values === 'workloads' ? inputs.workloads : bound.values, why: `${path}: ${bound.why}` };
  if (PER_PEER_ROOTS.some((root) => path === root || path.startsWith(`${root}.`))) {
    return { values: 1, why: `${path}: one value per proxy or peer (within the workload pairs)` };
  }
  const unbounded = UNBOUNDED_ATTRIBUTES.find((a) => path === a || path.startsWith(`${a}.`));
  if (unbounded) return { unbounded };
  // Not one this estimate knows (a misspelling is the cel-expression rule's to refuse): counted once.
  return { values: 1, why: `${path}: not classified, counted as one value` };
}

/**
 * How the estimates of two outputs differ, one line per changed metric: the series before and
 * after and what moved them (`istio_requests_total: 6,912 → 13,824 series (+ dimension
 * request_host ×2)`); empty when no estimate changed.
 */
export function seriesChanges(before: readonly SeriesEstimate[], after: readonly SeriesEstimate[]): string[] {
  const lines: string[] = [];
  for (const next of after) {
    const previous = before.find((e) => e.metric === next.metric);
    if (!previous || previous.series === next.series) continue;
    const name = (f: SeriesFactor) => (f.dimension ? `dimension ${f.label}` : f.label);
    const moved: string[] = [];
    for (const f of next.factors) {
      const old = previous.factors.find((p) => p.label === f.label);
      if (!old) moved.push(`+ ${name(f)} ${formatFactor(f.values)}`);
      else if (old.values !== f.values)
        moved.push(`${name(f)} ${formatFactor(old.values)} → ${formatFactor(f.values)}`);
    }
    for (const f of previous.factors) {
      if (!next.factors.some((n) => n.label === f.label)) moved.push(`- ${name(f)} ${formatFactor(f.values)}`);
    }
    lines.push(
      `${next.metric}: ${formatSeries(previous.series)} → ${formatSeries(next.series)} series (${moved.join(', ')})`,
    );
  }
  return lines;
}
