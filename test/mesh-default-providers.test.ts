import { ApiObject, Testing } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { validateApp } from '../app/validate/app-validator';
import { ProxyTarget } from '../constructs/proxy-config/proxy-target';
import { ZipkinTracer } from '../constructs/tracing/zipkin-tracer';
import { type Finding, formatFinding } from '../core/problems/finding';
import { demoFixture, lintText } from './support/fixtures';

type Manifest = { kind: string; metadata: { name: string }; spec: Record<string, unknown> };
const find = (app: ReturnType<typeof Testing.app>, kind: string, name: string) =>
  (app.charts.flatMap((c) => Testing.synth(c)) as Manifest[]).find((m) => m.kind === kind && m.metadata.name === name);
const withSeverity = (f: Finding) => `${f.severity}: ${formatFinding(f)}`;

/** A mesh-wide zipkin tracer through the Telemetry API on `istioVersion`. */
function meshTracer(istioVersion: string) {
  const fixture = demoFixture({ istioVersion, tracing: 'telemetry-api' });
  new ZipkinTracer(fixture.mesh, 'zipkin', {
    mesh: fixture.mesh,
    target: ProxyTarget.mesh(),
    address: 'zipkin.istio-system:9411',
  });
  return fixture;
}

// The istiod chart writes `defaultProviders.metrics: [prometheus]` only while the user sets no
// defaultProviders: istio/istio@1.30.3:manifests/charts/istio-control/istio-discovery/templates/_helpers.tpl
// ("default-prometheus") and templates/configmap.yaml; istiod builds no stats filter without a
// metrics provider (@1.30.3:pilot/pkg/model/telemetry.go mergeMetrics); istio/istio#51384.
describe('meshConfig.defaultProviders for a mesh-wide Telemetry API tracer', () => {
  it('names the metrics provider beside the tracer from 1.21, so no proxy loses the standard metrics', () => {
    for (const version of ['1.21', '1.22', '1.30']) {
      const { app } = meshTracer(version);
      expect(find(app, 'IstioOperator', 'control-plane')?.spec.meshConfig, version).toEqual({
        defaultProviders: { metrics: ['prometheus'], tracing: ['zipkin'] },
        extensionProviders: [
          { name: 'zipkin', zipkin: { service: 'zipkin.istio-system.svc.cluster.local', port: 9411 } },
        ],
      });
    }
  });

  // istio/istio@1.20.8:manifests/charts/istio-control/istio-discovery/templates/telemetryv2_1.20.yaml
  // renders the stats-filter-1.20 EnvoyFilters whenever defaultProviders is set (istio/istio#39772).
  it('sets no defaultProviders on 1.18 to 1.20: the root namespace Telemetry names the provider', () => {
    for (const version of ['1.18', '1.20']) {
      const { app } = meshTracer(version);
      expect(find(app, 'IstioOperator', 'control-plane')?.spec.meshConfig, version).toEqual({
        extensionProviders: [
          { name: 'zipkin', zipkin: { service: 'zipkin.istio-system.svc.cluster.local', port: 9411 } },
        ],
      });
      expect(find(app, 'Telemetry', 'mesh-default')?.spec, version).toEqual({
        tracing: [{ providers: [{ name: 'zipkin' }] }],
      });
    }
  });

  // istio/istio@1.17.8:manifests/charts/istio-control/istio-discovery/templates/telemetryv2_1.17.yaml
  // renders stats-filter-1.17 unconditionally, and the 1.17 configmap writes no defaultProviders.
  it('names the tracer alone on 1.17, whose install carries the metrics in its stats-filter-1.17 EnvoyFilters', () => {
    const { app } = meshTracer('1.17');
    expect(find(app, 'IstioOperator', 'control-plane')?.spec.meshConfig).toMatchObject({
      defaultProviders: { tracing: ['zipkin'] },
    });
  });

  it('passes the mesh-default-providers rule on every release', async () => {
    for (const version of ['1.17', '1.20', '1.21', '1.30']) {
      const { app } = meshTracer(version);
      const findings = (await validateApp(app)).filter((f) => f.rule === 'mesh-default-providers');
      expect(findings.map(withSeverity), version).toEqual([]);
    }
  });
});

const ISTIO_OPERATOR = `apiVersion: install.istio.io/v1alpha1
kind: IstioOperator
spec:
  meshConfig:
    defaultProviders:
      tracing: [zipkin]
`;

const ROOT_TELEMETRY = `---
apiVersion: telemetry.istio.io/v1
kind: Telemetry
metadata: { name: mesh-default, namespace: istio-system }
spec:
  metrics:
    - providers: [{ name: prometheus }]
`;

describe('the mesh-default-providers rule', () => {
  it('refuses a synth whose IstioOperator drops the metrics provider, naming the fix', async () => {
    const { app, meshChart } = demoFixture({ istioVersion: '1.22' });
    new ApiObject(meshChart, 'hand', {
      apiVersion: 'install.istio.io/v1alpha1',
      kind: 'IstioOperator',
      metadata: { name: 'hand', namespace: 'istio-system' },
      spec: { meshConfig: { defaultProviders: { tracing: ['zipkin'] } } },
    });
    expect((await validateApp(app)).filter((f) => f.rule === 'mesh-default-providers').map(withSeverity)).toEqual([
      'error: [istio-install/hand] spec.meshConfig.defaultProviders: names no metrics provider (got {"tracing":["zipkin"]}), expected metrics: [prometheus] beside the others: the istiod chart writes its default metrics: [prometheus] only while defaultProviders is unset, so istiod builds no stats filter and every proxy that no Telemetry names a metrics provider for loses all standard Istio metrics (no Telemetry in istio-system names one); hint: add metrics: [prometheus] to defaultProviders, or name the provider in the metrics of a Telemetry in istio-system without a selector (istio/istio#51384; source: istio/istio@1.30.3:manifests/charts/istio-control/istio-discovery/templates/_helpers.tpl)',
    ]);
  });

  it('warns in lint mode on a file alone, where a root Telemetry may be applied from elsewhere', async () => {
    expect(await lintText(ISTIO_OPERATOR, '1.26', { rule: 'mesh-default-providers' })).toEqual([
      '5: warning: [IstioOperator/-/-] spec.meshConfig.defaultProviders: names no metrics provider (got {"tracing":["zipkin"]}), expected metrics: [prometheus] beside the others: the istiod chart writes its default metrics: [prometheus] only while defaultProviders is unset, so istiod builds no stats filter and every proxy that no Telemetry names a metrics provider for loses all standard Istio metrics; hint: add metrics: [prometheus] to defaultProviders, or name the provider in the metrics of a Telemetry in istio-system without a selector (istio/istio#51384; source: istio/istio@1.30.3:manifests/charts/istio-control/istio-discovery/templates/_helpers.tpl) (mesh-default-providers)',
    ]);
    expect(await lintText(ISTIO_OPERATOR, '1.26', { rule: 'mesh-default-providers', complete: true })).toHaveLength(1);
    expect((await lintText(ISTIO_OPERATOR, '1.26', { rule: 'mesh-default-providers', complete: true }))[0]).toMatch(
      /^5: error: /,
    );
  });

  it('accepts the same mesh config when a root-namespace Telemetry names a metrics provider', async () => {
    expect(
      await lintText(ISTIO_OPERATOR + ROOT_TELEMETRY, '1.26', { rule: 'mesh-default-providers', complete: true }),
    ).toEqual([]);
    // A Telemetry with a selector covers some workloads only.
    const selected = ROOT_TELEMETRY.replace('spec:\n', 'spec:\n  selector: { matchLabels: { app: webapp } }\n');
    expect(await lintText(ISTIO_OPERATOR + selected, '1.26', { rule: 'mesh-default-providers' })).toHaveLength(1);
  });

  it('reads an istiod Helm values file, whose meshConfig the chart renders into the mesh ConfigMap', async () => {
    // istio/istio@1.30.3:manifests/charts/istio-control/istio-discovery/templates/configmap.yaml.
    const values = 'global:\n  hub: docker.io/istio\nmeshConfig:\n  defaultProviders:\n    tracing: [zipkin]\n';
    expect(await lintText(values, '1.30', { name: 'values.yaml' })).toEqual([
      '4: warning: [IstiodHelmValues/-/-] meshConfig.defaultProviders: names no metrics provider (got {"tracing":["zipkin"]}), expected metrics: [prometheus] beside the others: the istiod chart writes its default metrics: [prometheus] only while defaultProviders is unset, so istiod builds no stats filter and every proxy that no Telemetry names a metrics provider for loses all standard Istio metrics; hint: add metrics: [prometheus] to defaultProviders, or name the provider in the metrics of a Telemetry in istio-system without a selector (istio/istio#51384; source: istio/istio@1.30.3:manifests/charts/istio-control/istio-discovery/templates/_helpers.tpl) (mesh-default-providers)',
    ]);
  });

  it('reads the mesh ConfigMap and the Sail Operator Istio values, the other places a mesh config lives', async () => {
    const configMap = `apiVersion: v1
kind: ConfigMap
metadata: { name: istio, namespace: istio-system }
data:
  mesh: |-
    defaultProviders:
      tracing: [otel]
`;
    const sail = `apiVersion: sailoperator.io/v1
kind: Istio
metadata: { name: default }
spec:
  version: v1.30.3
  values:
    meshConfig:
      defaultProviders:
        accessLogging: [envoy]
        metrics: []
`;
    const first = (lines: string[]) => lines.map((l) => l.slice(0, l.indexOf(' names no metrics provider')));
    expect(first(await lintText(configMap, '1.30', { rule: 'mesh-default-providers' }))).toEqual([
      '5: warning: [ConfigMap/istio-system/istio] data.mesh.defaultProviders:',
    ]);
    expect(first(await lintText(sail, '1.30', { rule: 'mesh-default-providers' }))).toEqual([
      '8: warning: [Istio/-/default] spec.values.meshConfig.defaultProviders:',
    ]);
  });

  it('warns on 1.18 to 1.20 that any defaultProviders renders the stats EnvoyFilters again', async () => {
    const withMetrics = ISTIO_OPERATOR.replace('tracing: [zipkin]', 'metrics: [prometheus]');
    expect(await lintText(withMetrics, '1.20', { rule: 'mesh-default-providers' })).toEqual([
      '5: warning: [IstioOperator/-/-] spec.meshConfig.defaultProviders: is set (got {"metrics":["prometheus"]}), so the Istio 1.20 chart renders the stats-filter EnvoyFilters again, and next to Telemetry API metrics every standard metric is counted twice (istio/istio#39772); hint: leave defaultProviders unset on 1.18 to 1.20 and name the providers in the root namespace\'s Telemetry (source: istio/istio@1.20.8:manifests/charts/istio-control/istio-discovery/templates/telemetryv2_1.20.yaml) (mesh-default-providers)',
    ]);
    expect(await lintText(ISTIO_OPERATOR, '1.17', { rule: 'mesh-default-providers' })).toEqual([]);
  });
});
