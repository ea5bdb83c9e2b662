import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument, stringify } from 'yaml';
import { type InputSet, readInputSet } from '../../app/adopt/input-set';
import { isMapping, listOf } from '../../core/json-values';
import { meshConfigs, rootNamespaceOf } from '../../model/install-inputs';
import type { RenderedObject } from '../../model/objects';
import { prometheusRules, type RenderedRule } from '../../model/prometheus-rules';
import { namespacesNamingProvider } from '../../model/telemetry-objects';
import { promtool } from './promtool';

/**
 * Series fixtures for `promtool test rules` of the generated alerts, built from an output folder:
 * the jobs and pod labels its monitors or its plain scrape config give the series, and whether its
 * proxies export the standard metrics at all, read from its rendered mesh config the way istiod
 * reads it.
 */

/** A declared workload as the fixtures serve it: who reports its requests. */
export interface FixtureWorkload {
  readonly name: string;
  readonly namespace: string;
  readonly kind: 'Deployment' | 'StatefulSet';
  /** Its sidecar (`destination`), its waypoint (`waypoint`) or only ztunnel (L4). */
  readonly reportedBy: 'sidecar' | 'waypoint' | 'ztunnel';
}

/** A stretch of traffic: requests per minute, and the share that fail or are slow. */
export interface Phase {
  readonly minutes: number;
  /** Failed requests (503) per 10,000. */
  readonly errorsPer10k: number;
  /** Requests over the latency threshold per 10,000. */
  readonly slowPer10k?: number;
}

const REQUESTS_PER_MINUTE = 10_000;

/** promtool's expanding notation for a counter that grows by `perMinute` of each phase in turn. */
export function counter(phases: readonly { minutes: number; perMinute: number }[]): string {
  let value = 0;
  const parts: string[] = [];
  phases.forEach((p, i) => {
    // The first phase starts at 0 (minute 0); each later one continues from the last value.
    const start = i === 0 ? 0 : value + p.perMinute;
    const steps = i === 0 ? p.minutes : p.minutes - 1;
    parts.push(`${start}+${p.perMinute}x${steps}`);
    value = start + p.perMinute * steps;
  });
  return parts.join(' ');
}

/** A value that stays `value` for `minutes`. */
function constant(value: number, minutes: number): string {
  return `${value}+0x${minutes}`;
}

/** The output folder's objects as explain and REPORT.md read them. */
export function outputObjects(dir: string): readonly RenderedObject[] {
  const set = readInputSet([dir], 'default') as InputSet;
  return set.objects;
}

/**
 * Whether the proxies (sidecars, waypoints) export the standard metrics: a Telemetry of the root
 * namespace names a metrics provider, or the mesh config's defaultProviders.metrics does (the
 * istiod chart's `metrics: [prometheus]` default holds only while defaultProviders is unset,
 * istio/istio@1.30.3:manifests/charts/istio-control/istio-discovery/templates/_helpers.tpl).
 */
export function proxiesExportMetrics(objects: readonly RenderedObject[]): boolean {
  const naming = namespacesNamingProvider(objects, 'metrics');
  return meshConfigs(objects).every((source) => {
    const providers = source.meshConfig.defaultProviders;
    if (!isMapping(providers)) return true;
    return listOf(providers.metrics).length > 0 || naming.has(rootNamespaceOf(source));
  });
}

/** Removes `metrics` from the defaultProviders of the rendered istiod values, as a careless edit would. */
export function dropMetricsProvider(dir: string): void {
  const file = join(dir, 'install', 'istiod-values.yaml');
  const document = parseDocument(readFileSync(file, 'utf8'));
  document.deleteIn(['meshConfig', 'defaultProviders', 'metrics']);
  writeFileSync(file, document.toString());
}

/** A scrape job of the output, as its series are labelled: its `job`, and for proxies the label with the pod's name. */
export interface ScrapeTarget {
  readonly job: string;
  /** Set for the jobs that scrape the sidecars' `/stats/prometheus`: one target per pod. */
  readonly podLabel?: string;
}

type Obj = Record<string, unknown>;

/** The target label a job's relabelings copy the pod's name to. */
function podLabelOf(relabelings: readonly Obj[]): string | undefined {
  const rule = relabelings.find((r) => {
    const sources = (r.sourceLabels ?? r.source_labels) as string[] | undefined;
    return sources?.length === 1 && sources[0] === '__meta_kubernetes_pod_name';
  });
  return (rule?.targetLabel ?? rule?.target_label) as string | undefined;
}

/**
 * The jobs of the Prometheus that evaluates rules of `source`, read from the output: a plain
 * `prometheus.yml` (`job_name`), or the Prometheus Operator's monitors, named as the operator names
 * them (the value of their `jobLabel` that their selector requires, else `<namespace>/<name>`).
 */
export function scrapeTargets(objects: readonly RenderedObject[], source: string): ScrapeTarget[] {
  const manifests = objects.map((o) => o.manifest as unknown as Obj & { metadata: Obj; spec?: Obj; data?: Obj });
  const plain = /^ConfigMap ([^/]+)\/(\S+) /.exec(source);
  if (plain) {
    const map = manifests.find((m) => m.kind === 'ConfigMap' && m.metadata.name === plain[2]);
    const config = parseDocument(String(map?.data?.['prometheus.yml'] ?? '')).toJS() as { scrape_configs: Obj[] };
    return config.scrape_configs.map((job) => ({
      job: String(job.job_name),
      ...(job.metrics_path === '/stats/prometheus'
        ? { podLabel: podLabelOf((job.relabel_configs ?? []) as Obj[]) }
        : {}),
    }));
  }
  return manifests
    .filter((m) => m.kind === 'PodMonitor' || m.kind === 'ServiceMonitor')
    .map((m) => {
      const spec = m.spec ?? {};
      const selector = (spec.selector ?? {}) as { matchLabels?: Obj; matchExpressions?: Obj[] };
      const jobLabel = spec.jobLabel as string | undefined;
      const required =
        jobLabel === undefined
          ? undefined
          : (selector.matchLabels?.[jobLabel] ??
            selector.matchExpressions?.find((e) => e.key === jobLabel && e.operator === 'In')?.values);
      const job = Array.isArray(required) ? required[0] : required;
      const endpoints = (spec.podMetricsEndpoints ?? spec.endpoints ?? []) as Obj[];
      const proxies = endpoints.some((e) => e.path === '/stats/prometheus');
      return {
        job: job !== undefined ? String(job) : `${m.metadata.namespace}/${m.metadata.name}`,
        ...(proxies ? { podLabel: podLabelOf((endpoints[0]?.relabelings ?? []) as Obj[]) } : {}),
      };
    });
}

/** Every `job` the rules read, exactly or by a regex of alternatives. */
export function jobsRead(rules: readonly RenderedRule[]): string[] {
  const jobs = rules.flatMap((r) => [...r.expr.matchAll(/job=~?"([^"]+)"/g)].map((m) => m[1] as string));
  return [...new Set(jobs.flatMap((j) => j.split('|')).map((j) => j.replaceAll('\\', '')))].sort();
}

function podName(w: FixtureWorkload): string {
  return w.kind === 'StatefulSet' ? `${w.name}-0` : `${w.name}-7d4b9c8f5-x2k9q`;
}

/** How the fixture's series run: the threshold of latency buckets, when the proxies' series stop, which workloads get no request. */
export interface SeriesOptions {
  readonly thresholdMs: number;
  /** The minute the proxies stop writing standard series (the defaultProviders change). @default - never */
  readonly exportedUntil?: number;
  /** Workloads that receive no request, by name. @default - none */
  readonly idle?: readonly string[];
  /** The job of kube-state-metrics' series (ambient pods' status). */
  readonly podStatusJob: string;
}

/** A counter's values, cut to its first `until` minutes and marked stale after them. */
function cut(
  values: string,
  phases: readonly Phase[],
  until: number | undefined,
  perMinute: (p: Phase) => number,
): string {
  if (until === undefined) return values;
  const kept: { minutes: number; perMinute: number }[] = [];
  let left = until;
  for (const p of phases) {
    if (left <= 0) break;
    kept.push({ minutes: Math.min(p.minutes, left), perMinute: perMinute(p) });
    left -= p.minutes;
  }
  return `${counter(kept)} stale`;
}

/**
 * The series Prometheus would hold for `workloads`: each scrape job's targets up (a target per
 * sidecar pod for the proxies' jobs), each workload's pods running, and its requests as its
 * reporter writes them, phase by phase, until the proxies stop exporting. ztunnel's connection
 * metrics do not depend on the providers.
 */
export function meshSeries(
  targets: readonly ScrapeTarget[],
  workloads: readonly FixtureWorkload[],
  phases: readonly Phase[],
  options: SeriesOptions,
): { series: string; values: string }[] {
  const minutes = phases.reduce((sum, p) => sum + p.minutes, 0);
  const series: { series: string; values: string }[] = [];
  for (const { job, podLabel } of targets) {
    const pods = podLabel
      ? workloads
          .filter((w) => w.reportedBy === 'sidecar')
          .map((w) => `, namespace="${w.namespace}", ${podLabel}="${podName(w)}"`)
      : [''];
    for (const pod of pods) {
      series.push({
        series: `up{job="${job}", instance="${job}${pod ? '-pod' : ''}"${pod}}`,
        values: constant(1, minutes),
      });
    }
  }
  for (const w of workloads) {
    const server = `destination_workload="${w.name}", destination_workload_namespace="${w.namespace}"`;
    if (w.reportedBy !== 'sidecar') {
      series.push({
        series: `kube_pod_status_ready{job="${options.podStatusJob}", condition="true", namespace="${w.namespace}", pod="${podName(w)}"}`,
        values: constant(1, minutes),
      });
    }
    if (options.idle?.includes(w.name)) continue;
    if (w.reportedBy === 'ztunnel') {
      series.push({
        series: `istio_tcp_connections_opened_total{job="ztunnel", reporter="destination", ${server}}`,
        values: counter(phases.map((p) => ({ minutes: p.minutes, perMinute: 100 }))),
      });
      continue;
    }
    const reporter = w.reportedBy === 'sidecar' ? 'destination' : 'waypoint';
    const at = `reporter="${reporter}", ${server}`;
    const counted = (perMinute: (p: Phase) => number) =>
      cut(
        counter(phases.map((p) => ({ minutes: p.minutes, perMinute: perMinute(p) }))),
        phases,
        options.exportedUntil,
        perMinute,
      );
    const all = () => REQUESTS_PER_MINUTE;
    series.push(
      {
        series: `istio_requests_total{${at}, response_code="200"}`,
        values: counted((p) => REQUESTS_PER_MINUTE - p.errorsPer10k),
      },
      { series: `istio_requests_total{${at}, response_code="503"}`, values: counted((p) => p.errorsPer10k) },
      // As Envoy writes the boundary (`{:.32g}`): "250", not "250.0".
      {
        series: `istio_request_duration_milliseconds_bucket{${at}, le="${options.thresholdMs}"}`,
        values: counted((p) => REQUESTS_PER_MINUTE - (p.slowPer10k ?? 50)),
      },
      { series: `istio_request_duration_milliseconds_bucket{${at}, le="+Inf"}`, values: counted(all) },
      { series: `istio_request_duration_milliseconds_count{${at}}`, values: counted(all) },
    );
  }
  return series;
}

/** An alert expected at an evaluation time: its labels and annotations as Prometheus sends them. */
export interface ExpectedAlert {
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
}

/** One scenario: its series, and at `evalTime` the alerts of every name (none for most). */
export interface AlertScenario {
  readonly name: string;
  readonly series: readonly { series: string; values: string }[];
  readonly evalTime: string;
  readonly firing: Readonly<Record<string, readonly ExpectedAlert[]>>;
}

/**
 * Runs promtool's unit tests: each scenario checks every alert name of the rules at its time, so
 * an alert that fires unexpectedly fails as surely as one that stays silent.
 */
export function testAlerts(ruleFile: string, rules: readonly RenderedRule[], scenarios: readonly AlertScenario[]) {
  const names = [...new Set(rules.filter((r) => r.kind === 'alert').map((r) => r.name))].sort();
  const tests = stringify({
    rule_files: ['rules.yml'],
    evaluation_interval: '1m',
    tests: scenarios.map((s) => ({
      name: s.name,
      interval: '1m',
      input_series: s.series.map((i) => ({ series: i.series, values: i.values })),
      alert_rule_test: names.map((alertname) => ({
        eval_time: s.evalTime,
        alertname,
        exp_alerts: (s.firing[alertname] ?? []).map((a) => ({
          exp_labels: { ...a.labels },
          exp_annotations: { ...a.annotations },
        })),
      })),
    })),
  });
  return promtool(['test', 'rules', 'tests.yml'], { 'rules.yml': ruleFile, 'tests.yml': tests });
}

export { prometheusRules };
