import type { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { problem } from '../../core/errors';
import { isDnsSubdomain } from '../../core/names';
import { refuseInput } from '../../core/problems/construct-problems';
import { ServiceMonitor } from '../../imports/monitoring.coreos.com';
import { durationProblems, type PrometheusInstance } from './prometheus-instance';

/** istiod's metrics port: 15014, named `http-monitoring` (istio/istio@1.30.3:manifests/charts/istio-control/istio-discovery/templates/service.yaml). */
export const ISTIOD_MONITORING_PORT = 'http-monitoring';

export interface IstioComponentMonitorProps {
  /** The Prometheus that selects this monitor. */
  readonly prometheus: PrometheusInstance;
  /** @default 'istio-component-monitor' */
  readonly name?: string;
  /** @default '15s' */
  readonly interval?: string;
}

/**
 * A ServiceMonitor for the control plane: istiod's `http-monitoring` port on every Service
 * labelled `istio: pilot`, in any namespace, with the job named after the Service's `istio`
 * label and its `app` label copied to the series (the book's `ch7/service-monitor-cp.yaml`).
 */
export class IstioComponentMonitor extends Construct {
  readonly monitor: ApiObject;

  constructor(scope: Construct, id: string, props: IstioComponentMonitorProps) {
    super(scope, id);
    const name = props.name ?? 'istio-component-monitor';
    const interval = props.interval ?? '15s';
    const problems = props.prometheus.problems(['prometheus']);
    if (!isDnsSubdomain(name)) problems.push(problem(['name'], name, 'an object name (RFC 1123 subdomain)'));
    problems.push(...durationProblems(['interval'], interval));
    // Reported at synth with every other construct's problems; nothing is written until they are fixed.
    refuseInput(this, problems);
    this.monitor = new ServiceMonitor(this, 'Resource', {
      metadata: {
        name,
        namespace: props.prometheus.namespace,
        labels: { monitoring: 'istio-components', ...props.prometheus.selectorLabels },
      },
      spec: {
        jobLabel: 'istio',
        targetLabels: ['app'],
        selector: { matchExpressions: [{ key: 'istio', operator: 'In', values: ['pilot'] }] },
        namespaceSelector: { any: true },
        endpoints: [{ port: ISTIOD_MONITORING_PORT, interval }],
      },
    });
  }
}
