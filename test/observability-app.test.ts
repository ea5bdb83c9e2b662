import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiObject, App, Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { afterAll, describe, expect, it } from 'vitest';
import { synthAtomically } from '../app/synth/atomic-synth';
import { ObservabilityApp } from '../app/synth/observability-app';
import { renderApp } from '../app/synth/render-app';
import {
  IstioMesh,
  ProxyTarget,
  StatsInclusion,
  TraceSampling,
  WorkloadKind,
  WorkloadRef,
  ZipkinTracer,
} from '../constructs';
import { readTree } from './support/synth';

const scratch = mkdtempSync(join(tmpdir(), 'observability-app-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A team's app: a Helm-installed mesh, its own Deployment, and a workload deployed elsewhere. */
function build(app: App): void {
  const mesh = new IstioMesh(new Chart(app, 'mesh', { namespace: 'istio-system' }), 'istio', {
    istioVersion: '1.28',
    install: 'helm',
  });
  new ZipkinTracer(mesh, 'zipkin', { mesh, target: ProxyTarget.mesh(), address: 'zipkin.istio-system:9411' });
  new TraceSampling(mesh, 'sampling', { mesh, target: ProxyTarget.mesh(), percentage: 5 });
  const shop = new Chart(app, 'shop', { namespace: 'shop' });
  const cart = new kplus.Deployment(shop, 'cart', {
    containers: [{ image: 'shop/cart:1.4', portNumber: 8080, securityContext: { ensureNonRoot: false } }],
    podMetadata: { labels: { app: 'cart' } },
  });
  new StatsInclusion(shop, 'cart-stats', {
    mesh,
    target: ProxyTarget.workload(cart),
    inclusionPrefixes: ['cluster.outbound|8080||'],
  });
  const payments = new WorkloadRef(shop, 'payments', {
    kind: WorkloadKind.STATEFUL_SET,
    name: 'payments',
    namespace: 'payments',
    selector: { app: 'payments' },
  });
  new StatsInclusion(shop, 'payments-stats', {
    mesh,
    target: ProxyTarget.workload(payments),
    inclusionPrefixes: ['cluster.outbound|443||'],
  });
}

describe('renderApp', () => {
  it("renders each chart's objects in cdk8s's own order, dependencies included, running validations once", () => {
    const app = new App({ outdir: join(scratch, 'order') });
    const base = new Chart(app, 'base', { namespace: 'shop' });
    const apps = new Chart(app, 'apps', { namespace: 'shop' });
    apps.addDependency(base);
    const config = new ApiObject(base, 'config', { apiVersion: 'v1', kind: 'ConfigMap' });
    // Declared first, applied after the ConfigMap it depends on.
    const late = new ApiObject(apps, 'late', { apiVersion: 'v1', kind: 'ConfigMap' });
    late.addDependency(new ApiObject(apps, 'early', { apiVersion: 'v1', kind: 'ConfigMap' }));
    new kplus.StatefulSet(apps, 'db', {
      containers: [{ image: 'db:1', portNumber: 5432, securityContext: { ensureNonRoot: false } }],
    });
    config.addDependency(new ApiObject(base, 'namespace', { apiVersion: 'v1', kind: 'Namespace' }));
    let validations = 0;
    base.node.addValidation({
      validate: () => {
        validations++;
        return [];
      },
    });
    const rendered = renderApp(app);
    expect(validations).toBe(1);
    expect(rendered.charts.map((c) => c.manifests)).toEqual(app.charts.map((c) => c.toJson()));
    expect(rendered.charts[1]?.manifests.map((m) => m.metadata.name)).toEqual([
      'apps-early-c87e6a5a',
      'apps-late-c806f05e',
      // cdk8s-plus's StatefulSet depends on its headless Service.
      'apps-db-service-c8fd29f3',
      'apps-db-c81fa8f6',
    ]);
  });
});

describe('ObservabilityApp', () => {
  it('writes with app.synth() the same files, byte for byte, as synthAtomically', async () => {
    const atomic = join(scratch, 'atomic');
    await synthAtomically(atomic, build);
    const plain = join(scratch, 'plain');
    const app = new ObservabilityApp({ outdir: plain });
    build(app);
    app.synth();
    expect(readTree(plain)).toEqual(readTree(atomic));
    expect(Object.keys(readTree(plain))).toEqual([
      '.cdk8s-istio-observability.json',
      'REPORT.md',
      'install/istiod-values.yaml',
      'kustomization.yaml',
      'mesh.k8s.yaml',
      'patches/kustomization.yaml',
      'patches/payments-statefulset-payments.yaml',
      'shop.k8s.yaml',
    ]);
  });

  it("makes cdk8s's own App fail at synth, naming what it would lose, and write no file", () => {
    const outdir = join(scratch, 'cdk8s-app');
    const app = new App({ outdir });
    build(app);
    expect(() => app.synth()).toThrow(
      [
        'Validation failed with the following errors:',
        "  [mesh/istio/Install/HelmValues] needs install/istiod-values.yaml written beside the charts, which cdk8s's App does not write: synthesized by it, the output would lack it; hint: build the app with ObservabilityApp (cdk8s-istio-observability/app), whose synth() writes the whole output folder, also under `cdk8s synth`",
        "  [shop/payments] needs a pod template patch of StatefulSet payments/payments in patches/ written beside the charts, which cdk8s's App does not write: synthesized by it, the output would lack it; hint: build the app with ObservabilityApp (cdk8s-istio-observability/app), whose synth() writes the whole output folder, also under `cdk8s synth`",
      ].join('\n'),
    );
    // cdk8s creates the folder before it validates; nothing is written into it.
    expect(readdirSync(outdir)).toEqual([]);
  });
});
