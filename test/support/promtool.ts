import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';

/**
 * Runs Prometheus's own `promtool` (Debian package `prometheus`, installed by
 * scripts/install-promtool.sh, which `npm test` runs first) on files written to a scratch folder.
 */
export function promtool(args: readonly string[], files: Readonly<Record<string, string>>) {
  const dir = mkdtempSync(join(tmpdir(), 'promtool-'));
  try {
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    const run = spawnSync('promtool', [...args], { cwd: dir, encoding: 'utf8' });
    if (run.error) {
      throw new Error(`promtool could not run (${run.error.message}): run bash scripts/install-promtool.sh`);
    }
    return { status: run.status, output: `${run.stdout}${run.stderr}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

type Obj = Record<string, unknown>;

/** Every object of a multi-document YAML text. */
export function objectsOf(yaml: string): Obj[] {
  return parseAllDocuments(yaml)
    .map((d) => d.toJS() as Obj | null)
    .filter((o): o is Obj => o !== null);
}

/** A Prometheus rule file (`groups:`) holding every PrometheusRule's groups. */
export function ruleFileOf(objects: readonly Obj[]): string | undefined {
  const groups = objects.filter((o) => o.kind === 'PrometheusRule').flatMap((o) => (o.spec as Obj).groups as Obj[]);
  return groups.length > 0 ? stringify({ groups }) : undefined;
}

/** The rule files a plain Prometheus reads from the objects' ConfigMaps (keys a `prometheus.yml` names in `rule_files`). */
export function configMapRuleFiles(objects: readonly Obj[]): Record<string, string> {
  const files: Record<string, string> = {};
  for (const o of objects.filter((x) => x.kind === 'ConfigMap')) {
    const data = (o.data ?? {}) as Record<string, string>;
    const config = data['prometheus.yml'];
    if (config === undefined) continue;
    const parsed = (parseAllDocuments(config)[0]?.toJS() ?? {}) as Obj;
    for (const name of (parsed.rule_files ?? []) as string[]) {
      if (data[name] !== undefined) files[name] = data[name];
    }
  }
  return files;
}

/**
 * Each `prometheus.yml` of the objects' ConfigMaps, with its Kubernetes service discovery swapped for
 * a static target: Debian's promtool is built without kubernetes_sd_configs (toolchain notes), and
 * everything else in the job (relabelling, metric relabelling, paths, intervals) is still checked.
 */
export function scrapeConfigsOf(
  objects: readonly Obj[],
): { name: string; text: string; ruleFiles: Record<string, string> }[] {
  return objects
    .filter((o) => o.kind === 'ConfigMap' && typeof (o.data as Obj | undefined)?.['prometheus.yml'] === 'string')
    .map((o) => {
      const config = parseAllDocuments(String((o.data as Obj)['prometheus.yml']))[0]?.toJS() as Obj;
      for (const job of (config.scrape_configs ?? []) as Obj[]) {
        if (job.kubernetes_sd_configs) {
          delete job.kubernetes_sd_configs;
          job.static_configs = [{ targets: ['localhost:15090'] }];
        }
      }
      // The rule files it names, from the same ConfigMap, so `check config` reads them too.
      const data = o.data as Record<string, string>;
      const ruleFiles = Object.fromEntries(
        ((config.rule_files ?? []) as string[]).map((name) => [name, data[name] ?? '']),
      );
      return { name: String((o.metadata as Obj).name), text: stringify(config), ruleFiles };
    });
}

/** Labels of a request from webapp to catalog, as both of their proxies report it. */
export const WEBAPP_TO_CATALOG =
  'source_workload="webapp", source_workload_namespace="istioinaction", destination_workload="catalog", destination_workload_namespace="istioinaction"';

/** A series per minute for ten minutes: `perMinute` added each minute, so its rate is perMinute / 60. */
export interface InputSeries {
  readonly series: string;
  readonly perMinute: number;
}

/** An expression's expected samples at minute 10: `{labels} value`. */
export interface ExpectedSamples {
  readonly expr: string;
  readonly samples: readonly { readonly labels: string; readonly value: number }[];
}

/**
 * Runs `promtool test rules`: `rules` evaluated over `series`, each expression checked at minute 10.
 * Returns promtool's result; SUCCESS means every expected sample, and no other, was produced.
 */
export function testRules(rules: string, series: readonly InputSeries[], expected: readonly ExpectedSamples[]) {
  const tests = stringify({
    rule_files: ['rules.yml'],
    evaluation_interval: '1m',
    tests: [
      {
        interval: '1m',
        input_series: series.map((s) => ({ series: s.series, values: `0+${s.perMinute}x10` })),
        promql_expr_test: expected.map((e) => ({
          expr: e.expr,
          eval_time: '10m',
          exp_samples: e.samples.map((s) => ({ labels: s.labels, value: s.value })),
        })),
      },
    ],
  });
  return promtool(['test', 'rules', 'tests.yml'], { 'rules.yml': rules, 'tests.yml': tests });
}
