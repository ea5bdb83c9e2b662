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
