/**
 * The types of observability.yaml, generated from schemas/observability.schema.json by
 * scripts/generate-config-types.ts (json-schema-to-typescript); do not edit. The schema is the
 * one source of the config format: change it, then run `npm run generate:config-types`.
 * observability-config.ts gives these types their public, read-only names.
 */
/* eslint-disable */
/**
 * `mesh` for every proxy, `{namespace: name}` for one namespace (Telemetry API only), one declared workload: `{workload: cart}`, or one declared waypoint: `{waypoint: shop-waypoint}`. An ambient namespace or workload is reached through its waypoint.
 * 
 * This interface was referenced by `ObservabilityConfigDocument`'s JSON-Schema
 * via the `definition` "target".
 */
export type Target = "mesh" | { readonly workload: WorkloadName } | { readonly namespace: DnsLabel } | { readonly waypoint: DnsSubdomain }
/**
 * A Kubernetes name that must be an RFC 1123 label (namespaces, Services).
 * 
 * This interface was referenced by `ObservabilityConfigDocument`'s JSON-Schema
 * via the `definition` "dnsLabel".
 */
export type DnsLabel = string
/**
 * A Kubernetes object name: an RFC 1123 subdomain.
 * 
 * This interface was referenced by `ObservabilityConfigDocument`'s JSON-Schema
 * via the `definition` "dnsSubdomain".
 */
export type DnsSubdomain = string
/**
 * A construct id: a key under a section, shown in messages and in the cdk8s.io/metadata.addr label. An RFC 1123 label.
 * 
 * This interface was referenced by `ObservabilityConfigDocument`'s JSON-Schema
 * via the `definition` "constructId".
 */
export type ConstructId = string
/**
 * A Kubernetes object name: an RFC 1123 subdomain.
 * 
 * This interface was referenced by `ObservabilityConfigDocument`'s JSON-Schema
 * via the `definition` "workloadName".
 */
export type WorkloadName = string

/**
 * Read by main.ts (npm run synth -- --config <file>). Every piece becomes one construct of cdk8s-istio-observability; unknown keys are errors.
 */
export interface ObservabilityConfigDocument {
/**
 * Optional pointer to this schema, for editors.
 */
$schema?: string
/**
 * Target Istio release, "MAJOR.MINOR" or "MAJOR.MINOR.PATCH", from "1.17" to the newest release with a row in docs/istio-versions.md (quote it: 1.20 unquoted is the number 1.2). Every piece emits the mechanism this release needs, or is refused with the reason. Required, except with clusters:, where each cluster names its own and this key is refused.
 */
istioVersion?: string
/**
 * Namespace of the workload-level pieces and of the demo app; also the name of their output file (<namespace>.k8s.yaml).
 */
namespace: string
/**
 * The mesh: its root namespace, how its control plane is installed (install), and the metrics and tracing mechanisms.
 */
mesh?: {
/**
 * Default: istio-system.
 */
rootNamespace?: string
/**
 * metadata.name of the IstioOperator, or of the Sail Operator Istio (install sail), which is also its revision and must be default. Default: control-plane (istioctl), default (sail).
 */
installName?: string
/**
 * istioctl profile, e.g. demo. Default: none (istioctl's default profile).
 */
profile?: string
/**
 * How dimensions and new metrics reach the stats filter: istio-operator (IstioOperator configOverride, Istio 1.17-1.20) or telemetry-api (Telemetry resources, 1.18+; new metrics through an EnvoyFilter). Default: istio-operator on 1.17, telemetry-api from 1.18.
 */
metricsCustomization?: ("istio-operator" | "telemetry-api")
/**
 * How sampling, custom tags and the tracer are configured: proxy-config (ProxyConfig tracing) or telemetry-api (meshConfig.extensionProviders + Telemetry tracing). Default: proxy-config up to 1.21, telemetry-api from 1.22.
 */
tracing?: ("proxy-config" | "telemetry-api")
/**
 * The cluster DNS domain for extension provider hostnames. Default: cluster.local.
 */
clusterDomain?: string
/**
 * Pod label keys istiod adds to the peer metadata (PILOT_MX_ADDITIONAL_LABELS, Istio 1.25+), so CEL can read upstream_peer.labels['<key>']. app, version and the canonical labels need no listing.
 */
peerMetadataLabels?: string[]
/**
 * Some proxies still run the previous minor release (an upgrade in progress): on 1.24, peer metadata reads are presence-guarded as the 1.24 upgrade note recommends. Default: false.
 */
mixedProxyVersions?: boolean
/**
 * The most Prometheus series any one standard metric may be estimated at (REPORT.md's series estimate: an upper bound from the declared workloads and dimensions). A metric estimated above it, or a dimension with unbounded values (a path, a header, an id), fails synth. Default: no budget; unbounded dimensions are warnings.
 */
seriesBudget?: number
/**
 * How the control plane is installed, and so the form of the mesh-wide settings: istioctl (an IstioOperator, install/istio-operator.yaml, for istioctl install -f), helm (values of the istiod chart, install/istiod-values.yaml, for helm install -f), sail (the Sail Operator's Istio resource, applied with the rest; Istio releases the vendored Sail Operator supports). Default: istioctl.
 */
install?: ("istioctl" | "helm" | "sail")
/**
 * The data plane of every namespace unless namespaces.<ns>.dataplane says otherwise: sidecar (an Envoy in each pod) or ambient (ztunnel on each node for L4, waypoint proxies for L7; Istio 1.24 and later). With ambient anywhere, the install inputs install ztunnel and the CNI node agent. Default: sidecar.
 */
dataplane?: ("sidecar" | "ambient")
}
/**
 * Namespaces whose data plane differs from mesh.dataplane (mixed meshes), or that use a waypoint. Their labels (istio.io/dataplane-mode, istio.io/use-waypoint) become a kustomize patch of the Namespace in patches/.
 */
namespaces?: {
[k: string]: {
/**
 * Its data plane. Default: mesh.dataplane.
 */
dataplane?: ("sidecar" | "ambient")
/**
 * A waypoint declared under waypoints that processes the L7 traffic of the whole namespace (istio.io/use-waypoint on the Namespace). Ambient namespaces only.
 */
waypoint?: string
}
}
/**
 * Waypoint proxies (Gateway API Gateways of class istio-waypoint, Istio 1.24 and later): the L7 proxies of ambient namespaces and workloads, where their metrics dimensions, sampling, tracing and access logs apply. Attach one with namespaces.<ns>.waypoint or workloads.<name>.waypoint; target one with {waypoint: <name>}.
 */
waypoints?: {
[k: string]: {
/**
 * A Kubernetes name that must be an RFC 1123 label (namespaces, Services).
 */
namespace?: string
/**
 * The traffic it processes (label istio.io/waypoint-for): addressed to a Service, to a pod, or both. Per-workload settings need service or all. Default: service.
 */
for?: ("service" | "workload" | "all")
}
}
/**
 * The book's demo app (webapp calling catalog). Its workloads, webapp and catalog, can be targets.
 */
demoApp?: {
/**
 * The coolstore-gateway Gateway and VirtualService for webapp. Default: true.
 */
gateway?: boolean
/**
 * The httpbin.org ServiceEntry, Gateway and VirtualService through the gateway. Default: true.
 */
httpbinEgress?: boolean
}
/**
 * The workloads settings target, by a name of your choice (target: {workload: <name>}). Each is deployed elsewhere (its own team, Helm, another app): Telemetry and WasmPlugin resources select its pods by selector, and pod-level settings (proxy.istio.io/config, the bootstrap override) become a kustomize patch in patches/. The demo app declares webapp and catalog itself.
 */
workloads?: {
[k: string]: {
/**
 * A Kubernetes object name: an RFC 1123 subdomain.
 */
name?: string
/**
 * A Kubernetes name that must be an RFC 1123 label (namespaces, Services).
 */
namespace?: string
/**
 * The labels of its pods that select exactly them, e.g. {app: cart}.
 */
selector: {
[k: string]: string
}
/**
 * Rollout is an Argo Rollout. Default: Deployment.
 */
kind?: ("Deployment" | "StatefulSet" | "DaemonSet" | "Rollout")
/**
 * The file (or folder of YAML files) the workload's team deploys it from, relative to this file: its pod template's own annotations (proxy.istio.io/config keys, sidecar.istio.io/bootstrapOverride, prometheus.io/*) are read and kept in the patch, and a key we set to another value is refused naming both. Without it, the patch replaces those annotations whole, as REPORT.md and the patch's comment say.
 */
manifest?: string
/**
 * false: the workload runs outside the mesh (not injected, e.g. a node agent). REPORT.md lists it as outside the mesh, settings aimed at its namespace or the mesh are not claimed for it, and a setting that names it is refused. Default: true.
 */
sidecar?: boolean
/**
 * With sidecar: false, the patch also sets sidecar.istio.io/inject: "false" on its pod template. Default: the patch leaves injection to the team.
 */
inject?: false
/**
 * A Kubernetes object name: an RFC 1123 subdomain.
 */
waypoint?: string
/**
 * A Kubernetes name that must be an RFC 1123 label (namespaces, Services).
 */
service?: string
/**
 * The application's own metrics endpoints, which the sidecar's agent scrapes and merges into the /stats/prometheus it serves on port 15020 (metrics merging). One works on every release (prometheus.io/port and prometheus.io/path); several need Istio 1.31 or later (prometheus.istio.io/scrape-targets).
 * 
 * @minItems 1
 */
metricsEndpoints?: [{
/**
 * The container port serving the metrics.
 */
port: number
/**
 * Its HTTP path. Default: /metrics.
 */
path?: string
}, ...({
/**
 * The container port serving the metrics.
 */
port: number
/**
 * Its HTTP path. Default: /metrics.
 */
path?: string
})[]]
}
}
/**
 * Extra Envoy stats to keep (ProxyConfig proxyStatsMatcher). Keys are construct ids (they appear in error messages and in cdk8s.io/metadata.addr).
 */
statsInclusion?: {
[k: string]: {
target: Target
inclusionPrefixes?: string[]
inclusionSuffixes?: string[]
inclusionRegexps?: string[]
}
}
/**
 * Dimensions added to, and labels removed from, one standard metric. Keys are construct ids (they appear in error messages and in cdk8s.io/metadata.addr).
 */
metricDimensions?: {
[k: string]: {
/**
 * A standard metric by base name: requests_total, request_duration_milliseconds, request_bytes, response_bytes, request_messages_total, response_messages_total, tcp_connections_opened_total, tcp_connections_closed_total, tcp_sent_bytes_total, tcp_received_bytes_total.
 */
metric: string
/**
 * Proxy kinds. Default: inboundSidecar, outboundSidecar, gateway.
 * 
 * @minItems 1
 */
proxies?: [("inboundSidecar" | "outboundSidecar" | "gateway"), ...(("inboundSidecar" | "outboundSidecar" | "gateway"))[]]
/**
 * New label name to a CEL expression, or to an attribute generated in this file: {attribute: istio_operationId}.
 */
dimensions?: {
[k: string]: string | {
attribute: string
/**
 * A construct id: a key under a section, shown in messages and in the cdk8s.io/metadata.addr label. An RFC 1123 label.
 */
generator?: string
}
}
tagsToRemove?: string[]
/**
 * Items: A workload declared under workloads (or by the demo app: webapp, catalog).
 */
extraStatTagsFor?: string[]
/**
 * `mesh` for every proxy, `{namespace: name}` for one namespace (Telemetry API only), one declared workload: `{workload: cart}`, or one declared waypoint: `{waypoint: shop-waypoint}`. An ambient namespace or workload is reached through its waypoint.
 */
target?: "mesh" | { readonly workload: WorkloadName } | { readonly namespace: DnsLabel } | { readonly waypoint: DnsSubdomain }
}
}
/**
 * New metrics: a stats filter definition, or a recording rule over istio_requests_total (the default next to the Telemetry API for a counter of requests matching a condition on request.method or response.code). Keys are construct ids (they appear in error messages and in cdk8s.io/metadata.addr).
 */
metricDefinitions?: {
[k: string]: {
/**
 * A Prometheus metric name without the istio_ prefix Istio adds, e.g. get_calls.
 */
name: string
type: ("COUNTER" | "GAUGE" | "HISTOGRAM")
/**
 * CEL expression, numeric.
 */
value: string
/**
 * Proxy kinds. Default: inboundSidecar, outboundSidecar, gateway.
 * 
 * @minItems 1
 */
proxies?: [("inboundSidecar" | "outboundSidecar" | "gateway"), ...(("inboundSidecar" | "outboundSidecar" | "gateway"))[]]
/**
 * Labels of the new metric (stats-filter only): label name to a CEL expression, or to one CEL expression per proxy kind (the others do not get the label).
 */
dimensions?: {
[k: string]: string | {
inboundSidecar?: string
outboundSidecar?: string
gateway?: string
}
}
/**
 * Standard labels the metric carries, computed per proxy kind (stats-filter only; the filter gives a new metric none). Default: [reporter] when recorded on both inbound and outbound or gateway proxies, so a request is not counted twice in one series; else none.
 */
standardLabels?: ("reporter" | "source_workload" | "source_workload_namespace" | "destination_workload" | "destination_workload_namespace")[]
/**
 * stats-filter: a definitions entry of the stats filter (IstioOperator configOverride up to 1.20; next to the Telemetry API a second stats filter in an EnvoyFilter, which no Istio test covers). recording-rule: a recording rule over istio_requests_total, with request_method added to it where the condition reads it. Default: stats-filter with the istio-operator mechanism, recording-rule with the Telemetry API.
 */
implementation?: ("stats-filter" | "recording-rule")
}
}
/**
 * New request attributes (e.g. istio_operationId) from CEL conditions, for use as dimensions. Keys are construct ids (they appear in error messages and in cdk8s.io/metadata.addr).
 */
attributeGenerators?: {
[k: string]: {
/**
 * A Kubernetes object name: an RFC 1123 subdomain.
 */
name?: string
namespace?: DnsLabel
/**
 * Proxy kinds. Default: inboundSidecar, outboundSidecar, gateway.
 * 
 * @minItems 1
 */
proxies?: [("inboundSidecar" | "outboundSidecar" | "gateway"), ...(("inboundSidecar" | "outboundSidecar" | "gateway"))[]]
/**
 * A workload declared under workloads (or by the demo app: webapp, catalog).
 */
workload?: string
/**
 * Output attribute name to its rules, evaluated in order until one matches.
 */
attributes: {
/**
 * @minItems 1
 */
[k: string]: [{
value: string
/**
 * CEL condition; omit on the last rule to always match.
 */
condition?: string
/**
 * The condition as typed fields (all given must match); the CEL is generated with each value as an escaped string literal. Not together with condition.
 */
request?: {
/**
 * Exact request path without the query (request.url_path), e.g. /items.
 */
path?: string
/**
 * Prefix of the request path, e.g. /items/.
 */
pathPrefix?: string
/**
 * HTTP method, e.g. GET.
 */
method?: string
}
}, ...({
value: string
/**
 * CEL condition; omit on the last rule to always match.
 */
condition?: string
/**
 * The condition as typed fields (all given must match); the CEL is generated with each value as an escaped string literal. Not together with condition.
 */
request?: {
/**
 * Exact request path without the query (request.url_path), e.g. /items.
 */
path?: string
/**
 * Prefix of the request path, e.g. /items/.
 */
pathPrefix?: string
/**
 * HTTP method, e.g. GET.
 */
method?: string
}
})[]]
}
/**
 * WasmPlugin module URL (1.18+). Default: the attributegen module istio.io's classify-metrics task uses.
 */
module?: string
/**
 * SHA-256 of the module (1.18+).
 */
sha256?: string
/**
 * WasmPlugin phase (1.18+). Default: STATS.
 */
phase?: ("AUTHN" | "AUTHZ" | "STATS")
}
}
/**
 * istiod's default sampling percentage (values.pilot.traceSampling); above 0.
 */
pilotTraceSampling?: number
/**
 * Trace sampling (ProxyConfig tracing.sampling). Keys are construct ids (they appear in error messages and in cdk8s.io/metadata.addr).
 */
traceSampling?: {
[k: string]: {
target: Target
/**
 * Above 0: ProxyConfig reads 0 as unset.
 */
percentage: number
}
}
/**
 * Where proxies send spans: ProxyConfig tracing.zipkin.address, or a zipkin extension provider with Telemetry API tracing. Keys are construct ids (they appear in error messages and in cdk8s.io/metadata.addr).
 */
zipkinTracers?: {
[k: string]: {
target: Target
/**
 * host:port, e.g. zipkin.istio-system:9411. Default: the zipkin Service of backends.jaeger.
 */
address?: string
/**
 * Extension provider name (Telemetry API tracing only). Default: zipkin.
 */
provider?: string
/**
 * Collector path of the extension provider (Telemetry API tracing on Istio 1.24+). Default: /api/v2/spans.
 */
path?: string
}
}
/**
 * Where proxies send spans over OTLP: an opentelemetry extension provider used by Telemetry tracing (needs mesh.tracing telemetry-api). Keys are construct ids (they appear in error messages and in cdk8s.io/metadata.addr).
 */
openTelemetryTracers?: {
[k: string]: {
target: Target
/**
 * service.namespace:port, e.g. opentelemetry-collector.observability:4317. Default: the OTLP/gRPC Service of backends.jaeger (Jaeger v2 only).
 */
address?: string
/**
 * Extension provider name. Default: otel.
 */
provider?: string
/**
 * OTLP/HTTP path (Istio 1.22+), e.g. /v1/traces. Default: OTLP/gRPC.
 */
httpPath?: string
}
}
/**
 * Tags added to every span (ProxyConfig tracing.customTags). Keys are construct ids (they appear in error messages and in cdk8s.io/metadata.addr).
 */
customTraceTags?: {
[k: string]: {
target: Target
tags: {
[k: string]: CustomTagEntry
}
}
}
/**
 * Access logs per target: a Telemetry accessLogging entry naming an extension provider (a file log or OpenTelemetry) or Istio's built-in envoy provider, on every release. The narrowest target's log replaces a broader one's for its proxies (Istio's mergeLogs). Keys are construct ids.
 */
accessLogging?: {
[k: string]: {
target?: Target
/**
 * Envoy's file access log (an envoyFileAccessLog provider). Default, with no openTelemetry: Istio's built-in envoy provider (/dev/stdout, default format).
 */
file?: {
/**
 * Extension provider name. Default: access-log-file.
 */
name?: string
/**
 * Default: /dev/stdout.
 */
path?: string
/**
 * Exactly one of text or json, made of Envoy command operators (%NAME%, %NAME(param)%, %NAME(param):length%), which are checked. Default: Istio's default text format.
 */
format?: {
/**
 * A format string, e.g. '[%START_TIME%] %REQ(:METHOD)% %RESPONSE_CODE%'.
 */
text?: string
/**
 * JSON keys to format strings, e.g. {status: '%RESPONSE_CODE%'}.
 */
json?: {
[k: string]: string
}
}
}
/**
 * Envoy's OpenTelemetry access log (an envoyOtelAls provider).
 */
openTelemetry?: {
/**
 * Extension provider name. Default: otel-access-log.
 */
name?: string
/**
 * service.namespace:port of the collector, e.g. opentelemetry-collector.observability:4317.
 */
address: string
/**
 * The log's name. Default: Istio's otel_envoy_accesslog.
 */
logName?: string
/**
 * Exactly one of text or json, made of Envoy command operators (%NAME%, %NAME(param)%, %NAME(param):length%), which are checked. Default: Istio's default text format.
 */
format?: {
/**
 * A format string, e.g. '[%START_TIME%] %REQ(:METHOD)% %RESPONSE_CODE%'.
 */
text?: string
/**
 * JSON keys to format strings, e.g. {status: '%RESPONSE_CODE%'}.
 */
json?: {
[k: string]: string
}
}
}
/**
 * A CEL condition on Envoy's attributes; only what it is true for is logged, e.g. response.code >= 400.
 */
filter?: string
/**
 * Turn access logging off for the target (over a broader one). Default: false.
 */
disabled?: boolean
/**
 * Also log each L4 connection of ambient pods at ztunnel when it opens (ztunnel's logLevel info,access=debug; at its default, info, it logs each connection when it closes). ztunnel has no Telemetry API and one level per node: target mesh only; not with install sail, whose ZTunnel takes a single level. Default: false.
 */
ztunnel?: boolean
}
}
/**
 * Envoy bootstrap overrides (ConfigMap custom_bootstrap.json + sidecar.istio.io/bootstrapOverride). Keys are construct ids (they appear in error messages and in cdk8s.io/metadata.addr).
 */
bootstrapOverrides?: {
[k: string]: (({
zipkin: unknown
} | {
statsd: unknown
}) & {
/**
 * A Kubernetes object name: an RFC 1123 subdomain.
 */
name?: string
/**
 * @minItems 1
 * 
 * Items: A workload declared under workloads (or by the demo app: webapp, catalog).
 */
workloads: [string, ...(string)[]]
/**
 * Envoy ZipkinConfig of the bootstrap tracer (proto-JSON names).
 */
zipkin?: {
collectorCluster: string
collectorEndpoint: string
traceId128bit?: boolean
sharedSpanContext?: boolean
collectorEndpointVersion?: ("HTTP_JSON" | "HTTP_PROTO")
collectorHostname?: string
/**
 * host:port of the collector: the override then defines collectorCluster as a static cluster (needed from Istio 1.22 unless ProxyConfig has a zipkin tracer, whose bootstrap alone has Istio's zipkin cluster).
 */
collectorAddress?: string
}
/**
 * Push Envoy's stats to statsd over TCP (Istio in Action chapter 7's --statsdUdpAddress as a stats_sinks override).
 */
statsd?: {
/**
 * host:port, e.g. statsd.istioinaction:9125.
 */
address: string
prefix?: string
}
})
}
/**
 * The backends that collect and show the mesh's telemetry, generated into observability-backends.k8s.yaml. The Prometheus URL, the tracing Services and the metric names are defined once, so every backend agrees with the mesh.
 */
backends?: {
/**
 * The kube-prometheus-stack install every backend points at. Default: release prom in namespace prometheus (the book's).
 */
prometheus?: {
/**
 * Helm release: the release label its Prometheus selects monitors and rules by, and part of its Service name.
 */
release?: string
namespace?: DnsLabel
/**
 * Where Kiali queries Prometheus. Default: http://<release>-kube-prometheus-stack-prometheus.<namespace>:9090 (the chart's Service).
 */
url?: string
}
/**
 * ServiceMonitor istio-component-monitor, PodMonitor envoy-stats-monitor, a PrometheusRule of recording rules and PrometheusRule istio-alert-rules (monitoring.coreos.com/v1). false for none. Default: on.
 */
prometheusOperator?: (false | {
/**
 * A Prometheus duration, e.g. 15s.
 */
interval?: string
/**
 * book: the book's rules (pod_name); dual-stack: the 1.30 sample's (pod, IPv6). Default: the target release's.
 */
podMonitorRelabeling?: ("book" | "dual-stack")
/**
 * Default: true.
 */
recordingRules?: boolean
/**
 * PrometheusRule istio-alert-rules: telemetry-health alerts (a declared workload's standard metrics vanish while its pods run, a scrape job down or empty, a metric over mesh.seriesBudget, istiod configuration rejected or not pushed, the generated Jaeger refusing spans) and the rules of every slos entry; with backends.jaeger, PodMonitor jaeger-monitor for Jaeger's own metrics. Runbooks: docs/alerts.md. Default: true.
 */
alerts?: boolean
/**
 * Istio 1.31+: every sidecar serves its merged metrics over mutual TLS too (ENVOY_SECURE_MERGED_METRICS_PORT), scraped by PodMonitor istio-secure-metrics through scrape class istio-mtls; install/kube-prometheus-stack-values.yaml gives the Prometheus the class and a sidecar that writes the mesh certificate it presents. The envoy-stats PodMonitor leaves those pods out.
 */
secureMetrics?: {
/**
 * The listener's port on each sidecar. Default: 15092.
 */
port?: number
}
})
/**
 * A plain prometheus.yml (Istio in Action chapter 7's envoy-stats job) as a ConfigMap, for a Prometheus without the operator.
 */
scrapeConfig?: {
name: DnsSubdomain
namespace?: DnsLabel
labels?: {
[k: string]: string
}
/**
 * A Prometheus duration, e.g. 15s.
 */
scrapeInterval?: string
/**
 * Drop per-cluster and per-listener Envoy series (Istio in Action chapter 7's metric_relabel_configs), sparing clusters a stats inclusion names. Default: true.
 */
pruneEnvoyStats?: boolean
/**
 * A rule file (key istio-alert-rules.yml of the same ConfigMap, in rule_files) with the alerts and the slos rules, and the scrape jobs those alerts read: istiod (job pilot), the generated Jaeger and, for ambient workloads, kube-state-metrics (its Service labelled app.kubernetes.io/name: kube-state-metrics). Default: true.
 */
alerts?: boolean
}
/**
 * Jaeger with the tracing, zipkin and jaeger-collector Services. Zipkin tracers without an address send to it.
 */
jaeger?: {
/**
 * A NetworkPolicy admitting only the mesh's proxies to the collectors, the pods labelled with one of queryClients (any namespace) to the query ports, and Prometheus to the metrics port; false for none. Default: queryClients Kiali and Grafana (app.kubernetes.io/name).
 */
networkPolicy?: (false | {
queryClients?: {
[k: string]: string
}[]
})
/**
 * Where spans are kept, exactly one of: memory (lost on every restart), badgerOnEmptyDir (the add-on's: lost with the pod), badgerOnClaim (a PersistentVolumeClaim name: kept). Required, since the add-on's choice looks persistent and is not.
 */
storage: {
memory?: {
maxTraces?: number
}
badgerOnEmptyDir?: {

}
badgerOnClaim?: DnsSubdomain
}
namespace?: DnsLabel
/**
 * Default: the target release's add-on image.
 */
image?: string
/**
 * Default: from the image name.
 */
generation?: ("v1-all-in-one" | "v2")
}
/**
 * A ConfigMap of generated dashboards for Grafana's dashboard sidecar. false for none. Default: istio-dashboards in the Prometheus namespace, labelled grafana_dashboard: "1".
 */
grafana?: (false | {
name?: DnsSubdomain
namespace?: DnsLabel
sidecarLabel?: {
name: string
value: string
}
})
/**
 * A Kiali CR (kiali.io/v1alpha1) for the kiali-operator. false for none. Default: on, with token login.
 */
kiali?: (false | {
name?: DnsLabel
namespace?: DnsLabel
/**
 * Default: token. anonymous must be asked for and is reported as a caveat.
 */
auth?: ("token" | "openid" | "openshift" | "header" | "anonymous")
/**
 * Kiali shows the mesh and changes nothing (deployment.view_only_mode). Default: true; false is reported as a caveat.
 */
viewOnly?: boolean
/**
 * An existing tracing backend for Kiali's traces, instead of the generated Jaeger (refused together with backends.jaeger).
 */
tracing?: {
/**
 * Where Kiali queries traces, from inside the cluster, e.g. http://tempo-query-frontend.tempo:3200 (external_services.tracing.internal_url from Istio 1.24's Kiali 2, in_cluster_url before).
 */
inClusterUrl: string
/**
 * The tracing UI's address users' browsers open, for links from Kiali (external_services.tracing.external_url from Kiali 2, url before). Default: none, no links.
 */
url?: string
/**
 * The backend's query API: jaeger (Jaeger, or Tempo's Jaeger query), or tempo (Kiali 1.75 and later, so Istio 1.20 and later; kiali/kiali-operator@v1.76.0 crd-docs). Kiali has no zipkin provider.
 */
provider: ("jaeger" | "tempo")
/**
 * Query Jaeger over gRPC (external_services.tracing.use_grpc). Default: false for an external backend.
 */
useGrpc?: boolean
}
})
/**
 * The page every alert's runbook_url points into (each adds #<alert name in lower case>), e.g. your copy of docs/alerts.md. Default: https://unpkg.com/cdk8s-istio-observability/docs/alerts.md.
 */
runbookUrl?: string
}
/**
 * Service level objectives on the standard metrics, measured at the server side (reporter destination for sidecars, waypoint for ambient workloads): error ratios recorded over 5m, 30m, 1h, 6h, 3d and the window, multi-window multi-burn-rate alerts (page: 14.4x over 1h and 5m, 6x over 6h and 30m; ticket: 1x over 3d and 6h, for a 30d window) in the backends' alert rules, and an error-budget dashboard. Needs backends (prometheusOperator or scrapeConfig). Keys are construct ids and the slo label of every series and alert.
 */
slos?: {
[k: string]: {
/**
 * A workload declared under workloads (or by the demo app: webapp, catalog).
 */
workload?: string
/**
 * <namespace>/<name> of a Service whose requests are measured, whichever workloads serve it (give this or workload).
 */
service?: string
/**
 * The percentage of requests that succeed (not 5xx, and gRPC status OK for gRPC), above 0 and below 100, e.g. 99.9.
 */
availability?: number
latency?: {
/**
 * A bucket boundary of istio_request_duration_milliseconds: Envoy's defaults are 0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 600000, 1800000, 3600000 (a workload's sidecar.istio.io/statsHistogramBuckets for istiocustom replaces them, 1.19+).
 */
thresholdMs: number
/**
 * The percentage of requests under the threshold, above 0 and below 100, e.g. 99.
 */
objective: number
}
/**
 * The rolling window: whole days or weeks from 7d to 90d. Default: 30d.
 */
window?: string
}
}
/**
 * Clusters (or environments) to synthesize, each into <out>/clusters/<name>/ with its own target Istio release; the rest of this file is the declaration they share, and overrides change it per cluster (mappings merge key by key, lists and values replace, null removes).
 */
clusters?: {
[k: string]: {
/**
 * Target Istio release, "MAJOR.MINOR" or "MAJOR.MINOR.PATCH", from "1.17" to the newest release with a row in docs/istio-versions.md (quote it: 1.20 unquoted is the number 1.2). Every piece emits the mechanism this release needs, or is refused with the reason. Required, except with clusters:, where each cluster names its own and this key is refused.
 */
istioVersion: string
/**
 * Sections of the shared declaration changed for this cluster, e.g. traceSampling: { webapp-sampling: { percentage: 100 } }.
 */
overrides?: {

}
}
}
/**
 * Delivery of the output by an existing GitOps engine, in <out>/gitops/: an Argo CD ApplicationSet (git directory generator) and, as an alternative, a Flux Kustomization per cluster folder (or for the output folder itself, without clusters:). With mesh.install: helm, istiod stays with whoever runs it: REPORT.md shows how their Argo CD Application ($values) or Flux HelmRelease (valuesFrom a ConfigMap in gitops/) reads our values; manageIstiod delivers the charts too.
 */
gitops?: {
/**
 * The git repository the output is committed to.
 */
repoURL: string
/**
 * Branch, tag or commit; default HEAD.
 */
revision?: string
/**
 * the folder in the repository that holds the output: a path relative to its root (. for the root), without a leading or trailing /, .. segments or the pattern characters * ? [ ] \. The generator, $values and Flux paths are computed from it. Default: the output folder as given (e.g. dist).
 */
path?: string
/**
 * A Kubernetes object name: an RFC 1123 subdomain.
 */
cluster?: string
/**
 * With mesh.install: helm, also deliver Istio's base and istiod charts (Argo CD Applications, Flux HelmReleases), pinned to the exact istioVersion (X.Y.Z), base first, the validating webhook's failurePolicy ignored (istiod patches it), and istiodValueFiles / istiodValuesFrom before ours. Default: false: istiod stays with whoever runs it, and the output only holds the values for their Application or HelmRelease (see REPORT.md).
 */
manageIstiod?: boolean
/**
 * With manageIstiod: your own istiod values files, as paths in repoURL, listed before ours in the Argo CD Application (later files win, so ours override only the keys we write).
 * 
 * @minItems 1
 */
istiodValueFiles?: [string, ...(string)[]]
/**
 * With manageIstiod: your own istiod values for the Flux HelmRelease (valuesFrom, in the release's namespace), listed before ours.
 * 
 * @minItems 1
 */
istiodValuesFrom?: [{
kind: ("ConfigMap" | "Secret")
name: DnsSubdomain
/**
 * Default: values.yaml.
 */
valuesKey?: string
}, ...({
kind: ("ConfigMap" | "Secret")
name: DnsSubdomain
/**
 * Default: values.yaml.
 */
valuesKey?: string
})[]]
/**
 * Delete objects removed from git (Argo CD automated prune, Flux prune); default false.
 */
prune?: boolean
/**
 * The ApplicationSet: namespace (default argocd), project (default default); false for none. Each folder's name must be the name of the cluster in Argo CD.
 */
argocd?: (false | {
namespace?: DnsLabel
project?: string
})
/**
 * Flux Kustomizations: namespace (default flux-system), sourceRef: the GitRepository (default flux-system), interval (default 10m); false for none.
 */
flux?: (false | {
namespace?: DnsLabel
sourceRef?: DnsLabel
interval?: string
})
}
}
/**
 * Exactly one of literal, environment (a variable of the proxy container), header, or formatter (an Envoy command operator, Telemetry API tracing on 1.29+), plus defaultValue for environment and header.
 * 
 * This interface was referenced by `ObservabilityConfigDocument`'s JSON-Schema
 * via the `definition` "customTagEntry".
 */
export interface CustomTagEntry {
literal?: string
environment?: string
header?: string
defaultValue?: string
formatter?: string
}
