import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Testing } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { synthConfigFile } from '../cli/synth';
import { ConfigFile } from '../constructs/config/config-file';
import { ObservabilityStack } from '../constructs/stacks/observability-stack';
import { validateApp } from '../constructs/validate/app-validator';
import { type Finding, formatFinding } from '../constructs/validate/finding';
import { readTree } from './support/synth';

const DEFAULT = readFileSync(join(__dirname, '..', 'observability.yaml'), 'utf8');

/** The findings of observability.yaml with only istioVersion changed. */
async function findingsOn(version: string): Promise<Finding[]> {
  const text = DEFAULT.replace('istioVersion: "1.17"', `istioVersion: "${version}"`);
  if (version !== '1.17') expect(text).not.toBe(DEFAULT);
  const file = ConfigFile.parse('observability.yaml', text);
  const app = Testing.app();
  new ObservabilityStack(app, 'default', { config: file.config, locate: (path) => file.locate(path) });
  return validateApp(app);
}

const errors = (findings: Finding[]) => findings.filter((f) => f.severity === 'error').map(formatFinding);
const warnings = (findings: Finding[], rule: string) =>
  findings.filter((f) => f.severity === 'warning' && f.rule === rule).map(formatFinding);

const ADAPTATIONS_122 = [
  'observability.yaml:27:3 [istioinaction/attribute-gen] proxies: outboundSidecar becomes WasmPlugin match mode CLIENT, which also covers gateway in namespace "istioinaction"; select a workload to narrow it',
  'observability.yaml:56:3 [istioinaction/get-calls] istio_get_calls is defined by EnvoyFilter "custom-metrics-1-22", the only way to define a metric alongside the Telemetry API (facts A.4); Istio documents EnvoyFilter stats config and Telemetry as conflicting (istio/istio#39772), so this filter is a separate stats instance that drops the standard metrics; check istio_get_calls after every Istio upgrade',
  'observability.yaml:40:3 [istioinaction/requests-dimensions] extraStatTagsFor: Deployment "webapp" does not get extraStatTags source_mesh_id, upstream_proxy_version, which the native stats filter does not need: Istio 1.22 is past ProxyConfig extraStatTags (Istio 1.13 to 1.20; deprecated in 1.21); remove extraStatTagsFor',
  'observability.yaml:47:3 [istioinaction/requests-operation] extraStatTagsFor: Deployment "webapp" does not get extraStatTags upstream_operation, which the native stats filter does not need: Istio 1.22 is past ProxyConfig extraStatTags (Istio 1.13 to 1.20; deprecated in 1.21); remove extraStatTagsFor',
  'observability.yaml:47:3 [istioinaction/requests-operation] proxies: outboundSidecar becomes Telemetry mode CLIENT, which also covers gateway on the mesh (the Telemetry API selects by mode, not by proxy kind); scope it to workloads or namespaces to narrow it',
];

describe('observability.yaml with only istioVersion changed', () => {
  it.each(['1.17', '1.20', '1.22'])('synthesizes with no errors on Istio %s', async (version) => {
    expect(errors(await findingsOn(version))).toEqual([]);
  });

  it('says on 1.22 what it adapted: mode widening, extraStatTags left out, the metric EnvoyFilter', async () => {
    expect(warnings(await findingsOn('1.22'), 'version-adaptation')).toEqual(ADAPTATIONS_122);
  });

  it.each(['1.24', '1.30'])(
    'fails on Istio %s only on the intent with no equivalent, with the reason and the alternative',
    async (version) => {
      expect(errors(await findingsOn(version))).toEqual([
        `observability.yaml:40:3 [istioinaction/requests-dimensions] dimensions.upstream_proxy_version: reads upstream_peer.istio_version, which Istio ${version} has no equivalent for: peer metadata moved to filter_state.upstream_peer, whose fields are namespace, cluster, service, revision, app, version, workload, type, name, and "istio_version" is not among them (facts A.5) (got "upstream_peer.istio_version", expected a CEL expression Istio ${version} can evaluate); hint: drop the dimension; filter_state.upstream_peer.version is the workload's version label, not its Istio version`,
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
    const output = readdirSync(committed)
      .map((name) => readFileSync(join(committed, name), 'utf8'))
      .join('\n');
    expect(output).not.toMatch(/configOverride|extraStatTags|envoy\.wasm\.runtime\.null|upstream_peer\.istio_version/);
    expect(output).not.toMatch(/apiVersion: telemetry\.istio\.io\/v1alpha1/);
    // EnvoyFilter is served only as v1alpha3 (facts E.1); the other networking kinds use v1.
    expect(output).not.toMatch(
      /apiVersion: networking\.istio\.io\/v1alpha3\nkind: (Gateway|VirtualService|ServiceEntry)/,
    );
    expect(output).toContain("value: xds.node.metadata['MESH_ID']");
    expect(output).toContain("value: filter_state['wasm.istio_operationId']");
    expect(output).toContain('kind: WasmPlugin');
  });
});
