import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Testing } from 'cdk8s';

import { afterAll, describe, expect, it } from 'vitest';
import { runValidate } from '../cli/validate';
import { PrometheusInstance } from '../constructs/backends/prometheus-instance';
import { SecureMetricsScrape } from '../constructs/backends/secure-metrics';
import { AppMetricsEndpoints } from '../constructs/metrics/app-metrics-endpoints';
import { ProxyTarget } from '../constructs/proxy-config/proxy-target';
import { parseScrapeTargets } from '../core/checks/scrape-target-checks';
import { capture } from './support/capture';
import { demoFixture, lintText, podAnnotations } from './support/fixtures';
import { refusalOf } from './support/refusals';

describe('AppMetricsEndpoints', () => {
  it('writes one endpoint as prometheus.io/port and path, which every release reads', () => {
    const { mesh, chart, webapp } = demoFixture({ istioVersion: '1.17' });
    new AppMetricsEndpoints(chart, 'metrics', { mesh, workload: webapp, endpoints: [{ port: 9090 }] });
    expect(podAnnotations(chart, 'webapp')).toEqual({
      'prometheus.io/path': '/metrics',
      'prometheus.io/port': '9090',
      'prometheus.io/scrape': 'true',
    });
  });

  it('writes several as prometheus.istio.io/scrape-targets on 1.31, in the order given', () => {
    const { mesh, chart, webapp } = demoFixture({ istioVersion: '1.31' });
    new AppMetricsEndpoints(chart, 'metrics', {
      mesh,
      workload: webapp,
      endpoints: [{ port: 9090 }, { port: 8081, path: '/admin/metrics' }],
    });
    expect(podAnnotations(chart, 'webapp')).toEqual({
      'prometheus.io/scrape': 'true',
      'prometheus.istio.io/scrape-targets': '9090:/metrics,8081:/admin/metrics',
    });
  });

  it('refuses several before 1.31, and ports and paths the injector would reject, all at once', () => {
    const { mesh, chart, webapp } = demoFixture({ istioVersion: '1.30' });
    expect(
      refusalOf(
        () =>
          new AppMetricsEndpoints(chart, 'metrics', {
            mesh,
            workload: webapp,
            endpoints: [{ port: 15090 }, { port: 15020 }, { port: 70000 }, { port: 8080, path: 'metrics,x' }],
          }),
      ),
    ).toBe(
      [
        '[istioinaction/metrics] endpoints[0].port: is reserved for Istio (Envoy Prometheus (already merged)) (got 15090, expected an application port, not one Istio reserves)',
        '[istioinaction/metrics] endpoints[1].port: is the port the agent serves the merged metrics on (15020), so it would scrape itself (got 15020, expected an application port, not the agent status port)',
        '[istioinaction/metrics] endpoints[2].port: got 70000, expected a container port from 1 to 65535',
        '[istioinaction/metrics] endpoints[3].path: got "metrics,x", expected a URL path starting with "/", without spaces or commas',
        '[istioinaction/metrics] endpoints: needs the prometheus.istio.io/scrape-targets annotation (several merged metrics endpoints) (Istio 1.31 and later), and the target is Istio 1.30 (got [{"port":15090},{"port":15020},{"port":70000},{"port":8080,"path":"metrics,x"}], expected one metrics endpoint (Istio 1.30 merges one per pod)); hint: serve the metrics on one port and path, or target Istio 1.31 or later (source: istio/istio@1.31.0-rc.0:releasenotes/notes/multi-port-scrape-targets.yaml, pkg/kube/inject/webhook.go applyPrometheusMerge)',
      ].join('\n'),
    );
  });

  it('refuses a second set of endpoints for the same pods, naming both', () => {
    const { mesh, chart, webapp } = demoFixture({ istioVersion: '1.31' });
    new AppMetricsEndpoints(chart, 'first', { mesh, workload: webapp, endpoints: [{ port: 9090 }] });
    expect(
      refusalOf(
        () => new AppMetricsEndpoints(chart, 'second', { mesh, workload: webapp, endpoints: [{ port: 9091 }] }),
      ),
    ).toBe(
      '[istioinaction/second] prometheus.io/port of Deployment "webapp" is set to "9090" by istioinaction/first and to "9091" by istioinaction/second; the agent merges one set of application metrics endpoints per pod',
    );
  });
});

describe('parseScrapeTargets, as the 1.31 agent reads the annotation', () => {
  it('trims entries, skips empty ones and defaults the path', () => {
    expect(parseScrapeTargets(' 9090 , 8081:/a:b ,, 7070: ')).toEqual([
      { port: '9090', path: '/metrics' },
      { port: '8081', path: '/a:b' },
      { port: '7070', path: '/metrics' },
    ]);
  });

  it('fails on an entry without a port', () => {
    expect(parseScrapeTargets('9090,:/metrics')).toEqual(new Error('empty port in scrape target ":/metrics"'));
  });
});

describe('SecureMetricsScrape', () => {
  const prometheus = PrometheusInstance.kubePrometheusStack({ release: 'kps', namespace: 'monitoring' });

  it('sets the mesh-wide port, scrapes it through the istio-mtls scrape class, and writes the Prometheus values', () => {
    const { app, mesh, meshChart } = demoFixture({ istioVersion: '1.31', install: 'helm' });
    const secure = new SecureMetricsScrape(meshChart, 'secure', { mesh, prometheus });
    const monitor = Testing.synth(meshChart).find((o: { kind: string }) => o.kind === 'PodMonitor');
    expect(monitor.spec.scrapeClass).toBe('istio-mtls');
    expect(monitor.spec.podMetricsEndpoints[0].scheme).toBe('https');
    expect(monitor.spec.podMetricsEndpoints[0].relabelings.slice(1, 3)).toEqual([
      {
        action: 'keep',
        regex: 'true',
        sourceLabels: ['__meta_kubernetes_pod_annotationpresent_prometheus_istio_io_secure_port'],
      },
      {
        action: 'replace',
        regex: '(\\d+);(([A-Fa-f0-9]{1,4}::?){1,7}[A-Fa-f0-9]{1,4})',
        replacement: '[$2]:$1',
        sourceLabels: ['__meta_kubernetes_pod_annotation_prometheus_istio_io_secure_port', '__meta_kubernetes_pod_ip'],
        targetLabel: '__address__',
      },
    ]);
    expect(mesh.install.helmValues().meshConfig).toMatchObject({
      defaultConfig: { proxyMetadata: { ENVOY_SECURE_MERGED_METRICS_PORT: '15092' } },
    });
    expect(secure.prometheusValues.file).toBe('install/kube-prometheus-stack-values.yaml');
    expect(secure.prometheusValues.values()).toMatchObject({
      prometheus: {
        prometheusSpec: {
          scrapeClasses: [
            {
              name: 'istio-mtls',
              tlsConfig: {
                caFile: '/etc/istio-certs/root-cert.pem',
                certFile: '/etc/istio-certs/cert-chain.pem',
                keyFile: '/etc/istio-certs/key.pem',
                insecureSkipVerify: true,
              },
            },
          ],
          podMetadata: { labels: { 'sidecar.istio.io/inject': 'true' } },
        },
      },
    });
    expect(app).toBeDefined();
  });

  // The injector sets the env and the secure-port annotation only when it creates a pod
  // (istio/istio@1.31.0-rc.0:pkg/kube/inject/webhook.go lines 886-913).
  it('warns that running pods need a restart to get the port, and REPORT.md says when it applies', async () => {
    const values = [
      'meshConfig:',
      '  defaultConfig:',
      '    proxyMetadata:',
      '      ENVOY_SECURE_MERGED_METRICS_PORT: "15092"',
      '',
    ].join('\n');
    expect(await lintText(values, '1.31', { name: 'istiod-values.yaml', rule: 'restart-required' })).toEqual([
      "3: warning: [IstiodHelmValues/-/-] meshConfig.defaultConfig.proxyMetadata.{ENVOY_SECURE_MERGED_METRICS_PORT}: is applied by the sidecar injector when it creates a pod, which also sets the pod's prometheus.istio.io/secure-port annotation (istio/istio@1.31.0-rc.0:pkg/kube/inject/webhook.go lines 886-913): running pods keep serving metrics without mTLS; hint: after installing it, restart the meshed workloads (kubectl rollout restart) so their pods are injected again (restart-required)",
    ]);
    const report = readFileSync(join(__dirname, '..', 'examples', 'shop', 'REPORT.md'), 'utf8');
    expect(report).toContain('| secure metrics | mTLS port 15092, set when a pod is injected |');
  });

  it('is refused before 1.31, on a reserved port and for a namespace', () => {
    const { mesh, meshChart } = demoFixture({ istioVersion: '1.30' });
    expect(
      refusalOf(
        () =>
          new SecureMetricsScrape(meshChart, 'secure', {
            mesh,
            prometheus,
            port: 15021,
            target: ProxyTarget.namespace('shop'),
          }),
      ),
    ).toBe(
      [
        '[istio-install/secure] port: needs mTLS-protected metrics ports (ENVOY_SECURE_MERGED_METRICS_PORT) (Istio 1.31 and later), and the target is Istio 1.30 (got 15021, expected a setting Istio 1.30 has); hint: scrape the plain-text metrics (the envoy-stats PodMonitor), or target Istio 1.31 or later (source: istio/istio@1.31.0-rc.0:releasenotes/notes/secure-metrics-port.yaml, tools/packaging/common/envoy_bootstrap.json)',
        '[istio-install/secure] port: is reserved for Istio (Envoy health) (got 15021, expected an application port, not one Istio reserves)',
        '[istio-install/secure] target: the port is a ProxyConfig setting, which has no namespace level (got "namespace \\"shop\\"", expected the mesh or a workload)',
      ].join('\n'),
    );
  });
});

describe('the metrics-merge rule on hand-written pods', () => {
  const dir = mkdtempSync(join(tmpdir(), 'metrics-merge-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const pod = (name: string, annotations: Record<string, string>) => {
    const path = join(dir, `${name}.yaml`);
    writeFileSync(
      path,
      [
        'apiVersion: apps/v1',
        'kind: Deployment',
        `metadata: { name: ${name}, namespace: shop }`,
        'spec:',
        `  selector: { matchLabels: { app: ${name} } }`,
        '  template:',
        '    metadata:',
        `      labels: { app: ${name} }`,
        `      annotations: ${JSON.stringify(annotations)}`,
        `    spec: { containers: [{ name: app, image: "example/${name}:1" }] }`,
        '',
      ].join('\n'),
    );
    return path;
  };
  const lint = async (version: string, path: string) =>
    (await capture(runValidate, ['--istio-version', version, path])).stdout
      .split('\n')
      .filter((line) => /: (error|warning): /.test(line))
      .map((line) => line.slice(line.indexOf(': ') + 2));

  it('reports what the 1.31 injector rejects or ignores', async () => {
    const bad = pod('bad', { 'prometheus.istio.io/scrape-targets': '9090:/metrics, 15000:/stats, x' });
    const noPort = pod('noport', { 'prometheus.istio.io/scrape-targets': '9090,:/metrics' });
    const legacy = pod('legacy', { 'prometheus.io/port': '15090' });
    const injected = pod('injected', { 'prometheus.io/port': '15020', 'prometheus.io/path': '/stats/prometheus' });
    const off = pod('scrape-off', { 'prometheus.io/scrape': 'false', 'prometheus.istio.io/scrape-targets': '15000' });
    expect(await lint('1.31', bad)).toEqual([
      'error: [Deployment/shop/bad] spec.template.metadata.annotations["prometheus.istio.io/scrape-targets"]: is not a port; the injector rejects the pod (got "x", expected a container port from 1 to 65535) (metrics-merge)',
      'error: [Deployment/shop/bad] spec.template.metadata.annotations["prometheus.istio.io/scrape-targets"]: is reserved for Istio (Envoy admin); the injector rejects the pod (got "15000", expected an application port, not one Istio reserves) (metrics-merge)',
    ]);
    expect(await lint('1.31', noPort)).toEqual([
      'error: [Deployment/shop/noport] spec.template.metadata.annotations["prometheus.istio.io/scrape-targets"]: has an entry without a port (empty port in scrape target ":/metrics"), so the injector ignores the whole annotation (got "9090,:/metrics", expected `port:path` entries separated by commas) (metrics-merge)',
    ]);
    expect(await lint('1.31', legacy)).toEqual([
      'error: [Deployment/shop/legacy] spec.template.metadata.annotations["prometheus.io/port"]: is reserved for Istio (Envoy Prometheus (already merged)); the injector rejects the pod (got "15090", expected an application port, not one Istio reserves) (metrics-merge)',
    ]);
    expect(await lint('1.31', injected)).toEqual([]);
    expect(await lint('1.31', off)).toEqual([]);
  });

  it('warns that releases before 1.31 ignore scrape-targets', async () => {
    const path = pod('early', { 'prometheus.istio.io/scrape-targets': '9090,9091' });
    expect(await lint('1.30', path)).toEqual([
      'warning: [Deployment/shop/early] spec.template.metadata.annotations["prometheus.istio.io/scrape-targets"]: is not read by Istio 1.30, which merges only the endpoint of prometheus.io/port and prometheus.io/path (the annotation arrived in Istio 1.31); hint: declare one endpoint with prometheus.io/port and prometheus.io/path, or target Istio 1.31 or later (metrics-merge)',
    ]);
    expect(readFileSync(path, 'utf8')).toContain('scrape-targets');
  });
});
