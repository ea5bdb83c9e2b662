import { Chart, Testing } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { validateApp } from '../app/validate/app-validator';
import { EnvoyStatsMonitor, type PodRelabeling } from '../constructs/backends/envoy-stats-monitor';
import { Jaeger } from '../constructs/backends/jaeger';
import { JaegerStorage } from '../constructs/backends/jaeger-storage';
import { KialiInstance } from '../constructs/backends/kiali-instance';
import { ObservabilityBackends } from '../constructs/backends/observability-backends';
import { kubePrometheusStackFullname, PrometheusInstance } from '../constructs/backends/prometheus-instance';
import { PrometheusScrapeConfig } from '../constructs/backends/prometheus-scrape-config';
import { IstioMesh } from '../constructs/mesh/istio-mesh';
import { Kiali } from '../constructs/overlays/kiali';
import { ProxyTarget } from '../constructs/proxy-config/proxy-target';
import { StatsInclusion } from '../constructs/stats/stats-inclusion';
import { ZipkinTracer } from '../constructs/tracing/zipkin-tracer';
import { formatFinding } from '../core/problems/finding';
import { testApp } from './support/app';
import { demoFixture } from './support/fixtures';
import { refusalOf } from './support/refusals';

type Obj = Record<string, unknown>;

/** The value at a path such as `spec.template.spec.containers[0].env` of synthesized JSON. */
function at(value: unknown, path: string): unknown {
  const keys = [...path.matchAll(/\[(\d+)\]|\["([^"]*)"\]|([^.[\]]+)/g)].map(([, index, quoted, name]) =>
    index !== undefined ? Number(index) : (quoted ?? name ?? ''),
  );
  return keys.reduce<unknown>(
    (node, key) =>
      node === null || typeof node !== 'object' ? undefined : (node as Record<string | number, unknown>)[key],
    value,
  );
}

/** A mesh for `istioVersion` and an empty chart for backends (objects name their own namespaces). */
function backendsFixture(istioVersion = '1.17') {
  const app = testApp();
  const mesh = new IstioMesh(new Chart(app, 'istio-install', { disableResourceNameHashes: true }), 'mesh', {
    istioVersion,
  });
  const chart = new Chart(app, 'backends', { disableResourceNameHashes: true });
  return { app, mesh, chart };
}

function objectsOf(chart: Chart): Obj[] {
  return Testing.synth(chart) as Obj[];
}

function find(objects: Obj[], kind: string, name: string): Obj {
  const found = objects.find((o) => o.kind === kind && at(o, 'metadata.name') === name);
  if (!found) throw new Error(`no ${kind}/${name} in ${objects.map((o) => `${o.kind}/${at(o, 'metadata.name')}`)}`);
  return found;
}

async function findingsOf(app: ReturnType<typeof Testing.app>, rule: string): Promise<string[]> {
  return (await validateApp(app)).filter((f) => f.rule === rule).map((f) => `${f.severity}: ${formatFinding(f)}`);
}

const BOOK_PROMETHEUS = PrometheusInstance.kubePrometheusStack();

describe('PrometheusInstance', () => {
  it("names kube-prometheus-stack's Prometheus Service the way the chart's fullname helper does", () => {
    expect(kubePrometheusStackFullname('prom')).toBe('prom-kube-prometheus-stack');
    expect(kubePrometheusStackFullname('kube-prometheus-stack')).toBe('kube-prometheus-stack');
    expect(kubePrometheusStackFullname('monitoring')).toBe('monitoring-kube-prometheus');
    // Truncated to 26 characters, then one trailing "-" trimmed.
    expect(kubePrometheusStackFullname('observability')).toBe('observability-kube-prometh');
    expect(kubePrometheusStackFullname('abcdefghijklmn')).toBe('abcdefghijklmn-kube-promet');
    expect(kubePrometheusStackFullname('abcdefghijklmnopqrst')).toBe('abcdefghijklmnopqrst-kube');
    expect(BOOK_PROMETHEUS.url).toBe('http://prom-kube-prometheus-stack-prometheus.prometheus:9090');
    expect(PrometheusInstance.kubePrometheusStack({ release: 'kps', namespace: 'monitoring' }).url).toBe(
      'http://kps-kube-prometheus-stack-prometheus.monitoring:9090',
    );
  });

  it('is checked once by the composition, every problem at once', () => {
    const { mesh, chart } = backendsFixture();
    expect(
      refusalOf(
        () =>
          new ObservabilityBackends(chart, 'backends', {
            mesh,
            prometheus: PrometheusInstance.kubePrometheusStack({
              release: 'Prom',
              namespace: 'mon_itoring',
              url: 'prom:9090',
            }),
          }),
      ),
    ).toContain(
      '[backends/backends] prometheus.namespace: got "mon_itoring", expected a namespace name (RFC 1123 label)\n' +
        '[backends/backends] prometheus.release: got "Prom", expected a Helm release name (lowercase RFC 1123 label, at most 53 characters)\n' +
        '[backends/backends] prometheus.url: got "prom:9090", expected an http:// or https:// URL',
    );
  });
});

describe('EnvoyStatsMonitor', () => {
  const relabelingOf = (version: string, relabeling?: PodRelabeling) => {
    const { mesh, chart } = backendsFixture(version);
    new EnvoyStatsMonitor(chart, 'monitor', { mesh, prometheus: BOOK_PROMETHEUS, relabeling });
    const monitor = find(objectsOf(chart), 'PodMonitor', 'envoy-stats-monitor');
    return (at(monitor, 'spec.podMetricsEndpoints[0].relabelings') as Obj[]).map((r) => r.targetLabel).filter(Boolean);
  };

  // istio/istio samples/addons/extras/prometheus-operator.yaml: @1.17.8 rewrites the address (the
  // book's), @1.18.7 builds it from the pod IP (IPv6 and IPv4 rules), @1.25.5 labels `pod`.
  it("uses the relabelings of the target release's add-on, or the book's or a dual-stack one when told", () => {
    expect(relabelingOf('1.17')).toEqual(['__address__', 'namespace', 'pod_name']);
    expect(relabelingOf('1.18')).toEqual(['__address__', '__address__', 'namespace', 'pod_name']);
    expect(relabelingOf('1.24')).toEqual(['__address__', '__address__', 'namespace', 'pod_name']);
    expect(relabelingOf('1.25')).toEqual(['__address__', '__address__', 'namespace', 'pod']);
    expect(relabelingOf('1.30')).toEqual(['__address__', '__address__', 'namespace', 'pod']);
    expect(relabelingOf('1.30', 'book')).toEqual(['__address__', 'namespace', 'pod_name']);
    expect(relabelingOf('1.17', 'dual-stack')).toEqual(['__address__', '__address__', 'namespace', 'pod_name']);
  });

  it('refuses an unknown relabeling and a bad interval', () => {
    const { mesh, chart } = backendsFixture();
    expect(
      refusalOf(
        () =>
          new EnvoyStatsMonitor(chart, 'monitor', {
            mesh,
            prometheus: BOOK_PROMETHEUS,
            relabeling: 'ipv6' as PodRelabeling,
            interval: '15 s',
          }),
      ),
    ).toContain(
      '[backends/monitor] interval: got "15 s", expected a Prometheus duration such as "15s" or "1m30s"\n' +
        '[backends/monitor] relabeling: got "ipv6", expected one of book, dual-stack',
    );
  });
});

describe('PrometheusScrapeConfig', () => {
  const scrapeJob = (objects: Obj[]) => {
    const text = String(at(find(objects, 'ConfigMap', 'prom-config'), 'data["prometheus.yml"]'));
    return at(parseYaml(text), 'scrape_configs[0]') as Obj;
  };

  it('spares the clusters a stats inclusion asks for from the pruning, and says which inclusions it cannot spare', async () => {
    const { app, mesh, chart } = demoFixture();
    new StatsInclusion(chart, 'stats', {
      mesh,
      target: ProxyTarget.mesh(),
      inclusionPrefixes: ['cluster.outbound|80||catalog.istioinaction', 'listener.0.0.0.0_15001'],
      inclusionSuffixes: ['upstream_rq_retry'],
    });
    new PrometheusScrapeConfig(chart, 'scrape', { mesh, name: 'prom-config' });
    expect((scrapeJob(objectsOf(chart)).metric_relabel_configs as Obj[]).slice(0, 2)).toEqual([
      {
        source_labels: ['cluster_name'],
        action: 'replace',
        regex: 'outbound\\|80\\|\\|catalog\\.istioinaction.*',
        replacement: 'true',
        target_label: '__tmp_istio_stats_inclusion',
      },
      {
        source_labels: ['__tmp_istio_stats_inclusion', 'cluster_name'],
        action: 'drop',
        regex: ';(outbound|inbound|prometheus_stats).*',
      },
    ]);
    expect(await findingsOf(app, 'backend-caveats')).toEqual([
      'warning: [istioinaction/scrape] pruneEnvoyStats drops Envoy series labelled cluster_name, tcp_prefix or listener_address of the mesh\'s own traffic; the stats inclusions "listener.0.0.0.0_15001", "upstream_rq_retry" are not cluster-name prefixes, so their series may be dropped (spare them with your own metric_relabel_configs, or set pruneEnvoyStats: false)',
    ]);
  });

  it('keeps every series when pruning is off', () => {
    const { mesh, chart } = demoFixture();
    new PrometheusScrapeConfig(chart, 'scrape', { mesh, name: 'prom-config', pruneEnvoyStats: false });
    expect(scrapeJob(objectsOf(chart))).not.toHaveProperty('metric_relabel_configs');
  });
});

describe('Jaeger', () => {
  // istio/istio@1.28.10 and @1.29.6:samples/addons/jaeger.yaml: all-in-one:1.70.0, then jaeger:2.14.0.
  it('runs the v1 all-in-one with environment settings up to 1.28, and Jaeger v2 with a config file from 1.29', () => {
    const v1 = backendsFixture('1.28');
    const j1 = new Jaeger(v1.chart, 'jaeger', { mesh: v1.mesh, storage: JaegerStorage.memory() });
    const d1 = at(find(objectsOf(v1.chart), 'Deployment', 'jaeger'), 'spec.template.spec.containers[0]');
    expect([j1.generation, at(d1, 'image'), at(d1, 'livenessProbe.httpGet')]).toEqual([
      'v1-all-in-one',
      'docker.io/jaegertracing/all-in-one:1.70.0',
      { path: '/', port: 14269, scheme: 'HTTP' },
    ]);
    expect((at(d1, 'env') as Obj[]).slice(0, 2)).toEqual([
      { name: 'SPAN_STORAGE_TYPE', value: 'memory' },
      { name: 'MEMORY_MAX_TRACES', value: '50000' },
    ]);
    // OTLP on jaeger-collector from istio/istio@1.19.10:samples/addons/jaeger.yaml.
    expect(j1.otlpGrpcAddress).toBe('jaeger-collector.istio-system:4317');
    expect(
      new Jaeger(backendsFixture('1.18').chart, 'jaeger', {
        mesh: backendsFixture('1.18').mesh,
        storage: JaegerStorage.memory(),
      }).otlpGrpcAddress,
    ).toBeUndefined();

    const v2 = backendsFixture('1.29');
    const j2 = new Jaeger(v2.chart, 'jaeger', {
      mesh: v2.mesh,
      storage: JaegerStorage.memory({ maxTraces: 1000 }),
    });
    const objects = objectsOf(v2.chart);
    const pod = at(find(objects, 'Deployment', 'jaeger'), 'spec.template');
    const config = parseYaml(String(at(find(objects, 'ConfigMap', 'jaeger'), 'data["config.yaml"]')));
    expect([
      j2.generation,
      at(pod, 'spec.containers[0].args'),
      at(pod, 'spec.containers[0].readinessProbe.httpGet'),
    ]).toEqual([
      'v2',
      ['--config', '/jaeger-configuration/config.yaml'],
      { path: '/status', port: 13133, scheme: 'HTTP' },
    ]);
    expect(at(config, 'extensions.jaeger_storage.backends.trace_storage')).toEqual({ memstore: { max_traces: 1000 } });
    expect(at(pod, 'metadata.annotations["checksum/config"]')).toMatch(/^[0-9a-f]{64}$/);
    expect((at(find(objects, 'Service', 'jaeger-collector'), 'spec.ports') as Obj[]).map((p) => p.port)).toEqual([
      14268, 14250, 9411, 4317, 4318,
    ]);
    expect(j2.otlpGrpcAddress).toBe('jaeger-collector.istio-system:4317');
  });

  it('keeps badger on a claim with a Recreate rollout, so two pods never open the store', () => {
    const { mesh, chart } = backendsFixture();
    new Jaeger(chart, 'jaeger', { mesh, storage: JaegerStorage.badgerOnClaim('jaeger-data') });
    const deployment = find(objectsOf(chart), 'Deployment', 'jaeger');
    expect(at(deployment, 'spec.strategy')).toEqual({ type: 'Recreate' });
    expect(at(deployment, 'spec.template.spec.volumes')).toEqual([
      { emptyDir: { sizeLimit: '256Mi' }, name: 'tmp' },
      { name: 'data', persistentVolumeClaim: { claimName: 'jaeger-data', readOnly: false } },
    ]);
  });

  it('tells the generation from an overriding image, and refuses what it cannot tell', () => {
    const { mesh, chart } = backendsFixture();
    const mirrored = new Jaeger(chart, 'mirrored', {
      mesh,
      storage: JaegerStorage.memory(),
      image: `registry.example.com/jaegertracing/jaeger:2.14.0@sha256:${'a'.repeat(64)}`,
    });
    expect(mirrored.generation).toBe('v2');
    expect(
      refusalOf(
        () =>
          new Jaeger(chart, 'renamed', {
            mesh,
            storage: JaegerStorage.badgerOnClaim('Jaeger Data'),
            image: 'registry.example.com/tracing:1.35',
          }),
      ),
    ).toContain(
      '[backends/renamed] storage.claimName: got "Jaeger Data", expected a PersistentVolumeClaim name (RFC 1123 subdomain)\n' +
        '[backends/renamed] generation: cannot be told from image "registry.example.com/tracing:1.35" (neither .../all-in-one nor .../jaeger) (got undefined, expected v1-all-in-one or v2); hint: set generation for a mirrored or renamed image',
    );
  });

  it('reports storage that loses traces', async () => {
    const { app, mesh, chart } = backendsFixture();
    new Jaeger(chart, 'memory', { mesh, storage: JaegerStorage.memory(), namespace: 'tracing' });
    new Jaeger(chart, 'claim', {
      mesh,
      storage: JaegerStorage.badgerOnClaim('jaeger-data'),
      namespace: 'tracing2',
    });
    expect(await findingsOf(app, 'backend-caveats')).toEqual([
      'warning: [backends/memory] storage: memory keeps at most 50000 traces in the Jaeger process, and every restart loses them; use badger on a PersistentVolumeClaim to keep traces',
    ]);
  });
});

describe('KialiInstance', () => {
  const kialiOf = (version: string, props: { auth?: 'anonymous' } = {}, withJaeger = true) => {
    const { app, mesh, chart } = backendsFixture(version);
    const jaeger = withJaeger
      ? new Jaeger(chart, 'jaeger', { mesh, storage: JaegerStorage.badgerOnClaim('jaeger-data') })
      : undefined;
    new KialiInstance(chart, 'kiali', { mesh, prometheus: BOOK_PROMETHEUS, jaeger, ...props });
    return { app, spec: at(find(objectsOf(chart), 'Kiali', 'kiali'), 'spec') };
  };

  it("writes Kiali 1's fields up to 1.23 and Kiali 2's from 1.24, with token login", () => {
    expect(kialiOf('1.23').spec).toEqual({
      auth: { strategy: 'token' },
      deployment: { accessible_namespaces: ['**'], view_only_mode: true },
      external_services: {
        prometheus: {
          cache_duration: 10,
          cache_enabled: true,
          cache_expiration: 300,
          url: 'http://prom-kube-prometheus-stack-prometheus.prometheus:9090',
        },
        tracing: { enabled: true, in_cluster_url: 'http://tracing.istio-system:16685/jaeger', use_grpc: true },
      },
      istio_namespace: 'istio-system',
    });
    const v2 = kialiOf('1.24').spec;
    expect([at(v2, 'deployment'), at(v2, 'external_services.tracing')]).toEqual([
      { cluster_wide_access: true, view_only_mode: true },
      { enabled: true, internal_url: 'http://tracing.istio-system:16685/jaeger', provider: 'jaeger', use_grpc: true },
    ]);
    expect(at(kialiOf('1.24', {}, false).spec, 'external_services.tracing')).toEqual({ enabled: false });
  });

  it('lets anyone in only when asked, and says what that means', async () => {
    const { app, spec } = kialiOf('1.17', { auth: 'anonymous' });
    expect(at(spec, 'auth')).toEqual({ strategy: 'anonymous' });
    expect(await findingsOf(app, 'backend-caveats')).toEqual([
      'warning: [backends/kiali] auth: anonymous lets anyone who can reach Kiali act with its service account (read the mesh, change Istio config); use token or openid outside a local lab',
    ]);
  });

  it("checks a hand-written Kiali CR against our schema and the target's Kiali", async () => {
    const { app, chart } = backendsFixture('1.24');
    new Kiali(chart, 'legacy', {
      metadata: { name: 'legacy', namespace: 'istio-system' },
      spec: {
        istio_component_namespaces: { prometheus: 'prometheus' },
        deployment: { accessible_namespaces: ['**'] },
        external_services: { tracing: { enabled: true, in_cluster_url: 'http://tracing.istio-system:16685/jaeger' } },
      } as never,
    });
    expect([...(await findingsOf(app, 'object-schema')), ...(await findingsOf(app, 'field-availability'))]).toEqual([
      'error: [backends/legacy] spec.istio_component_namespaces: removed from Kiali in 2021 (kiali/kiali#4109), before the Kiali of any supported Istio release; external_services.prometheus.url says where Prometheus is (got {"prometheus":"prometheus"}, expected no spec.istio_component_namespaces) [schemas/kiali.schema.json]',
      'error: [backends/legacy] spec.deployment.accessible_namespaces: is past the Kiali 1 CR fields (external_services.tracing.in_cluster_url, deployment.accessible_namespaces) (Istio 1.13 to 1.23; removed in 1.24), and the target is Istio 1.24 (got ["**"])',
      'error: [backends/legacy] spec.external_services.tracing.in_cluster_url: is past the Kiali 1 CR fields (external_services.tracing.in_cluster_url, deployment.accessible_namespaces) (Istio 1.13 to 1.23; removed in 1.24), and the target is Istio 1.24 (got "http://tracing.istio-system:16685/jaeger")',
    ]);
  });
});

describe('the tracing-backend-address rule', () => {
  it('warns about a tracer that sends spans past the generated Jaeger, and accepts every form of its addresses', async () => {
    const { app, mesh, chart, webapp, catalog } = demoFixture();
    new Jaeger(chart, 'jaeger', { mesh, storage: JaegerStorage.memory(), namespace: 'istio-system' });
    new ZipkinTracer(chart, 'mesh-zipkin', {
      mesh,
      target: ProxyTarget.mesh(),
      address: 'zipkin.istio-system.svc.cluster.local:9411',
    });
    new ZipkinTracer(chart, 'webapp-zipkin', { mesh, target: ProxyTarget.workload(webapp), address: 'zipkin:9411' });
    if (catalog) {
      new ZipkinTracer(chart, 'catalog-zipkin', {
        mesh,
        target: ProxyTarget.workload(catalog),
        address: 'jaeger-collector.istio-system:9411',
      });
    }
    expect(await findingsOf(app, 'tracing-backend-address')).toEqual([
      'warning: [istioinaction/app/webapp/Deployment/Resource] spec.template.metadata.annotations["proxy.istio.io/config"].tracing.zipkin.address: got "zipkin:9411", expected a receiving Service of the generated Jaeger (jaeger-collector.istio-system:9411, zipkin.istio-system:9411); spans sent here do not reach it. Leave the tracer\'s address out to use the Jaeger\'s',
    ]);
  });
});
