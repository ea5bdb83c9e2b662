import { createHash } from 'node:crypto';
import { ApiObject, JsonPatch, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { stringify } from 'yaml';
import type { CaveatSource, SpanCollectorSource } from '../../core/contracts/construct-sources';
import { problem } from '../../core/errors';
import { isDnsLabel } from '../../core/names';
import { refuseInput } from '../../core/problems/construct-problems';
import type { Problem } from '../../core/problems/problem';
import type { IstioMesh } from '../mesh/istio-mesh';
import { BADGER_MOUNT, type JaegerStorage } from './jaeger-storage';

/** Jaeger v1's all-in-one binary (environment variables) or Jaeger v2 (an OpenTelemetry Collector config file). */
export type JaegerGeneration = 'v1-all-in-one' | 'v2';

/**
 * The user Jaeger runs as: Jaeger v2's image sets `USER 10001` (cmd/jaeger/Dockerfile); the v1
 * all-in-one image sets no user and would run as root, so the pod names the same user for both.
 */
const JAEGER_UID = 10001;
const LABELS = { app: 'jaeger' };
/** The name of the Jaeger container's metrics port, which JaegerMonitor scrapes. */
export const JAEGER_METRICS_PORT_NAME = 'http-metrics';
const CONFIG_DIR = '/jaeger-configuration';

export interface JaegerProps {
  /** The mesh whose spans Jaeger receives; its release picks the image. */
  readonly mesh: IstioMesh;
  /** Where spans are kept. Required: see {@link JaegerStorage} for what each choice loses. */
  readonly storage: JaegerStorage;
  /** @default - the mesh's root namespace (where the add-on goes) */
  readonly namespace?: string;
  /** @default - the image of the target release's add-on (istio/istio samples/addons/jaeger.yaml at its tag) */
  readonly image?: string;
  /** @default - from the image: `all-in-one` is v1, `jaeger` is v2 */
  readonly generation?: JaegerGeneration;
  /**
   * @default - requests 10m CPU (the add-on's) and 128Mi memory; limits 1 CPU, 1Gi memory, 1Gi ephemeral storage
   */
  readonly resources?: kplus.ContainerResources;
  /** The UI's path prefix, which Kiali's tracing URL must include. @default '/jaeger' */
  readonly basePath?: string;
  /**
   * A NetworkPolicy admitting only the mesh's proxies (pods labelled `security.istio.io/tlsMode`,
   * which the injector sets, and the root namespace's gateways) to the collector ports, the pods
   * labelled with one of `queryClients` to the query ports, and Prometheus to the metrics port.
   * `false` for none.
   * @default { queryClients: [{ 'app.kubernetes.io/name': 'kiali' }, { 'app.kubernetes.io/name': 'grafana' }] }
   */
  readonly networkPolicy?: JaegerNetworkPolicy | false;
}

export interface JaegerNetworkPolicy {
  /** Pod labels (in any namespace) of the clients of the query ports (the UI and its gRPC API). */
  readonly queryClients?: readonly Readonly<Record<string, string>>[];
}

/**
 * Jaeger as Istio's add-on deploys it, in the generation the target release's add-on uses (the
 * v1 all-in-one image, or Jaeger v2 with its collector configuration): one pod that receives
 * spans (Zipkin on 9411, and OTLP where the release's add-on exposes it), stores them and serves
 * the UI, behind the `tracing` (UI 80 → 16686, gRPC query 16685), `zipkin` (9411) and
 * `jaeger-collector` Services (istio/istio samples/addons/jaeger.yaml). Unlike the add-on it runs
 * as a non-root user with a read-only root filesystem, bounded memory, and storage the user chose.
 */
export class Jaeger extends Construct implements CaveatSource, SpanCollectorSource {
  readonly deployment: kplus.Deployment;
  readonly tracingService: kplus.Service;
  readonly zipkinService: kplus.Service;
  readonly collectorService: kplus.Service;
  readonly namespace: string;
  readonly generation: JaegerGeneration;
  readonly basePath: string;
  /** Whether `jaeger-collector` exposes OTLP (4317 gRPC, 4318 HTTP): Jaeger v2, or the release's add-on from 1.19. */
  readonly otlp: boolean;
  /**
   * The counters of spans its collector refused, which Prometheus reads on its pod's metrics port
   * (`http-metrics`, its `prometheus.io/port`; no Service exposes it): v1's `jaeger_collector_spans_rejected_total`
   * (invalid spans) and `jaeger_collector_spans_dropped_total` (queue full)
   * (jaegertracing/jaeger@v1.70.0:cmd/collector/app/metrics.go), v2's OpenTelemetry collector
   * `otelcol_receiver_refused_spans_total` and, behind its batch processor, the storage exporter's
   * `otelcol_exporter_send_failed_spans_total` (the add-on's Prometheus reader adds `_total`;
   * istio/istio@1.30.3:samples/addons/jaeger.yaml, open-telemetry/opentelemetry-collector#12458).
   */
  readonly metrics: { readonly refusedSpans: readonly string[] };
  private readonly storage: JaegerStorage;

  constructor(scope: Construct, id: string, props: JaegerProps) {
    super(scope, id);
    const addons = props.mesh.policy.mechanisms.addons;
    this.namespace = props.namespace ?? props.mesh.rootNamespace;
    const image = props.image ?? addons.jaegerImage;
    this.basePath = props.basePath ?? '/jaeger';
    const inferred = generationOf(image);
    const problems = props.storage.problems(['storage']);
    if (!isDnsLabel(this.namespace))
      problems.push(problem(['namespace'], this.namespace, 'a namespace name (RFC 1123 label)'));
    if (typeof image !== 'string' || !/^[^\s:@]+(:[\w][\w.-]{0,127})?(@sha256:[a-f0-9]{64})?$/.test(image)) {
      problems.push(
        problem(['image'], image, 'a container image reference such as "docker.io/jaegertracing/all-in-one:1.35"'),
      );
    }
    if (props.generation !== undefined && props.generation !== 'v1-all-in-one' && props.generation !== 'v2') {
      problems.push(problem(['generation'], props.generation, 'one of v1-all-in-one, v2'));
    } else if (props.generation === undefined && inferred === undefined) {
      problems.push(
        problem(['generation'], undefined, 'v1-all-in-one or v2', {
          what: `cannot be told from image ${JSON.stringify(image)} (neither .../all-in-one nor .../jaeger)`,
          hint: 'set generation for a mirrored or renamed image',
        }),
      );
    }
    if (!/^\/[\w./-]*$/.test(this.basePath))
      problems.push(problem(['basePath'], this.basePath, 'a URL path starting with /'));
    // Reported at synth with every other construct's problems; nothing is written until they are fixed.
    refuseInput(this, problems);
    this.generation = props.generation ?? (inferred as JaegerGeneration);
    this.storage = props.storage;

    const v2 = this.generation === 'v2';
    // The all-in-one images of the add-ons from 1.19 receive OTLP and their Service exposes it.
    this.otlp = v2 || addons.jaegerOtlp;
    const metricsPort = v2 ? 8888 : 14269;
    this.metrics = {
      refusedSpans: v2
        ? ['otelcol_exporter_send_failed_spans_total', 'otelcol_receiver_refused_spans_total']
        : ['jaeger_collector_spans_dropped_total', 'jaeger_collector_spans_rejected_total'],
    };
    const health = v2
      ? kplus.Probe.fromHttpGet('/status', { port: 13133 })
      : kplus.Probe.fromHttpGet('/', { port: 14269 });
    // Both images declare VOLUME /tmp, which Kubernetes ignores: with a read-only root filesystem
    // /tmp must be a volume of its own.
    // Bounded, so a runaway /tmp evicts the pod instead of filling the node's disk.
    const tmp = kplus.Volume.fromEmptyDir(this, 'Tmp', 'tmp', { sizeLimit: Size.mebibytes(256) });
    const mounts: kplus.VolumeMount[] = [{ path: '/tmp', volume: tmp }];
    const data = props.storage.volume(this);
    if (data) mounts.push({ path: BADGER_MOUNT, volume: data });
    let configHash: string | undefined;
    if (v2) {
      const text = stringify(this.v2Config());
      // A changed config rolls the pod: the template carries the config's hash.
      configHash = createHash('sha256').update(text).digest('hex');
      const config = new kplus.ConfigMap(this, 'Config', {
        metadata: { name: 'jaeger', namespace: this.namespace, labels: LABELS },
        data: { 'config.yaml': text },
      });
      mounts.push({
        path: CONFIG_DIR,
        volume: kplus.Volume.fromConfigMap(this, 'ConfigVolume', config, { name: 'jaeger-configuration' }),
      });
    }

    this.deployment = new kplus.Deployment(this, 'Deployment', {
      metadata: { name: 'jaeger', namespace: this.namespace, labels: LABELS },
      select: false,
      replicas: 1,
      ...(props.storage.exclusive ? { strategy: kplus.DeploymentStrategy.recreate() } : {}),
      podMetadata: {
        labels: { ...LABELS, 'sidecar.istio.io/inject': 'false' },
        annotations: {
          'prometheus.io/scrape': 'true',
          'prometheus.io/port': String(metricsPort),
          ...(configHash ? { 'checksum/config': configHash } : {}),
        },
      },
      securityContext: { ensureNonRoot: true, user: JAEGER_UID, group: JAEGER_UID, fsGroup: JAEGER_UID },
      automountServiceAccountToken: false,
      containers: [
        {
          name: 'jaeger',
          image,
          imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
          // Declared so a PodMonitor can select it (the pod role discovers declared ports only).
          ports: [{ number: metricsPort, name: JAEGER_METRICS_PORT_NAME }],
          ...(v2
            ? { args: ['--config', `${CONFIG_DIR}/config.yaml`] }
            : {
                envVariables: Object.fromEntries(
                  Object.entries({
                    ...props.storage.v1Environment(),
                    COLLECTOR_ZIPKIN_HOST_PORT: ':9411',
                    QUERY_BASE_PATH: this.basePath,
                  }).map(([k, v]) => [k, kplus.EnvValue.fromValue(v)]),
                ),
              }),
          liveness: health,
          readiness: health,
          volumeMounts: mounts,
          resources: props.resources ?? {
            cpu: { request: kplus.Cpu.millis(10), limit: kplus.Cpu.units(1) },
            memory: { request: Size.mebibytes(128), limit: Size.gibibytes(1) },
            ephemeralStorage: { limit: Size.gibibytes(1) },
          },
          // The Pod Security Standards' "restricted" profile (kubernetes.io/docs/concepts/security/
          // pod-security-standards/): no capabilities, no privilege escalation, non-root, and the
          // runtime's default seccomp profile (set below: cdk8s-plus has no field for seccomp, and its
          // Capability enum has no ALL).
          securityContext: {
            ensureNonRoot: true,
            user: JAEGER_UID,
            group: JAEGER_UID,
            readOnlyRootFilesystem: true,
            allowPrivilegeEscalation: false,
            privileged: false,
          },
        },
      ],
    });
    this.deployment.select(kplus.LabelSelector.of({ labels: LABELS }));
    if (props.networkPolicy !== false) {
      this.networkPolicy(props.mesh.rootNamespace, metricsPort, props.networkPolicy?.queryClients);
    }
    ApiObject.of(this.deployment).addJsonPatch(
      JsonPatch.add('/spec/template/spec/securityContext/seccompProfile', { type: 'RuntimeDefault' }),
      JsonPatch.add('/spec/template/spec/containers/0/securityContext/capabilities', { drop: ['ALL'] }),
    );

    const pods = kplus.Pods.select(this, 'Pods', { labels: LABELS });
    const service = (id: string, name: string, labels: Record<string, string>, ports: kplus.ServicePort[]) =>
      new kplus.Service(this, id, {
        metadata: { name, namespace: this.namespace, labels },
        type: kplus.ServiceType.CLUSTER_IP,
        selector: pods,
        ports: ports.map((p) => ({ targetPort: p.port, protocol: kplus.Protocol.TCP, ...p })),
      });
    this.tracingService = service('TracingService', 'tracing', LABELS, [
      { name: 'http-query', port: 80, targetPort: 16686 },
      { name: 'grpc-query', port: 16685 },
    ]);
    // Jaeger implements the Zipkin API; a Service named zipkin lets the tracing backend be swapped (the add-on's comment).
    this.zipkinService = service('ZipkinService', 'zipkin', { name: 'zipkin' }, [{ name: 'http-query', port: 9411 }]);
    this.collectorService = service('CollectorService', 'jaeger-collector', LABELS, [
      { name: 'jaeger-collector-http', port: 14268 },
      { name: 'jaeger-collector-grpc', port: 14250 },
      { name: 'http-zipkin', port: 9411 },
      ...(this.otlp
        ? [
            { name: 'grpc-otel', port: 4317 },
            { name: 'http-otel', port: 4318 },
          ]
        : []),
    ]);
  }

  /** Ingress to the collectors from the mesh only, to the query ports from its clients only. */
  private networkPolicy(
    rootNamespace: string,
    metricsPort: number,
    queryClients: readonly Readonly<Record<string, string>>[] = [
      { 'app.kubernetes.io/name': 'kiali' },
      { 'app.kubernetes.io/name': 'grafana' },
    ],
  ): void {
    const anyNamespace = (labels: Readonly<Record<string, string>>) => ({
      namespaceSelector: {},
      podSelector: { matchLabels: { ...labels } },
    });
    const tcp = (...ports: number[]) => ports.map((port) => ({ protocol: 'TCP', port }));
    new ApiObject(this, 'NetworkPolicy', {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'jaeger', namespace: this.namespace, labels: LABELS },
      spec: {
        podSelector: { matchLabels: LABELS },
        policyTypes: ['Ingress'],
        ingress: [
          {
            // Sidecars carry security.istio.io/tlsMode (istio/istio@1.30.3:manifests/charts/istio-control/
            // istio-discovery/files/injection-template.yaml); gateways run in the root namespace.
            from: [
              anyNamespace({ 'security.istio.io/tlsMode': 'istio' }),
              { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': rootNamespace } } },
            ],
            ports: tcp(9411, 14250, 14268, ...(this.otlp ? [4317, 4318] : [])),
          },
          { from: queryClients.map(anyNamespace), ports: tcp(16685, 16686) },
          { from: [anyNamespace({ 'app.kubernetes.io/name': 'prometheus' })], ports: tcp(metricsPort) },
        ],
      },
    });
  }

  /** `zipkin.<namespace>:9411`, the address a Zipkin tracer sends spans to. */
  get zipkinAddress(): string {
    return `zipkin.${this.namespace}:9411`;
  }

  /** The OTLP/gRPC address, where the collector Service exposes OTLP (`otlp`). */
  get otlpGrpcAddress(): string | undefined {
    return this.otlp ? `jaeger-collector.${this.namespace}:4317` : undefined;
  }

  /** The in-cluster URL of the gRPC query API, with the UI's base path (what Kiali reads traces from). */
  get queryGrpcUrl(): string {
    return `http://tracing.${this.namespace}:16685${this.basePath}`;
  }

  /** Service addresses (`name.namespace:port`) spans can be sent to. */
  /** The span collector contract validation reads (the same as `receiverAddresses`). */
  spanReceiverAddresses(): readonly string[] {
    return this.receiverAddresses;
  }

  get receiverAddresses(): readonly string[] {
    const otlp = this.otlp
      ? [`jaeger-collector.${this.namespace}:4317`, `jaeger-collector.${this.namespace}:4318`]
      : [];
    return [this.zipkinAddress, `jaeger-collector.${this.namespace}:9411`, ...otlp];
  }

  caveats(): readonly Problem[] {
    const caveat = this.storage.caveat();
    return caveat ? [caveat] : [];
  }

  /**
   * Jaeger v2's collector configuration: OTLP, Jaeger and Zipkin receivers into the chosen storage,
   * the query UI under `basePath`, health on 13133 and metrics on 8888 (the 1.30 add-on's
   * layout without its remote sampling, expvar and zpages extensions).
   */
  private v2Config(): Record<string, unknown> {
    return {
      service: {
        extensions: ['jaeger_storage', 'jaeger_query', 'healthcheckv2'],
        pipelines: {
          traces: {
            receivers: ['otlp', 'jaeger', 'zipkin'],
            processors: ['batch'],
            exporters: ['jaeger_storage_exporter'],
          },
        },
        telemetry: {
          resource: { 'service.name': 'jaeger' },
          metrics: {
            level: 'detailed',
            readers: [{ pull: { exporter: { prometheus: { host: '0.0.0.0', port: 8888 } } } }],
          },
          logs: { level: 'info' },
        },
      },
      extensions: {
        jaeger_query: { base_path: this.basePath, storage: { traces: 'trace_storage' } },
        jaeger_storage: { backends: { trace_storage: this.storage.v2Backend() } },
        healthcheckv2: { use_v2: true, http: { endpoint: '0.0.0.0:13133' } },
      },
      receivers: {
        otlp: { protocols: { grpc: { endpoint: '0.0.0.0:4317' }, http: { endpoint: '0.0.0.0:4318' } } },
        jaeger: { protocols: { grpc: { endpoint: '0.0.0.0:14250' }, thrift_http: { endpoint: '0.0.0.0:14268' } } },
        zipkin: { endpoint: '0.0.0.0:9411' },
      },
      processors: { batch: {} },
      exporters: { jaeger_storage_exporter: { trace_storage: 'trace_storage' } },
    };
  }
}

/** `v1-all-in-one` for `.../all-in-one[:tag]`, `v2` for `.../jaeger[:tag]`, else undefined. */
function generationOf(image: string): JaegerGeneration | undefined {
  const repository = (image.split('@')[0] ?? '').replace(/:[^/]*$/, '');
  const name = repository.split('/').at(-1);
  if (name === 'all-in-one') return 'v1-all-in-one';
  if (name === 'jaeger') return 'v2';
  return undefined;
}
