import { CONTROL_PLANE_METRICS } from '../../core/istio/control-plane-metrics';
import { STANDARD_METRIC_NAMES } from '../../core/istio/standard-metrics';
import { escapeRe2 } from '../../core/re2';
import type { IstioMesh } from '../mesh/istio-mesh';
import { MetricType } from '../metrics/metric-definition';
import { MeshMetrics } from './mesh-metrics';
import { type MeshWorkload, meshWorkloads, podNamePattern, workloadMatcher } from './mesh-workloads';
import { type AlertRule, braces, eq, matches, type RuleGroup } from './rule-groups';
import type { CollectorScrapeJob, ScrapeJobs } from './scrape-jobs';

/** The alerts, by name: the anchors of their runbooks in docs/alerts.md. */
export const HEALTH_ALERTS = {
  metricsAbsent: 'IstioStandardMetricsAbsent',
  targetDown: 'IstioScrapeTargetDown',
  jobAbsent: 'IstioScrapeJobAbsent',
  seriesOverBudget: 'IstioMetricSeriesOverBudget',
  configRejected: 'IstioProxyConfigRejected',
  pushErrors: 'IstioConfigPushErrors',
  spansRefused: 'IstioTraceCollectorRefusingSpans',
} as const;

/** How long a workload's metrics must be missing, while its pods run, before the alert is pending. */
const ABSENCE_RANGE = '10m';

/**
 * The alerts that page when the mesh's telemetry breaks: a declared workload's standard metrics
 * vanish while its pods run (the usual cause: `meshConfig.defaultProviders` set without
 * `metrics: [prometheus]`, istio/istio#51384, #53332), a scrape job loses its targets, a metric
 * outgrows the mesh's series budget, istiod's configuration is rejected or cannot be pushed, the
 * generated collector refuses spans.
 */
export function telemetryHealthGroups(
  mesh: IstioMesh,
  jobs: ScrapeJobs,
  runbook: (alert: string) => string,
): RuleGroup[] {
  const declared = meshWorkloads(mesh);
  const workloads = declared.map((w) => metricsAbsent(w, jobs, runbook));
  // kube-state-metrics matters only to ambient workloads' alerts.
  const ambient = declared.some((w) => w.dataplane === 'ambient');
  const scrape = scrapeAlerts(ambient ? jobs : { ...jobs, podStatus: undefined }, runbook);
  const budget = mesh.seriesBudget === undefined ? [] : [seriesOverBudget(mesh, mesh.seriesBudget, runbook)];
  const controlPlane = jobs.istiod === undefined ? [] : controlPlaneAlerts(jobs.istiod, runbook);
  const collector = jobs.collector ? [spansRefused(jobs.collector, runbook)] : [];
  return [
    ...(workloads.length > 0 ? [{ name: 'istio-workload-metrics', rules: workloads }] : []),
    { name: 'istio-telemetry-pipeline', rules: [...scrape, ...budget, ...collector] },
    ...(controlPlane.length > 0 ? [{ name: 'istio-control-plane', rules: controlPlane }] : []),
  ];
}

/** The series a workload's own telemetry writes, the ones the defaultProviders incident removes. */
function ownSeries(w: MeshWorkload): string[] {
  const server = (metric: string, reporter: string) =>
    `${metric}${braces([eq('reporter', reporter), eq('destination_workload_namespace', w.namespace), workloadMatcher(w, 'destination_workload')])}`;
  const client = (metric: string) =>
    `${metric}${braces([eq('reporter', 'source'), eq('source_workload_namespace', w.namespace), workloadMatcher(w, 'source_workload')])}`;
  const tcp = 'istio_tcp_connections_opened_total';
  // Behind a waypoint, its requests are the waypoint's (reporter="waypoint"): what the providers switch off.
  if (w.dataplane === 'ambient' && w.waypoint) return [server('istio_requests_total', 'waypoint')];
  // Without one, ztunnel reports its connections at both ends.
  if (w.dataplane === 'ambient') return [server(tcp, 'destination'), client(tcp)];
  // Its sidecar reports what it serves and what it sends, over HTTP or TCP.
  return [
    server('istio_requests_total', 'destination'),
    client('istio_requests_total'),
    server(tcp, 'destination'),
    client(tcp),
  ];
}

/** Whether any of the workload's pods runs: its sidecar is scraped, or (ambient) kube-state-metrics says it is ready. */
function podsUp(w: MeshWorkload, jobs: ScrapeJobs): string {
  const pods = podNamePattern(w);
  if (w.dataplane === 'ambient') {
    const job = jobs.podStatus === undefined ? [] : [eq('job', jobs.podStatus)];
    return `sum(kube_pod_status_ready${braces([...job, eq('condition', 'true'), eq('namespace', w.namespace), matches('pod', pods)])}) > 0`;
  }
  const up = jobs.proxies.map(
    (j) => `up${braces([eq('job', j.job), eq('namespace', w.namespace), matches(j.podLabel, pods)])}`,
  );
  return `sum(${up.join(' or ')}) > 0`;
}

function metricsAbsent(w: MeshWorkload, jobs: ScrapeJobs, runbook: (alert: string) => string): AlertRule {
  const absent = ownSeries(w).map((s) => `absent_over_time(${s}[${ABSENCE_RANGE}])`);
  const reporter = w.dataplane === 'sidecar' ? 'its sidecar' : w.waypoint ? `waypoint ${w.waypoint}` : 'ztunnel';
  return {
    alert: HEALTH_ALERTS.metricsAbsent,
    expr: `${absent.join('\nand on ()\n')}\nand on ()\n(${podsUp(w, jobs)})`,
    for: '5m',
    labels: { severity: 'critical', namespace: w.namespace, workload: w.name },
    annotations: {
      summary: `${w.namespace}/${w.name} has no standard Istio metrics while its pods run`,
      description: `No series of ${w.namespace}/${w.name} from ${reporter} for ${ABSENCE_RANGE} while its pods are up: its metrics, and every dashboard and SLO alert built on them, are gone. Check meshConfig.defaultProviders.metrics and the Telemetry metrics providers that apply to it (istioctl x describe pod).`,
      runbook_url: runbook(HEALTH_ALERTS.metricsAbsent),
    },
  };
}

function scrapeAlerts(jobs: ScrapeJobs, runbook: (alert: string) => string): AlertRule[] {
  const groups: { what: string; jobs: string[] }[] = [
    { what: 'proxy (sidecar, gateway and waypoint) metrics', jobs: jobs.proxies.map((j) => j.job) },
    ...(jobs.ztunnel ? [{ what: 'ztunnel metrics', jobs: [jobs.ztunnel] }] : []),
    ...(jobs.istiod ? [{ what: 'istiod metrics', jobs: [jobs.istiod] }] : []),
    ...(jobs.collector ? [{ what: `${jobs.collector.description} metrics`, jobs: [jobs.collector.job] }] : []),
    ...(jobs.podStatus
      ? [{ what: "kube-state-metrics series (the ambient pods' status)", jobs: [jobs.podStatus] }]
      : []),
  ];
  return groups.flatMap(({ what, jobs: names }): AlertRule[] => {
    const job = names.length === 1 ? eq('job', names[0] as string) : matches('job', names.map(escapeRe2).join('|'));
    return [
      {
        alert: HEALTH_ALERTS.targetDown,
        expr: `up${braces([job])} == 0`,
        for: '10m',
        labels: { severity: 'warning', scrape_job: names.join(',') },
        annotations: {
          summary: `Prometheus cannot scrape {{ $labels.job }} target {{ $labels.instance }}`,
          description: `A target of the ${what} has failed every scrape for 10 minutes: its series go stale.`,
          runbook_url: runbook(HEALTH_ALERTS.targetDown),
        },
      },
      {
        alert: HEALTH_ALERTS.jobAbsent,
        expr: `absent(up${braces([job])})`,
        for: '10m',
        labels: { severity: 'critical', scrape_job: names.join(',') },
        annotations: {
          summary: `Prometheus has no target for the ${what}`,
          description: `No target of ${names.join(', ')} for 10 minutes: the monitor selects nothing (its labels, namespace or the Prometheus's selector), so none of the ${what} is collected.`,
          runbook_url: runbook(HEALTH_ALERTS.jobAbsent),
        },
      },
    ];
  });
}

/** The metric families of the mesh, as the series estimate counts them: a histogram with its buckets, sum and count. */
function metricFamilies(mesh: IstioMesh): string[] {
  const custom = new MeshMetrics(mesh)
    .customMetrics()
    .filter((m) => m.series === m.metric)
    .map((m) => ({ name: m.metric, histogram: m.type === MetricType.HISTOGRAM }));
  const standard = STANDARD_METRIC_NAMES.map((n) => ({
    name: `istio_${n}`,
    histogram: ['request_duration_milliseconds', 'request_bytes', 'response_bytes'].includes(n),
  }));
  return [...standard, ...custom].map((m) => (m.histogram ? `${m.name}_(bucket|sum|count)` : m.name));
}

function seriesOverBudget(mesh: IstioMesh, budget: number, runbook: (alert: string) => string): AlertRule {
  const names = matches('__name__', metricFamilies(mesh).join('|'));
  return {
    alert: HEALTH_ALERTS.seriesOverBudget,
    expr: `count by (metric) (\n  label_replace({${names}}, "metric", "$1", "__name__", "(.+?)(_bucket|_sum|_count)?")\n) > ${budget}`,
    for: '30m',
    labels: { severity: 'warning' },
    annotations: {
      summary: '{{ $labels.metric }} has {{ $value }} series, above the mesh series budget',
      description: `The mesh declares seriesBudget: ${budget}. A dimension with unbounded values or a new workload pair grew this metric past it; REPORT.md's series estimate names the labels that multiply.`,
      runbook_url: runbook(HEALTH_ALERTS.seriesOverBudget),
    },
  };
}

/**
 * A counter that grew in the last 10 minutes, or appeared in them: istiod creates these series
 * with their first event (istio/istio@1.31.0-rc.0:pkg/xds/monitoring.go), and when every proxy
 * NACKs the same push the series is born at its final value, which `increase` cannot see.
 */
function newOrGrowing(metric: string, matchers: readonly string[]): string {
  const series = `${metric}${braces(matchers)}`;
  return `sum by (type) (increase(${series}[10m]) > 0 or (${series} unless ${series} offset 10m)) > 0`;
}

function controlPlaneAlerts(job: string, runbook: (alert: string) => string): AlertRule[] {
  const m = CONTROL_PLANE_METRICS;
  const j = eq('job', job);
  return [
    {
      alert: HEALTH_ALERTS.configRejected,
      expr: newOrGrowing(m.xdsRejects, [j]),
      for: '5m',
      labels: { severity: 'warning' },
      annotations: {
        summary: 'Proxies reject istiod {{ $labels.type }} configuration',
        description: `${m.xdsRejects} grew in the last 10 minutes: some proxies run without the latest configuration (a bad EnvoyFilter, Telemetry or extension provider is a common cause). istioctl proxy-status shows which.`,
        runbook_url: runbook(HEALTH_ALERTS.configRejected),
      },
    },
    {
      alert: HEALTH_ALERTS.pushErrors,
      expr: `${newOrGrowing(m.xdsPushes, [j, matches('type', m.sendErrorTypes)])}\nor\n${newOrGrowing(m.xdsInternalErrors, [j])}`,
      for: '5m',
      labels: { severity: 'warning' },
      annotations: {
        summary: 'istiod cannot build or send configuration to proxies',
        description: `${m.xdsPushes} send errors or ${m.xdsInternalErrors} grew in the last 10 minutes: proxies do not receive configuration changes, telemetry ones included.`,
        runbook_url: runbook(HEALTH_ALERTS.pushErrors),
      },
    },
  ];
}

function spansRefused(collector: CollectorScrapeJob, runbook: (alert: string) => string): AlertRule {
  const names = collector.refusedSpans.map(escapeRe2).join('|');
  return {
    alert: HEALTH_ALERTS.spansRefused,
    expr: `sum(rate(${braces([matches('__name__', names), eq('job', collector.job)])}[10m])) > 0`,
    for: '10m',
    labels: { severity: 'warning' },
    annotations: {
      summary: `${collector.description} refuses spans`,
      description: `${collector.refusedSpans.join(' or ')} grew for 10 minutes: spans the proxies sent are lost (a full queue, failing storage or malformed spans).`,
      runbook_url: runbook(HEALTH_ALERTS.spansRefused),
    },
  };
}
