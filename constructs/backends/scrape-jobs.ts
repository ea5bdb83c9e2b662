import type { RelabelRule } from './relabel-rules';

/**
 * The `job` labels of what the generated monitors and scrape configs collect, for the rules that
 * read those series. The Prometheus Operator names a PodMonitor's job `<namespace>/<name>` unless
 * its `jobLabel` names a pod label that is set (prometheus-operator/prometheus-operator@v0.93.0:
 * pkg/prometheus/promcfg.go generatePodMonitorConfig).
 */

/** A scrape job of proxies (sidecars, gateways, waypoints), and the target label holding the pod's name. */
export interface ProxyScrapeJob {
  readonly job: string;
  readonly podLabel: string;
}

/** A tracing collector this app runs and Prometheus scrapes: its job and the counter of spans it refused. */
export interface CollectorScrapeJob {
  readonly job: string;
  /** The counters of spans it refused, e.g. `jaeger_collector_spans_rejected_total`. */
  readonly refusedSpans: readonly string[];
  readonly description: string;
}

/** What the Prometheus that evaluates the alerts scrapes, by `job` label. */
export interface ScrapeJobs {
  readonly proxies: readonly ProxyScrapeJob[];
  /** @default - ztunnel is not scraped */
  readonly ztunnel?: string;
  /** @default - istiod is not scraped */
  readonly istiod?: string;
  /** @default - no collector of ours is scraped */
  readonly collector?: CollectorScrapeJob;
  /**
   * kube-state-metrics, whose `kube_pod_status_ready` says an ambient workload's pods run (they
   * have no proxy of their own to scrape). Read only when the mesh declares ambient workloads.
   * @default - any job
   */
  readonly podStatus?: string;
}

/**
 * The `job` of istiod's series: the ServiceMonitor's jobLabel `istio`, whose value on istiod's
 * Service is `pilot` (istio/istio@1.31.0-rc.0:manifests/charts/istio-control/istio-discovery/
 * templates/service.yaml); the plain config names its job so too.
 */
export const ISTIOD_JOB = 'pilot';

/** kube-state-metrics' job: kube-prometheus-stack's ServiceMonitor names it by `app.kubernetes.io/name`. */
export const KUBE_STATE_METRICS_JOB = 'kube-state-metrics';

/** The job of a PodMonitor whose `jobLabel` names no label its pods carry. */
export function podMonitorJob(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

/** The target label relabelings copy the pod's name to (`pod`, or `pod_name` in older samples). */
export function podLabelOf(rules: readonly RelabelRule[]): string {
  const rule = rules.find((r) => r.sourceLabels?.length === 1 && r.sourceLabels[0] === '__meta_kubernetes_pod_name');
  return rule?.targetLabel ?? 'pod';
}
