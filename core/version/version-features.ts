/**
 * The Istio releases where something a telemetry intent depends on changed, one entry per fact.
 *
 * The version policy derives every mechanism from this table, so adding a release means checking
 * these entries against its release notes, not editing constructs. Each entry names its source.
 * What the per-release CRDs and add-ons say (served API versions, spec fields, add-on images and
 * relabelings) is not kept here: scripts/derive-release-tables.mjs reads it from each release's
 * own files into release-tables.generated.ts.
 */
export interface VersionFeature {
  /** What the feature is, as users read it in a refusal, e.g. `Telemetry customTags formatter`. */
  readonly description: string;
  /**
   * The first release that has it: a minor (`1.29`, from its first patch) or, where Istio changed
   * within a minor, the patch (`1.29.1`). A target given as a minor is its newest patch.
   */
  readonly since: string;
  /** The first minor release that no longer has it. @default - still present in the newest target */
  readonly until?: string;
  /** What happened at `until`. @default 'removed' */
  readonly ended?: 'removed' | 'deprecated';
  /** Where the versions come from. */
  readonly source: string;
}

export const FEATURES = {
  /** Native C++ `istio.stats`; the install's stats-filter-1.X EnvoyFilters carry the configOverride. */
  nativeStatsFilter: {
    description: 'the native stats filter (stats.PluginConfig)',
    since: '1.17',
    source: 'istio/istio#41441, istio/istio#41991',
  },
  /** `values.telemetry.v2.prometheus.configOverride` is honoured (rendered into stats-filter EnvoyFilters). */
  istioOperatorConfigOverride: {
    description: 'IstioOperator values.telemetry.v2.prometheus.configOverride',
    since: '1.13',
    until: '1.21',
    source: 'istio/istio@1.21.0:releasenotes/notes/drop-telemetry-envoyfilter.yaml',
  },
  /** istiod generates the stats filter from meshConfig.defaultProviders; the Telemetry API customizes it. */
  telemetryApiMetrics: {
    description: 'Telemetry API metrics overrides on the default install',
    since: '1.18',
    source: 'istio/istio@1.18.0:releasenotes/notes/telemetry-native.yaml (no stats EnvoyFilters by default)',
  },
  /** The null-VM `envoy.wasm.attributegen` plugin in the proxy binary. */
  nullVmAttributeGen: {
    description: 'the null-VM attributegen plugin (envoy.wasm.attributegen)',
    since: '1.13',
    until: '1.18',
    source: 'istio/proxy#4462 removed it; istio/istio#47042',
  },

  /** `sidecar.istio.io/extraStatTags` / ProxyConfig `extraStatTags` are not deprecated yet. */
  extraStatTags: {
    description: 'ProxyConfig extraStatTags',
    since: '1.13',
    until: '1.21',
    ended: 'deprecated',
    source: 'istio/api#3037 "mark extraStatTags deprecated" (first released in 1.21.0)',
  },

  /** The chart configures a zipkin tracer to zipkin.istio-system:9411 by default. */
  defaultZipkinTracer: {
    description: 'the default zipkin tracer (global.proxy.tracer: zipkin)',
    since: '1.13',
    until: '1.22',
    source: 'istio/istio@1.22.0:releasenotes/notes/drop-default-tracing.yaml',
  },
  /**
   * The istiod chart writes `meshConfig.defaultProviders.metrics: [prometheus]` only while the user
   * sets no `defaultProviders`, and istiod builds no `istio.stats` filter without a metrics provider:
   * any `defaultProviders` the user writes must name the metrics provider itself.
   */
  chartDefaultMetricsProvider: {
    description:
      "the istiod chart's default metrics provider (defaultProviders.metrics: [prometheus] while defaultProviders is unset)",
    since: '1.18',
    source:
      'istio/istio@1.18.0:manifests/charts/istio-control/istio-discovery/templates/configmap.yaml; @1.30.3: templates/_helpers.tpl "default-prometheus", pilot/pkg/model/telemetry.go mergeMetrics; istio/istio#51384',
  },
  /**
   * Setting `meshConfig.defaultProviders` makes the chart render the `stats-filter-1.X`
   * EnvoyFilters again, which next to the Telemetry API count every metric twice.
   */
  statsEnvoyFiltersOnDefaultProviders: {
    description: 'stats-filter-1.X EnvoyFilters rendered whenever meshConfig.defaultProviders is set',
    since: '1.18',
    until: '1.21',
    source:
      'istio/istio@1.20.8:manifests/charts/istio-control/istio-discovery/templates/telemetryv2_1.20.yaml and _helpers.tpl "default-prometheus"; istio/istio#39772',
  },
  /** `meshConfig.extensionProviders[].opentelemetry`. */
  openTelemetryProvider: {
    description: 'the opentelemetry tracing provider',
    since: '1.17',
    source: 'istio/api@1.17.0:mesh/v1alpha1/config.proto ("Istio 1.16.1 or higher"); 1.16.0 had istio/istio#42066',
  },
  /** `opentelemetry.http` (HttpService) and `resourceDetectors`. */
  openTelemetryHttp: {
    description: 'opentelemetry provider http and resourceDetectors',
    since: '1.22',
    source: 'istio/api@1.22.0:mesh/v1alpha1/config.proto (OpenTelemetryTracingProvider http, resource_detectors)',
  },
  /** `zipkin.path` in an extension provider. */
  zipkinProviderPath: {
    description: 'zipkin provider path',
    since: '1.24',
    source: 'istio/istio@1.24.0:releasenotes/notes/53086.yaml',
  },
  /** `zipkin.traceContextOption` in an extension provider. */
  zipkinTraceContextOption: {
    description: 'zipkin provider traceContextOption',
    since: '1.28',
    source: 'istio/istio@1.28.0:releasenotes/notes/zipkin-trace-context-option.yaml',
  },
  /** `zipkin.timeout` and `zipkin.headers` in an extension provider. */
  zipkinTimeoutHeaders: {
    description: 'zipkin provider timeout and headers',
    since: '1.29',
    source: 'istio/istio@1.29.0:releasenotes/notes/zipkin-timeout-headers.yaml',
  },
  /** Telemetry `tracing[].customTags.*.formatter`. */
  telemetryTagFormatter: {
    description: 'Telemetry customTags formatter',
    since: '1.29',
    source: 'istio/istio@1.29.0:releasenotes/notes/formatter-custom-tag.yaml',
  },

  /** Telemetry `tracing[].enableIstioTags` and ProxyConfig `tracing.enableIstioTags`. */
  tracingEnableIstioTags: {
    description: 'tracing enableIstioTags',
    since: '1.25',
    source: 'istio/api@1.25.0:telemetry/v1alpha1/telemetry.proto, mesh/v1alpha1/proxy.proto (enable_istio_tags)',
  },
  /** CEL reads peer metadata as `filter_state.*_peer`, node metadata as `xds.node`, Wasm attributes qualified. */
  standardCelAttributes: {
    description: 'standard Envoy CEL attributes (filter_state.upstream_peer, xds.node)',
    since: '1.24',
    source:
      'istio/istio@1.24.0:releasenotes/notes/telemetry-cel.yaml; the 1.24 upgrade notes (istio.io/latest/news/releases/1.24.x/announcing-1.24/upgrade-notes/)',
  },
  /**
   * `filter_state.<peer>.labels`: the pod labels istiod lists in `PILOT_MX_ADDITIONAL_LABELS`, and
   * only those (app, version and the canonical labels are fields of their own).
   */
  peerMetadataLabels: {
    description: 'peer metadata labels (filter_state.upstream_peer.labels, with PILOT_MX_ADDITIONAL_LABELS)',
    since: '1.25',
    source:
      'istio/istio@1.25.0:pilot/pkg/features/telemetry.go (PILOT_MX_ADDITIONAL_LABELS); istio/proxy@4382ac5f (pinned by 1.25.0):extensions/common/metadata_object.cc',
  },
  /** Peer metadata `app` and `version` read `app.kubernetes.io/name` and `app.kubernetes.io/version` first. */
  qualifiedAppLabels: {
    description: 'app.kubernetes.io/name and app.kubernetes.io/version as the peer app and version',
    since: '1.29.1',
    source:
      'istio/proxy@fca9ef95 (pinned by istio/istio@1.29.1:istio.deps):extensions/common/metadata_object.cc lines 353-360; absent at istio/proxy@1fdadc30 (pinned by 1.29.0) and on release-1.28',
  },
  /** Same-instant Telemetry are ordered by name, then namespace; before, by the string `name.namespace`. */
  telemetryOrderByNameThenNamespace: {
    description: 'ordering same-instant Telemetry by name, then namespace',
    since: '1.23',
    source:
      'istio/istio@1.23.0:pilot/pkg/model/config.go (istio/istio#51684); istio/istio@1.22.8:pilot/pkg/model/config.go compares name + "." + namespace',
  },
  /** A Telemetry with only a targetRef is workload-level; before, one without matchLabels was namespace-wide. */
  telemetryTargetRefWorkloadLevel: {
    description: 'a targetRef-only Telemetry kept out of the namespace-wide ones',
    since: '1.24',
    source:
      'istio/istio@1.24.0:pilot/pkg/model/telemetry.go namespaceWideTelemetryConfig; istio/istio@1.20.8 lines 669-676 read matchLabels alone',
  },
  /** A Gateway targetRef attaches to the pods labelled gateway.networking.k8s.io/gateway-name. */
  k8sGatewayNameLabel: {
    description: 'the gateway.networking.k8s.io/gateway-name label of Gateway pods',
    since: '1.21',
    source: 'istio/istio@1.22.0:pilot/pkg/model/policyattachment.go lines 76-82; istio/istio@1.26.8 lines 104-107',
  },
  /** A Gateway targetRef attaches to the pods labelled istio.io/gateway-name. */
  istioGatewayNameLabel: {
    description: 'the istio.io/gateway-name label of Gateway pods',
    since: '1.20',
    until: '1.24',
    source:
      'istio/istio@1.20.0:pilot/pkg/model/policyattachment.go line 51; istio/istio@1.22.0 lines 76-82; gone at 1.24.0',
  },
  /**
   * istiod merges every workload-level Telemetry that selects a pod, oldest first, the newest
   * winning per field; before, only the oldest applied.
   */
  telemetryWorkloadMerge: {
    description: 'merging of every Telemetry that selects a workload',
    since: '1.20',
    source:
      'istio/istio@1.20.0:pilot/pkg/model/telemetry.go lines 445-467 (istio/istio#47648 removed the `break` of istio/istio@1.19.0 line 455)',
  },
  /**
   * The istiod chart reads top-level values (`traceSampling`), and copies `pilot.*` over them, so
   * `pilot.traceSampling` still wins where both are set.
   */
  flatIstiodHelmValues: {
    description: 'top-level traceSampling in the istiod Helm chart',
    since: '1.24',
    source:
      'istio/istio@1.24.0:manifests/charts/istio-control/istio-discovery/values.yaml (_internal_defaults_do_not_set), templates/zzy_descope_legacy.yaml',
  },
  /**
   * The release's Kiali add-on is Kiali 1, whose CR reads tracing from `in_cluster_url` and
   * namespaces from `deployment.accessible_namespaces`.
   */
  kialiV1Cr: {
    description: 'the Kiali 1 CR fields (external_services.tracing.in_cluster_url, deployment.accessible_namespaces)',
    since: '1.13',
    until: '1.24',
    source:
      'istio/istio@1.22.8:samples/addons/kiali.yaml (Kiali v1.86), @1.24.6 (Kiali v2.0); kiali/kiali#7759 renamed in_cluster_url, kiali/helm-charts#274 removed accessible_namespaces (Kiali 2.0)',
  },
  /** The release's Kiali add-on is Kiali 2: `internal_url`, and `cluster_wide_access` instead of accessible namespaces. */
  kialiV2Cr: {
    description: 'the Kiali 2 CR fields (external_services.tracing.internal_url)',
    since: '1.24',
    source: 'istio/istio@1.24.6:samples/addons/kiali.yaml (Kiali v2.0); kiali/kiali#7759 (internal_url)',
  },
  /**
   * The release's Kiali reads `external_services.tracing.provider` (jaeger or tempo): Kiali 1.75
   * added it; the add-on is Kiali 1.72 at 1.19 and 1.76 at 1.20.
   */
  kialiTracingProvider: {
    description: 'Kiali external_services.tracing.provider (jaeger or tempo)',
    since: '1.20',
    source:
      'istio/istio@1.20.8:samples/addons/kiali.yaml (Kiali v1.76), @1.19.10 (v1.72); kiali/kiali-operator@v1.76.0:crd-docs/cr/kiali.io_v1alpha1_kiali.yaml (provider, from kiali/kiali-operator#679)',
  },
  /**
   * `prometheus.istio.io/scrape-targets`: several application metrics endpoints per pod, merged by
   * the agent; before it, metrics merging reads one `prometheus.io/port` and `prometheus.io/path`.
   */
  scrapeTargetsAnnotation: {
    description: 'the prometheus.istio.io/scrape-targets annotation (several merged metrics endpoints)',
    since: '1.31',
    source:
      'istio/istio@1.31.0-rc.0:releasenotes/notes/multi-port-scrape-targets.yaml, pkg/kube/inject/webhook.go applyPrometheusMerge',
  },
  /**
   * An Argo Rollout's pods report the Rollout's name as their workload (`source_workload`,
   * `destination_workload`); before, the name of their ReplicaSet, `<rollout>-<hash>`, which
   * changes with every revision.
   */
  rolloutWorkloadName: {
    description: "an Argo Rollout's name as its pods' workload name",
    since: '1.22',
    source: 'istio/istio#49256 (istio/istio@1.22.0:pkg/kube/util.go GetDeployMetaFromPod)',
  },
  /**
   * `sidecar.istio.io/statsHistogramBuckets`: a pod's own histogram boundaries per stat prefix;
   * before it, every proxy uses Envoy's default buckets.
   */
  statsHistogramBucketsAnnotation: {
    description: 'the sidecar.istio.io/statsHistogramBuckets annotation',
    since: '1.19',
    source: 'istio/api@1.19.0:annotation/annotations.yaml; istio/istio#45368',
  },
  /** `ENVOY_SECURE_METRICS_PORT` / `ENVOY_SECURE_MERGED_METRICS_PORT`: mTLS-protected scrape listeners on each sidecar. */
  secureMetricsPorts: {
    description: 'mTLS-protected metrics ports (ENVOY_SECURE_MERGED_METRICS_PORT)',
    since: '1.31',
    source:
      'istio/istio@1.31.0-rc.0:releasenotes/notes/secure-metrics-port.yaml, tools/packaging/common/envoy_bootstrap.json',
  },
  /** istiod's `PILOT_SPAWN_UPSTREAM_SPAN_FOR_GATEWAY` flag (default true); from 1.31 the behaviour is always on. */
  spawnUpstreamSpanForGatewayFlag: {
    description: 'the PILOT_SPAWN_UPSTREAM_SPAN_FOR_GATEWAY flag of istiod',
    since: '1.26',
    until: '1.31',
    source:
      'istio/istio@1.26.8:pilot/pkg/features/telemetry.go; removed by istio/istio@1.31.0-rc.0:releasenotes/notes/remove-spawn-upstream-span-for-gateway.yaml',
  },
  /**
   * Ambient mode (ztunnel for L4, waypoints for L7) is GA; before, it was alpha or beta and this
   * library does not generate it.
   */
  ambientDataplane: {
    description: 'the ambient data plane (ztunnel and waypoint proxies, GA)',
    since: '1.24',
    source:
      'istio.io/latest/news/releases/1.24.x/announcing-1.24/ ("Ambient mode is now GA"); istio/istio@1.24.0:manifests/helm-profiles/ambient.yaml',
  },
  /**
   * A waypoint's access log reads Telemetry bound to its Service (targetRefs kind Service); in
   * 1.24.0 and 1.24.1 it read only the waypoint's own policies.
   */
  waypointServiceAccessLogging: {
    description: 'access logging of a Telemetry bound to a Service at its waypoint',
    since: '1.24.2',
    source:
      'istio/istio#53996, backported to 1.24.2 by istio/istio#54075 (istio/istio@1.24.0:pilot/pkg/model/telemetry.go line 241 passed no service)',
  },
  /**
   * A waypoint applies the Telemetry of a Service's own namespace (namespace-wide, and bound to the
   * Service) to that Service's traffic when the waypoint is in another namespace; a Gateway-bound
   * Telemetry of the waypoint's namespace then no longer reaches it. Before, only the waypoint's
   * namespace was read.
   */
  waypointServiceNamespaceTelemetry: {
    description: "a cross-namespace waypoint applying the Telemetry of its Services' namespaces",
    since: '1.30.3',
    source:
      'istio/istio#60665 (PR istio/istio#60673, backported to 1.30.3 by istio/istio#60845); istio/istio@1.30.3:pilot/pkg/model/telemetry.go lines 436-480 vs @1.30.2 lines 412, 460',
  },
  /** ztunnel counts failed connections and its open sockets. */
  ztunnelConnectionFailures: {
    description: "ztunnel's istio_tcp_connections_failed_total and istio_tcp_sockets_open",
    since: '1.29',
    source: 'istio/ztunnel@1.29.0:src/proxy/metrics.rs lines 376, 383 (absent at istio/ztunnel@1.28.9)',
  },
} as const satisfies Record<string, VersionFeature>;

export type FeatureName = keyof typeof FEATURES;
