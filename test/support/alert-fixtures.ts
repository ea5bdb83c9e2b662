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
 * the jobs and pod labels its monitors give the series, and whether its proxies export the
 * standard metrics at all, read from its rendered mesh config the way istiod reads it.
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

/** The label relabelings copy a pod's name to in the job's series, read from its rendered monitor or config. */
function podLabels(rules: readonly RenderedRule[]): Map<string, string> {
  const labels = new Map<string, string>();
  for (const rule of rules.filter((r) => r.name === 'IstioStandardMetricsAbsent')) {
    for (const m of rule.expr.matchAll(/up\{job="([^"]+)", namespace="[^"]+", (\w+)=~/g)) {
      labels.set(m[1] as string, m[2] as string);
    }
  }
  return labels;
}

function podName(w: FixtureWorkload): string {
  return w.kind === 'StatefulSet' ? `${w.name}-0` : `${w.name}-7d4b9c8f5-x2k9q`;
}

/**
 * The series Prometheus would hold for `workloads`: each scrape job's targets up, each workload's
 * pods running, and its requests as its reporter writes them (unless the proxies export no
 * metrics), phase by phase. ztunnel's connection metrics do not depend on the providers.
 */
export function meshSeries(
  rules: readonly RenderedRule[],
  workloads: readonly FixtureWorkload[],
  phases: readonly Phase[],
  exported: boolean,
  thresholdMs: number,
): { series: string; values: string }[] {
  const minutes = phases.reduce((sum, p) => sum + p.minutes, 0);
  const jobs = [
    ...new Set(rules.flatMap((r) => [...r.expr.matchAll(/up\{job=~?"([^"]+)"/g)].map((m) => m[1] as string))),
  ]
    .flatMap((j) => j.split('|'))
    .map((j) => j.replaceAll('\\\\', ''));
  const pods = podLabels(rules);
  // The job kube-state-metrics' series carry, as the ambient workloads' alerts read them.
  const podStatusJob = rules.map((r) => /kube_pod_status_ready\{job="([^"]+)"/.exec(r.expr)?.[1]).find(Boolean);
  const series: { series: string; values: string }[] = [];
  for (const job of [...new Set(jobs)].sort()) {
    const podLabel = pods.get(job);
    const targets = podLabel
      ? workloads
          .filter((w) => w.reportedBy === 'sidecar')
          .map((w) => `, namespace="${w.namespace}", ${podLabel}="${podName(w)}"`)
      : [''];
    for (const target of targets)
      series.push({
        series: `up{job="${job}", instance="${job}${target ? '-pod' : ''}"${target}}`,
        values: constant(1, minutes),
      });
  }
  for (const w of workloads) {
    const server = `destination_workload="${w.name}", destination_workload_namespace="${w.namespace}"`;
    if (w.reportedBy !== 'sidecar') {
      series.push({
        series: `kube_pod_status_ready{job="${podStatusJob}", condition="true", namespace="${w.namespace}", pod="${podName(w)}"}`,
        values: constant(1, minutes),
      });
    }
    if (w.reportedBy === 'ztunnel') {
      series.push({
        series: `istio_tcp_connections_opened_total{job="ztunnel", reporter="destination", ${server}}`,
        values: counter(phases.map((p) => ({ minutes: p.minutes, perMinute: 100 }))),
      });
      continue;
    }
    if (!exported) continue;
    const reporter = w.reportedBy === 'sidecar' ? 'destination' : 'waypoint';
    const at = `reporter="${reporter}", ${server}`;
    const ok = phases.map((p) => ({ minutes: p.minutes, perMinute: REQUESTS_PER_MINUTE - p.errorsPer10k }));
    const failed = phases.map((p) => ({ minutes: p.minutes, perMinute: p.errorsPer10k }));
    const fast = phases.map((p) => ({ minutes: p.minutes, perMinute: REQUESTS_PER_MINUTE - (p.slowPer10k ?? 50) }));
    const all = phases.map((p) => ({ minutes: p.minutes, perMinute: REQUESTS_PER_MINUTE }));
    series.push(
      { series: `istio_requests_total{${at}, response_code="200"}`, values: counter(ok) },
      { series: `istio_requests_total{${at}, response_code="503"}`, values: counter(failed) },
      // As Envoy writes the boundary (`{:.32g}`): "250", not "250.0".
      { series: `istio_request_duration_milliseconds_bucket{${at}, le="${thresholdMs}"}`, values: counter(fast) },
      { series: `istio_request_duration_milliseconds_bucket{${at}, le="+Inf"}`, values: counter(all) },
      { series: `istio_request_duration_milliseconds_count{${at}}`, values: counter(all) },
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
