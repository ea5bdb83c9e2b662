import { Construct } from 'constructs';
import { refuseInput } from '../../core/problems/construct-problems';
import type { IstioMesh } from '../mesh/istio-mesh';
import { EnvoyStatsMonitor, type PodRelabeling } from './envoy-stats-monitor';
import { IstioComponentMonitor } from './istio-component-monitor';
import { IstioDashboards } from './istio-dashboards';
import { Jaeger, type JaegerProps } from './jaeger';
import { JaegerMonitor } from './jaeger-monitor';
import { KialiInstance, type KialiInstanceProps } from './kiali-instance';
import { MeshAlertRules } from './mesh-alert-rules';
import { MeshRecordingRules } from './mesh-recording-rules';
import { PrometheusInstance } from './prometheus-instance';
import { PrometheusScrapeConfig, type PrometheusScrapeConfigProps } from './prometheus-scrape-config';
import { ISTIOD_JOB, KUBE_STATE_METRICS_JOB } from './scrape-jobs';
import { SecureMetricsScrape } from './secure-metrics';
import { ZTUNNEL_JOB, ZtunnelMonitor } from './ztunnel-monitor';

/** The construct id of each backend under {@link ObservabilityBackends}, by the option that creates it. */
export const BACKEND_IDS = {
  prometheusOperator: [
    'istio-component-monitor',
    'envoy-stats-monitor',
    'recording-rules',
    'secure-metrics',
    'ztunnel-monitor',
    'jaeger-monitor',
    'alert-rules',
  ],
  scrapeConfig: ['scrape-config'],
  jaeger: ['jaeger'],
  grafana: ['dashboards'],
  kiali: ['kiali'],
} as const;

export interface PrometheusOperatorOptions {
  /** @default '15s' */
  readonly interval?: string;
  /** @default - the target release's sample's (see {@link EnvoyStatsMonitor}) */
  readonly podMonitorRelabeling?: PodRelabeling;
  /** Emit the PrometheusRule of recording rules. @default true */
  readonly recordingRules?: boolean;
  /**
   * Emit PrometheusRule `istio-alert-rules`: the telemetry-health alerts and every
   * ServiceLevelObjective's rules (see {@link MeshAlertRules}); with a generated Jaeger, a
   * PodMonitor for its own metrics too.
   * @default true
   */
  readonly alerts?: boolean;
  /**
   * Scrape every sidecar's merged metrics over mutual TLS too (Istio 1.31+), on this port; see
   * {@link SecureMetricsScrape}. The envoy-stats PodMonitor then leaves those pods out.
   * @default - plain text only
   */
  readonly secureMetrics?: { readonly port?: number };
}

export interface ObservabilityBackendsProps {
  /** The mesh the backends collect from and show. */
  readonly mesh: IstioMesh;
  /**
   * The Prometheus every other backend points at.
   * @default PrometheusInstance.kubePrometheusStack() (release `prom` in namespace `prometheus`, the book's)
   */
  readonly prometheus?: PrometheusInstance;
  /** ServiceMonitor, PodMonitor and recording rules for the Prometheus Operator; `false` for none. @default {} */
  readonly prometheusOperator?: PrometheusOperatorOptions | false;
  /** A plain `prometheus.yml` for a Prometheus without the operator. @default - none */
  readonly scrapeConfig?: Omit<PrometheusScrapeConfigProps, 'mesh'>;
  /**
   * Jaeger: the settings of one to create (storage is required, see JaegerStorage), or one made
   * elsewhere, e.g. so tracers can take its address first.
   * @default - none
   */
  readonly jaeger?: Omit<JaegerProps, 'mesh'> | Jaeger;
  /**
   * Grafana dashboards; `false` for none.
   * @default - `istio-dashboards` labelled `grafana_dashboard: "1"` in the Prometheus namespace
   */
  readonly grafana?:
    | {
        readonly name?: string;
        readonly namespace?: string;
        readonly sidecarLabel?: { readonly name: string; readonly value: string };
      }
    | false;
  /** A Kiali CR wired to the Prometheus and the Jaeger; `false` for none. @default {} */
  readonly kiali?: Omit<KialiInstanceProps, 'mesh' | 'prometheus' | 'jaeger'> | false;
  /** The page every alert's `runbook_url` points into, e.g. a team's copy of docs/alerts.md. @default DEFAULT_RUNBOOK_URL */
  readonly runbookUrl?: string;
}

/**
 * Every backend of the mesh's telemetry from one declaration: Prometheus Operator monitors and
 * recording rules, a plain scrape config, Jaeger, Grafana dashboards and Kiali. The Prometheus
 * URL, the tracing Services and the metric names are defined once here and in the mesh's metric
 * constructs, so Kiali, the dashboards and the rules cannot drift from what the proxies emit.
 */
export class ObservabilityBackends extends Construct {
  readonly prometheus: PrometheusInstance;
  readonly componentMonitor?: IstioComponentMonitor;
  readonly envoyStatsMonitor?: EnvoyStatsMonitor;
  readonly recordingRules?: MeshRecordingRules;
  readonly secureMetrics?: SecureMetricsScrape;
  readonly ztunnelMonitor?: ZtunnelMonitor;
  readonly scrapeConfig?: PrometheusScrapeConfig;
  readonly jaeger?: Jaeger;
  readonly dashboards?: IstioDashboards;
  readonly kiali?: KialiInstance;
  readonly jaegerMonitor?: JaegerMonitor;
  readonly alertRules?: MeshAlertRules;

  constructor(scope: Construct, id: string, props: ObservabilityBackendsProps) {
    super(scope, id);
    const { mesh } = props;
    const prometheus = props.prometheus ?? PrometheusInstance.kubePrometheusStack();
    // Checked once here, so a bad release or URL is one error rather than one per backend.
    this.prometheus = prometheus;
    // Every backend reads the Prometheus instance: a bad one is reported once, here, and nothing is built on it.
    if (refuseInput(this, prometheus.problems(['prometheus']))) return;
    const operator = props.prometheusOperator ?? {};
    if (operator !== false) {
      const [component, envoy, rules, secure, ztunnel] = BACKEND_IDS.prometheusOperator;
      this.componentMonitor = new IstioComponentMonitor(this, component, {
        prometheus,
        interval: operator.interval,
      });
      this.envoyStatsMonitor = new EnvoyStatsMonitor(this, envoy, {
        mesh,
        prometheus,
        interval: operator.interval,
        relabeling: operator.podMonitorRelabeling,
        excludeSecurePods: operator.secureMetrics !== undefined,
      });
      // With ambient anywhere, ztunnel reports every ambient pod's connections.
      if (mesh.hasAmbient) {
        this.ztunnelMonitor = new ZtunnelMonitor(this, ztunnel, { mesh, prometheus, interval: operator.interval });
      }
      if (operator.recordingRules ?? true) {
        this.recordingRules = new MeshRecordingRules(this, rules, { mesh, prometheus });
      }
      if (operator.secureMetrics) {
        this.secureMetrics = new SecureMetricsScrape(this, secure, {
          mesh,
          prometheus,
          port: operator.secureMetrics.port,
          interval: operator.interval,
        });
      }
    }
    if (props.jaeger instanceof Jaeger) this.jaeger = props.jaeger;
    else if (props.jaeger) this.jaeger = new Jaeger(this, BACKEND_IDS.jaeger[0], { ...props.jaeger, mesh });
    if (props.scrapeConfig) {
      this.scrapeConfig = new PrometheusScrapeConfig(this, BACKEND_IDS.scrapeConfig[0], {
        namespace: prometheus.namespace,
        runbookUrl: props.runbookUrl,
        ...props.scrapeConfig,
        mesh,
        jaeger: this.jaeger,
      });
    }
    if (props.grafana !== false) {
      this.dashboards = new IstioDashboards(this, BACKEND_IDS.grafana[0], {
        namespace: prometheus.namespace,
        ...props.grafana,
        mesh,
      });
    }
    if (props.kiali !== false) {
      this.kiali = new KialiInstance(this, BACKEND_IDS.kiali[0], {
        ...props.kiali,
        mesh,
        prometheus,
        jaeger: this.jaeger,
      });
    }
    // Last, so the rules can read every job above, the Jaeger's included.
    if (operator !== false && (operator.alerts ?? true)) {
      const [, , , , , jaegerMonitor, alertRules] = BACKEND_IDS.prometheusOperator;
      if (this.jaeger) {
        this.jaegerMonitor = new JaegerMonitor(this, jaegerMonitor, {
          jaeger: this.jaeger,
          prometheus,
          interval: operator.interval,
        });
      }
      const envoy = this.envoyStatsMonitor as EnvoyStatsMonitor;
      this.alertRules = new MeshAlertRules(this, alertRules, {
        mesh,
        prometheus,
        runbookUrl: props.runbookUrl,
        jobs: {
          proxies: [envoy.scrapeJob, ...(this.secureMetrics ? [this.secureMetrics.scrapeJob] : [])],
          ...(this.ztunnelMonitor ? { ztunnel: ZTUNNEL_JOB } : {}),
          istiod: ISTIOD_JOB,
          ...(this.jaegerMonitor ? { collector: this.jaegerMonitor.scrapeJob } : {}),
          // kube-prometheus-stack runs kube-state-metrics: the only sign that ambient pods run.
          podStatus: KUBE_STATE_METRICS_JOB,
        },
      });
    }
  }
}
