import { CONTROL_PLANE_METRICS } from '../../core/istio/control-plane-metrics';
import { STANDARD_METRIC_NAMES } from '../../core/istio/standard-metrics';
import { escapeRe2 } from '../../core/re2';
import type { IstioMesh } from '../mesh/istio-mesh';
import { MetricType } from '../metrics/metric-definition';
import { MeshMetrics } from './mesh-metrics';
import { type MeshWorkload, meshWorkloads, podNamePattern } from './mesh-workloads';
import { type AlertRule, braces, eq, matches, promString, type Rule, type RuleGroup } from './rule-groups';
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
  const workloads = (['sidecar', 'waypoint', 'ztunnel'] as const).flatMap((mode) => {
    const reported = declared.filter((w) => reportedBy(w) === mode);
    return reported.length > 0 ? metricsAbsent(mode, reported, jobs, runbook) : [];
  });
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

/** Who writes a declared workload's own standard series: its sidecar, its waypoint, or ztunnel alone (L4). */
export type ReportedBy = 'sidecar' | 'waypoint' | 'ztunnel';

function reportedBy(w: MeshWorkload): ReportedBy {
  if (w.dataplane === 'sidecar') return 'sidecar';
  return w.waypoint === undefined ? 'ztunnel' : 'waypoint';
}

const REPORTER_TEXT: Readonly<Record<ReportedBy, string>> = {
  sidecar: 'its sidecar',
  waypoint: 'its waypoint',
  ztunnel: 'ztunnel',
};

/** `[key, items]` of `items` grouped by `key`, in first-seen order (the workloads come sorted). */
function groupBy<T>(items: readonly T[], key: (item: T) => string): [string, T[]][] {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(key(item), [...(groups.get(key(item)) ?? []), item]);
  return [...groups];
}

/**
 * The running pods of `workloads`, one series per namespace and workload: their sidecars' scrape
 * targets up, or for ambient pods kube-state-metrics' `kube_pod_status_ready`, with the workload's
 * name read back from the pod's (see podNamePattern).
 */
function podsRunning(mode: ReportedBy, workloads: readonly MeshWorkload[], jobs: ScrapeJobs): string {
  const terms: string[] = [];
  for (const [namespace, inNamespace] of groupBy(workloads, (w) => w.namespace)) {
    for (const [, alike] of groupBy(inNamespace, (w) => podNamePattern(w.kind, ['']))) {
      const pods = podNamePattern(
        alike[0]?.kind ?? '',
        alike.map((w) => w.name),
      );
      const sources =
        mode === 'sidecar'
          ? jobs.proxies.map((j) => ({ metric: 'up', matchers: [eq('job', j.job)], podLabel: j.podLabel }))
          : [
              {
                metric: 'kube_pod_status_ready',
                matchers: [...(jobs.podStatus ? [eq('job', jobs.podStatus)] : []), eq('condition', 'true')],
                podLabel: 'pod',
              },
            ];
      for (const { metric, matchers: own, podLabel } of sources) {
        const selector = braces([...own, eq('namespace', namespace), matches(podLabel, pods)]);
        terms.push(
          `label_replace(${metric}${selector} == 1, "workload", "$1", ${promString(podLabel)}, ${promString(pods)})`,
        );
      }
    }
  }
  return `count by (namespace, workload) (\n  ${terms.join('\n  or\n  ')}\n)`;
}

/**
 * The workloads that wrote their own standard series, by namespace and workload: what the
 * defaultProviders incident removes. A sidecar reports what it serves and sends, over HTTP or TCP;
 * a waypoint the requests it serves (`reporter="waypoint"`); ztunnel the connections at both ends.
 */
function reporting(mode: ReportedBy, workloads: readonly MeshWorkload[]): string {
  const namespaces = [...new Set(workloads.map((w) => w.namespace))].map(escapeRe2).join('|');
  const families =
    mode === 'sidecar'
      ? 'istio_requests_total|istio_tcp_connections_opened_total'
      : mode === 'waypoint'
        ? 'istio_requests_total'
        : 'istio_tcp_connections_opened_total';
  const sides: { reporter: string; side: 'destination' | 'source' }[] =
    mode === 'waypoint'
      ? [{ reporter: 'waypoint', side: 'destination' }]
      : [
          { reporter: 'destination', side: 'destination' },
          { reporter: 'source', side: 'source' },
        ];
  // Before 1.22 a Rollout's series name its ReplicaSet: read back the Rollout's name.
  const rollouts = workloads.filter((w) => w.workloadPattern !== undefined).map((w) => escapeRe2(w.name));
  const terms = sides.map(({ reporter, side }) => {
    const selector = braces([
      matches('__name__', families),
      eq('reporter', reporter),
      matches(`${side}_workload_namespace`, namespaces),
    ]);
    const named = `label_replace(label_replace(${selector}, "namespace", "$1", "${side}_workload_namespace", "(.+)"), "workload", "$1", "${side}_workload", "(.+)")`;
    return rollouts.length > 0
      ? `label_replace(${named}, "workload", "$1", "workload", ${promString(`(${rollouts.join('|')})-[a-z0-9]+`)})`
      : named;
  });
  return `group by (namespace, workload) (\n  ${terms.join('\n  or\n  ')}\n)`;
}

/** The series that records, per namespace and workload, that it wrote standard series of its own. */
export const REPORTING_SERIES = 'workload:istio_standard_series:present';

/** How long a workload's reporting is remembered: one that reported within it and stopped has lost its metrics. */
const REMEMBERED = '1d';

/**
 * The rules for the declared workloads one kind of proxy reports: a record of those that wrote
 * standard series of their own (one series each, so looking back a day is cheap), then two alerts
 * for those whose pods run without them. `vanished` (critical, 10 minutes): it reported within
 * the last day and stopped, as after the defaultProviders incident. `never-reported` (warning, 1
 * hour): it has not reported for a day, an idle workload or one broken from the start. One rule
 * each for all the workloads, not one per workload, so the PrometheusRule of a large mesh stays
 * within what `kubectl apply`'s last-applied annotation (262,144 bytes) and the API server take.
 */
function metricsAbsent(
  mode: ReportedBy,
  workloads: readonly MeshWorkload[],
  jobs: ScrapeJobs,
  runbook: (alert: string) => string,
): Rule[] {
  const who = '{{ $labels.namespace }}/{{ $labels.workload }}';
  const present = `${REPORTING_SERIES}${braces([eq('reported_by', mode)])}`;
  const running = podsRunning(mode, workloads, jobs);
  const silent = `${running}\nunless on (namespace, workload)\n${present}`;
  const remembered = `max_over_time(${present}[${REMEMBERED}] offset 10m)`;
  const check =
    'Check meshConfig.defaultProviders.metrics and the Telemetry metrics providers that apply to it (istioctl x describe pod).';
  return [
    { record: REPORTING_SERIES, expr: reporting(mode, workloads), labels: { reported_by: mode } },
    {
      alert: HEALTH_ALERTS.metricsAbsent,
      expr: `${silent}\nand on (namespace, workload)\n${remembered}`,
      for: '10m',
      labels: { severity: 'critical', reported_by: mode, absence: 'vanished' },
      annotations: {
        summary: `${who} lost its standard Istio metrics while its pods run`,
        description: `${who} had series from ${REPORTER_TEXT[mode]} within the last day and has none for 10 minutes while its pods are up: its metrics, and every dashboard and SLO alert built on them, are gone. ${check}`,
        runbook_url: runbook(HEALTH_ALERTS.metricsAbsent),
      },
    },
    {
      alert: HEALTH_ALERTS.metricsAbsent,
      expr: `${silent}\nunless on (namespace, workload)\nmax_over_time(${present}[${REMEMBERED}])`,
      for: '1h',
      labels: { severity: 'warning', reported_by: mode, absence: 'never-reported' },
      annotations: {
        summary: `${who} has no standard Istio metrics while its pods run`,
        description: `${who} has had no series from ${REPORTER_TEXT[mode]} for a day, or since its pods started: it is idle, or its metrics never worked. ${check}`,
        runbook_url: runbook(HEALTH_ALERTS.metricsAbsent),
      },
    },
  ];
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
