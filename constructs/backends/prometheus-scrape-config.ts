import { Lazy } from 'cdk8s';
import { KubeConfigMap } from 'cdk8s-plus-27/lib/imports/k8s';
import { Construct } from 'constructs';
import { stringify } from 'yaml';
import type { CaveatSource } from '../../core/contracts/construct-sources';
import { problem } from '../../core/errors';
import { isDnsSubdomain } from '../../core/names';
import { refuseInput } from '../../core/problems/construct-problems';
import type { Problem } from '../../core/problems/problem';
import { statement } from '../../core/problems/problem';
import type { IstioMesh } from '../mesh/istio-mesh';
import { ISTIOD_MONITORING_PORT } from './istio-component-monitor';
import { JAEGER_METRICS_PORT_NAME, type Jaeger } from './jaeger';
import { alertRuleGroups, DEFAULT_RUNBOOK_URL, runbookUrlProblems } from './mesh-alert-rules';
import { MeshMetrics } from './mesh-metrics';
import { meshWorkloads } from './mesh-workloads';
import { durationProblems } from './prometheus-instance';
import { ENVOY_STATS_JOB_RELABELINGS, envoyStatsPruning, type RelabelRule, scrapeRelabelConfig } from './relabel-rules';
import { ruleGroupJson } from './rule-groups';
import { ISTIOD_JOB, KUBE_STATE_METRICS_JOB, podLabelOf, type ScrapeJobs } from './scrape-jobs';
import { ZTUNNEL_APP_LABEL, ZTUNNEL_JOB, ZTUNNEL_METRICS_PORT_NAME } from './ztunnel-monitor';

/**
 * The plain config's ztunnel job: the ztunnel pods' metrics port, with their labels, namespace and
 * pod as the PodMonitor labels them (`pod`: ztunnel's own series carry no pod label, and its
 * dashboard groups by it).
 */
const ZTUNNEL_JOB_RELABELINGS: readonly RelabelRule[] = [
  { sourceLabels: ['__meta_kubernetes_pod_label_app'], action: 'keep', regex: ZTUNNEL_APP_LABEL },
  { sourceLabels: ['__meta_kubernetes_pod_container_port_name'], action: 'keep', regex: ZTUNNEL_METRICS_PORT_NAME },
  { action: 'labelmap', regex: '__meta_kubernetes_pod_label_(.+)' },
  { sourceLabels: ['__meta_kubernetes_namespace'], action: 'replace', targetLabel: 'namespace' },
  { sourceLabels: ['__meta_kubernetes_pod_name'], action: 'replace', targetLabel: 'pod' },
];

/** The ConfigMap key Prometheus reads with `--config.file=/etc/prometheus/prometheus.yml`. */
export const PROMETHEUS_CONFIG_KEY = 'prometheus.yml';
/** The ConfigMap key of the rule file, named relative to the config file (`rule_files`). */
export const PROMETHEUS_RULES_KEY = 'istio-alert-rules.yml';

/** The proxies' job of this config: `pod_name` holds the pod's name (see ENVOY_STATS_JOB_RELABELINGS). */
const ENVOY_STATS_JOB = 'envoy-stats';

/**
 * istiod's job: the `http-monitoring` port of Services labelled `istio: pilot`, named as the
 * ServiceMonitor names it (its jobLabel `istio`), so the alert rules read `job="pilot"` either way.
 */
const ISTIOD_JOB_RELABELINGS: readonly RelabelRule[] = [
  { sourceLabels: ['__meta_kubernetes_service_label_istio'], action: 'keep', regex: 'pilot' },
  { sourceLabels: ['__meta_kubernetes_endpoint_port_name'], action: 'keep', regex: ISTIOD_MONITORING_PORT },
  { sourceLabels: ['__meta_kubernetes_namespace'], action: 'replace', targetLabel: 'namespace' },
  { sourceLabels: ['__meta_kubernetes_pod_name'], action: 'replace', targetLabel: 'pod' },
];

/**
 * kube-state-metrics, found by the label its chart and manifests put on its Service
 * (`app.kubernetes.io/name: kube-state-metrics`, port `http` or `http-metrics`); its series name the
 * pods they describe, so their labels are kept (`honor_labels`).
 */
const KUBE_STATE_METRICS_JOB_RELABELINGS: readonly RelabelRule[] = [
  {
    sourceLabels: ['__meta_kubernetes_service_label_app_kubernetes_io_name'],
    action: 'keep',
    regex: KUBE_STATE_METRICS_JOB,
  },
  { sourceLabels: ['__meta_kubernetes_endpoint_port_name'], action: 'keep', regex: 'http|http-metrics' },
];

/** The generated Jaeger's metrics port. */
const JAEGER_JOB_RELABELINGS: readonly RelabelRule[] = [
  { sourceLabels: ['__meta_kubernetes_pod_label_app'], action: 'keep', regex: 'jaeger' },
  { sourceLabels: ['__meta_kubernetes_pod_container_port_name'], action: 'keep', regex: JAEGER_METRICS_PORT_NAME },
  { sourceLabels: ['__meta_kubernetes_namespace'], action: 'replace', targetLabel: 'namespace' },
  { sourceLabels: ['__meta_kubernetes_pod_name'], action: 'replace', targetLabel: 'pod' },
];

export interface PrometheusScrapeConfigProps {
  /** The mesh whose sidecars are scraped; its stats inclusions are spared by the pruning. */
  readonly mesh: IstioMesh;
  /** Name of the ConfigMap. */
  readonly name: string;
  /** @default - the chart's namespace */
  readonly namespace?: string;
  /** @default - none */
  readonly labels?: Readonly<Record<string, string>>;
  /** @default '15s' */
  readonly scrapeInterval?: string;
  /**
   * Drop per-cluster and per-listener Envoy series of the mesh's own traffic after each scrape
   * (Istio in Action chapter 7's `metric_relabel_configs`), except clusters a stats inclusion asked for.
   * @default true
   */
  readonly pruneEnvoyStats?: boolean;
  /**
   * Evaluate the mesh's alerts in this Prometheus: a rule file ({@link PROMETHEUS_RULES_KEY}, in the
   * same ConfigMap, named by `rule_files`) with the telemetry-health alerts and every
   * {@link ServiceLevelObjective}'s rules; istiod, the generated Jaeger and, for ambient workloads,
   * kube-state-metrics get scrape jobs of their own so the alerts have series to read.
   * @default true
   */
  readonly alerts?: boolean;
  /** The generated Jaeger, whose own metrics get a job (its collector's refused spans). @default - none */
  readonly jaeger?: Jaeger;
  /** The page each alert's `runbook_url` points into. @default DEFAULT_RUNBOOK_URL */
  readonly runbookUrl?: string;
}

/**
 * A `prometheus.yml` for a Prometheus without the operator, as a ConfigMap to mount at
 * `/etc/prometheus` (Istio in Action, chapter 7): the `envoy-stats` job discovers pods through the Kubernetes API
 * and scrapes every `*-envoy-prom` port on 15090.
 */
export class PrometheusScrapeConfig extends Construct implements CaveatSource {
  readonly configMap: KubeConfigMap;
  private readonly metrics: MeshMetrics;
  private readonly prune: boolean;
  private readonly mesh: IstioMesh;
  private readonly alerts: boolean;
  private readonly jaeger?: Jaeger;
  private readonly runbookUrl: string;

  constructor(scope: Construct, id: string, props: PrometheusScrapeConfigProps) {
    super(scope, id);
    const scrapeInterval = props.scrapeInterval ?? '15s';
    const problems: Problem[] = [];
    if (!isDnsSubdomain(props.name))
      problems.push(problem(['name'], props.name, 'a ConfigMap name (RFC 1123 subdomain)'));
    problems.push(...durationProblems(['scrapeInterval'], scrapeInterval));
    this.runbookUrl = props.runbookUrl ?? DEFAULT_RUNBOOK_URL;
    problems.push(...runbookUrlProblems(this.runbookUrl));
    // Reported at synth with every other construct's problems; nothing is written until they are fixed.
    refuseInput(this, problems);
    this.metrics = new MeshMetrics(props.mesh);
    this.mesh = props.mesh;
    this.prune = props.pruneEnvoyStats ?? true;
    this.alerts = props.alerts ?? true;
    this.jaeger = props.jaeger;
    this.configMap = new KubeConfigMap(this, 'Resource', {
      metadata: {
        name: props.name,
        ...(props.namespace ? { namespace: props.namespace } : {}),
        ...(props.labels ? { labels: { ...props.labels } } : {}),
      },
      // YAML 1.1, as Prometheus reads its config (gopkg.in/yaml.v2): `yes`/`off` stay strings.
      data: Lazy.any({
        produce: () => ({
          [PROMETHEUS_CONFIG_KEY]: stringify(this.config(scrapeInterval), { version: '1.1' }),
          ...(this.alerts ? { [PROMETHEUS_RULES_KEY]: stringify(this.ruleFile(), { version: '1.1' }) } : {}),
        }),
      }),
    });
  }

  /** The rule file: the alerts of what this config scrapes, and the objectives' rules. */
  ruleFile(): Record<string, unknown> {
    return { groups: alertRuleGroups(this.mesh, this.scrapeJobs(), this.runbookUrl).map(ruleGroupJson) };
  }

  /** The jobs of this config, as the alert rules read them. */
  private scrapeJobs(): ScrapeJobs {
    return {
      proxies: [{ job: ENVOY_STATS_JOB, podLabel: podLabelOf(ENVOY_STATS_JOB_RELABELINGS) }],
      ...(this.mesh.hasAmbient ? { ztunnel: ZTUNNEL_JOB } : {}),
      istiod: ISTIOD_JOB,
      podStatus: KUBE_STATE_METRICS_JOB,
      ...(this.jaeger
        ? {
            collector: {
              job: 'jaeger',
              refusedSpans: this.jaeger.metrics.refusedSpans,
              description: `the generated Jaeger (${this.jaeger.generation}) in ${this.jaeger.namespace}`,
            },
          }
        : {}),
    };
  }

  /** The `prometheus.yml` document. */
  config(scrapeInterval: string): Record<string, unknown> {
    return {
      global: { scrape_interval: scrapeInterval },
      ...(this.alerts ? { rule_files: [PROMETHEUS_RULES_KEY] } : {}),
      scrape_configs: [
        {
          job_name: ENVOY_STATS_JOB,
          metrics_path: '/stats/prometheus',
          kubernetes_sd_configs: [{ role: 'pod' }],
          relabel_configs: ENVOY_STATS_JOB_RELABELINGS.map(scrapeRelabelConfig),
          ...(this.prune
            ? { metric_relabel_configs: envoyStatsPruning(this.keptClusterPrefixes().kept).map(scrapeRelabelConfig) }
            : {}),
        },
        // ztunnel has no *-envoy-prom port: its own job, on its metrics port (see ZtunnelMonitor).
        ...(this.mesh.hasAmbient
          ? [
              {
                job_name: ZTUNNEL_JOB,
                metrics_path: '/metrics',
                kubernetes_sd_configs: [{ role: 'pod', namespaces: { names: [this.mesh.ztunnelNamespace] } }],
                relabel_configs: ZTUNNEL_JOB_RELABELINGS.map(scrapeRelabelConfig),
              },
            ]
          : []),
        // istiod and the generated Jaeger, whose series only the alerts read.
        ...(this.alerts
          ? [
              {
                job_name: ISTIOD_JOB,
                kubernetes_sd_configs: [{ role: 'endpoints' }],
                relabel_configs: ISTIOD_JOB_RELABELINGS.map(scrapeRelabelConfig),
              },
            ]
          : []),
        // Ambient pods have no proxy to scrape: kube-state-metrics says whether they run.
        ...(this.alerts && meshWorkloads(this.mesh).some((w) => w.dataplane === 'ambient')
          ? [
              {
                job_name: KUBE_STATE_METRICS_JOB,
                honor_labels: true,
                kubernetes_sd_configs: [{ role: 'endpoints' }],
                relabel_configs: KUBE_STATE_METRICS_JOB_RELABELINGS.map(scrapeRelabelConfig),
              },
            ]
          : []),
        ...(this.alerts && this.jaeger
          ? [
              {
                job_name: 'jaeger',
                metrics_path: '/metrics',
                kubernetes_sd_configs: [{ role: 'pod', namespaces: { names: [this.jaeger.namespace] } }],
                relabel_configs: JAEGER_JOB_RELABELINGS.map(scrapeRelabelConfig),
              },
            ]
          : []),
      ],
    };
  }

  caveats(): readonly Problem[] {
    if (!this.prune) return [];
    const { unkept } = this.keptClusterPrefixes();
    if (unkept.length === 0) return [];
    return [
      statement(
        undefined,
        `pruneEnvoyStats drops Envoy series labelled cluster_name, tcp_prefix or listener_address of the mesh's own traffic; the stats inclusions ${unkept.join(', ')} are not cluster-name prefixes, so their series may be dropped (spare them with your own metric_relabel_configs, or set pruneEnvoyStats: false)`,
      ),
    ];
  }

  /** Cluster-name prefixes of the mesh's `cluster.` stats inclusions, and the inclusions that are not such prefixes. */
  private keptClusterPrefixes(): { kept: string[]; unkept: string[] } {
    const kept: string[] = [];
    const unkept: string[] = [];
    for (const inclusion of this.metrics.statsInclusions()) {
      const { inclusionPrefixes, inclusionSuffixes, inclusionRegexps } = inclusion.inclusion;
      for (const prefix of inclusionPrefixes) {
        if (prefix.startsWith('cluster.') && prefix.length > 'cluster.'.length)
          kept.push(prefix.slice('cluster.'.length));
        else unkept.push(JSON.stringify(prefix));
      }
      for (const other of [...inclusionSuffixes, ...inclusionRegexps]) unkept.push(JSON.stringify(other));
    }
    return { kept: [...new Set(kept)].sort(), unkept: [...new Set(unkept)].sort() };
  }
}
