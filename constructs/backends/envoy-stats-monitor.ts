import type { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { problem } from '../../core/errors';
import { isDnsSubdomain } from '../../core/names';
import { refuseInput } from '../../core/problems/construct-problems';
import {
  PodMonitor,
  type PodMonitorSpecPodMetricsEndpointsRelabelings,
  type PodMonitorSpecPodMetricsEndpointsScheme,
} from '../../imports/monitoring.coreos.com';
import type { IstioMesh } from '../mesh/istio-mesh';
import { durationProblems, type PrometheusInstance } from './prometheus-instance';
import {
  DROP_SECURE_PODS,
  operatorRelabeling,
  type PodRelabeling,
  podMonitorRelabelings,
  type RelabelRule,
} from './relabel-rules';
import { type ProxyScrapeJob, podLabelOf, podMonitorJob } from './scrape-jobs';
import { dropZtunnelPods } from './ztunnel-monitor';

export type { PodRelabeling } from './relabel-rules';

const POD_RELABELINGS: readonly PodRelabeling[] = ['book', 'dual-stack'];

export interface EnvoyStatsMonitorProps {
  /** The mesh whose sidecars are scraped; its release picks the default relabelings. */
  readonly mesh: IstioMesh;
  /** The Prometheus that selects this monitor. */
  readonly prometheus: PrometheusInstance;
  /** @default 'envoy-stats-monitor' */
  readonly name?: string;
  /** @default '15s' */
  readonly interval?: string;
  /**
   * `book` rewrites the discovered address's port (IPv4 pods; the book's and 1.17's sample);
   * `dual-stack` builds the address from the pod IP, IPv6 too (the samples from 1.18). The pod
   * label is the chosen release's: `pod_name`, or `pod` from 1.25.
   * @default - the relabelings of the target release's sample, exactly
   *   (istio/istio samples/addons/extras/prometheus-operator.yaml at the release's tag)
   */
  readonly relabeling?: PodRelabeling;
  /**
   * Leave out pods that serve their metrics over mutual TLS (annotated `prometheus.istio.io/secure-port`),
   * which {@link SecureMetricsScrape} scrapes, so no series is collected twice.
   * @default false
   */
  readonly excludeSecurePods?: boolean;
}

/**
 * A PodMonitor for the data plane: `/stats/prometheus` of every istio-proxy container in any
 * namespace, except pods labelled `istio-prometheus-ignore` (Istio in Action, chapter 7: `ch7/pod-monitor-dp.yaml`).
 */
export class EnvoyStatsMonitor extends Construct {
  readonly monitor: ApiObject;
  readonly relabeling: PodRelabeling;
  /** The `job` of its series and the label with the pod's name, for rules that read them. */
  readonly scrapeJob: ProxyScrapeJob;

  constructor(scope: Construct, id: string, props: EnvoyStatsMonitorProps) {
    super(scope, id);
    const name = props.name ?? 'envoy-stats-monitor';
    const interval = props.interval ?? '15s';
    const relabeling = props.relabeling ?? props.mesh.policy.mechanisms.addons.podMonitorRelabeling;
    const problems = props.prometheus.problems(['prometheus']);
    if (!isDnsSubdomain(name)) problems.push(problem(['name'], name, 'an object name (RFC 1123 subdomain)'));
    problems.push(...durationProblems(['interval'], interval));
    if (!POD_RELABELINGS.includes(relabeling)) {
      problems.push(problem(['relabeling'], relabeling, `one of ${POD_RELABELINGS.join(', ')}`));
    }
    // Reported at synth with every other construct's problems; nothing is written until they are fixed.
    refuseInput(this, problems);
    this.relabeling = relabeling;
    const rules = [
      ...(props.excludeSecurePods ? [DROP_SECURE_PODS] : []),
      // ztunnel has a container named istio-proxy too; ZtunnelMonitor scrapes it.
      ...(props.mesh.hasAmbient ? [dropZtunnelPods(props.mesh.ztunnelNamespace)] : []),
      ...podMonitorRelabelings(props.mesh.policy.mechanisms.addons, relabeling),
    ];
    this.monitor = sidecarStatsPodMonitor(this, name, props.prometheus, { interval, relabelings: rules });
    this.scrapeJob = { job: podMonitorJob(props.prometheus.namespace, name), podLabel: podLabelOf(rules) };
  }
}

/** What tells the sidecars' PodMonitors apart: the plain one on the status port, the mTLS one. */
export interface SidecarStatsEndpoint {
  readonly interval: string;
  readonly relabelings: readonly RelabelRule[];
  /** @default - http */
  readonly scheme?: PodMonitorSpecPodMetricsEndpointsScheme;
  /** The Prometheus scrape class that supplies its TLS settings. @default - none */
  readonly scrapeClass?: string;
}

/**
 * A PodMonitor (id `Resource`) scraping `/stats/prometheus` of the sidecars in every namespace,
 * except pods labelled `istio-prometheus-ignore`, in the Prometheus's namespace with its selector labels.
 */
export function sidecarStatsPodMonitor(
  scope: Construct,
  name: string,
  prometheus: PrometheusInstance,
  endpoint: SidecarStatsEndpoint,
): ApiObject {
  return new PodMonitor(scope, 'Resource', {
    metadata: {
      name,
      namespace: prometheus.namespace,
      labels: { monitoring: 'istio-proxies', ...prometheus.selectorLabels },
    },
    spec: {
      selector: { matchExpressions: [{ key: 'istio-prometheus-ignore', operator: 'DoesNotExist' }] },
      namespaceSelector: { any: true },
      jobLabel: 'envoy-stats',
      ...(endpoint.scrapeClass !== undefined ? { scrapeClass: endpoint.scrapeClass } : {}),
      podMetricsEndpoints: [
        {
          path: '/stats/prometheus',
          interval: endpoint.interval,
          ...(endpoint.scheme !== undefined ? { scheme: endpoint.scheme } : {}),
          relabelings: endpoint.relabelings.map(
            (r) => operatorRelabeling(r) as PodMonitorSpecPodMetricsEndpointsRelabelings,
          ),
        },
      ],
    },
  });
}
