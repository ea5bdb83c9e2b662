import { Testing } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { validateApp } from '../app/validate/app-validator';
import { IstioMesh } from '../constructs/mesh/istio-mesh';
import { MetricDimensions } from '../constructs/metrics/metric-dimensions';
import { ProxyTarget } from '../constructs/proxy-config/proxy-target';
import { ProxyKind } from '../core/istio/proxy-kind';
import { StandardMetric } from '../core/istio/standard-metrics';
import { demoFixture } from './support/fixtures';

type Manifest = { kind: string; metadata: { name: string }; spec: Record<string, unknown> };
const find = (app: ReturnType<typeof Testing.app>, kind: string, name: string) =>
  (app.charts.flatMap((c) => Testing.synth(c)) as Manifest[]).find((m) => m.kind === kind && m.metadata.name === name);

// PILOT_MX_ADDITIONAL_LABELS: istio/istio@1.25.0:pilot/pkg/features/telemetry.go, read into the
// metadata exchange filter (pilot/pkg/xds/filters/filters.go); the istiod chart takes its
// environment at `env` from 1.24 (@1.25.0:manifests/charts/istio-control/istio-discovery/templates/deployment.yaml).
describe('peer metadata labels', () => {
  it('lists the mesh peer labels in istiod PILOT_MX_ADDITIONAL_LABELS, and reads them in CEL', async () => {
    const { app, mesh, webapp } = demoFixture({ istioVersion: '1.26', peerMetadataLabels: ['tier', 'team'] });
    new MetricDimensions(mesh, 'by-team', {
      mesh,
      metric: StandardMetric.REQUESTS_TOTAL,
      proxies: [ProxyKind.OUTBOUND_SIDECAR],
      target: ProxyTarget.workload(webapp),
      dimensions: { destination_team: "upstream_peer.labels['team']", peer_app: "upstream_peer.labels['app']" },
    });
    expect(find(app, 'IstioOperator', 'control-plane')?.spec.values).toEqual({
      pilot: { env: { PILOT_MX_ADDITIONAL_LABELS: 'team,tier' } },
    });
    expect(mesh.install.helmValues()).toEqual({ env: { PILOT_MX_ADDITIONAL_LABELS: 'team,tier' } });
    expect(find(app, 'Telemetry', 'webapp')?.spec.metrics).toEqual([
      {
        providers: [{ name: 'prometheus' }],
        overrides: [
          {
            match: { metric: 'REQUEST_COUNT', mode: 'CLIENT' },
            tagOverrides: {
              destination_team: { value: 'filter_state.upstream_peer.labels["team"]' },
              peer_app: { value: 'filter_state.upstream_peer.app' },
            },
          },
        ],
      },
    ]);
    expect((await validateApp(app)).filter((f) => f.severity === 'error')).toEqual([]);
  });

  it('refuses peer labels before 1.25 and keys that are not label keys', () => {
    expect(
      () => new IstioMesh(Testing.chart(), 'mesh', { istioVersion: '1.24', peerMetadataLabels: ['team', 'bad key'] }),
    ).toThrow(
      '[test/mesh] peerMetadataLabels[1]: got "bad key", expected a pod label key, e.g. "team" or "example.com/tier"\n' +
        '[test/mesh] peerMetadataLabels: needs peer metadata labels (filter_state.upstream_peer.labels, with PILOT_MX_ADDITIONAL_LABELS) (Istio 1.25 and later), and the target is Istio 1.24 (got ["team","bad key"], expected no peer labels (filter_state.<peer> has app, version, service and revision)); hint: target a release that has it, or remove peerMetadataLabels (source: istio/istio@1.25.0:pilot/pkg/features/telemetry.go (PILOT_MX_ADDITIONAL_LABELS); istio/proxy@4382ac5f (pinned by 1.25.0):extensions/common/metadata_object.cc)',
    );
  });
});

// istio/istio@1.24.0:releasenotes/notes/telemetry-cel.yaml (upgrade note "Standardization of the
// peer metadata attributes"): presence-guarded reads for meshes with 1.23 and 1.24 proxies.
describe('mixed proxy versions', () => {
  it('emits presence-guarded peer reads on 1.24, which the CEL rule accepts', async () => {
    const { app, mesh } = demoFixture({ istioVersion: '1.24', mixedProxyVersions: true });
    new MetricDimensions(mesh, 'by-peer', {
      mesh,
      metric: StandardMetric.REQUESTS_TOTAL,
      dimensions: { peer_cluster: 'downstream_peer.cluster_id' },
    });
    expect(find(app, 'Telemetry', 'mesh-default')?.spec.metrics).toEqual([
      {
        providers: [{ name: 'prometheus' }],
        overrides: [
          {
            match: { metric: 'REQUEST_COUNT' },
            tagOverrides: {
              peer_cluster: {
                value:
                  "(has(filter_state.downstream_peer) ? filter_state.downstream_peer.cluster : filter_state['wasm.downstream_peer'].cluster_id)",
              },
            },
          },
        ],
      },
    ]);
    expect((await validateApp(app)).filter((f) => f.severity === 'error')).toEqual([]);
  });
});
