// Input the API server would refuse is refused at synth, with the size found; two pieces of one
// namespace may not share a key.
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigFile, ObservabilityStack } from '../app/config';
import { formatFinding, validateApp } from '../app/validate';
import { synthConfigFile } from '../cli/synth';
import { testApp } from './support/app';

async function findings(text: string, severity: 'error' | 'warning'): Promise<string[]> {
  const file = ConfigFile.parse('obs.yaml', text);
  const app = testApp();
  new ObservabilityStack(app, 'default', { config: file.config, locate: (path) => file.locate(path) });
  return (await validateApp(app)).filter((f) => f.severity === severity).map(formatFinding);
}
const buildErrors = (text: string) => findings(text, 'error');

describe('limits of the API server', () => {
  it('refuses pod annotations over 256 KiB in total, naming the size', async () => {
    const literal = 'x'.repeat(300 * 1024);
    const text = [
      'istioVersion: "1.17"',
      'namespace: istioinaction',
      'demoApp: { gateway: false, httpbinEgress: false }',
      'customTraceTags:',
      `  big: { target: { workload: webapp }, tags: { huge: { literal: ${literal} } } }`,
      '',
    ].join('\n');
    expect(await buildErrors(text)).toEqual([
      'obs.yaml:3:1 [istioinaction/app/webapp/Deployment/Resource] spec.template.metadata.annotations: is larger than the API server accepts (got "307285 bytes", expected at most 262144 bytes of annotation keys and values)',
    ]);
  });
});

describe('keys of a namespace', () => {
  it('name one piece across sections: the second is refused at its key, and the first is built', async () => {
    const text = [
      'istioVersion: "1.28"',
      'namespace: shop',
      'workloads:',
      '  cart: { selector: { app: cart } }',
      'statsInclusion:',
      '  cart: { target: { workload: cart }, inclusionSuffixes: [upstream_rq_timeout] }',
      'traceSampling:',
      '  cart: { target: { workload: cart }, percentage: 20 }',
      '',
    ].join('\n');
    expect(await buildErrors(text)).toEqual([
      'obs.yaml:8:3 [shop/cart] traceSampling.cart: is the id of statsInclusion.cart too; a key names one piece across the sections of a namespace; hint: rename one of them',
    ]);
  });
});

describe('messages name the field as the config spells it', () => {
  it('pilotTraceSampling, not the construct prop percentage', async () => {
    expect(await buildErrors('istioVersion: "1.17"\nnamespace: shop\npilotTraceSampling: 0\n')).toEqual([
      'obs.yaml:3:1 [shop/pilot-sampling] pilotTraceSampling: Istio reads a ProxyConfig sampling of 0 as unset and falls back to the default (1%) (got 0, expected a percentage above 0); hint: to trace nothing use the Telemetry API (the mesh tracing mechanism "telemetry-api"), whose randomSamplingPercentage takes 0',
    ]);
  });
});

describe('secrets in URLs', () => {
  it("warns when Kiali's Prometheus URL carries credentials, which the Kiali CR would store in plain text", async () => {
    const text = [
      'istioVersion: "1.28"',
      'namespace: shop',
      'backends:',
      '  prometheus: { url: "https://admin:s3cret@prometheus.example.com" }',
      '',
    ].join('\n');
    expect((await findings(text, 'warning')).filter((w) => w.includes('credentials'))).toEqual([
      'obs.yaml:3:1 [observability-backends/backends/kiali] prometheus.url: carries credentials (user:password@), which the Kiali CR stores in plain text for anyone who can read it; give Kiali the credentials through external_services.prometheus.auth with a secret reference instead',
    ]);
  });
});

describe('every problem in one run', () => {
  it("reports the rest of the file's problems beside the schema's, and writes nothing", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stages-'));
    const config = join(dir, 'obs.yaml');
    writeFileSync(
      config,
      [
        'istioVersion: "1.17"',
        'namespace: istioinaction',
        'demoApp: {}',
        'traceSampling:',
        '  too-much: { target: mesh, percentage: 101 }',
        'metricDimensions:',
        '  dims: { metric: request_count, dimensions: { x: request.host } }',
        '',
      ].join('\n'),
    );
    await expect(synthConfigFile(config, join(dir, 'out'))).rejects.toThrow(
      '1 error(s) in the config file:\n' +
        `  ${config}:5:29: traceSampling.too-much.percentage: must be <= 100 (got 101)\n` +
        '1 error(s) in the rest of the observability configuration:\n' +
        `  ${config}:7:11 [istioinaction/dims] metric: got "request_count", expected a standard metric base name (requests_total, request_duration_milliseconds, request_bytes, response_bytes, request_messages_total, response_messages_total, tcp_connections_opened_total, tcp_connections_closed_total, tcp_sent_bytes_total, tcp_received_bytes_total)`,
    );
    expect(readdirSync(dir)).toEqual(['obs.yaml']);
    rmSync(dir, { recursive: true, force: true });
  });

  it('also past a schema error in a backend nothing else depends on', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stages-'));
    const config = join(dir, 'obs.yaml');
    writeFileSync(
      config,
      [
        'istioVersion: "1.30"',
        'namespace: shop',
        'metricDimensions:',
        '  dims: { metric: requests_total, dimensions: { host: request.hostt } }',
        'backends:',
        '  prometheus: { release: kps, namespace: monitoring }',
        '  kiali: { auth: none }',
        '',
      ].join('\n'),
    );
    await expect(synthConfigFile(config, join(dir, 'out'))).rejects.toThrow(
      '1 error(s) in the config file:\n' +
        `  ${config}:7:12: backends.kiali.auth: not an allowed value (got "none", expected one of "token", "openid", "openshift", "header", "anonymous")\n` +
        '1 error(s) in the rest of the observability configuration:\n' +
        `  ${config}:4:3 [shop/dims] dimensions.host: reads request.hostt at column 9, which Istio 1.30 does not have (got "request.hostt", expected a field of request: duration, headers, headers_bytes, host, id, method, path, protocol, query, referer, scheme, size, time, total_size, url_path, useragent); hint: did you mean request.host?`,
    );
    expect(readdirSync(dir)).toEqual(['obs.yaml']);
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('secrets in the GitOps repository URL', () => {
  it('warn: the ApplicationSet would store them in git and in the cluster', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gitops-url-'));
    const config = join(dir, 'obs.yaml');
    writeFileSync(
      config,
      [
        'namespace: shop',
        'clusters:',
        '  prod: { istioVersion: "1.28" }',
        'gitops:',
        '  repoURL: https://bot:ghp_secret@github.com/example/mesh.git',
        '  path: mesh/out',
        '  flux: false',
        '',
      ].join('\n'),
    );
    const report = await synthConfigFile(config, join(dir, 'out'));
    expect(report.warnings.filter((w) => w.rule === 'backend-caveats').map(formatFinding)).toEqual([
      '[gitops/argocd/application-set] repoURL: carries credentials (user:token@), which this ApplicationSet stores in git and in the cluster in plain text; give Argo CD the credentials as a repository Secret instead',
    ]);
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('GitOps without a repository path', () => {
  it('is refused at gitops when the output folder is absolute, instead of an internal error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gitops-path-'));
    const config = join(dir, 'obs.yaml');
    writeFileSync(
      config,
      'namespace: shop\nclusters:\n  prod: { istioVersion: "1.28" }\ngitops:\n  repoURL: https://git.example.com/mesh.git\n',
    );
    const out = join(dir, 'out');
    await expect(synthConfigFile(config, out)).rejects.toThrow(
      `1 error(s) in the config file:\n  ${config}:4:1: gitops.path: is missing, and the output folder ${out} is absolute, not a path in the repository (expected the output folder's path in the git repository, e.g. dist)`,
    );
    expect(readdirSync(dir)).toEqual(['obs.yaml']);
    rmSync(dir, { recursive: true, force: true });
  });
});
