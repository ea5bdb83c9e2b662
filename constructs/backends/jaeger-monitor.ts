import type { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { refuseInput } from '../../core/problems/construct-problems';
import { PodMonitor } from '../../imports/monitoring.coreos.com';
import { JAEGER_METRICS_PORT_NAME, type Jaeger } from './jaeger';
import { durationProblems, type PrometheusInstance } from './prometheus-instance';
import type { CollectorScrapeJob } from './scrape-jobs';

export interface JaegerMonitorProps {
  /** The generated Jaeger whose own metrics are scraped. */
  readonly jaeger: Jaeger;
  /** The Prometheus that selects this monitor. */
  readonly prometheus: PrometheusInstance;
  /** @default '15s' */
  readonly interval?: string;
}

/**
 * A PodMonitor for the generated Jaeger's own metrics (`/metrics` on its pod's metrics port, which
 * no Service exposes), under `job="jaeger"`, so an alert sees its collector refuse spans.
 */
export class JaegerMonitor extends Construct {
  readonly monitor: ApiObject;
  readonly scrapeJob: CollectorScrapeJob;

  constructor(scope: Construct, id: string, props: JaegerMonitorProps) {
    super(scope, id);
    const interval = props.interval ?? '15s';
    const { jaeger } = props;
    // Reported at synth with every other construct's problems; nothing is written until they are fixed.
    refuseInput(this, [...props.prometheus.problems(['prometheus']), ...durationProblems(['interval'], interval)]);
    this.monitor = new PodMonitor(this, 'Resource', {
      metadata: {
        name: 'jaeger-monitor',
        namespace: props.prometheus.namespace,
        labels: { monitoring: 'jaeger', ...props.prometheus.selectorLabels },
      },
      spec: {
        selector: { matchLabels: { app: 'jaeger' } },
        namespaceSelector: { matchNames: [jaeger.namespace] },
        jobLabel: 'app',
        podMetricsEndpoints: [{ port: JAEGER_METRICS_PORT_NAME, path: '/metrics', interval }],
      },
    });
    this.scrapeJob = {
      job: 'jaeger',
      refusedSpans: jaeger.metrics.refusedSpans,
      description: `the generated Jaeger (${jaeger.generation}) in ${jaeger.namespace}`,
    };
  }
}
