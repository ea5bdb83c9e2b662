import { escapeRe2 } from '../../core/re2';
import { ADDON_RELEASES } from '../../core/version/release-tables.generated';
import type { AddonMechanisms } from '../../core/version/version-policy';

/**
 * Prometheus relabel rules, written once and rendered for either consumer: the Prometheus
 * Operator's `relabelings` (camelCase) or a plain `prometheus.yml` (`relabel_configs`, snake_case).
 */
export interface RelabelRule {
  readonly action?: 'replace' | 'keep' | 'drop' | 'labelmap' | 'labeldrop' | 'labelkeep';
  readonly sourceLabels?: readonly string[];
  readonly separator?: string;
  readonly regex?: string;
  readonly replacement?: string;
  readonly targetLabel?: string;
}

/** A rule as a Prometheus Operator `RelabelConfig`, keys in the book's order. */
export function operatorRelabeling(rule: RelabelRule): Record<string, unknown> {
  return {
    ...(rule.action ? { action: rule.action } : {}),
    ...(rule.sourceLabels ? { sourceLabels: [...rule.sourceLabels] } : {}),
    ...(rule.separator !== undefined ? { separator: rule.separator } : {}),
    ...(rule.regex !== undefined ? { regex: rule.regex } : {}),
    ...(rule.replacement !== undefined ? { replacement: rule.replacement } : {}),
    ...(rule.targetLabel ? { targetLabel: rule.targetLabel } : {}),
  };
}

/** A rule as a `prometheus.yml` `relabel_config`. */
export function scrapeRelabelConfig(rule: RelabelRule): Record<string, unknown> {
  return {
    ...(rule.sourceLabels ? { source_labels: [...rule.sourceLabels] } : {}),
    ...(rule.separator !== undefined ? { separator: rule.separator } : {}),
    ...(rule.action ? { action: rule.action } : {}),
    ...(rule.regex !== undefined ? { regex: rule.regex } : {}),
    ...(rule.replacement !== undefined ? { replacement: rule.replacement } : {}),
    ...(rule.targetLabel ? { target_label: rule.targetLabel } : {}),
  };
}

const POD_PORT_ANNOTATION = '__meta_kubernetes_pod_annotation_prometheus_io_port';

/** Envoy's Prometheus port on every sidecar: 15090, named `http-envoy-prom` (istio/istio@1.30.3:manifests/charts/istio-control/istio-discovery/templates/service.yaml). */
export const ENVOY_PROMETHEUS_PORT = 15090;

/**
 * The plain scrape job's relabelings (Istio in Action, chapter 7): every pod port named `*-envoy-prom`, scraped on
 * 15090 directly, with the pod's labels copied and `namespace` and `pod_name` added.
 */
export const ENVOY_STATS_JOB_RELABELINGS: readonly RelabelRule[] = [
  { sourceLabels: ['__meta_kubernetes_pod_container_port_name'], action: 'keep', regex: '.*-envoy-prom' },
  {
    sourceLabels: ['__address__', POD_PORT_ANNOTATION],
    action: 'replace',
    regex: '([^:]+)(?::\\d+)?;(\\d+)',
    replacement: `$1:${ENVOY_PROMETHEUS_PORT}`,
    targetLabel: '__address__',
  },
  { action: 'labelmap', regex: '__meta_kubernetes_pod_label_(.+)' },
  { sourceLabels: ['__meta_kubernetes_namespace'], action: 'replace', targetLabel: 'namespace' },
  { sourceLabels: ['__meta_kubernetes_pod_name'], action: 'replace', targetLabel: 'pod_name' },
];

/** The label that marks series a stats inclusion asked for, so pruning spares them; dropped afterwards. */
const KEEP_LABEL = '__tmp_istio_stats_inclusion';
/** Envoy cluster and listener series of the mesh's own traffic, which the book prunes (Istio in Action, chapter 7). */
const PRUNED = '(outbound|inbound|prometheus_stats).*';

/**
 * Istio in Action's (chapter 7) `metric_relabel_configs` pruning: per-cluster and per-listener Envoy series are
 * dropped. Clusters named by a stats inclusion prefix (`cluster.<name prefix>`) are marked first
 * and spared, since the mesh asked Envoy to report them.
 */
export function envoyStatsPruning(keptClusterPrefixes: readonly string[]): RelabelRule[] {
  if (keptClusterPrefixes.length === 0) {
    return [
      { sourceLabels: ['cluster_name'], regex: PRUNED, action: 'drop' },
      { sourceLabels: ['tcp_prefix'], regex: PRUNED, action: 'drop' },
      { sourceLabels: ['listener_address'], regex: '(.+)', action: 'drop' },
    ];
  }
  const kept = [...new Set(keptClusterPrefixes)].sort().map((p) => `${escapeRe2(p)}.*`);
  return [
    {
      sourceLabels: ['cluster_name'],
      regex: kept.length === 1 ? (kept[0] as string) : `(${kept.join('|')})`,
      replacement: 'true',
      targetLabel: KEEP_LABEL,
      action: 'replace',
    },
    { sourceLabels: [KEEP_LABEL, 'cluster_name'], regex: `;${PRUNED}`, action: 'drop' },
    { sourceLabels: ['tcp_prefix'], regex: PRUNED, action: 'drop' },
    { sourceLabels: ['listener_address'], regex: '(.+)', action: 'drop' },
    { action: 'labeldrop', regex: KEEP_LABEL },
  ];
}

/** The envoy-stats PodMonitor relabelings to use: the book's (1.17's sample) or a dual-stack sample's. */
export type PodRelabeling = AddonMechanisms['podMonitorRelabeling'];

/**
 * The envoy-stats PodMonitor relabelings of the target release's add-on
 * (istio/istio samples/addons/extras/prometheus-operator.yaml at its tag), or, when `choice` asks
 * for the other kind, those of the nearest release with that kind: `book` is 1.17's (the book's
 * `ch7/pod-monitor-dp.yaml`, `pod_name`); `dual-stack` on 1.17 is 1.18's, the first with it.
 */
export function podMonitorRelabelings(addons: AddonMechanisms, choice: PodRelabeling): RelabelRule[] {
  const rules =
    choice === addons.podMonitorRelabeling
      ? addons.podMonitorRelabelings
      : (ADDON_RELEASES[choice === 'book' ? '1.17' : '1.18']?.podMonitorRelabelings ?? []);
  return rules.map((rule) => ({ ...rule }) as RelabelRule);
}

/** Set by the injector from ENVOY_SECURE_MERGED_METRICS_PORT (istio/istio@1.31.0-rc.0:pkg/kube/inject/webhook.go applySecurePrometheusAnnotation). */
export const SECURE_PORT_PRESENT = '__meta_kubernetes_pod_annotationpresent_prometheus_istio_io_secure_port';

/** The envoy-stats PodMonitor's rule that leaves pods with a secure metrics port to the mTLS PodMonitor. */
export const DROP_SECURE_PODS: RelabelRule = { action: 'drop', sourceLabels: [SECURE_PORT_PRESENT], regex: 'true' };
