import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Testing } from 'cdk8s';
import { afterEach, describe, expect, it } from 'vitest';
import { synthAtomically } from '../app/synth/atomic-synth';
import { OUTPUT_MARKER, outputMarker } from '../app/synth/output-guard';
import { SYNTH_USAGE } from '../cli/synth-command';
import { ValidationFailedError } from '../core/problems/finding';
import { testApp } from './support/app';
import { defaultStack } from './support/fixtures';
import { readTree } from './support/synth';
import { RANGE, UNSUPPORTED } from './support/versions';

const ROOT = resolve(__dirname, '..');
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');
const scratch: string[] = [];

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'default-stack-'));
  scratch.push(dir);
  return dir;
}

function runMain(args: string[], env: Record<string, string> = {}) {
  return spawnSync(TSX, ['main.ts', ...args], { cwd: ROOT, env: { ...process.env, ...env }, encoding: 'utf8' });
}

/**
 * What synthAtomically writes: the IstioOperator (an istioctl input, under install/), a file per
 * chart with applied objects (the app namespace, the backends; on 1.17 the mesh has none), and the
 * kustomization that lists them, and REPORT.md.
 */
const CHART_FILES = [
  '.cdk8s-istio-observability.json',
  'REPORT.md',
  'install/istio-operator.yaml',
  'istioinaction.k8s.yaml',
  'kustomization.yaml',
  'observability-backends.k8s.yaml',
];
const DIST_FILES = CHART_FILES;

/** The warnings every synth of the default stack prints (none of them fails the build). */
const DEFAULT_WARNINGS =
  'warning: observability.yaml:40:3 [istioinaction/requests-dimensions] tagsToRemove: removes a label of istio_requests_total that Kiali\'s graph and health read, and Kiali is deployed (got "request_protocol", expected a label Kiali does not read, with Kiali deployed); hint: keep request_protocol (kiali.io FAQ, "Which Istio metrics and attributes are required by Kiali?"), or drop Kiali\n' +
  'warning: observability.yaml:79:3 [istioinaction/webapp-bootstrap/Resource/Resource] data["custom_bootstrap.json"].tracing: Envoy deprecates Bootstrap.tracing in favour of the HTTP connection manager\'s tracing provider; Istio\'s own bootstrap still uses it, and the supported route is a Telemetry tracing provider (meshConfig.extensionProviders)\n' +
  'warning: observability.yaml:79:3 [istioinaction/webapp-bootstrap/Resource/Resource] data["custom_bootstrap.json"]: is read when a pod starts; after changing it, restart the workloads that use it\n' +
  'warning: observability.yaml:10:1 [mesh/mesh/Install/Resource] spec.meshConfig.defaultConfig.{proxyStatsMatcher,tracing}: takes effect when a proxy starts; after installing a change, restart the meshed workloads (kubectl rollout restart)\n' +
  'warning: observability.yaml:99:3 [observability-backends/backends/jaeger] storage: badger on an emptyDir (the add-on and the seeds) keeps traces across container restarts only; deleting or rescheduling the pod loses them; use badger on a PersistentVolumeClaim to keep traces\n';

afterEach(() => {
  for (const dir of scratch.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('the default stack (main.ts reading observability.yaml)', () => {
  it('synthesizes exactly the committed dist/, byte for byte, printing only warnings', () => {
    const out = join(tempDir(), 'dist');
    const run = runMain(['--out', out]);
    expect(run.stderr).toBe(DEFAULT_WARNINGS);
    expect(run.status).toBe(0);
    expect(Object.keys(readTree(out))).toEqual(DIST_FILES);
    expect(readTree(out)).toEqual(readTree(join(ROOT, 'dist')));
  });

  it('honours CDK8S_OUTDIR when no --out is given (cdk8s synth sets it)', () => {
    const out = join(tempDir(), 'from-cli');
    const run = runMain([], { CDK8S_OUTDIR: out });
    expect(run.status).toBe(0);
    expect(readTree(out)).toEqual(readTree(join(ROOT, 'dist')));
  });

  it('says, under cdk8s synth, that the folder cdk8s-cli emptied is empty, not unchanged', () => {
    const dir = tempDir();
    const config = join(dir, 'bad.yaml');
    writeFileSync(config, `istioVersion: "${UNSUPPORTED}"\nnamespace: shop\n`);
    const out = join(dir, 'dist');
    mkdirSync(out); // as cdk8s-cli leaves it
    const run = runMain(['--config', config], { CDK8S_OUTDIR: out });
    expect(run.status).toBe(1);
    expect(run.stderr.split('\n')[0]).toBe(
      `synth failed, ${out}/ is empty: cdk8s synth emptied it before running the app (npm run synth or the packaged synth keep the previous output on failure):`,
    );
  });

  it('gives byte-identical output on two synths in one process', async () => {
    const first = join(tempDir(), 'a');
    const second = join(tempDir(), 'b');
    await synthAtomically(first, defaultStack);
    await synthAtomically(second, defaultStack);
    expect(readTree(first)).toEqual(readTree(second));
  });

  it('contains every piece of the seeds', () => {
    const app = testApp();
    defaultStack(app);
    const kinds = app.charts.flatMap((chart) => Testing.synth(chart)).map((o) => `${o.kind}/${o.metadata.name}`);
    expect(kinds).toEqual([
      'IstioOperator/control-plane',
      'ServiceAccount/webapp',
      'Deployment/webapp',
      'Service/webapp',
      'ServiceAccount/catalog',
      'Deployment/catalog',
      'Service/catalog',
      'Gateway/coolstore-gateway',
      'VirtualService/webapp-virtualservice',
      'VirtualService/thin-httpbin-virtualservice',
      'ServiceEntry/external-httpbin-org',
      'EnvoyFilter/attribute-gen-example',
      'ConfigMap/istio-custom-zipkin',
      'ServiceMonitor/istio-component-monitor',
      'PodMonitor/envoy-stats-monitor',
      'PrometheusRule/istio-mesh-recording-rules',
      'Deployment/jaeger',
      'NetworkPolicy/jaeger',
      'Service/tracing',
      'Service/zipkin',
      'Service/jaeger-collector',
      'ConfigMap/istioinaction-prom',
      'ConfigMap/istio-dashboards',
      'Kiali/kiali',
      // Beyond the seeds: the alerts, and the scrape of the Jaeger's own metrics they read.
      'PodMonitor/jaeger-monitor',
      'PrometheusRule/istio-alert-rules',
    ]);
  });

  it('refuses a config with errors: prints each with its file location, exits 1, leaves the output folder byte-identical', () => {
    const dir = tempDir();
    const out = join(dir, 'dist');
    mkdirSync(out);
    writeFileSync(join(out, 'previous.k8s.yaml'), 'kind: Previous\n');
    writeFileSync(join(out, OUTPUT_MARKER), outputMarker(['previous.k8s.yaml']));
    const config = join(dir, 'bad.yaml');
    writeFileSync(
      config,
      readFileSync(join(ROOT, 'observability.yaml'), 'utf8')
        .replace('metric: requests_total\n    proxies:', 'metric: request_duration_milliseconds_count\n    proxies:')
        .replace("node.metadata['MESH_ID']", "nod.metadata['MESH_ID']")
        .replace(
          'webapp-sampling: { target: { workload: webapp }, percentage: 10 }',
          'webapp-sampling: { target: { workload: webapp }, percentage: 0 }',
        ),
    );
    const run = runMain(['--config', config, '--out', out]);
    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(
      DEFAULT_WARNINGS.replaceAll('observability.yaml', config) +
        `synth failed, ${out}/ left unchanged:\n` +
        '3 error(s) in the observability configuration:\n' +
        `  ${config}:40:3 [istioinaction/requests-dimensions] dimensions.source_mesh_id: reads unknown attribute "nod" at column 1 (got "nod.metadata['MESH_ID']", expected attributes of Istio 1.17: connection, destination, downstream_peer, filter_state, metadata, node, request, response, source, upstream, upstream_peer; or one generated in this app: istio_operationId); hint: did you mean node?\n` +
        `  ${config}:48:5 [istioinaction/requests-operation] metric: got "request_duration_milliseconds_count", expected a standard metric base name (requests_total, request_duration_milliseconds, request_bytes, response_bytes, request_messages_total, response_messages_total, tcp_connections_opened_total, tcp_connections_closed_total, tcp_sent_bytes_total, tcp_received_bytes_total); use the base name "request_duration_milliseconds" (istio/istio#27764)\n` +
        `  ${config}:65:52 [istioinaction/webapp-sampling] percentage: Istio reads a ProxyConfig sampling of 0 as unset and falls back to the default (1%) (got 0, expected a percentage above 0); hint: to trace nothing use the Telemetry API (the mesh tracing mechanism "telemetry-api"), whose randomSamplingPercentage takes 0\n`,
    );
    expect(readTree(out)).toEqual({
      [OUTPUT_MARKER]: outputMarker(['previous.k8s.yaml']),
      'previous.k8s.yaml': 'kind: Previous\n',
    });
  });

  it('refuses a target it does not implement, pointing at istioVersion', () => {
    const dir = tempDir();
    const config = join(dir, 'unsupported.yaml');
    writeFileSync(config, `istioVersion: "${UNSUPPORTED}"\nnamespace: shop\n`);
    const out = join(dir, 'dist');
    const run = runMain(['--config', config, '--out', out]);
    expect(run.status).toBe(1);
    expect(run.stderr).toBe(
      `synth failed, ${out}/ left unchanged:\n` +
        '1 error(s) in the observability configuration:\n' +
        `  ${config}:1:1 [mesh/mesh] istioVersion: Istio ${UNSUPPORTED} has no row in the version policy, so no other release's mechanisms are emitted for it ` +
        `(got "${UNSUPPORTED}", expected a target this library implements, ${RANGE})\n`,
    );
    expect(readdirSync(dir)).toEqual(['unsupported.yaml']);
  });

  it('explains its arguments', () => {
    const run = runMain(['--cofnig', 'x.yaml']);
    expect(run.status).toBe(2);
    expect(run.stderr).toBe(`Unknown option '--cofnig'\n${SYNTH_USAGE}\n`);
  });

  it('prints the findings as a SARIF log with --format sarif, and still refuses to write on an error', () => {
    const config = join(tempDir(), 'bad.yaml');
    writeFileSync(
      config,
      'istioVersion: "1.30"\nnamespace: shop\ntraceSampling:\n  s: { target: mesh, percentage: 101 }\n',
    );
    const out = join(tempDir(), 'out');
    const run = runMain(['--config', config, '--out', out, '--format', 'sarif']);
    expect(run.status).toBe(1);
    expect(existsSync(out)).toBe(false);
    const results = JSON.parse(run.stdout).runs[0].results;
    expect(results).toEqual([
      {
        ruleId: 'config',
        ruleIndex: 0,
        level: 'error',
        message: { text: 'traceSampling.s.percentage: must be <= 100 (got 101)' },
        locations: [
          {
            physicalLocation: {
              artifactLocation: { uri: `file://${config}` },
              region: { startLine: 4, startColumn: 22 },
            },
            logicalLocations: [{ fullyQualifiedName: '(config)', kind: 'resource' }],
          },
        ],
        properties: { field: 'traceSampling.s.percentage' },
      },
    ]);
  });
});

describe('synthAtomically', () => {
  it('replaces the whole folder on success, dropping files the new synth does not write', async () => {
    const out = join(tempDir(), 'dist');
    execFileSync('mkdir', ['-p', out]);
    writeFileSync(join(out, 'stale.k8s.yaml'), 'kind: Stale\n');
    writeFileSync(join(out, OUTPUT_MARKER), outputMarker(['stale.k8s.yaml']));
    await synthAtomically(out, defaultStack);
    expect(Object.keys(readTree(out))).toEqual(CHART_FILES);
  });

  it('leaves the folder and its parent untouched when validation fails', async () => {
    const parent = tempDir();
    const out = join(parent, 'dist');
    await synthAtomically(out, defaultStack);
    const before = readTree(out);
    const failing = synthAtomically(out, (app) => {
      const stack = defaultStack(app);
      stack.node.addValidation({ validate: () => ['a problem found at synth'] });
    });
    await expect(failing).rejects.toThrow(ValidationFailedError);
    await expect(failing).rejects.toThrow(
      '1 error(s) in the observability configuration:\n  [default] a problem found at synth',
    );
    expect(readTree(out)).toEqual(before);
    expect(readdirSync(parent)).toEqual(['dist']);
  });

  it('creates the folder, and its parents, when they do not exist yet', async () => {
    const out = join(tempDir(), 'deep', 'fresh');
    const report = await synthAtomically(out, defaultStack);
    expect(Object.keys(readTree(out))).toEqual(CHART_FILES);
    expect(report.warnings.map((w) => w.rule)).toEqual([
      'kiali-labels',
      'deprecated-mechanism',
      'restart-required',
      'restart-required',
      'backend-caveats',
    ]);
  });

  it('skips the rules when asked (validate: false), still writing the same output', async () => {
    const checked = join(tempDir(), 'checked');
    const unchecked = join(tempDir(), 'unchecked');
    await synthAtomically(checked, defaultStack);
    const report = await synthAtomically(unchecked, defaultStack, { validate: false });
    expect(report.warnings).toEqual([]);
    expect(readTree(unchecked)).toEqual(readTree(checked));
  });
});
