import type { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { stringify } from 'yaml';
import { scrapePortProblem } from '../../core/checks/scrape-target-checks';
import { problem } from '../../core/errors';
import { PROXY_CONFIG_ANNOTATION, SECURE_MERGED_METRICS_PORT_ENV } from '../../core/istio/istio-names';
import { refuseInput } from '../../core/problems/construct-problems';
import type { Problem } from '../../core/problems/problem';
import { PodMonitorSpecPodMetricsEndpointsScheme } from '../../imports/monitoring.coreos.com';
import { HelmValuesFile } from '../intent/helm-values-file';
import type { IstioMesh } from '../mesh/istio-mesh';
import { ProxyTarget } from '../proxy-config/proxy-target';
import { sidecarStatsPodMonitor } from './envoy-stats-monitor';
import { durationProblems, type PrometheusInstance } from './prometheus-instance';
import { podMonitorRelabelings, type RelabelRule, SECURE_PORT_PRESENT } from './relabel-rules';
import { type ProxyScrapeJob, podLabelOf, podMonitorJob } from './scrape-jobs';

/** The port Istio's own bootstrap test gives it (istio/istio@1.31.0-rc.0:pkg/bootstrap/testdata/secure_metrics_golden.json). */
export const DEFAULT_SECURE_METRICS_PORT = 15092;
/** The scrape class of the Prometheus that carries the mesh client certificate; the PodMonitor names it. */
export const ISTIO_MTLS_SCRAPE_CLASS = 'istio-mtls';
/** Where the Prometheus pod's sidecar writes its workload certificate (OUTPUT_CERTS) and Prometheus reads it. */
export const ISTIO_CERTS_DIR = '/etc/istio-certs';
/** The kube-prometheus-stack values that give its Prometheus the certificate and the scrape class. */
export const KUBE_PROMETHEUS_STACK_VALUES_FILE = 'install/kube-prometheus-stack-values.yaml';

/** The annotation the injector sets from ENVOY_SECURE_MERGED_METRICS_PORT (see SECURE_PORT_PRESENT). */
const SECURE_PORT_META = '__meta_kubernetes_pod_annotation_prometheus_istio_io_secure_port';
const PLAIN_PORT_META = '__meta_kubernetes_pod_annotation_prometheus_io_port';
const PLAIN_SCRAPE_PRESENT = '__meta_kubernetes_pod_annotationpresent_prometheus_io_scrape';

/** Props of {@link SecureMetricsScrape}. */
export interface SecureMetricsScrapeProps {
  /** The mesh whose sidecars get the mTLS metrics listener; it must be Istio 1.31 or later. */
  readonly mesh: IstioMesh;
  /** The Prometheus (kube-prometheus-stack) that scrapes them. */
  readonly prometheus: PrometheusInstance;
  /** Whose sidecars open the listener: the mesh (meshConfig.defaultConfig) or one workload (its annotation). @default ProxyTarget.mesh() */
  readonly target?: ProxyTarget;
  /** The listener's port on each sidecar. @default 15092 */
  readonly port?: number;
  /** @default 'istio-secure-metrics' */
  readonly name?: string;
  /** @default '15s' */
  readonly interval?: string;
}

/**
 * Scraping the sidecars' merged metrics (Envoy, agent and application, as on 15020) over mutual
 * TLS, on the listener Istio 1.31 adds when `ENVOY_SECURE_MERGED_METRICS_PORT` is set
 * (istio/istio@1.31.0-rc.0:releasenotes/notes/secure-metrics-port.yaml). The listener asks for a
 * client certificate issued by the mesh's CA, so Prometheus needs one:
 *
 * - the proxies: `proxyMetadata.ENVOY_SECURE_MERGED_METRICS_PORT` in the target's ProxyConfig;
 *   the injector then annotates each pod `prometheus.istio.io/secure-port` (read at pod start:
 *   restart the workloads);
 * - the certificate: the Prometheus pod gets an Istio sidecar that only provisions it
 *   (`OUTPUT_CERTS` writes the workload certificate to `/etc/istio-certs`, inbound capture off,
 *   as Istio's own istio/istio@1.31.0-rc.0:samples/addons/extras/prometheus-secure-metrics.yaml does);
 *   the sidecar rotates it, and Prometheus rereads the files on each scrape;
 * - Prometheus: a PodMonitor's TLS settings cannot name files, so the certificate is attached by a
 *   scrape class of the Prometheus (`scrapeClasses[].tlsConfig` with `caFile`, `certFile`,
 *   `keyFile`), which the PodMonitor selects by name. Both the scrape class and the sidecar are
 *   settings of the Prometheus resource, written as kube-prometheus-stack values to
 *   {@link KUBE_PROMETHEUS_STACK_VALUES_FILE}; server names are not verified (`insecureSkipVerify`),
 *   as in Istio's sample, since a workload certificate names a SPIFFE identity, not the pod address;
 * - the PodMonitor keeps pods with the annotation and scrapes `/stats/prometheus` over https on
 *   its port, with the release's pod and namespace labels. The envoy-stats PodMonitor drops those
 *   pods, so no series is collected twice.
 */
export class SecureMetricsScrape extends Construct {
  readonly monitor: ApiObject;
  readonly port: number;
  /** The `job` of its series and the label with the pod's name, for rules that read them. */
  readonly scrapeJob: ProxyScrapeJob;
  /** The kube-prometheus-stack values for the Prometheus: the scrape class and the certificate sidecar. */
  readonly prometheusValues: HelmValuesFile;

  constructor(scope: Construct, id: string, props: SecureMetricsScrapeProps) {
    super(scope, id);
    const { mesh, prometheus } = props;
    const port = props.port ?? DEFAULT_SECURE_METRICS_PORT;
    const interval = props.interval ?? '15s';
    const name = props.name ?? 'istio-secure-metrics';
    const target = props.target ?? ProxyTarget.mesh();
    this.port = port;
    const problems: Problem[] = [...prometheus.problems(['prometheus']), ...durationProblems(['interval'], interval)];
    const needs = mesh.policy.featureProblem('secureMetricsPorts', ['port'], port, {
      hint: 'scrape the plain-text metrics (the envoy-stats PodMonitor), or target Istio 1.31 or later',
    });
    if (needs) problems.push(needs);
    const portProblem = scrapePortProblem(['port'], port);
    if (portProblem) problems.push(portProblem);
    if (target.kind === 'namespace') {
      problems.push(
        problem(['target'], target.description, 'the mesh or a workload', {
          what: 'the port is a ProxyConfig setting, which has no namespace level',
        }),
      );
    }
    const refused = refuseInput(this, problems);
    if (!refused) {
      target.contribute(mesh, this, { proxyMetadata: { [SECURE_MERGED_METRICS_PORT_ENV]: String(port) } });
    }
    const relabelings = secureRelabelings(mesh);
    this.scrapeJob = { job: podMonitorJob(prometheus.namespace, name), podLabel: podLabelOf(relabelings) };
    this.monitor = sidecarStatsPodMonitor(this, name, prometheus, {
      interval,
      relabelings,
      scheme: PodMonitorSpecPodMetricsEndpointsScheme.HTTPS,
      scrapeClass: ISTIO_MTLS_SCRAPE_CLASS,
    });
    this.prometheusValues = new HelmValuesFile(this, 'PrometheusValues', KUBE_PROMETHEUS_STACK_VALUES_FILE, () =>
      kubePrometheusStackValues(),
    );
  }
}

/**
 * The release's envoy-stats relabelings (its dual-stack sample's), pointed at the secure port:
 * keep pods the injector annotated with it and build the address from the pod IP and that port.
 */
function secureRelabelings(mesh: IstioMesh): RelabelRule[] {
  return podMonitorRelabelings(mesh.policy.mechanisms.addons, 'dual-stack').map((rule) => {
    // The sample's `keep` on prometheus_io_scrape has no regex, so its default `(.*)` keeps pods
    // without the annotation too; here those would be scraped over https on Envoy's plain port.
    if (rule.sourceLabels?.length === 1 && rule.sourceLabels[0] === PLAIN_SCRAPE_PRESENT) {
      return { action: 'keep', sourceLabels: [SECURE_PORT_PRESENT], regex: 'true' };
    }
    const sourceLabels = rule.sourceLabels?.map((label) => (label === PLAIN_PORT_META ? SECURE_PORT_META : label));
    return { ...rule, ...(sourceLabels ? { sourceLabels } : {}) };
  });
}

/**
 * kube-prometheus-stack values (`prometheus.prometheusSpec`): the sidecar that provisions the mesh
 * certificate into a memory volume, and the scrape class that hands it to the PodMonitor's scrapes.
 */
function kubePrometheusStackValues(): Record<string, unknown> {
  const file = (name: string) => `${ISTIO_CERTS_DIR}/${name}`;
  return {
    prometheus: {
      prometheusSpec: {
        scrapeClasses: [
          {
            name: ISTIO_MTLS_SCRAPE_CLASS,
            tlsConfig: {
              caFile: file('root-cert.pem'),
              certFile: file('cert-chain.pem'),
              keyFile: file('key.pem'),
              insecureSkipVerify: true,
            },
          },
        ],
        podMetadata: {
          labels: { 'sidecar.istio.io/inject': 'true' },
          annotations: {
            'sidecar.istio.io/userVolumeMount': JSON.stringify([{ name: 'istio-certs', mountPath: ISTIO_CERTS_DIR }]),
            [PROXY_CONFIG_ANNOTATION]: stringify(
              { proxyMetadata: { OUTPUT_CERTS: ISTIO_CERTS_DIR, INBOUND_CAPTURE_PORTS: '' } },
              { lineWidth: 0, version: '1.1' },
            ),
          },
        },
        volumes: [{ name: 'istio-certs', emptyDir: { medium: 'Memory' } }],
        volumeMounts: [{ name: 'istio-certs', mountPath: ISTIO_CERTS_DIR, readOnly: true }],
      },
    },
  };
}
