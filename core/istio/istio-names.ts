/**
 * Names Istio reads from Kubernetes objects, the same in every supported release: the emitters
 * write them and the model reads them, so both take them from here.
 */

/** Pod annotation holding ProxyConfig overrides for one workload (Beta in Istio). */
export const PROXY_CONFIG_ANNOTATION = 'proxy.istio.io/config';
/** Pod annotation naming a ConfigMap (same namespace) with `custom_bootstrap.json` (istio/istio@1.30.3:manifests/charts/istio-control/istio-discovery/files/injection-template.yaml). */
export const BOOTSTRAP_OVERRIDE_ANNOTATION = 'sidecar.istio.io/bootstrapOverride';

/** Metrics merging: the one application endpoint the agent scrapes and merges (all releases). */
export const PROMETHEUS_PORT_ANNOTATION = 'prometheus.io/port';
export const PROMETHEUS_PATH_ANNOTATION = 'prometheus.io/path';
export const PROMETHEUS_SCRAPE_ANNOTATION = 'prometheus.io/scrape';
/** Several application endpoints, `port:path,…` (istio/istio@1.31.0-rc.0:pkg/kube/inject/webhook.go). */
export const SCRAPE_TARGETS_ANNOTATION = 'prometheus.istio.io/scrape-targets';

/** The ConfigMap key the sidecar injector mounts and pilot-agent reads (istio/istio@1.30.3:manifests/charts/istio-control/istio-discovery/files/injection-template.yaml). */
export const CUSTOM_BOOTSTRAP_KEY = 'custom_bootstrap.json';

/**
 * The kind given to a values file of the istiod Helm chart, as validation sees it (a document with
 * a top-level `meshConfig` and no `apiVersion` or `kind`): an install input like an IstioOperator,
 * never applied to a cluster, so it has no name, namespace or schema to check.
 */
export const ISTIOD_VALUES_KIND = 'IstiodHelmValues';

/** pilot-agent's variable for the mTLS listener serving the merged metrics (istio/istio@1.31.0-rc.0:pilot/cmd/pilot-agent/options/options.go). */
export const SECURE_MERGED_METRICS_PORT_ENV = 'ENVOY_SECURE_MERGED_METRICS_PORT';

/**
 * The extension providers every mesh config has before its own are merged in by name
 * (istio/istio@1.26.8:pkg/config/mesh/mesh.go DefaultMeshConfig lines 108-127, the same from
 * 1.17.0 to 1.31.0-rc.0): a Telemetry may name these without defining them.
 */
export const DEFAULT_EXTENSION_PROVIDERS: readonly string[] = ['prometheus', 'stackdriver', 'envoy'];

/**
 * Ambient mode's labels (istio/api@1.24.0:label/labels.gen.go): a namespace or pod joins the
 * ambient data plane with `istio.io/dataplane-mode: ambient` (`none` keeps a pod out); a namespace,
 * Service or pod sends its L7 traffic through the waypoint its `istio.io/use-waypoint` names (in
 * the namespace `istio.io/use-waypoint-namespace` names, else its own); a waypoint's Gateway says
 * which traffic it takes with `istio.io/waypoint-for`.
 */
export const DATAPLANE_MODE_LABEL = 'istio.io/dataplane-mode';
export const USE_WAYPOINT_LABEL = 'istio.io/use-waypoint';
export const USE_WAYPOINT_NAMESPACE_LABEL = 'istio.io/use-waypoint-namespace';
export const WAYPOINT_FOR_LABEL = 'istio.io/waypoint-for';
/** The GatewayClass istiod deploys waypoints for (istio/istio@1.24.0:pkg/config/constants/constants.go). */
export const WAYPOINT_GATEWAY_CLASS = 'istio-waypoint';
/** The Gateway API group of Gateway and GatewayClass. */
export const GATEWAY_API_GROUP = 'gateway.networking.k8s.io';
/** The label istiod puts on a Gateway's pods, naming the Gateway (istio/istio@1.24.0:pilot/pkg/model/policyattachment.go). */
export const GATEWAY_NAME_LABEL = 'gateway.networking.k8s.io/gateway-name';
