import { Construct } from 'constructs';
import { dimensionNameProblems } from '../../core/checks/label-name-checks';
import { metricDefinitionNameProblems } from '../../core/checks/metric-definition-name-checks';
import type { CelExpressionSource, CelSite, PolicyNoteSource } from '../../core/contracts/construct-sources';
import { formatValue, problem } from '../../core/errors';
import { ALL_PROXY_KINDS, ProxyKind, proxyKindProblems } from '../../core/istio/proxy-kind';
import { STANDARD_METRIC_NAMES, StandardMetric } from '../../core/istio/standard-metrics';
import { refuseInput } from '../../core/problems/construct-problems';
import type { FieldPath } from '../../core/problems/field-path';
import { type Problem, statement } from '../../core/problems/problem';
import { celForTarget } from '../../core/version/cel-vocabulary';
import type { IstioMesh } from '../mesh/istio-mesh';
import { MetricDimensions } from './metric-dimensions';
import { type LabelMatcher, type RequestSubset, requestSubsetOf } from './request-subset';

/** How the stats filter records a new metric (`stats.MetricType`). */
export enum MetricType {
  COUNTER = 'COUNTER',
  GAUGE = 'GAUGE',
  HISTOGRAM = 'HISTOGRAM',
}

/** How a new metric comes to exist. */
export enum MetricImplementation {
  /**
   * A `definitions` entry of the stats filter: the IstioOperator `configOverride` up to 1.20 (what
   * Istio's own test does, istio/istio@1.18.0:tests/integration/telemetry/testdata/setup_config.yaml),
   * or, next to the Telemetry API, a second `istio.stats` instance in an EnvoyFilter, which no
   * Istio test covers and Istio documents as conflicting with the Telemetry API.
   */
  STATS_FILTER = 'stats-filter',
  /**
   * A Prometheus recording rule over `istio_requests_total`, with the labels it needs added as
   * Telemetry dimensions (e.g. `request_method`): the supported route for a counter of requests
   * that match a condition on the request method or response code.
   */
  RECORDING_RULE = 'recording-rule',
}

/**
 * Standard labels a stats-filter metric can carry. The filter gives a new metric none of them
 * (istio/proxy@81864a1c:source/extensions/filters/http/istio_stats/istio_stats.cc lines 704-708:
 * `overrideTags(metric.name_, {}, ...)`), so each is a dimension computed per proxy kind.
 */
export type DefinitionStandardLabel =
  | 'reporter'
  | 'source_workload'
  | 'source_workload_namespace'
  | 'destination_workload'
  | 'destination_workload_namespace';

const OWN_WORKLOAD = "node.metadata['WORKLOAD_NAME']";
const OWN_NAMESPACE = "node.metadata['NAMESPACE']";

/**
 * Each standard label's CEL per proxy kind, in the pre-1.24 vocabulary (translated for the target):
 * the receiving sidecar reports `destination` and is the destination; senders (outbound sidecars and
 * gateways) report `source` and are the source; the other side is the peer of the metadata exchange.
 */
const STANDARD_LABEL_CEL: Readonly<Record<DefinitionStandardLabel, Readonly<Record<ProxyKind, string>>>> = {
  reporter: {
    [ProxyKind.INBOUND_SIDECAR]: "'destination'",
    [ProxyKind.OUTBOUND_SIDECAR]: "'source'",
    [ProxyKind.GATEWAY]: "'source'",
  },
  source_workload: {
    [ProxyKind.INBOUND_SIDECAR]: 'downstream_peer.workload_name',
    [ProxyKind.OUTBOUND_SIDECAR]: OWN_WORKLOAD,
    [ProxyKind.GATEWAY]: OWN_WORKLOAD,
  },
  source_workload_namespace: {
    [ProxyKind.INBOUND_SIDECAR]: 'downstream_peer.namespace',
    [ProxyKind.OUTBOUND_SIDECAR]: OWN_NAMESPACE,
    [ProxyKind.GATEWAY]: OWN_NAMESPACE,
  },
  destination_workload: {
    [ProxyKind.INBOUND_SIDECAR]: OWN_WORKLOAD,
    [ProxyKind.OUTBOUND_SIDECAR]: 'upstream_peer.workload_name',
    [ProxyKind.GATEWAY]: 'upstream_peer.workload_name',
  },
  destination_workload_namespace: {
    [ProxyKind.INBOUND_SIDECAR]: OWN_NAMESPACE,
    [ProxyKind.OUTBOUND_SIDECAR]: 'upstream_peer.namespace',
    [ProxyKind.GATEWAY]: 'upstream_peer.namespace',
  },
};
const STANDARD_LABELS = Object.keys(STANDARD_LABEL_CEL) as DefinitionStandardLabel[];

/** A dimension's CEL: one for every proxy kind, or one per proxy kind (the others do not get the label). */
export type DefinitionDimension = string | Readonly<Partial<Record<ProxyKind, string>>>;

export interface MetricDefinitionProps {
  /** The mesh (and so the Istio version) this applies to. */
  readonly mesh: IstioMesh;
  /** Metric name without the `istio_` prefix Istio adds: `get_calls` is exported as `istio_get_calls`. */
  readonly name: string;
  readonly type: MetricType;
  /** CEL expression for the value recorded per request, e.g. `(request.method.startsWith('GET') ? 1 : 0)`. */
  readonly value: string;
  /**
   * The proxy kinds that record the metric.
   * @default - inbound sidecars, outbound sidecars and gateways
   */
  readonly proxies?: readonly ProxyKind[];
  /**
   * Labels of the new metric: label name to CEL expression, the same on every proxy kind or one per
   * proxy kind, e.g. `{ destination_ip: 'destination.address' }` (stats-filter only).
   * @default - none
   */
  readonly dimensions?: Readonly<Record<string, DefinitionDimension>>;
  /**
   * Standard labels the metric carries, computed per proxy kind in the target release's CEL
   * vocabulary (stats-filter only): the stats filter gives a new metric no labels of its own.
   * @default - `['reporter']` when the metric is recorded on both sides of a request (inbound and
   *   outbound or gateway proxies), so a request is not counted twice in one series; else none
   */
  readonly standardLabels?: readonly DefinitionStandardLabel[];
  /**
   * How the metric comes to exist.
   * @default - `stats-filter` with the IstioOperator metrics mechanism (1.17 to 1.20);
   *   `recording-rule` with the Telemetry API, where the value counts requests matching a condition
   *   on the request method or response code (any other definition must choose)
   */
  readonly implementation?: MetricImplementation;
}

/**
 * Defines a new metric.
 *
 * With the stats-filter implementation it is a `definitions` entry of the stats filter, with its
 * labels as `metrics[].dimensions`: the IstioOperator `configOverride` with the `istio-operator`
 * mechanism, or an EnvoyFilter ({@link CustomMetricsFilter}) next to the Telemetry API, which
 * cannot define metrics on any release. With the recording-rule implementation, a counter of
 * matching requests is read from `istio_requests_total` (the labels it needs added with
 * {@link MetricDimensions}), and the backends record it as a rule.
 */
export class MetricDefinition extends Construct implements CelExpressionSource, PolicyNoteSource {
  readonly mesh: IstioMesh;
  readonly name: string;
  readonly proxies: readonly ProxyKind[];
  readonly type: MetricType;
  readonly implementation: MetricImplementation;
  /** The Prometheus metric name, e.g. `istio_get_calls`. */
  readonly prometheusName: string;
  /** The standard labels the stats filter computes (stats-filter implementation). */
  readonly standardLabels: readonly DefinitionStandardLabel[];
  /** For the recording-rule implementation: the requests counted, as `istio_requests_total` matchers. */
  readonly requestSubset?: RequestSubset;
  private readonly value: string;
  /** Label to CEL, per proxy kind, as emitted (standard labels and dimensions, translated). */
  private readonly labels = new Map<ProxyKind, Record<string, string>>();
  private readonly userDimensions: readonly string[];
  /** Whether it is recorded on both sides of a request: by the server (inbound) and a client (outbound, gateway). */
  private readonly bothSides: boolean;

  constructor(scope: Construct, id: string, props: MetricDefinitionProps) {
    super(scope, id);
    const proxies = props.proxies ?? ALL_PROXY_KINDS;
    const problems = proxyKindProblems(['proxies'], proxies);
    problems.push(...metricDefinitionNameProblems(props.name, STANDARD_METRIC_NAMES));
    if (!Object.values(MetricType).includes(props.type)) {
      problems.push(problem(['type'], props.type, `one of ${Object.values(MetricType).join(', ')}`));
    }
    if (typeof props.value !== 'string' || props.value.trim() === '') {
      problems.push(problem(['value'], props.value, 'a non-empty CEL expression'));
    }
    const implementations = Object.values(MetricImplementation) as string[];
    if (props.implementation !== undefined && !implementations.includes(props.implementation)) {
      problems.push(problem(['implementation'], props.implementation, `one of ${implementations.join(', ')}`));
    }
    (props.standardLabels ?? []).forEach((label, i) => {
      if (!STANDARD_LABELS.includes(label)) {
        problems.push(problem(['standardLabels', i], label, `one of ${STANDARD_LABELS.join(', ')}`));
      }
    });
    for (const [name, expression] of Object.entries(props.dimensions ?? {})) {
      problems.push(...dimensionNameProblems(name, STANDARD_LABELS));
      const perProxy = typeof expression === 'string' ? {} : (expression ?? {});
      for (const [proxy, cel] of Object.entries(perProxy)) {
        if (!ALL_PROXY_KINDS.includes(proxy as ProxyKind) || !proxies.includes(proxy as ProxyKind)) {
          problems.push(
            problem(['dimensions', name, proxy], cel, `a proxy kind of this metric: ${proxies.join(', ')}`),
          );
        }
      }
      const values = typeof expression === 'string' ? [expression] : Object.values(perProxy);
      if (values.length === 0 || values.some((v) => typeof v !== 'string' || v.trim() === '')) {
        problems.push(problem(['dimensions', name], expression, 'a non-empty CEL expression, or one per proxy kind'));
      }
    }
    this.mesh = props.mesh;
    this.name = props.name;
    this.proxies = proxies;
    this.type = props.type;
    this.prometheusName = `istio_${props.name}`;
    this.userDimensions = Object.keys(props.dimensions ?? {});
    this.bothSides =
      proxies.includes(ProxyKind.INBOUND_SIDECAR) &&
      (proxies.includes(ProxyKind.OUTBOUND_SIDECAR) || proxies.includes(ProxyKind.GATEWAY));
    this.standardLabels = props.standardLabels ? [...props.standardLabels] : this.bothSides ? ['reporter'] : [];
    this.value = props.value;
    this.implementation =
      props.implementation ??
      (props.mesh.metricsCustomization === 'istio-operator'
        ? MetricImplementation.STATS_FILTER
        : MetricImplementation.RECORDING_RULE);
    // Reported at synth with every other construct's problems; nothing is contributed from bad input.
    if (refuseInput(this, problems)) return;

    const subset = requestSubsetOf(props.value);
    const expressible = recordingRuleProblem(props, subset);
    if (this.implementation === MetricImplementation.RECORDING_RULE && expressible !== undefined) {
      refuseInput(this, [
        problem(
          ['implementation'],
          this.implementation,
          'a definition a recording rule over istio_requests_total expresses',
          {
            what: `${this.prometheusName} cannot be read from istio_requests_total: ${expressible}`,
            hint:
              props.implementation === undefined
                ? `next to the Telemetry API a new metric is, by default, a recording rule over istio_requests_total: count requests with value "1" or "<condition on request.method or response.code> ? 1 : 0", or set implementation: stats-filter for a second stats filter (an EnvoyFilter no Istio test covers)`
                : 'set implementation: stats-filter, or count requests with value "1" or "<condition on request.method or response.code> ? 1 : 0"',
          },
        ),
      ]);
      return;
    }

    if (this.implementation === MetricImplementation.RECORDING_RULE) {
      this.requestSubset = subset as RequestSubset;
      if (Object.keys(this.requestSubset.dimensions).length > 0) {
        new MetricDimensions(this, 'RequestLabels', {
          mesh: props.mesh,
          metric: StandardMetric.REQUESTS_TOTAL,
          proxies,
          dimensions: { ...this.requestSubset.dimensions },
        });
      }
      return;
    }

    // Every expression is translated for the target before anything is contributed.
    const untranslatable: Problem[] = [];
    const translate = (field: FieldPath, expression: string): string => {
      const translated = celForTarget(field, expression, this.mesh.policy, this.mesh.celOptions);
      if ('problems' in translated) untranslatable.push(...translated.problems);
      return 'expression' in translated ? translated.expression : expression;
    };
    this.value = translate(['value'], props.value);
    for (const proxy of proxies) {
      const labels: Record<string, string> = {};
      for (const label of this.standardLabels) {
        labels[label] = translate(['standardLabels', label], STANDARD_LABEL_CEL[label][proxy]);
      }
      for (const [name, expression] of Object.entries(props.dimensions ?? {})) {
        const cel = typeof expression === 'string' ? expression : expression[proxy];
        if (cel !== undefined) labels[name] = translate(['dimensions', name], cel);
      }
      this.labels.set(proxy, labels);
    }
    if (refuseInput(this, untranslatable)) return;
    const definition = { name: props.name, type: props.type, value: this.value };
    for (const proxy of proxies) {
      const dimensions = this.labels.get(proxy) ?? {};
      const hasDimensions = Object.keys(dimensions).length > 0;
      switch (props.mesh.metricsCustomization) {
        case 'istio-operator':
          props.mesh.install.addMetricDefinition(this, proxy, definition);
          if (hasDimensions) props.mesh.install.addMetricOverride(this, proxy, props.name, { dimensions });
          break;
        case 'telemetry-api':
          props.mesh.customMetricsFilter.addDefinition(this, proxy, definition);
          if (hasDimensions) props.mesh.customMetricsFilter.addDimensions(this, proxy, props.name, { ...dimensions });
          break;
      }
    }
  }

  /** The labels this metric's series carry on `proxies`: the standard labels and dimensions it defines there. */
  labelsOn(proxies: readonly ProxyKind[]): readonly string[] {
    return [...new Set(proxies.flatMap((p) => Object.keys(this.labels.get(p) ?? {})))];
  }

  /** The labels this metric has beyond the standard ones (stats-filter implementation). */
  dimensionNames(): readonly string[] {
    return this.userDimensions;
  }

  /** The value expression, evaluated per request; it must be numeric. Dimensions may be any type. */
  celExpressions(): readonly CelSite[] {
    if (this.implementation === MetricImplementation.RECORDING_RULE) return [];
    return [
      { field: ['value'], expression: this.value, result: 'number', proxies: this.proxies },
      ...this.proxies.flatMap((proxy) =>
        Object.entries(this.labels.get(proxy) ?? {}).map(([name, expression]) => ({
          field: this.standardLabels.includes(name as DefinitionStandardLabel)
            ? ['standardLabels', name]
            : ['dimensions', name],
          expression,
          result: 'any' as const,
          proxies: [proxy],
          metric: this.prometheusName,
        })),
      ),
    ];
  }

  policyNotes(): readonly Problem[] {
    const notes: Problem[] = [];
    if (this.implementation === MetricImplementation.RECORDING_RULE) {
      const selector = (this.requestSubset?.matchers ?? []).map(matcherText).join(', ');
      notes.push(
        statement(
          undefined,
          `${this.prometheusName} is not exported by the proxies: it is read from istio_requests_total${selector ? `{${selector}}` : ''}${Object.keys(this.requestSubset?.dimensions ?? {}).length > 0 ? `, with ${Object.keys(this.requestSubset?.dimensions ?? {}).join(', ')} added to it` : ''}, and recorded by the mesh's recording rules (the supported route next to the Telemetry API: a dimension on a standard metric, istio.io "Customizing Istio Metrics with Telemetry API")`,
        ),
      );
      return notes;
    }
    if (this.mesh.metricsCustomization === 'telemetry-api') {
      notes.push(
        statement(
          undefined,
          `${this.prometheusName} is defined by EnvoyFilter "${this.mesh.customMetricsFilter.envoyFilter.name}", a second istio.stats instance beside istiod's (its standard metrics dropped); no Istio test runs two stats filters, and Istio documents EnvoyFilter stats config and the Telemetry API as conflicting (istio/istio#39772): check ${this.prometheusName} after every Istio upgrade`,
        ),
      );
    }
    if (this.bothSides && !this.standardLabels.includes('reporter')) {
      notes.push(
        statement(
          ['standardLabels'],
          `${this.prometheusName} is recorded by the client and the server of each in-mesh request and has no reporter label (got ${formatValue(this.standardLabels)}), so one series counts each request twice; add reporter, or record it on one proxy kind`,
        ),
      );
    }
    return notes;
  }
}

/** Why a recording rule cannot express the definition, or undefined. */
function recordingRuleProblem(
  props: MetricDefinitionProps,
  subset: RequestSubset | { readonly reason: string },
): string | undefined {
  if (props.type !== MetricType.COUNTER) return `it is a ${props.type}, and only a request counter is one`;
  if (Object.keys(props.dimensions ?? {}).length > 0) {
    return 'it has dimensions of its own (add them to istio_requests_total with MetricDimensions instead)';
  }
  if (props.standardLabels !== undefined)
    return 'standardLabels are for the stats filter; istio_requests_total has them all';
  return 'reason' in subset ? subset.reason : undefined;
}

/** `request_method=~"GET.*"` */
export function matcherText(m: LabelMatcher): string {
  return `${m.label}${m.op}${JSON.stringify(m.regex)}`;
}
