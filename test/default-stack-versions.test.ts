import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { ConfigFile } from '../app/config/config-file';
import { ObservabilityStack } from '../app/stacks/observability-stack';
import { validateApp } from '../app/validate/app-validator';
import { synthConfigFile } from '../cli/synth';
import { STANDARD_LABELS } from '../core/istio/standard-metrics';
import { type Finding, formatFinding } from '../core/problems/finding';
import { VersionPolicy } from '../core/version/version-policy';
import { testApp } from './support/app';
import { readTree } from './support/synth';

/** The newest release with a row: the default config must synthesize there as it does on 1.30. */
const NEWEST = VersionPolicy.supportedVersions().at(-1) as string;

const DEFAULT = readFileSync(join(__dirname, '..', 'observability.yaml'), 'utf8');

/** The findings of observability.yaml with only istioVersion changed. */
async function findingsOn(version: string): Promise<Finding[]> {
  const text = DEFAULT.replace('istioVersion: "1.17"', `istioVersion: "${version}"`);
  if (version !== '1.17') expect(text).not.toBe(DEFAULT);
  const file = ConfigFile.parse('observability.yaml', text);
  const app = testApp();
  new ObservabilityStack(app, 'default', { config: file.config, locate: (path) => file.locate(path) });
  return validateApp(app);
}

const errors = (findings: Finding[]) => findings.filter((f) => f.severity === 'error').map(formatFinding);
const warnings = (findings: Finding[], rule: string) =>
  findings.filter((f) => f.severity === 'warning' && f.rule === rule).map(formatFinding);

const ADAPTATIONS_122 = [
  'observability.yaml:27:3 [istioinaction/attribute-gen] proxies: outboundSidecar becomes WasmPlugin match mode CLIENT, which also covers gateway in namespace "istioinaction"; select a workload to narrow it',
  'observability.yaml:56:3 [istioinaction/get-calls] istio_get_calls is not exported by the proxies: it is read from istio_requests_total{request_method=~"GET.*"}, with request_method added to it, and recorded by the mesh\'s recording rules (the supported route next to the Telemetry API: a dimension on a standard metric, istio.io "Customizing Istio Metrics with Telemetry API")',
  'observability.yaml:40:3 [istioinaction/requests-dimensions] extraStatTagsFor: Deployment "webapp" does not get extraStatTags source_mesh_id, upstream_proxy_version, which the native stats filter does not need: Istio 1.22 is past ProxyConfig extraStatTags (Istio 1.13 to 1.20; deprecated in 1.21); remove extraStatTagsFor',
  'observability.yaml:47:3 [istioinaction/requests-operation] extraStatTagsFor: Deployment "webapp" does not get extraStatTags upstream_operation, which the native stats filter does not need: Istio 1.22 is past ProxyConfig extraStatTags (Istio 1.13 to 1.20; deprecated in 1.21); remove extraStatTagsFor',
  'observability.yaml:47:3 [istioinaction/requests-operation] proxies: outboundSidecar becomes Telemetry mode CLIENT, which also covers gateway on the mesh (the Telemetry API selects by mode, not by proxy kind); scope it to workloads or namespaces to narrow it',
];

describe('observability.yaml with only istioVersion changed', () => {
  it.each(['1.17', '1.20', '1.22'])('synthesizes with no errors on Istio %s', async (version) => {
    expect(errors(await findingsOn(version))).toEqual([]);
  });

  it('says on 1.22 what it adapted: mode widening, extraStatTags left out, get_calls as a recording rule', async () => {
    expect(warnings(await findingsOn('1.22'), 'version-adaptation')).toEqual(ADAPTATIONS_122);
  });

  it.each(['1.24', '1.30', NEWEST])(
    'fails on Istio %s only on the intent with no equivalent, with the reason and the alternative',
    async (version) => {
      expect(errors(await findingsOn(version))).toEqual([
        `observability.yaml:43:7 [istioinaction/requests-dimensions] dimensions.upstream_proxy_version: reads upstream_peer.istio_version, which Istio ${version} has no equivalent for: peer metadata moved to filter_state.upstream_peer, whose fields are namespace, cluster, service, revision, app, version, workload, type, name, and "istio_version" is not among them (istio/istio@1.24.0:releasenotes/notes/telemetry-cel.yaml) (got "upstream_peer.istio_version", expected a CEL expression Istio ${version} can evaluate); hint: drop the dimension; filter_state.upstream_peer.version is the workload's version label, not its Istio version`,
      ]);
    },
  );
});

describe('examples/istio-1.30.yaml', () => {
  const example = join(__dirname, '..', 'examples', 'istio-1.30.yaml');
  const committed = join(__dirname, '..', 'examples', 'istio-1.30');

  it('synthesizes with no errors into exactly the committed examples/istio-1.30/', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'example-130-')), 'out');
    const report = await synthConfigFile(example, out);
    expect(report.warnings.every((w) => w.severity === 'warning')).toBe(true);
    expect(readTree(out)).toEqual(readTree(committed));
  });

  it('uses only what 1.30 offers: Telemetry v1, WasmPlugin, extension providers, the standard CEL vocabulary', () => {
    const output = Object.values(readTree(committed)).join('\n');
    expect(output).not.toMatch(/configOverride|extraStatTags|envoy\.wasm\.runtime\.null|upstream_peer\.istio_version/);
    expect(output).not.toMatch(/apiVersion: telemetry\.istio\.io\/v1alpha1/);
    // EnvoyFilter is served only as v1alpha3 (istio/istio@1.30.3 crd-all.gen.yaml); the other networking kinds use v1.
    expect(output).not.toMatch(
      /apiVersion: networking\.istio\.io\/v1alpha3\nkind: (Gateway|VirtualService|ServiceEntry)/,
    );
    expect(output).toContain("value: xds.node.metadata['MESH_ID']");
    expect(output).toContain("value: filter_state['wasm.istio_operationId']");
    expect(output).toContain('kind: WasmPlugin');
  });
});

/**
 * The labels each metric's series carry, read from the objects the proxies are configured with:
 * the standard metrics' labels (istio/proxy@81864a1c:source/extensions/filters/http/istio_stats/
 * istio_stats.cc) plus every dimension a Telemetry, configOverride or EnvoyFilter adds to it, and
 * for a metric a stats filter defines, only the dimensions configured for it (the filter gives it
 * none of its own, lines 704-708).
 */
function labelInventory(objects: Record<string, unknown>[]): Map<string, Set<string>> {
  const STANDARD = [...STANDARD_LABELS, 'le'];
  const inventory = new Map<string, Set<string>>();
  const add = (metric: string, labels: Iterable<string>) =>
    inventory.set(metric, new Set([...(inventory.get(metric) ?? []), ...labels]));
  for (const m of [
    'requests_total',
    'request_duration_milliseconds_bucket',
    'request_duration_milliseconds_count',
    'request_bytes_sum',
    'response_bytes_sum',
    'tcp_sent_bytes_total',
    'tcp_received_bytes_total',
    'tcp_connections_opened_total',
  ]) {
    add(`istio_${m}`, STANDARD);
  }
  const TELEMETRY_NAMES: Record<string, string> = {
    REQUEST_COUNT: 'istio_requests_total',
    REQUEST_DURATION: 'istio_request_duration_milliseconds_bucket',
  };
  const walk = (value: unknown, visit: (o: Record<string, unknown>) => void): void => {
    if (Array.isArray(value)) {
      for (const v of value) walk(v, visit);
    } else if (value && typeof value === 'object') {
      visit(value as Record<string, unknown>);
      for (const v of Object.values(value)) walk(v, visit);
    }
  };
  for (const object of objects) {
    walk(object, (o) => {
      const match = o.match as Record<string, unknown> | undefined;
      if (o.tagOverrides && typeof match?.metric === 'string' && TELEMETRY_NAMES[match.metric]) {
        add(TELEMETRY_NAMES[match.metric] as string, Object.keys(o.tagOverrides as object));
      }
      // stats.PluginConfig metrics entries (configOverride, EnvoyFilter): name and dimensions.
      if (typeof o.name === 'string' && o.dimensions && typeof o.dimensions === 'object') {
        const name = o.name === 'requests_total' ? 'istio_requests_total' : `istio_${o.name}`;
        add(name, Object.keys(o.dimensions as object));
      }
      if (typeof o.name === 'string' && typeof o.value === 'string' && typeof o.type === 'string')
        add(`istio_${o.name}`, []);
    });
  }
  return inventory;
}

/** Every `metric{labels}` selector and `by (...)` clause of a PromQL expression: the labels each metric is read by. */
function labelsRead(expr: string): { metric: string; labels: string[] }[] {
  const reads: { metric: string; labels: string[] }[] = [];
  const by = /sum by \(([^)]*)\)/.exec(expr)?.[1]?.split(', ').filter(Boolean) ?? [];
  for (const m of expr.matchAll(/(istio_[a-z_]+)(\{([^}]*)\})?/g)) {
    const selectors = (m[3] ?? '')
      .split(', ')
      .filter(Boolean)
      .map((s) => s.split(/[=!]~?/)[0] as string);
    reads.push({ metric: m[1] as string, labels: [...selectors, ...by] });
  }
  return reads;
}

describe('observability.yaml retargeted to current releases', () => {
  it('has a label check that catches a query over a label a defined metric lacks (the old get_calls rule)', () => {
    const definition = { name: 'get_calls', type: 'COUNTER', value: '1' };
    const inventory = labelInventory([
      { spec: { definitions: [definition], metrics: [{ name: 'get_calls', dimensions: { reporter: "'source'" } }] } },
    ]);
    const old =
      'sum by (destination_workload, destination_workload_namespace) (rate(istio_get_calls{reporter="destination"}[5m]))';
    expect(
      labelsRead(old).flatMap(({ metric, labels }) => labels.filter((l) => !inventory.get(metric)?.has(l))),
    ).toEqual(['destination_workload', 'destination_workload_namespace']);
  });

  // With the one intent 1.24+ cannot express (upstream_peer.istio_version) removed there.
  it.each(['1.22', '1.26', NEWEST])(
    'on Istio %s keeps the metrics provider, queries only labels that exist and loses no span',
    async (version) => {
      let text = DEFAULT.replace('istioVersion: "1.17"', `istioVersion: "${version}"`);
      if (version !== '1.22') text = text.replace('      upstream_proxy_version: upstream_peer.istio_version\n', '');
      const out = join(mkdtempSync(join(tmpdir(), `default-${version}-`)), 'out');
      const config = join(out, '..', 'observability.yaml');
      writeFileSync(config, text);
      await synthConfigFile(config, out);
      const objects = Object.entries(readTree(out))
        .filter(([name]) => name.endsWith('.yaml'))
        .flatMap(([, yaml]) => parseAllDocuments(yaml).map((d) => d.toJS() as Record<string, unknown>));
      const operator = objects.find((o) => o.kind === 'IstioOperator') as {
        spec: { meshConfig?: { defaultProviders?: { metrics?: string[] } } };
      };
      // istio/istio@1.30.3:manifests/charts/istio-control/istio-discovery/templates/_helpers.tpl (istio/istio#51384).
      expect(operator.spec.meshConfig?.defaultProviders?.metrics).toEqual(['prometheus']);
      const inventory = labelInventory(objects);
      const exprs: string[] = [];
      const collect = (value: unknown): void => {
        if (Array.isArray(value)) value.forEach(collect);
        else if (value && typeof value === 'object') {
          for (const [key, v] of Object.entries(value)) {
            if (key === 'expr' && typeof v === 'string') exprs.push(v);
            else collect(v);
          }
        }
      };
      for (const o of objects) {
        if (o.kind === 'PrometheusRule') collect(o.spec);
        // Grafana dashboards: JSON models in the dashboards ConfigMap.
        if (o.kind === 'ConfigMap') {
          for (const [key, v] of Object.entries((o.data ?? {}) as Record<string, string>)) {
            if (key.endsWith('.json')) collect(JSON.parse(v));
          }
        }
      }
      expect(exprs.length).toBeGreaterThan(10);
      const missing = exprs.flatMap((e) =>
        labelsRead(e).flatMap(({ metric, labels }) =>
          labels.filter((l) => !inventory.get(metric)?.has(l)).map((l) => `${metric} has no ${l}: ${e}`),
        ),
      );
      expect(missing).toEqual([]);
      // istio/istio@1.30.3:pilot/pkg/networking/core/tracing.go sends Zipkin v2 JSON.
      expect(Object.values(readTree(out)).join('\n')).not.toMatch(/api\/v1\/spans/);
    },
  );
});
