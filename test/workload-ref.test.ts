// Workloads deployed elsewhere: declared in the config (workloads:) or referenced in TypeScript
// (WorkloadRef), targeted by name, selected by their own labels, patched through a kustomize
// Component; and the mesh config in the form each install method reads.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Chart } from 'cdk8s';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { synthAtomically } from '../app';
import { ConfigFile, ObservabilityStack } from '../app/config';
import { formatFinding, validateApp } from '../app/validate';
import { synthConfigFile } from '../cli/synth';
import { IstioMesh, ProxyTarget, StatsInclusion, TraceSampling, WorkloadKind, WorkloadRef } from '../constructs';
import { testApp } from './support/app';
import { readTree } from './support/synth';

const ROOT = join(__dirname, '..');
const scratch = mkdtempSync(join(tmpdir(), 'workload-ref-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
let counter = 0;

/** Builds `text` into an app and returns every error finding, formatted. */
async function buildErrors(text: string): Promise<string[]> {
  const file = ConfigFile.parse('obs.yaml', text);
  const app = testApp();
  new ObservabilityStack(app, 'default', { config: file.config, locate: (path) => file.locate(path) });
  return (await validateApp(app)).filter((f) => f.severity === 'error').map(formatFinding);
}

/** Synthesizes config `text` the way `synth` does and returns the written files. */
async function synthText(text: string): Promise<Record<string, string>> {
  const dir = join(scratch, `case-${counter++}`);
  mkdirSync(dir);
  writeFileSync(join(dir, 'observability.yaml'), text);
  await synthConfigFile(join(dir, 'observability.yaml'), join(dir, 'out'));
  return readTree(join(dir, 'out'));
}

const objects = (text: string | undefined) => parseAllDocuments(text ?? '').map((d) => d.toJS());

const SHOP = [
  'istioVersion: "1.28"',
  'namespace: shop',
  'workloads:',
  '  cart: { selector: { app: cart } }',
  '  payments: { namespace: payments, selector: { app: payments, tier: backend }, kind: StatefulSet }',
  '',
].join('\n');

describe('declared workloads (workloads:)', () => {
  it('select their own labels, live in their namespace, and get pod-level settings as a kustomize patch', async () => {
    const files = await synthText(
      `${SHOP}statsInclusion:\n  stats: { target: { workload: payments }, inclusionSuffixes: [upstream_rq_timeout] }\n` +
        'traceSampling:\n  sampling: { target: { workload: payments }, percentage: 100 }\n',
    );
    expect(Object.keys(files)).toEqual([
      '.cdk8s-istio-observability.json',
      'REPORT.md',
      'kustomization.yaml',
      'patches/kustomization.yaml',
      'patches/payments-statefulset-payments.yaml',
      'payments.k8s.yaml',
    ]);
    expect(objects(files['payments.k8s.yaml'])).toEqual([
      {
        apiVersion: 'telemetry.istio.io/v1',
        kind: 'Telemetry',
        metadata: { name: 'payments', namespace: 'payments' },
        spec: {
          selector: { matchLabels: { app: 'payments', tier: 'backend' } },
          tracing: [{ randomSamplingPercentage: 100 }],
        },
      },
    ]);
    expect(parse(files['patches/payments-statefulset-payments.yaml'] ?? '')).toEqual({
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'payments', namespace: 'payments' },
      spec: {
        template: {
          metadata: {
            annotations: {
              'proxy.istio.io/config': 'proxyStatsMatcher:\n  inclusionSuffixes:\n    - upstream_rq_timeout\n',
            },
          },
        },
      },
    });
    expect(files['kustomization.yaml']).toBe(
      [
        '# Generated: what is applied to the cluster from this folder (kubectl apply -k, Argo CD, Flux).',
        '# Installer inputs (install/) and the patch Component for workloads deployed elsewhere (patches/)',
        '# are not cluster objects of this folder and are not listed.',
        'apiVersion: kustomize.config.k8s.io/v1beta1',
        'kind: Kustomization',
        'resources:',
        '  - payments.k8s.yaml',
        '',
      ].join('\n'),
    );
  });

  it('patch the workload where its team deploys it: kubectl kustomize with the Component sets only the annotation', async () => {
    const dir = join(scratch, 'overlay');
    const out = join(dir, 'out');
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, 'observability.yaml'),
      `${SHOP}statsInclusion:\n  p: { target: { workload: payments }, inclusionSuffixes: [upstream_rq_timeout] }\n`,
    );
    await synthConfigFile(join(dir, 'observability.yaml'), out);
    // The payments team's own kustomization, which includes our Component.
    const team = join(dir, 'team');
    mkdirSync(team);
    writeFileSync(
      join(team, 'statefulset.yaml'),
      [
        'apiVersion: apps/v1',
        'kind: StatefulSet',
        'metadata: { name: payments, namespace: payments }',
        'spec:',
        '  serviceName: payments',
        '  selector: { matchLabels: { app: payments, tier: backend } }',
        '  template:',
        '    metadata:',
        '      labels: { app: payments, tier: backend }',
        '      annotations: { team.example/owner: payments }',
        '    spec: { containers: [{ name: payments, image: shop/payments:2.1 }] }',
        '',
      ].join('\n'),
    );
    writeFileSync(join(team, 'kustomization.yaml'), 'resources: [statefulset.yaml]\ncomponents: [../out/patches]\n');
    const built = parse(execFileSync('kubectl', ['kustomize', team], { encoding: 'utf8' }));
    expect(built.spec.template.metadata.annotations).toEqual({
      'proxy.istio.io/config': 'proxyStatsMatcher:\n  inclusionSuffixes:\n    - upstream_rq_timeout\n',
      'team.example/owner': 'payments',
    });
    expect(built.spec.template.spec).toEqual({ containers: [{ name: 'payments', image: 'shop/payments:2.1' }] });
    // The output folder alone builds too, without the Component.
    expect(execFileSync('kubectl', ['kustomize', out], { encoding: 'utf8' })).toBe('');
  });

  it('refuses a target naming an undeclared workload, with the declared ones and the nearest', async () => {
    expect(await buildErrors(`${SHOP}traceSampling:\n  s: { target: { workload: paymnts }, percentage: 5 }\n`)).toEqual(
      [
        'obs.yaml:7:8 [shop/s] target: is not a declared workload (got "paymnts", expected a workload declared under workloads: cart, payments); hint: did you mean "payments"?',
      ],
    );
  });

  it('refuses an empty selector and two workloads of one namespace with the same selector', async () => {
    const text = [
      'istioVersion: "1.28"',
      'namespace: shop',
      'workloads:',
      '  cart: { selector: { app: cart } }',
      '  basket: { selector: { app: cart } }',
      '  empty: { selector: {} }',
      '',
    ].join('\n');
    expect(await buildErrors(text)).toEqual([
      'obs.yaml:4:11 [shop/workloads/cart] selector: selects the same pods as workload "basket": a Telemetry or patch for one would apply to both (got {"app":"cart"}, expected a selector no other workload of namespace "shop" has); hint: add the label that tells them apart, e.g. app',
      'obs.yaml:6:12 [shop/workloads/empty] selector: is empty: a Telemetry or WasmPlugin with an empty selector applies to every pod of the namespace (got {}, expected at least one pod label, e.g. { app: cart })',
    ]);
  });

  it('refuses a declaration of a demo workload whose selector does not match the pods the app builds', async () => {
    const text = [
      'istioVersion: "1.28"',
      'namespace: istioinaction',
      'demoApp: { gateway: false, httpbinEgress: false }',
      'workloads:',
      '  webapp: { selector: { app: web } }',
      '',
    ].join('\n');
    expect(await buildErrors(text)).toEqual([
      'obs.yaml:5:13 [istioinaction/workloads/webapp] selector: does not match the pods of the workload this app builds, so its Telemetry would select none of them (got {"app":"web"}, expected labels of the pods of Deployment "webapp": {"app":"webapp"})',
    ]);
  });
});

describe('WorkloadRef (TypeScript)', () => {
  it('targets a workload by name, namespace, selector and kind, with the same outputs as the config', async () => {
    const out = join(scratch, 'ts-out');
    await synthAtomically(out, (app) => {
      const mesh = new IstioMesh(new Chart(app, 'mesh', { namespace: 'istio-system' }), 'istio', {
        istioVersion: '1.28',
      });
      const payments = new Chart(app, 'payments', { namespace: 'payments' });
      const ref = new WorkloadRef(payments, 'payments', {
        name: 'payments',
        namespace: 'payments',
        selector: { app: 'payments' },
        kind: WorkloadKind.ROLLOUT,
      });
      new StatsInclusion(payments, 'stats', {
        mesh,
        target: ProxyTarget.workload(ref),
        inclusionSuffixes: ['upstream_rq_timeout'],
      });
      new TraceSampling(payments, 'sampling', { mesh, target: ProxyTarget.workload(ref), percentage: 20 });
    });
    const files = readTree(out);
    expect(readFileSync(join(out, 'patches', 'kustomization.yaml'), 'utf8')).toContain(
      '  - path: payments-rollout-payments.yaml\n    target:\n      group: argoproj.io\n      version: v1alpha1\n      kind: Rollout\n      name: payments\n      namespace: "payments|default"\n',
    );
    expect(objects(files['payments.k8s.yaml'])[0].spec).toEqual({
      selector: { matchLabels: { app: 'payments' } },
      tracing: [{ randomSamplingPercentage: 20 }],
    });
  });
});

describe('mesh.install', () => {
  const MESH = [
    'namespace: shop',
    'pilotTraceSampling: 5',
    'zipkinTracers:',
    '  z: { target: mesh, address: "zipkin.tracing:9411" }',
    '',
  ];

  it('istioctl: the IstioOperator under install/, never listed in the kustomization', async () => {
    const files = await synthText(['istioVersion: "1.28"', 'mesh: { install: istioctl }', ...MESH].join('\n'));
    expect(Object.keys(files)).toEqual([
      '.cdk8s-istio-observability.json',
      'REPORT.md',
      'install/istio-operator.yaml',
      'kustomization.yaml',
      'mesh.k8s.yaml',
    ]);
    expect(parse(files['install/istio-operator.yaml'] ?? '').kind).toBe('IstioOperator');
    expect(files['kustomization.yaml']).toContain('resources:\n  - mesh.k8s.yaml\n');
  });

  it("helm: the istiod chart's values, top-level traceSampling from 1.24", async () => {
    const files = await synthText(['istioVersion: "1.28"', 'mesh: { install: helm }', ...MESH].join('\n'));
    expect(Object.keys(files)).toEqual([
      '.cdk8s-istio-observability.json',
      'REPORT.md',
      'install/istiod-values.yaml',
      'kustomization.yaml',
      'mesh.k8s.yaml',
    ]);
    expect(parse(files['install/istiod-values.yaml'] ?? '')).toEqual({
      meshConfig: {
        extensionProviders: [{ name: 'zipkin', zipkin: { service: 'zipkin.tracing.svc.cluster.local', port: 9411 } }],
        defaultProviders: { metrics: ['prometheus'], tracing: ['zipkin'] },
      },
      traceSampling: 5,
    });
  });

  it('sail: an applied Istio resource of the target release, checked against the Sail Operator CRD', async () => {
    const files = await synthText(['istioVersion: "1.28"', 'mesh: { install: sail }', ...MESH].join('\n'));
    expect(Object.keys(files)).toEqual([
      '.cdk8s-istio-observability.json',
      'REPORT.md',
      'kustomization.yaml',
      'mesh.k8s.yaml',
    ]);
    expect(objects(files['mesh.k8s.yaml']).find((o) => o.kind === 'Istio')).toEqual({
      apiVersion: 'sailoperator.io/v1',
      kind: 'Istio',
      // Revision "default", the one istio-injection=enabled namespaces get (sail-operator@1.30.3:pkg/istiovalues/overrides.go).
      metadata: { name: 'default' },
      spec: {
        version: 'v1.28-latest',
        namespace: 'istio-system',
        values: {
          meshConfig: {
            extensionProviders: [
              { name: 'zipkin', zipkin: { service: 'zipkin.tracing.svc.cluster.local', port: 9411 } },
            ],
            defaultProviders: { metrics: ['prometheus'], tracing: ['zipkin'] },
          },
          pilot: { traceSampling: 5 },
        },
      },
    });
  });

  it('sail: another name is refused, since it is the revision and injects no istio-injection=enabled namespace', async () => {
    expect(
      await buildErrors(
        'istioVersion: "1.28"\nnamespace: shop\nmesh:\n  install: sail\n  installName: control-plane\n',
      ),
    ).toEqual([
      'obs.yaml:5:3 [mesh/mesh] installName: names the Sail Operator Istio, and so its revision: a revision other than "default" injects no sidecars into namespaces labelled istio-injection=enabled, and next to an existing "default" it is a second control plane (got "control-plane", expected "default" with install sail); hint: leave installName unset; a revision "control-plane" serves only namespaces labelled istio.io/rev=control-plane, or all of them through an IstioRevisionTag "default" that targets it (source: istio-ecosystem/sail-operator@1.30.3:docs/README.adoc)',
    ]);
  });

  it('helm: a profile before 1.21, which the istiod chart does not read, is refused with what it would have set', async () => {
    expect(
      await buildErrors('istioVersion: "1.20"\nnamespace: shop\nmesh:\n  install: helm\n  profile: demo\n'),
    ).toEqual([
      'obs.yaml:5:3 [mesh/mesh] profile: is a value the Istio 1.20 istiod chart does not read (profiles arrived in the chart in 1.21, istio/istio@1.21.0:manifests/charts/istio-control/istio-discovery/templates/zzz_profile.yaml), so Helm ignores it and none of the profile\'s settings apply (got "demo", expected no profile: the istiod chart reads none before Istio 1.21); hint: remove profile and declare the settings you want from it; the istioctl demo profile sets meshConfig.accessLogFile /dev/stdout (accessLogging here) and 100% trace sampling (istio/istio@1.20.8:manifests/profiles/demo.yaml)',
    ]);
  });

  const CHART = 'the istiod chart of Istio';
  const CHART_FILES = 'manifests/charts/istio-control/istio-discovery/files/profile-<name>.yaml';
  const CHART_1_24 = 'ambient, demo, preview, remote, stable';
  it.each([
    [
      'helm',
      '1.28',
      'minimal',
      `${CHART} 1.28 has, so the chart fails with "unknown profile"`,
      CHART_1_24,
      `1.28.10:${CHART_FILES}`,
    ],
    [
      'helm',
      '1.24',
      'openshift',
      `${CHART} 1.24 has, so the chart fails with "unknown profile"`,
      CHART_1_24,
      `1.24.6:${CHART_FILES}`,
    ],
    [
      'istioctl',
      '1.22',
      'external',
      'istioctl of Istio 1.22 has',
      'ambient, default, demo, empty, minimal, openshift, openshift-ambient, preview, remote, stable',
      '1.22.8:manifests/profiles/<name>.yaml',
    ],
  ])(
    '%s on %s: profile %s, which that release does not have, is refused with the list',
    async (install, version, profile, what, names, source) => {
      expect(
        await buildErrors(
          `istioVersion: "${version}"\nnamespace: shop\nmesh:\n  install: ${install}\n  profile: ${profile}\n`,
        ),
      ).toEqual([
        `obs.yaml:5:3 [mesh/mesh] profile: is not a profile ${what} (got "${profile}", expected one of ${names}); hint: leave profile unset for the defaults (source: istio/istio@${source})`,
      ]);
    },
  );

  it('helm: a profile the chart of 1.21+ has is written into the values', async () => {
    const files = await synthText(
      ['istioVersion: "1.28"', 'mesh: { install: helm, profile: demo }', ...MESH].join('\n'),
    );
    expect(parse(files['install/istiod-values.yaml'] ?? '').profile).toBe('demo');
  });

  it('sail: refused on a release the vendored Sail Operator does not support, with the reason', async () => {
    expect(await buildErrors('istioVersion: "1.26"\nnamespace: shop\nmesh: { install: sail }\n')).toEqual([
      'obs.yaml:3:9 [mesh/mesh] install: needs a release the Sail Operator 1.30.3 supports (Istio 1.28 to 1.30), and the target is Istio 1.26 (got "sail", expected istioctl or helm); hint: install with helm or istioctl, or target Istio 1.30 (source: istio-ecosystem/sail-operator@1.30.3:chart/crds/sailoperator.io_istios.yaml, spec.version)',
    ]);
  });
});

describe('a namespace target', () => {
  it("writes the namespace's Telemetry into that namespace's file, not the config namespace's", async () => {
    const files = await synthText(
      [
        'istioVersion: "1.26"',
        'namespace: bookinfo',
        'openTelemetryTracers:',
        '  otel: { target: mesh, address: "otel-collector.observability:4317" }',
        'traceSampling:',
        '  pp: { target: { namespace: payments-prod }, percentage: 5 }',
        '',
      ].join('\n'),
    );
    expect(Object.keys(files).filter((f) => f.endsWith('.k8s.yaml'))).toEqual([
      'mesh.k8s.yaml',
      'payments-prod.k8s.yaml',
    ]);
    expect(
      objects(files['payments-prod.k8s.yaml']).map((o) => `${o.kind} ${o.metadata.namespace}/${o.metadata.name}`),
    ).toEqual(['Telemetry payments-prod/namespace-default']);
  });
});

describe('the shop example (examples/shop.yaml)', () => {
  it('synthesizes exactly the committed examples/shop/, and kubectl kustomize builds it', async () => {
    const out = join(scratch, 'shop');
    await synthConfigFile(join(ROOT, 'examples', 'shop.yaml'), out);
    expect(readTree(out)).toEqual(readTree(join(ROOT, 'examples', 'shop')));
    const kinds = objects(execFileSync('kubectl', ['kustomize', out], { encoding: 'utf8' })).map(
      (o) => `${o.kind} ${o.metadata.namespace ?? ''}/${o.metadata.name}`,
    );
    expect(kinds.sort()).toEqual([
      'ConfigMap monitoring/istio-dashboards',
      'Kiali istio-system/kiali',
      'PodMonitor monitoring/envoy-stats-monitor',
      'PodMonitor monitoring/istio-secure-metrics',
      'PrometheusRule monitoring/istio-alert-rules',
      'PrometheusRule monitoring/istio-mesh-recording-rules',
      'ServiceMonitor monitoring/istio-component-monitor',
      'Telemetry istio-system/mesh-default',
      'Telemetry payments/payments',
      'Telemetry shop/cart',
    ]);
  });
});

describe('the shared-cluster example (examples/platform.yaml)', () => {
  it('synthesizes exactly the committed examples/platform/, with the GitOps objects for its own folder', async () => {
    const out = join(scratch, 'platform');
    await synthConfigFile(join(ROOT, 'examples', 'platform.yaml'), out, 'examples/platform');
    expect(readTree(out)).toEqual(readTree(join(ROOT, 'examples', 'platform')));
  });
});

describe('every committed output folder', () => {
  /** Folders with a kustomization.yaml under dist/ and examples/, Components (patches/) aside. */
  const folders = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
      // patches/ are Components, and teams/ the teams' own kustomizations, which include them.
      if (!entry.isDirectory() || ['patches', 'teams', 'node_modules'].includes(entry.name)) return [];
      const path = join(dir, entry.name);
      return [...(existsSync(join(path, 'kustomization.yaml')) ? [path] : []), ...folders(path)];
    });

  it('builds with kubectl kustomize into exactly the objects of the files it lists', () => {
    const all = [join(ROOT, 'dist'), ...folders(join(ROOT, 'examples'))];
    expect(all.map((f) => f.slice(ROOT.length + 1))).toEqual([
      'dist',
      'examples/ambient',
      'examples/istio-1.30',
      'examples/platform',
      'examples/platform/gitops',
      'examples/shop',
      'examples/two-clusters/clusters/dev',
      'examples/two-clusters/clusters/prod',
      'examples/two-clusters/gitops',
    ]);
    for (const folder of all) {
      const listed = (parse(readFileSync(join(folder, 'kustomization.yaml'), 'utf8')).resources ?? []) as string[];
      const expected = listed.flatMap((file) => objects(readFileSync(join(folder, file), 'utf8'))).length;
      const built = objects(execFileSync('kubectl', ['kustomize', folder], { encoding: 'utf8' }));
      expect({ folder, objects: built.length }).toEqual({ folder, objects: expected });
      // Every applied file is listed; installer inputs and patches never are.
      const applied = readdirSync(folder).filter((f) => f.endsWith('.k8s.yaml'));
      expect(listed.sort()).toEqual(applied.sort());
    }
  });
});
