import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GOLDEN_VERSIONS } from './scenarios';
import {
  configMapRuleFiles,
  objectsOf,
  promtool,
  ruleFileOf,
  scrapeConfigsOf,
  testRules,
  WEBAPP_TO_CATALOG,
} from './support/promtool';

const ROOT = join(__dirname, '..');
/** Every generated file with Prometheus rules or scrape configs: the goldens of each version and dist/. */
const SOURCES = [
  ...GOLDEN_VERSIONS.flatMap((v) => [
    `test/goldens/${v}/recording-rules.k8s.yaml`,
    `test/goldens/${v}/prometheus-scrape-config.k8s.yaml`,
  ]),
  'dist/observability-backends.k8s.yaml',
  'examples/istio-1.30/observability-backends.k8s.yaml',
  'examples/shop/observability-backends.k8s.yaml',
  'examples/ambient/observability-backends.k8s.yaml',
  'examples/platform/observability-backends.k8s.yaml',
  'examples/two-clusters/clusters/dev/observability-backends.k8s.yaml',
  'examples/two-clusters/clusters/prod/observability-backends.k8s.yaml',
];

const rule = (record: string, labels: string, value: number) => ({
  expr: record,
  samples: [{ labels: `${record}${labels ? `{${labels}}` : ''}`, value }],
});

describe('promtool', () => {
  it.each(SOURCES.filter((s) => ruleFileOf(objectsOf(readFileSync(join(ROOT, s), 'utf8')))))(
    'check rules passes on the PrometheusRule of %s',
    (source) => {
      const rules = ruleFileOf(objectsOf(readFileSync(join(ROOT, source), 'utf8'))) ?? '';
      const run = promtool(['check', 'rules', 'rules.yml'], { 'rules.yml': rules });
      expect(run.output).toMatch(/SUCCESS: \d+ rules found/);
      expect(run.status).toBe(0);
    },
  );

  it.each(SOURCES.filter((s) => scrapeConfigsOf(objectsOf(readFileSync(join(ROOT, s), 'utf8'))).length > 0))(
    'check config passes on the prometheus.yml of %s',
    (source) => {
      for (const { name, text, ruleFiles } of scrapeConfigsOf(objectsOf(readFileSync(join(ROOT, source), 'utf8')))) {
        // Without --syntax-only promtool also checks the rule files the config names.
        const run = promtool(['check', 'config', 'prometheus.yml'], { 'prometheus.yml': text, ...ruleFiles });
        expect(run.output, name).toContain('SUCCESS');
        expect(run.status, name).toBe(0);
      }
    },
  );

  it.each(
    SOURCES.filter((s) => Object.keys(configMapRuleFiles(objectsOf(readFileSync(join(ROOT, s), 'utf8')))).length > 0),
  )('check rules passes on the plain rule files of %s', (source) => {
    for (const [name, text] of Object.entries(
      configMapRuleFiles(objectsOf(readFileSync(join(ROOT, source), 'utf8'))),
    )) {
      const run = promtool(['check', 'rules', name], { [name]: text });
      expect(run.output, name).toMatch(/SUCCESS: \d+ rules found/);
      expect(run.status, name).toBe(0);
    }
  });

  it('finds the files it checks: every golden version, dist/ and the examples', () => {
    const withRules = SOURCES.filter((s) => ruleFileOf(objectsOf(readFileSync(join(ROOT, s), 'utf8'))));
    const withConfigs = SOURCES.filter(
      (s) => scrapeConfigsOf(objectsOf(readFileSync(join(ROOT, s), 'utf8'))).length > 0,
    );
    const withRuleFiles = SOURCES.filter(
      (s) => Object.keys(configMapRuleFiles(objectsOf(readFileSync(join(ROOT, s), 'utf8')))).length > 0,
    );
    expect(withRules).toEqual([
      ...GOLDEN_VERSIONS.map((v) => `test/goldens/${v}/recording-rules.k8s.yaml`),
      ...SOURCES.filter((s) => !s.startsWith('test/goldens/')),
    ]);
    expect(withConfigs).toEqual([
      ...GOLDEN_VERSIONS.map((v) => `test/goldens/${v}/prometheus-scrape-config.k8s.yaml`),
      'dist/observability-backends.k8s.yaml',
      'examples/ambient/observability-backends.k8s.yaml',
    ]);
    // The golden scrape configs are the book's, without rules (test/scenarios.ts).
    expect(withRuleFiles).toEqual([
      'dist/observability-backends.k8s.yaml',
      'examples/ambient/observability-backends.k8s.yaml',
    ]);
  });

  // The series are exactly what the proxies write: istio_requests_total with its standard labels and
  // the declared dimensions on the proxies that add them; get_calls on 1.17 as a stats-filter
  // definition has only the labels it declares (reporter by default), since the filter gives a new
  // metric none (istio/proxy@e1222b56, pinned by istio/istio@1.17.8:source/extensions/filters/http/
  // istio_stats/istio_stats.cc overrideTags(metric.name_, {}, ...)).
  it('evaluates the 1.30 rules of a declared dimension and a request-count metric to the rates they stand for', () => {
    const rules = ruleFileOf(objectsOf(readFileSync(join(ROOT, 'test/goldens/1.30/recording-rules.k8s.yaml'), 'utf8')));
    const w = WEBAPP_TO_CATALOG;
    const run = testRules(
      rules ?? '',
      [
        // webapp's outbound proxy: 60 GET /items a minute (1/s), labelled by the attribute generator.
        {
          series: `istio_requests_total{reporter="source", ${w}, upstream_operation="getitems", request_method="GET", response_code="200"}`,
          perMinute: 60,
        },
        // catalog's inbound proxy reports the same requests without upstream_operation (outbound only)…
        {
          series: `istio_requests_total{reporter="destination", ${w}, source_mesh_id="mesh1", request_method="GET", response_code="200"}`,
          perMinute: 60,
        },
        // …and 60 POSTs a minute, which get_calls does not count.
        {
          series: `istio_requests_total{reporter="destination", ${w}, source_mesh_id="mesh1", request_method="POST", response_code="201"}`,
          perMinute: 60,
        },
      ],
      [
        rule(
          'workload_upstream_operation:istio_requests_total:rate5m',
          'source_workload="webapp", source_workload_namespace="istioinaction", upstream_operation="getitems"',
          1,
        ),
        rule(
          'workload_source_mesh_id:istio_requests_total:rate5m',
          'destination_workload="catalog", destination_workload_namespace="istioinaction", source_mesh_id="mesh1"',
          2,
        ),
        // The GETs, counted once, by the destination, though both proxies report them.
        rule(
          'workload:istio_get_calls:rate5m',
          'destination_workload="catalog", destination_workload_namespace="istioinaction"',
          1,
        ),
      ],
    );
    expect(run.output).toContain('SUCCESS');
    expect(run.status).toBe(0);
  });

  it('evaluates the 1.17 get_calls rule over the series the stats filter writes: one per reporter, no other label', () => {
    const rules = ruleFileOf(objectsOf(readFileSync(join(ROOT, 'test/goldens/1.17/recording-rules.k8s.yaml'), 'utf8')));
    const run = testRules(
      rules ?? '',
      [
        { series: 'istio_get_calls{reporter="destination"}', perMinute: 120 },
        { series: 'istio_get_calls{reporter="source"}', perMinute: 120 },
      ],
      [rule('mesh:istio_get_calls:rate5m', '', 2)],
    );
    expect(run.output).toContain('SUCCESS');
    expect(run.status).toBe(0);
  });
});
