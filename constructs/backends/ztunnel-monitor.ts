import type { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { refuseInput } from '../../core/problems/construct-problems';
import { PodMonitor } from '../../imports/monitoring.coreos.com';
import type { IstioMesh } from '../mesh/istio-mesh';
import { durationProblems, type PrometheusInstance } from './prometheus-instance';
import type { RelabelRule } from './relabel-rules';

/**
 * ztunnel's pods and metrics port, the same from istio/istio@1.24.0 to @1.31.0-rc.0
 * (manifests/charts/ztunnel/templates/daemonset.yaml: label `app: ztunnel`, container `istio-proxy`,
 * port 15020 named `ztunnel-stats`); it serves its metrics on `/metrics` (istio/ztunnel@1.24.0:
 * src/metrics/server.rs).
 */
export const ZTUNNEL_APP_LABEL = 'ztunnel';
export const ZTUNNEL_METRICS_PORT_NAME = 'ztunnel-stats';
/** The `job` label of ztunnel's series, in the PodMonitor (its pods' `app` label) and the plain scrape config alike. */
export const ZTUNNEL_JOB = 'ztunnel';

/**
 * The envoy-stats PodMonitor's rule that leaves ztunnel's pods to {@link ZtunnelMonitor}: they too
 * run a container named istio-proxy with prometheus.io annotations, and would be scraped twice.
 */
export function dropZtunnelPods(ztunnelNamespace: string): RelabelRule {
  return {
    action: 'drop',
    sourceLabels: ['__meta_kubernetes_namespace', '__meta_kubernetes_pod_label_app'],
    regex: `${ztunnelNamespace};${ZTUNNEL_APP_LABEL}`,
  };
}

export interface ZtunnelMonitorProps {
  /** The mesh: where its ztunnel runs. */
  readonly mesh: IstioMesh;
  /** The Prometheus that selects this monitor. */
  readonly prometheus: PrometheusInstance;
  /** @default '15s' */
  readonly interval?: string;
}

/**
 * A PodMonitor for ztunnel, the node proxy of ambient pods: its L4 metrics (`istio_tcp_*` for each
 * ambient pod's connections, reported by both ends) under `job="ztunnel"`, apart from the
 * proxies' series, so a dashboard can tell them apart.
 */
export class ZtunnelMonitor extends Construct {
  readonly monitor: ApiObject;

  constructor(scope: Construct, id: string, props: ZtunnelMonitorProps) {
    super(scope, id);
    const interval = props.interval ?? '15s';
    const problems = [...props.prometheus.problems(['prometheus']), ...durationProblems(['interval'], interval)];
    // Reported at synth with every other construct's problems; nothing is written until they are fixed.
    refuseInput(this, problems);
    this.monitor = new PodMonitor(this, 'Resource', {
      metadata: {
        name: 'ztunnel-monitor',
        namespace: props.prometheus.namespace,
        labels: { monitoring: 'istio-ztunnel', ...props.prometheus.selectorLabels },
      },
      spec: {
        selector: { matchLabels: { app: ZTUNNEL_APP_LABEL } },
        namespaceSelector: { matchNames: [props.mesh.ztunnelNamespace] },
        jobLabel: 'app',
        podMetricsEndpoints: [{ port: ZTUNNEL_METRICS_PORT_NAME, path: '/metrics', interval }],
      },
    });
  }
}
