import { Construct } from 'constructs';
import { PodMonitor, type PodMonitorSpecPodMetricsEndpointsRelabelings } from '../../imports/monitoring.coreos.com';
import { problem, throwIfProblems } from '../errors';
import type { IstioMesh } from '../mesh/istio-mesh';
import { isDnsSubdomain } from '../names';
import { durationProblems, type PrometheusInstance } from './prometheus-instance';
import { BOOK_POD_RELABELINGS, DUAL_STACK_POD_RELABELINGS, operatorRelabeling } from './relabel-rules';

/** Which relabelings the PodMonitor uses (see {@link BOOK_POD_RELABELINGS}, {@link DUAL_STACK_POD_RELABELINGS}). */
const POD_RELABELINGS = { book: BOOK_POD_RELABELINGS, 'dual-stack': DUAL_STACK_POD_RELABELINGS } as const;
export type PodRelabeling = keyof typeof POD_RELABELINGS;

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
   * `book` labels series `pod_name` and works on IPv4 pods; `dual-stack` labels them `pod` and
   * builds IPv6 addresses too.
   * @default - the relabelings of the target release's sample (`dual-stack` from 1.30, facts E.3)
   */
  readonly relabeling?: PodRelabeling;
}

/**
 * A PodMonitor for the data plane: `/stats/prometheus` of every istio-proxy container in any
 * namespace, except pods labelled `istio-prometheus-ignore` (seed 003, `ch7/pod-monitor-dp.yaml`).
 */
export class EnvoyStatsMonitor extends Construct {
  readonly monitor: PodMonitor;
  readonly relabeling: PodRelabeling;

  constructor(scope: Construct, id: string, props: EnvoyStatsMonitorProps) {
    super(scope, id);
    const name = props.name ?? 'envoy-stats-monitor';
    const interval = props.interval ?? '15s';
    const relabeling = props.relabeling ?? props.mesh.policy.mechanisms.addons.podMonitorRelabeling;
    const problems = props.prometheus.problems('prometheus');
    if (!isDnsSubdomain(name)) problems.push(problem('name', name, 'an object name (RFC 1123 subdomain)'));
    problems.push(...durationProblems('interval', interval));
    if (!Object.hasOwn(POD_RELABELINGS, relabeling)) {
      problems.push(problem('relabeling', relabeling, `one of ${Object.keys(POD_RELABELINGS).join(', ')}`));
    }
    throwIfProblems(this, problems);
    this.relabeling = relabeling;
    const rules = POD_RELABELINGS[relabeling];
    this.monitor = new PodMonitor(this, 'Resource', {
      metadata: {
        name,
        namespace: props.prometheus.namespace,
        labels: { monitoring: 'istio-proxies', ...props.prometheus.selectorLabels },
      },
      spec: {
        selector: { matchExpressions: [{ key: 'istio-prometheus-ignore', operator: 'DoesNotExist' }] },
        namespaceSelector: { any: true },
        jobLabel: 'envoy-stats',
        podMetricsEndpoints: [
          {
            path: '/stats/prometheus',
            interval,
            relabelings: rules.map((r) => operatorRelabeling(r) as PodMonitorSpecPodMetricsEndpointsRelabelings),
          },
        ],
      },
    });
  }
}
