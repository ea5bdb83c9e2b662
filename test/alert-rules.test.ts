import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Chart, Testing } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { synthConfigFile } from '../cli/synth';
import { ruleGroupJson } from '../constructs/backends/rule-groups';
import { telemetryHealthGroups } from '../constructs/backends/telemetry-health-alerts';
import { IstioMesh } from '../constructs/mesh/istio-mesh';
import type { Manifest } from '../model/objects';
import type { RenderedRule } from '../model/prometheus-rules';
import {
  type AlertScenario,
  dropMetricsProvider,
  type ExpectedAlert,
  type FixtureWorkload,
  jobsRead,
  meshSeries,
  outputObjects,
  type Phase,
  prometheusRules,
  proxiesExportMetrics,
  type SeriesOptions,
  scrapeTargets,
  testAlerts,
} from './support/alert-fixtures';
import { promtool } from './support/promtool';

const ROOT = join(__dirname, '..');

/** Synthesizes `config` with its istioVersion replaced (and `extra` appended) into a fresh folder. */
async function synthAt(config: string, from: string, version: string, extra = ''): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), `alerts-${version}-`));
  const file = join(dir, 'observability.yaml');
  writeFileSync(
    file,
    `${readFileSync(join(ROOT, config), 'utf8').replace(from, `istioVersion: "${version}"`)}${extra}`,
  );
  const out = join(dir, 'out');
  await synthConfigFile(file, out);
  return out;
}

/** Annotations as Prometheus sends them: label references expanded. */
function expand(annotations: Readonly<Record<string, string>>, labels: Readonly<Record<string, string>>) {
  return Object.fromEntries(
    Object.entries(annotations).map(([k, v]) => [
      k,
      v.replace(/\{\{ \$labels\.(\w+) \}\}/g, (_, l) => labels[l] ?? ''),
    ]),
  );
}

/** The alerts that fire, by name, from each rule of the rendered file: its own labels with `extra` (the expression's). */
function firing(
  rules: readonly RenderedRule[],
  name: string,
  pick: (r: RenderedRule) => Record<string, string> | undefined,
) {
  return rules
    .filter((r) => r.kind === 'alert' && r.name === name)
    .flatMap((r): ExpectedAlert[] => {
      const picked = pick(r);
      if (!picked) return [];
      const labels: Record<string, string> = { ...r.labels, ...picked };
      return [{ labels, annotations: expand(r.annotations, labels) }];
    });
}

/**
 * The absence alert of each workload an Envoy reports (its sidecar or its waypoint), from the rule
 * of its kind of reporter and absence, labelled with its namespace and name.
 */
function absent(
  rules: readonly RenderedRule[],
  workloads: readonly FixtureWorkload[],
  absence: 'vanished' | 'never-reported',
): ExpectedAlert[] {
  return workloads.flatMap((w) =>
    firing(rules, 'IstioStandardMetricsAbsent', (r) =>
      r.labels.reported_by === w.reportedBy && r.labels.absence === absence
        ? { namespace: w.namespace, workload: w.name }
        : undefined,
    ),
  );
}

/** The burn-rate alert of one objective's indicator over one long window. */
function burn(rules: readonly RenderedRule[], slo: string, sli: string, long: string): ExpectedAlert[] {
  return firing(rules, 'IstioSLOErrorBudgetBurn', (r) =>
    r.labels.slo === slo && r.labels.sli === sli && r.labels.long_window === long ? {} : undefined,
  );
}

const HEALTHY: Phase[] = [{ minutes: 40, errorsPer10k: 5 }];
/** 2 hours healthy, then 1.5% failing: 15 times the budget of 99.9%, just over the 14.4x page. */
const FAST_BURN: Phase[] = [
  { minutes: 120, errorsPer10k: 5 },
  { minutes: 70, errorsPer10k: 150 },
];
/** An hour healthy, then 0.2% failing for 5 hours: twice the budget of 99.9%, a ticket and no page. */
const SLOW_BURN: Phase[] = [
  { minutes: 60, errorsPer10k: 5 },
  { minutes: 300, errorsPer10k: 20 },
];

/**
 * The scenarios of every rule set: a healthy mesh raises nothing; once metrics: [prometheus] is
 * removed from the rendered defaultProviders, the absence alert pages for each workload an Envoy
 * reports; a workload that never had a request is a ticket; a 15x burn pages within the hour (the
 * 1h/5m pair); a 2x burn is a ticket only; istiod's rejects and send errors; a target down and a
 * job without targets. The jobs are the output's own monitors or scrape configs.
 */
function scenarios(
  out: string,
  rules: readonly RenderedRule[],
  workloads: readonly FixtureWorkload[],
  slo: string,
  thresholdMs: number,
  /** An objective with a latency indicator whose budget 20% slow requests burn past both pages. */
  latencySlo?: string,
): AlertScenario[] {
  const objects = outputObjects(out);
  const source = rules[0]?.source ?? '';
  const targets = scrapeTargets(objects, source);
  // Every job a rule reads is one the output scrapes; with the operator, kube-state-metrics is
  // kube-prometheus-stack's own.
  const podStatusJob = 'kube-state-metrics';
  expect(jobsRead(rules).filter((j) => !targets.some((t) => t.job === j))).toEqual(
    source.startsWith('PrometheusRule') && workloads.some((w) => w.reportedBy !== 'sidecar') ? [podStatusJob] : [],
  );
  expect(proxiesExportMetrics(objects)).toBe(true);
  dropMetricsProvider(out);
  // istiod builds no stats filter without a metrics provider (istio/istio#51384).
  expect(proxiesExportMetrics(outputObjects(out))).toBe(false);
  const options = { thresholdMs, podStatusJob };
  const series = (phases: Phase[], more: Partial<SeriesOptions> = {}) =>
    meshSeries(targets, workloads, phases, { ...options, ...more });
  // One record and two absence rules (vanished, never reported) per kind of reporter the workloads have.
  const modes = (['sidecar', 'waypoint', 'ztunnel'] as const).filter((m) => workloads.some((w) => w.reportedBy === m));
  expect(
    rules
      .filter((r) => r.name === 'IstioStandardMetricsAbsent')
      .map((r) => `${r.labels.reported_by} ${r.labels.absence}`),
  ).toEqual(modes.flatMap((m) => [`${m} vanished`, `${m} never-reported`]));
  expect(burn(rules, slo, 'availability', '1h').map((a) => a.labels.severity)).toEqual(['critical']);
  expect(burn(rules, slo, 'availability', '3d').map((a) => a.labels.severity)).toEqual(['warning']);
  const [idle] = workloads;
  const healthy = series(HEALTHY);
  const envoy = targets.find((t) => t.podLabel !== undefined);
  const down = healthy.find((s) => envoy && s.series.startsWith(`up{job="${envoy.job}"`));
  return [
    { name: 'healthy', series: healthy, evalTime: '35m', firing: {} },
    {
      // The proxies stop writing their series at minute 15, when istiod pushes the new mesh config.
      name: 'defaultProviders without metrics',
      series: series(HEALTHY, { exportedUntil: 15 }),
      evalTime: '35m',
      firing: {
        IstioStandardMetricsAbsent: absent(
          rules,
          workloads.filter((w) => w.reportedBy !== 'ztunnel'),
          'vanished',
        ),
      },
    },
    {
      name: 'a workload that has had no request is a ticket, after an hour',
      series: series([{ minutes: 75, errorsPer10k: 5 }], { idle: [idle?.name ?? ''] }),
      evalTime: '70m',
      firing: { IstioStandardMetricsAbsent: absent(rules, idle ? [idle] : [], 'never-reported') },
    },
    {
      name: 'a burn at 15x pages within 65 minutes of its start',
      series: series(FAST_BURN),
      evalTime: '185m',
      firing: { IstioSLOErrorBudgetBurn: burn(rules, slo, 'availability', '1h') },
    },
    {
      name: 'a slow burn at 2x is a ticket only',
      series: series(SLOW_BURN),
      evalTime: '360m',
      firing: { IstioSLOErrorBudgetBurn: burn(rules, slo, 'availability', '3d') },
    },
    {
      // istiod creates these counters with their first event: every proxy NACKs one push, so the
      // series is born at its final value (7) and never grows; a failed send likewise. Its internal
      // errors grow by one a minute.
      name: "istiod's configuration does not reach the proxies",
      series: [
        ...healthy,
        { series: 'pilot_total_xds_rejects{job="pilot", type="lds"}', values: '_x27 7+0x13' },
        { series: 'pilot_xds_pushes{job="pilot", type="cds"}', values: '0+100x40' },
        { series: 'pilot_xds_pushes{job="pilot", type="cds_senderr"}', values: '_x27 3+0x13' },
        { series: 'pilot_total_xds_internal_errors{job="pilot"}', values: '0+1x40' },
      ],
      evalTime: '35m',
      firing: {
        IstioProxyConfigRejected: firing(rules, 'IstioProxyConfigRejected', () => ({ type: 'lds' })),
        IstioConfigPushErrors: [
          ...firing(rules, 'IstioConfigPushErrors', () => ({})),
          ...firing(rules, 'IstioConfigPushErrors', () => ({ type: 'cds_senderr' })),
        ],
      },
    },
    {
      // One proxy target fails its scrapes from minute 6 (up 0), and istiod is not discovered at all.
      name: 'a proxy target down, and no istiod target',
      series: healthy
        .filter((s) => !s.series.startsWith('up{job="pilot"'))
        .map((s) => (s === down ? { ...s, values: '1+0x5 0+0x35' } : s)),
      evalTime: '35m',
      firing: {
        IstioScrapeTargetDown: firing(rules, 'IstioScrapeTargetDown', (r) =>
          envoy && r.labels.scrape_job?.split(',').includes(envoy.job) ? labelsOf(down?.series ?? '') : undefined,
        ),
        IstioScrapeJobAbsent: firing(rules, 'IstioScrapeJobAbsent', (r) =>
          r.labels.scrape_job === 'pilot' ? { job: 'pilot' } : undefined,
        ),
      },
    },
    ...(latencySlo
      ? [
          {
            name: 'slow responses page the latency objective',
            series: series([
              { minutes: 120, errorsPer10k: 5 },
              { minutes: 70, errorsPer10k: 5, slowPer10k: 2000 },
            ]),
            evalTime: '185m',
            firing: {
              IstioSLOErrorBudgetBurn: [
                ...burn(rules, latencySlo, 'latency', '1h'),
                ...burn(rules, latencySlo, 'latency', '6h'),
              ],
            },
          },
        ]
      : []),
  ];
}

/** The labels of a series written as `name{a="x", b="y"}`. */
function labelsOf(series: string): Record<string, string> {
  return Object.fromEntries([...series.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1] as string, m[2] as string]));
}

describe('the alert rules, evaluated by promtool', () => {
  const SIDECAR_WORKLOADS: FixtureWorkload[] = [
    { name: 'cart', namespace: 'shop', kind: 'Deployment', reportedBy: 'sidecar' },
    { name: 'frontend', namespace: 'shop', kind: 'Deployment', reportedBy: 'sidecar' },
    { name: 'payments', namespace: 'payments', kind: 'StatefulSet', reportedBy: 'sidecar' },
  ];

  it.each(['1.22', '1.26', '1.31'])(
    'of a sidecar mesh at Istio %s: quiet when healthy, absence on every workload without metrics, a page at 15x, a ticket at 2x, NACKs and send errors, slow responses',
    async (version) => {
      const out = await synthAt('test/alerts/sidecar.yaml', 'istioVersion: "1.31"', version);
      const all = prometheusRules(outputObjects(out));
      const rules = all.filter((r) => r.source === 'PrometheusRule monitoring/istio-alert-rules');
      expect(new Set(rules.filter((r) => r.kind === 'alert').map((r) => r.name))).toEqual(
        new Set([
          'IstioStandardMetricsAbsent',
          'IstioScrapeTargetDown',
          'IstioScrapeJobAbsent',
          'IstioProxyConfigRejected',
          'IstioConfigPushErrors',
          'IstioSLOErrorBudgetBurn',
        ]),
      );
      const file = ruleFile(rules);
      expect(promtool(['check', 'rules', 'rules.yml'], { 'rules.yml': file }).output).toContain('SUCCESS');
      const run = testAlerts(
        file,
        rules,
        scenarios(out, rules, SIDECAR_WORKLOADS, 'cart-availability', 250, 'frontend-experience'),
      );
      expect(run.output).toContain('SUCCESS');
      expect(run.status).toBe(0);
    },
  );

  // examples/ambient.yaml with an objective on checkout, whose requests only its waypoint reports.
  const AMBIENT_WORKLOADS: FixtureWorkload[] = [
    { name: 'web', namespace: 'storefront', kind: 'Deployment', reportedBy: 'waypoint' },
    { name: 'checkout', namespace: 'orders', kind: 'Deployment', reportedBy: 'waypoint' },
    { name: 'inventory', namespace: 'orders', kind: 'Deployment', reportedBy: 'ztunnel' },
    { name: 'billing', namespace: 'legacy', kind: 'Deployment', reportedBy: 'sidecar' },
  ];
  const CHECKOUT_SLO =
    'slos:\n  checkout-availability: { workload: checkout, availability: 99.9, latency: { thresholdMs: 100, objective: 95 } }\n';

  it.each(['1.26', '1.31'])(
    'of an ambient mesh at Istio %s (the plain rule file): waypoint-reported requests page, ztunnel-only workloads keep their metrics',
    async (version) => {
      const out = await synthAt('examples/ambient.yaml', 'istioVersion: "1.28"', version, CHECKOUT_SLO);
      const rules = prometheusRules(outputObjects(out)).filter(
        (r) => r.source === 'ConfigMap monitoring/prometheus-config istio-alert-rules.yml',
      );
      // The objective reads the waypoint's series: checkout has no sidecar to report as destination.
      const ratio = rules.find((r) => r.name === 'slo:sli_events:rate5m' && r.labels.sli === 'availability');
      expect(ratio?.expr).toContain(
        'reporter="waypoint", destination_workload_namespace="orders", destination_workload="checkout"',
      );
      const file = ruleFile(rules);
      const run = testAlerts(file, rules, scenarios(out, rules, AMBIENT_WORKLOADS, 'checkout-availability', 100));
      expect(run.output).toContain('SUCCESS');
      expect(run.status).toBe(0);
    },
  );
});

describe('the alert rules of the default stack (Istio 1.17, Jaeger v1), evaluated by promtool', () => {
  const DEMO: FixtureWorkload[] = [
    { name: 'catalog', namespace: 'istioinaction', kind: 'Deployment', reportedBy: 'sidecar' },
    { name: 'webapp', namespace: 'istioinaction', kind: 'Deployment', reportedBy: 'sidecar' },
  ];

  it.each([
    ['PrometheusRule prometheus/istio-alert-rules', 'prometheus/envoy-stats-monitor'],
    ['ConfigMap prometheus/istioinaction-prom istio-alert-rules.yml', 'envoy-stats'],
  ])('in %s: quiet when healthy, and the generated Jaeger refusing spans raises its alert', (source, envoyJob) => {
    const objects = outputObjects(join(ROOT, 'dist'));
    const rules = prometheusRules(objects).filter((r) => r.source === source);
    const targets = scrapeTargets(objects, source);
    expect(jobsRead(rules).filter((j) => !targets.some((t) => t.job === j))).toEqual([]);
    const series = meshSeries(targets, DEMO, HEALTHY, { thresholdMs: 250, podStatusJob: 'kube-state-metrics' });
    // Both pods' sidecars are scraped under the job of the path, with the book's pod_name label.
    expect(series.filter((s) => s.series.startsWith(`up{job="${envoyJob}"`)).map((s) => s.series)).toEqual([
      `up{job="${envoyJob}", instance="${envoyJob}-pod", namespace="istioinaction", pod_name="catalog-7d4b9c8f5-x2k9q"}`,
      `up{job="${envoyJob}", instance="${envoyJob}-pod", namespace="istioinaction", pod_name="webapp-7d4b9c8f5-x2k9q"}`,
    ]);
    const run = testAlerts(ruleFile(rules), rules, [
      { name: 'healthy', series, evalTime: '35m', firing: {} },
      {
        name: 'Jaeger v1 drops spans from a full queue',
        series: [
          ...series,
          { series: 'jaeger_collector_spans_dropped_total{job="jaeger", host="jaeger-0"}', values: '0+50x40' },
        ],
        evalTime: '35m',
        firing: { IstioTraceCollectorRefusingSpans: firing(rules, 'IstioTraceCollectorRefusingSpans', () => ({})) },
      },
    ]);
    expect(run.output).toContain('SUCCESS');
    expect(run.status).toBe(0);
  });
});

describe('the series budget alert, evaluated by promtool', () => {
  it('counts a histogram with its buckets, sum and count, and names the metric over the budget', () => {
    const app = Testing.app();
    const mesh = new IstioMesh(new Chart(app, 'mesh', { namespace: 'istio-system' }), 'istio', {
      istioVersion: '1.30',
      seriesBudget: 3,
    });
    const groups = telemetryHealthGroups(mesh, { proxies: [{ job: 'envoy-stats', podLabel: 'pod' }] }, (a) => a);
    const file = stringify({ groups: groups.map(ruleGroupJson) });
    const rules = prometheusRules([
      {
        path: 'rules',
        manifest: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'r' }, data: { 'r.yml': file } } as Manifest,
      },
    ]);
    const requests = (code: string) => ({ series: `istio_requests_total{response_code="${code}"}`, values: '0+1x40' });
    const duration = (suffix: string, le = '') => ({
      series: `istio_request_duration_milliseconds_${suffix}{reporter="destination"${le}}`,
      values: '0+1x40',
    });
    const run = testAlerts(file, rules, [
      {
        name: 'four series of two families, with a budget of three',
        series: [
          { series: 'up{job="envoy-stats", instance="a"}', values: '1+0x40' },
          ...['200', '404', '500', '503'].map(requests),
          duration('bucket', ', le="250"'),
          duration('bucket', ', le="+Inf"'),
          duration('sum'),
          duration('count'),
          { series: 'istio_tcp_sent_bytes_total{reporter="source"}', values: '0+1x40' },
        ],
        evalTime: '35m',
        firing: {
          IstioMetricSeriesOverBudget: ['istio_request_duration_milliseconds', 'istio_requests_total'].map(
            (metric) => ({
              labels: { severity: 'warning', metric },
              annotations: {
                ...(rules.find((r) => r.name === 'IstioMetricSeriesOverBudget')?.annotations ?? {}),
                summary: `${metric} has 4 series, above the mesh series budget`,
              },
            }),
          ),
        },
      },
    ]);
    expect(run.output).toContain('SUCCESS');
    expect(run.status).toBe(0);
  });
});

/** The rules as one rule file, in their groups. */
function ruleFile(rules: readonly RenderedRule[]): string {
  const groups = new Map<string, Record<string, unknown>[]>();
  for (const r of rules) {
    const rule =
      r.kind === 'alert'
        ? { alert: r.name, expr: r.expr, for: r.for, labels: r.labels, annotations: r.annotations }
        : { record: r.name, expr: r.expr, ...(Object.keys(r.labels).length > 0 ? { labels: r.labels } : {}) };
    groups.set(r.group, [...(groups.get(r.group) ?? []), rule]);
  }
  return stringify({ groups: [...groups].map(([name, list]) => ({ name, rules: list })) });
}
