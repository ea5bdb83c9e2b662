import { type App, Chart } from 'cdk8s';
import { AttributeGen } from '../constructs/attributes/attribute-gen';
import { EnvoyStatsMonitor } from '../constructs/backends/envoy-stats-monitor';
import { IstioComponentMonitor } from '../constructs/backends/istio-component-monitor';
import { IstioDashboards } from '../constructs/backends/istio-dashboards';
import { Jaeger } from '../constructs/backends/jaeger';
import { JaegerStorage } from '../constructs/backends/jaeger-storage';
import { KialiInstance } from '../constructs/backends/kiali-instance';
import { MeshRecordingRules } from '../constructs/backends/mesh-recording-rules';
import { PrometheusInstance } from '../constructs/backends/prometheus-instance';
import { PrometheusScrapeConfig } from '../constructs/backends/prometheus-scrape-config';
import { BootstrapOverride } from '../constructs/bootstrap/bootstrap-override';
import { statsdSinkOverride } from '../constructs/bootstrap/envoy-bootstrap';
import { BookRecipes } from '../constructs/demo/book-recipes';
import { CoolstoreGateway } from '../constructs/demo/coolstore-gateway';
import { HttpbinEgress } from '../constructs/demo/httpbin-egress';
import { IstioInActionApp } from '../constructs/demo/istioinaction-app';
import { AccessLogging } from '../constructs/logging/access-logging';
import { IstioMesh } from '../constructs/mesh/istio-mesh';
import { MetricDefinition, MetricImplementation, MetricType } from '../constructs/metrics/metric-definition';
import { MetricDimensions } from '../constructs/metrics/metric-dimensions';
import { ProxyTarget } from '../constructs/proxy-config/proxy-target';
import { StatsInclusion } from '../constructs/stats/stats-inclusion';
import { CustomTag, CustomTraceTags } from '../constructs/tracing/custom-trace-tags';
import { PilotTraceSampling } from '../constructs/tracing/pilot-trace-sampling';
import { TraceSampling } from '../constructs/tracing/trace-sampling';
import { ZipkinTracer } from '../constructs/tracing/zipkin-tracer';
import { ProxyKind } from '../core/istio/proxy-kind';
import { StandardMetric } from '../core/istio/standard-metrics';

/** An accepted difference between our output and the seed, with the reason. */
export interface Deviation {
  readonly object: string;
  readonly path: string;
  /** Our value at `path`, where the exact value is the point of the deviation. */
  readonly ours?: unknown;
  readonly why: string;
}

/** Target releases every scenario has a golden file (or a golden refusal) for. */
export const GOLDEN_VERSIONS = ['1.17', '1.20', '1.22', '1.24', '1.30', '1.31'] as const;
/** The release the seeds were written for: its goldens are compared with the seed manifests. */
export const SEED_VERSION = '1.17';

/** One seed intent built by our constructs for a target release. */
export interface Scenario {
  /**
   * Golden files `test/goldens/<version>/<name>.k8s.yaml` (or `<name>.refusal.txt`) and, where the
   * intent is quoted in a seed, the seed fixture `test/seeds/<name>.yaml`.
   */
  readonly name: string;
  readonly build: (app: App, istioVersion: string) => void;
  /** Whether `test/seeds/<name>.yaml` holds the seed's manifest (seed 002's Mixer-era intents have none). */
  readonly seed: boolean;
  /** The namespace the seed's objects are applied to when they name none. @default 'istioinaction' */
  readonly seedNamespace?: string;
  /** Objects we emit that the seed file does not contain, with the reason. */
  readonly extraObjects: Readonly<Record<string, string>>;
  /** Every difference that remains after normalization; any other difference fails. */
  readonly deviations: readonly Deviation[];
}

const PLUS_LABEL = 'cdk8s-plus-27 labels every pod template with its construct address so its selectors can find it';
const PLUS_PRIVILEGE =
  'cdk8s-plus-27 sets allowPrivilegeEscalation: false; kept, the demo images do not need privilege escalation';
const SA_WHY =
  'the ch7/ch8 copies of webapp.yaml predate the ServiceAccount that services/webapp/kubernetes/webapp.yaml (applied first) sets';

/** The differences every webapp Deployment has from the book's ch7/ch8 copies. */
function webappDeviations(): Deviation[] {
  return [
    { object: 'Deployment/webapp', path: 'spec.template.metadata.labels["cdk8s.io/metadata.addr"]', why: PLUS_LABEL },
    { object: 'Deployment/webapp', path: 'spec.template.spec.containers[0].securityContext', why: PLUS_PRIVILEGE },
    { object: 'Deployment/webapp', path: 'spec.template.spec.serviceAccountName', why: SA_WHY },
  ];
}

/** The webapp ServiceAccount and Service, applied from services/webapp/kubernetes/webapp.yaml before the seed file. */
const WEBAPP_BASE = {
  'ServiceAccount/webapp': 'from services/webapp/kubernetes/webapp.yaml, which the book applies before this file',
  'Service/webapp': 'from services/webapp/kubernetes/webapp.yaml, which the book applies before this file',
};

/**
 * A configOverride replaces the chart's whole stats config of its proxy kind, and the chart's
 * default for inbound sidecars and gateways is `disable_host_header_fallback: true`
 * (istio/istio@1.17.8:manifests/charts/istio-control/istio-discovery/templates/telemetryv2_1.17.yaml
 * lines 62-67, 88-93): ours keeps it, the book's overrides drop it.
 */
const HOST_HEADER_FALLBACK: Deviation[] = ['gateway', 'inboundSidecar'].map((proxy) => ({
  object: 'IstioOperator/control-plane',
  path: `spec.values.telemetry.v2.prometheus.configOverride.${proxy}.disable_host_header_fallback`,
  ours: true,
  why: "kept from the chart's default, which the override replaces: without it a request's Host header can name destination_service on inbound sidecars and gateways",
}));

const IOP_METADATA: Deviation[] = [
  {
    object: 'IstioOperator/control-plane',
    path: 'metadata.name',
    ours: 'control-plane',
    why: 'the book leaves the IstioOperator unnamed; we name it control-plane so every overlay is the same file',
  },
  {
    object: 'IstioOperator/control-plane',
    path: 'metadata.namespace',
    why: 'we place every IstioOperator in the root namespace; istioctl ignores it',
  },
];

const ZIPKIN = BookRecipes.zipkinAddress;

function istioInstallChart(app: App): Chart {
  return new Chart(app, 'istio-install', { namespace: 'istio-system', disableResourceNameHashes: true });
}

function appChart(app: App): Chart {
  return new Chart(app, 'istioinaction', { namespace: 'istioinaction', disableResourceNameHashes: true });
}

/** The mesh with the book's `profile: demo` (ch7 overlays), or without a profile (ch8 tracing overlay). */
function demoMesh(app: App, istioVersion: string, profile?: string): IstioMesh {
  return new IstioMesh(istioInstallChart(app), 'mesh', { istioVersion, profile });
}

function webappOnly(app: App) {
  return new IstioInActionApp(appChart(app), 'app', { catalog: false }).webapp.deployment;
}

/** The backends' chart: no default namespace, every backend object names its own. */
function backendsChart(app: App): Chart {
  return new Chart(app, 'observability-backends', { disableResourceNameHashes: true });
}

/** kube-prometheus-stack as the book installs it: release `prom` in namespace `prometheus` (seed 003). */
const BOOK_PROMETHEUS = PrometheusInstance.kubePrometheusStack({ release: 'prom', namespace: 'prometheus' });

/** Why the Jaeger add-on's pod differs from the seed: it is hardened, and its storage is explicit. */
export const JAEGER_DEVIATIONS: Deviation[] = [
  { object: 'Deployment/jaeger', path: 'spec.template.metadata.labels["cdk8s.io/metadata.addr"]', why: PLUS_LABEL },
  {
    object: 'Deployment/jaeger',
    path: 'spec.template.spec.automountServiceAccountToken',
    ours: false,
    why: 'Jaeger never calls the Kubernetes API, so its pod gets no API token',
  },
  {
    object: 'Deployment/jaeger',
    path: 'spec.template.spec.securityContext',
    ours: {
      fsGroup: 10001,
      runAsGroup: 10001,
      runAsNonRoot: true,
      runAsUser: 10001,
      seccompProfile: { type: 'RuntimeDefault' },
    },
    why: "the add-on runs as the image's user, root for the v1 all-in-one; we run as 10001 (Jaeger v2's image user), let it own the volumes, and use the runtime's default seccomp profile (Pod Security Standards, restricted)",
  },
  {
    object: 'Deployment/jaeger',
    path: 'spec.template.spec.containers[0].securityContext',
    ours: {
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      readOnlyRootFilesystem: true,
      runAsGroup: 10001,
      runAsNonRoot: true,
      runAsUser: 10001,
    },
    why: 'no capabilities, no privilege escalation and a read-only root filesystem (Pod Security Standards, restricted): Jaeger writes only to its storage volume',
  },
  {
    object: 'Deployment/jaeger',
    path: 'spec.template.spec.containers[0].resources.requests.memory',
    ours: '128Mi',
    why: 'the add-on requests CPU only; a memory request lets the scheduler place it',
  },
  {
    object: 'Deployment/jaeger',
    path: 'spec.template.spec.containers[0].resources.limits',
    ours: { cpu: '1', 'ephemeral-storage': '1Gi', memory: '1024Mi' },
    why: 'bounds memory, CPU and local disk, so a trace burst restarts Jaeger instead of starving the node',
  },
  {
    object: 'Deployment/jaeger',
    path: 'spec.template.spec.volumes',
    ours: [
      { emptyDir: { sizeLimit: '256Mi' }, name: 'tmp' },
      { emptyDir: {}, name: 'data' },
    ],
    why: 'the image declares VOLUME /tmp, which Kubernetes ignores; with a read-only root filesystem /tmp is an emptyDir, bounded to 256Mi',
  },
  {
    object: 'Deployment/jaeger',
    path: 'spec.template.spec.containers[0].ports',
    ours: [{ containerPort: 14269, name: 'http-metrics' }],
    why: "declares the admin port its prometheus.io/port annotation names, so the jaeger-monitor PodMonitor can select it (Prometheus's pod discovery sees declared ports only)",
  },
  {
    object: 'Deployment/jaeger',
    path: 'spec.template.spec.containers[0].volumeMounts',
    ours: [
      { mountPath: '/tmp', name: 'tmp' },
      { mountPath: '/badger', name: 'data' },
    ],
    why: 'mounts the /tmp emptyDir next to the storage volume',
  },
  {
    object: 'Deployment/jaeger',
    path: 'spec.template.spec.containers[0].env',
    why: 'MEMORY_MAX_TRACES is dropped: it configures the memory store, and this storage is badger (JaegerStorage.memory sets it)',
  },
];

/**
 * Metric declarations every target release can express, for the backends that follow them: the
 * book's source_mesh_id dimension and get_calls metric, the upstream_operation dimension from the
 * attribute generator, and a request_host label on the request duration histogram (inbound only).
 */
function declaredMetrics(app: App, mesh: IstioMesh): void {
  const chart = appChart(app);
  new MetricDimensions(chart, 'requests-dimensions', {
    mesh,
    metric: StandardMetric.REQUESTS_TOTAL,
    dimensions: { source_mesh_id: BookRecipes.requestDimensions.source_mesh_id },
    tagsToRemove: BookRecipes.removedRequestTags,
  });
  const generator = new AttributeGen(chart, 'attribute-gen', { mesh, name: 'attribute-gen-example' });
  const operation = generator.addAttribute(BookRecipes.operationIdAttribute, BookRecipes.operationIdRules);
  new MetricDimensions(chart, 'requests-operation', {
    mesh,
    metric: StandardMetric.REQUESTS_TOTAL,
    proxies: [ProxyKind.OUTBOUND_SIDECAR],
    dimensions: { upstream_operation: operation },
  });
  new MetricDimensions(chart, 'duration-host', {
    mesh,
    metric: StandardMetric.REQUEST_DURATION_MILLISECONDS,
    proxies: [ProxyKind.INBOUND_SIDECAR],
    dimensions: { request_host: 'request.host' },
  });
  new MetricDefinition(chart, 'get-calls', { mesh, ...BookRecipes.getCalls });
}

export const SCENARIOS: readonly Scenario[] = [
  {
    name: 'stats-inclusion-workload',
    build: (app, version) => {
      const mesh = demoMesh(app, version);
      const webapp = webappOnly(app);
      new StatsInclusion(webapp, 'stats-inclusion', {
        mesh,
        target: ProxyTarget.workload(webapp),
        inclusionPrefixes: [BookRecipes.catalogClusterStats],
      });
    },
    seed: true,
    extraObjects: WEBAPP_BASE,
    deviations: webappDeviations(),
  },
  {
    name: 'stats-inclusion-mesh',
    build: (app, version) => {
      const mesh = demoMesh(app, version, 'demo');
      new StatsInclusion(mesh, 'stats-inclusion', {
        mesh,
        target: ProxyTarget.mesh(),
        inclusionPrefixes: [BookRecipes.catalogClusterStats],
      });
    },
    seed: true,
    extraObjects: {},
    deviations: [
      {
        object: 'IstioOperator/control-plane',
        path: 'metadata.namespace',
        why: 'we place every IstioOperator in the root namespace; istioctl ignores it',
      },
    ],
  },
  {
    name: 'custom-dimensions',
    build: (app, version) => {
      const mesh = demoMesh(app, version, 'demo');
      const webapp = webappOnly(app);
      new MetricDimensions(webapp, 'requests-dimensions', {
        mesh,
        metric: StandardMetric.REQUESTS_TOTAL,
        dimensions: {
          upstream_proxy_version: 'upstream_peer.istio_version',
          source_mesh_id: "node.metadata['MESH_ID']",
        },
        tagsToRemove: ['request_protocol'],
        extraStatTagsFor: [webapp],
      });
    },
    seed: true,
    extraObjects: WEBAPP_BASE,
    deviations: [
      ...IOP_METADATA,
      ...HOST_HEADER_FALLBACK,
      ...webappDeviations(),
      {
        object: 'Deployment/webapp',
        path: 'spec.template.spec.containers[0].env',
        why: "the book's webapp-deployment-extrastats.yaml drops webapp's CATALOG_*/FORUM_* variables, which breaks the catalog calls the metric is about; ours keeps them",
      },
    ],
  },
  {
    name: 'new-metric',
    build: (app, version) => {
      const mesh = demoMesh(app, version, 'demo');
      new MetricDefinition(mesh, 'get-calls', { mesh, ...BookRecipes.getCalls });
    },
    seed: true,
    extraObjects: {},
    deviations: [
      ...IOP_METADATA,
      ...HOST_HEADER_FALLBACK,
      // The filter gives a new metric no standard label (istio/proxy@e1222b56, pinned by 1.17.8:
      // source/extensions/filters/http/istio_stats/istio_stats.cc overrideTags(metric.name_, {}, ...)).
      ...(['gateway', 'inboundSidecar', 'outboundSidecar'] as const).map((proxy) => ({
        object: 'IstioOperator/control-plane',
        path: `spec.values.telemetry.v2.prometheus.configOverride.${proxy}.metrics`,
        ours: [
          { name: 'get_calls', dimensions: { reporter: proxy === 'inboundSidecar' ? "'destination'" : "'source'" } },
        ],
        why: "the book's get_calls is recorded on both sides of each request in one unlabelled series, counting it twice; ours carries reporter, so a query can count each request once",
      })),
    ],
  },
  {
    name: 'attribute-gen',
    build: (app, version) => {
      const mesh = demoMesh(app, version, 'demo');
      const chart = appChart(app);
      const generator = new AttributeGen(chart, 'attribute-gen', { mesh, name: 'attribute-gen-example' });
      const operationId = generator.addAttribute(BookRecipes.operationIdAttribute, BookRecipes.operationIdRules);
      new MetricDimensions(chart, 'requests-operation', {
        mesh,
        metric: StandardMetric.REQUESTS_TOTAL,
        proxies: [ProxyKind.OUTBOUND_SIDECAR],
        dimensions: { upstream_operation: operationId },
      });
    },
    seed: true,
    extraObjects: {},
    deviations: [
      ...IOP_METADATA,
      {
        object: 'EnvoyFilter/attribute-gen-example',
        path: 'spec.configPatches[0].match.proxy.proxyVersion',
        ours: '^1\\.17([.-].*)?$',
        why: 'derived from the target version as ^1\\.17([.-].*)?$; the hand-edited ^1\\.17.* also matches 1.170-1.179 (istio/istio#43602)',
      },
    ],
  },
  {
    name: 'tracing-mesh',
    build: (app, version) => {
      const mesh = demoMesh(app, version);
      new TraceSampling(mesh, 'sampling', { mesh, target: ProxyTarget.mesh(), percentage: 100 });
      new ZipkinTracer(mesh, 'zipkin', { mesh, target: ProxyTarget.mesh(), address: ZIPKIN });
    },
    seed: true,
    extraObjects: {},
    deviations: [
      {
        object: 'IstioOperator/control-plane',
        path: 'metadata.name',
        why: 'the book leaves the IstioOperator unnamed; we name every overlay control-plane',
      },
    ],
  },
  {
    name: 'tracing-workload-sampling',
    build: (app, version) => {
      const mesh = demoMesh(app, version);
      const webapp = webappOnly(app);
      new TraceSampling(webapp, 'sampling', { mesh, target: ProxyTarget.workload(webapp), percentage: 10 });
      new ZipkinTracer(webapp, 'zipkin', { mesh, target: ProxyTarget.workload(webapp), address: ZIPKIN });
    },
    seed: true,
    extraObjects: WEBAPP_BASE,
    deviations: webappDeviations(),
  },
  {
    name: 'tracing-custom-tags',
    build: (app, version) => {
      const mesh = demoMesh(app, version);
      const webapp = webappOnly(app);
      const target = ProxyTarget.workload(webapp);
      new TraceSampling(webapp, 'sampling', { mesh, target, percentage: 100 });
      new CustomTraceTags(webapp, 'tags', { mesh, target, tags: { custom_tag: CustomTag.literal('Test Tag') } });
      new ZipkinTracer(webapp, 'zipkin', { mesh, target, address: ZIPKIN });
    },
    seed: true,
    extraObjects: WEBAPP_BASE,
    deviations: webappDeviations(),
  },
  {
    // Not in the seeds (the book shows access logs only in Kiali): every proxy's log as JSON on stdout.
    name: 'access-logging-mesh',
    build: (app, version) => {
      const mesh = demoMesh(app, version);
      new AccessLogging(mesh, 'access-log', {
        mesh,
        file: { format: { json: { start: '%START_TIME%', status: '%RESPONSE_CODE%', upstream: '%UPSTREAM_HOST%' } } },
      });
    },
    seed: false,
    extraObjects: {},
    deviations: [],
  },
  {
    // webapp's failed requests to an OpenTelemetry collector: a Telemetry per workload with a CEL filter.
    name: 'access-logging-workload',
    build: (app, version) => {
      const mesh = demoMesh(app, version);
      const webapp = webappOnly(app);
      new AccessLogging(webapp, 'access-log', {
        mesh,
        target: ProxyTarget.workload(webapp),
        openTelemetry: {
          address: 'opentelemetry-collector.observability:4317',
          format: { text: '%REQ(:METHOD)% %REQ(:PATH)% %RESPONSE_CODE%' },
        },
        filter: 'response.code >= 400',
      });
    },
    seed: false,
    extraObjects: {},
    deviations: [],
  },
  {
    name: 'bootstrap-override',
    build: (app, version) => {
      const mesh = demoMesh(app, version);
      const webapp = webappOnly(app);
      const target = ProxyTarget.workload(webapp);
      new TraceSampling(webapp, 'sampling', { mesh, target, percentage: 10 });
      new ZipkinTracer(webapp, 'zipkin', { mesh, target, address: ZIPKIN });
      new BootstrapOverride(webapp, 'bootstrap', {
        name: 'istio-custom-zipkin',
        bootstrap: BookRecipes.zipkinBootstrap,
        workloads: [webapp],
      });
    },
    seed: true,
    extraObjects: WEBAPP_BASE,
    deviations: [
      ...webappDeviations(),
      {
        object: 'ConfigMap/istio-custom-zipkin',
        path: 'data["custom_bootstrap.json"].tracing.http.typedConfig.traceId128bit',
        ours: true,
        why: 'the book writes the string "true", which Envoy accepts (the seeds\' lab read it back as true); ZipkinConfig.trace_id_128bit is a bool, so the canonical form is true',
      },
    ],
  },
  {
    name: 'demo-app',
    build: (app, version) => {
      const mesh = demoMesh(app, version);
      const chart = appChart(app);
      new IstioInActionApp(chart, 'app');
      new CoolstoreGateway(chart, 'coolstore-gateway', { mesh });
    },
    seed: true,
    extraObjects: {},
    deviations: [
      {
        object: 'Deployment/catalog',
        path: 'spec.template.metadata.labels["cdk8s.io/metadata.addr"]',
        why: PLUS_LABEL,
      },
      { object: 'Deployment/catalog', path: 'spec.template.spec.containers[0].securityContext', why: PLUS_PRIVILEGE },
      { object: 'Deployment/webapp', path: 'spec.template.metadata.labels["cdk8s.io/metadata.addr"]', why: PLUS_LABEL },
      { object: 'Deployment/webapp', path: 'spec.template.spec.containers[0].securityContext', why: PLUS_PRIVILEGE },
    ],
  },
  {
    name: 'httpbin-egress',
    build: (app, version) => {
      const mesh = demoMesh(app, version);
      const chart = appChart(app);
      const gateway = new CoolstoreGateway(chart, 'coolstore-gateway', { mesh });
      new HttpbinEgress(chart, 'httpbin', { mesh, gateway });
    },
    seed: true,
    extraObjects: {
      'VirtualService/webapp-virtualservice':
        'from services/webapp/istio/webapp-catalog-gw-vs.yaml, which defines the same gateway',
    },
    deviations: [],
  },
  // Seed 002 (Istio 1.3 era): intents whose mechanisms are gone, expressed with today's.
  {
    name: 'mixer-metric',
    // Mixer's metric/instance/prometheus/rule (removed in 1.8) as a stats-filter metric definition.
    // The rule's `match: destination.service == "apigateway..."` has no equivalent (MetricConfig.match
    // is not implemented): the metric counts every inbound request, labelled by destination.
    build: (app, version) => {
      const mesh = demoMesh(app, version, 'demo');
      new MetricDefinition(mesh, 'apigateway-request-count', {
        mesh,
        name: 'apigateway_request_count',
        type: MetricType.COUNTER,
        value: '1',
        proxies: [ProxyKind.INBOUND_SIDECAR],
        // Labels of its own: next to the Telemetry API only a second stats filter defines it.
        implementation: MetricImplementation.STATS_FILTER,
        dimensions: {
          source: 'downstream_peer.workload_name',
          destination: "node.metadata['WORKLOAD_NAME']",
          destination_ip: 'destination.address',
        },
      });
    },
    seed: false,
    extraObjects: {},
    deviations: [],
  },
  {
    name: 'statsd-push',
    // The apigateway sidecar's `--statsdUdpAddress statsd:8125` as an Envoy stats_sinks override.
    build: (app, version) => {
      demoMesh(app, version);
      const webapp = webappOnly(app);
      new BootstrapOverride(webapp, 'statsd', {
        name: 'istio-statsd-push',
        bootstrap: statsdSinkOverride({ address: 'statsd.istioinaction:9125' }),
        workloads: [webapp],
      });
    },
    seed: false,
    extraObjects: {},
    deviations: [],
  },
  {
    name: 'pilot-trace-sampling',
    // istiod's PILOT_TRACE_SAMPLING env, which seed 002 edits on the pilot Deployment.
    build: (app, version) => {
      const mesh = demoMesh(app, version);
      new PilotTraceSampling(mesh, 'pilot-sampling', { mesh, percentage: 100 });
    },
    seed: false,
    extraObjects: {},
    deviations: [],
  },
  {
    name: 'prometheus-operator-monitors',
    build: (app, version) => {
      const mesh = demoMesh(app, version);
      const chart = backendsChart(app);
      new IstioComponentMonitor(chart, 'istio-component-monitor', { prometheus: BOOK_PROMETHEUS });
      new EnvoyStatsMonitor(chart, 'envoy-stats-monitor', { mesh, prometheus: BOOK_PROMETHEUS });
    },
    seed: true,
    extraObjects: {},
    deviations: [],
  },
  {
    name: 'prometheus-scrape-config',
    build: (app, version) => {
      const mesh = demoMesh(app, version);
      new PrometheusScrapeConfig(backendsChart(app), 'scrape-config', {
        mesh,
        name: 'istioinaction-prom',
        namespace: 'prometheus',
        labels: { source: 'istioinaction' },
        // The seed's config, which has no rules; the alerting config is checked by promtool's tests.
        alerts: false,
      });
    },
    seed: true,
    seedNamespace: 'prometheus',
    extraObjects: {},
    deviations: [
      {
        object: 'ConfigMap/istioinaction-prom',
        path: 'data["prometheus.yml"].scrape_configs[0].metric_relabel_configs',
        ours: [
          { source_labels: ['cluster_name'], action: 'drop', regex: '(outbound|inbound|prometheus_stats).*' },
          { source_labels: ['tcp_prefix'], action: 'drop', regex: '(outbound|inbound|prometheus_stats).*' },
          { source_labels: ['listener_address'], action: 'drop', regex: '(.+)' },
        ],
        why: 'seed 002 prints this pruning right after the ConfigMap ("some metrics should be pruned"); we put it in the job',
      },
    ],
  },
  {
    name: 'recording-rules',
    build: (app, version) => {
      const mesh = demoMesh(app, version);
      declaredMetrics(app, mesh);
      new MeshRecordingRules(backendsChart(app), 'recording-rules', { mesh, prometheus: BOOK_PROMETHEUS });
    },
    seed: false,
    extraObjects: {},
    deviations: [],
  },
  {
    name: 'grafana-dashboards',
    build: (app, version) => {
      const mesh = demoMesh(app, version);
      declaredMetrics(app, mesh);
      new IstioDashboards(backendsChart(app), 'dashboards', { mesh, namespace: 'prometheus' });
    },
    seed: false,
    extraObjects: {},
    deviations: [],
  },
  {
    name: 'jaeger',
    build: (app, version) => {
      const mesh = demoMesh(app, version);
      new Jaeger(backendsChart(app), 'jaeger', { mesh, storage: JaegerStorage.badgerOnEmptyDir() });
    },
    seed: true,
    extraObjects: {
      'NetworkPolicy/jaeger':
        "admits only the mesh's proxies to the collectors and Kiali or Grafana to the query ports; the add-on admits anyone",
    },
    deviations: JAEGER_DEVIATIONS,
  },
  {
    name: 'kiali',
    build: (app, version) => {
      const mesh = demoMesh(app, version);
      const chart = backendsChart(app);
      const jaeger = new Jaeger(chart, 'jaeger', { mesh, storage: JaegerStorage.badgerOnEmptyDir() });
      new KialiInstance(chart, 'kiali', { mesh, prometheus: BOOK_PROMETHEUS, jaeger });
    },
    seed: true,
    extraObjects: {
      'Deployment/jaeger': 'the Jaeger Kiali reads traces from (the jaeger scenario compares it with the seed)',
      'Service/tracing': 'the Jaeger Kiali reads traces from',
      'Service/zipkin': 'the Jaeger Kiali reads traces from',
      'Service/jaeger-collector': 'the Jaeger Kiali reads traces from',
      'NetworkPolicy/jaeger': 'the Jaeger Kiali reads traces from',
    },
    deviations: [
      {
        object: 'Kiali/kiali',
        path: 'spec.auth.strategy',
        ours: 'token',
        why: 'anonymous lets anyone who reaches Kiali act with its service account; token is the default, anonymous must be asked for',
      },
      {
        object: 'Kiali/kiali',
        path: 'spec.istio_component_namespaces',
        ours: undefined,
        why: "removed from Kiali in 2021 (kiali/kiali#4109), before Istio 1.17's Kiali 1.63; the Prometheus URL says where Prometheus is",
      },
      {
        object: 'Kiali/kiali',
        path: 'spec.deployment.view_only_mode',
        ours: true,
        why: "Kiali shows the mesh and changes nothing unless asked (viewOnly: false): otherwise every Kiali user edits Istio config with Kiali's service account",
      },
    ],
  },
];
