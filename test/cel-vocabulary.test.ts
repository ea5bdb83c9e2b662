import { describe, expect, it } from 'vitest';
import { translateCel } from '../core/version/cel-vocabulary';
import { VersionPolicy } from '../core/version/version-policy';

const policy = (version: string) => VersionPolicy.resolve(version) as VersionPolicy;
const on = (version: string, expression: string, generated: readonly string[] = []) =>
  translateCel(expression, policy(version), generated);

describe('translateCel before 1.24', () => {
  it('keeps every expression as written: the pre-1.24 vocabulary is what those proxies read', () => {
    for (const expression of ['upstream_peer.istio_version', "node.metadata['MESH_ID']", 'istio_operationId']) {
      expect(on('1.23', expression, ['istio_operationId'])).toEqual({ expression });
    }
  });
});

describe('translateCel from 1.24', () => {
  it.each([
    ["node.metadata['MESH_ID']", "xds.node.metadata['MESH_ID']"],
    ["request.method == 'GET' && node.id != ''", "request.method == 'GET' && xds.node.id != ''"],
    ['upstream_peer.workload_name', 'filter_state.upstream_peer.workload'],
    ['downstream_peer.cluster_id', 'filter_state.downstream_peer.cluster'],
    ["downstream_peer['namespace']", 'filter_state.downstream_peer.namespace'],
    [
      'upstream_peer.name + "/" + upstream_peer.namespace',
      'filter_state.upstream_peer.name + "/" + filter_state.upstream_peer.namespace',
    ],
    ['has(response.code) ? response.code : 200', 'has(response.code) ? response.code : 200'],
    ['filter_state.upstream_peer.app', 'filter_state.upstream_peer.app'],
  ])('rewrites %s as %s, keeping the rest of the text', (expression, translated) => {
    expect(on('1.24', expression)).toEqual({ expression: translated });
  });

  it("reads a generated attribute as filter_state['wasm.<name>'], but not a macro variable of the same name", () => {
    expect(on('1.24', 'istio_operationId', ['istio_operationId'])).toEqual({
      expression: "filter_state['wasm.istio_operationId']",
    });
    expect(on('1.30', "['a'].map(node, node + '1').size() > 0 && node.id != ''")).toEqual({
      expression: "['a'].map(node, node + '1').size() > 0 && xds.node.id != ''",
    });
  });

  it('refuses a peer field with no equivalent, explaining why and what to do', () => {
    expect(on('1.24', 'upstream_peer.istio_version')).toEqual({
      refusals: [
        {
          text: 'upstream_peer.istio_version',
          what: 'reads upstream_peer.istio_version, which Istio 1.24 has no equivalent for: peer metadata moved to filter_state.upstream_peer, whose fields are namespace, cluster, service, revision, app, version, workload, type, name, and "istio_version" is not among them (istio/istio@1.24.0:releasenotes/notes/telemetry-cel.yaml)',
          hint: "drop the dimension; filter_state.upstream_peer.version is the workload's version label, not its Istio version",
        },
      ],
    });
    expect(on('1.30', 'downstream_peer.mesh_id')).toEqual({
      refusals: [
        {
          text: 'downstream_peer.mesh_id',
          what: 'reads downstream_peer.mesh_id, which Istio 1.30 has no equivalent for: peer metadata moved to filter_state.downstream_peer, whose fields are namespace, cluster, service, revision, app, version, workload, type, name, and "mesh_id" is not among them (istio/istio@1.24.0:releasenotes/notes/telemetry-cel.yaml)',
          hint: 'drop the dimension, or read one of namespace, cluster, service, revision, app, version, workload, type, name',
        },
      ],
    });
  });

  it('refuses the whole peer object, and every refusal of one expression at once', () => {
    const result = on('1.24', 'string(upstream_peer) + downstream_peer.owner');
    expect(result.refusals?.map((r) => r.text)).toEqual(['upstream_peer', 'downstream_peer.owner']);
    expect(result.refusals?.[0]?.what).toBe(
      'reads upstream_peer as a whole, which Istio 1.24 replaced by filter_state.upstream_peer',
    );
  });

  // istio/proxy extensions/common/metadata_object.cc convertStructToWorkloadMetadata at the commits
  // istio/istio pins in istio.deps: @1.24.0 739644f8 has no labels; @1.25.0 4382ac5f keeps app,
  // version and the canonical labels as fields and puts only PILOT_MX_ADDITIONAL_LABELS in labels
  // (istio/istio@1.25.0:pilot/pkg/features/telemetry.go); @1.29.1 fca9ef95 (lines 353-360) and
  // @1.30.0 7319e99e read app.kubernetes.io/name and /version into app and version; @1.29.0 1fdadc30 does not.
  it.each([
    ["upstream_peer.labels['app']", 'filter_state.upstream_peer.app'],
    ["downstream_peer.labels['version']", 'filter_state.downstream_peer.version'],
    ["upstream_peer.labels['service.istio.io/canonical-name']", 'filter_state.upstream_peer.service'],
    ["upstream_peer.labels['service.istio.io/canonical-revision']", 'filter_state.upstream_peer.revision'],
  ])('reads %s as the peer field %s from 1.24, never as an always-empty labels entry', (expression, translated) => {
    for (const version of ['1.24', '1.25', '1.30']) expect(on(version, expression)).toEqual({ expression: translated });
  });

  it('reads other pod labels from 1.25, and only those the mesh lists in PILOT_MX_ADDITIONAL_LABELS', () => {
    const team = "upstream_peer.labels['team']";
    expect(translateCel(team, policy('1.25'), [], { peerLabels: ['team'] })).toEqual({
      expression: 'filter_state.upstream_peer.labels["team"]',
    });
    expect(translateCel(team, policy('1.25'), [], { peerLabels: ['tier'] })).toEqual({
      refusals: [
        {
          text: team,
          what: 'reads pod label "team" of the peer, which Istio 1.25 carries only when istiod lists it in PILOT_MX_ADDITIONAL_LABELS; the mesh lists tier',
          hint: 'add "team" to the mesh\'s peerMetadataLabels (istio/istio@1.25.0:pilot/pkg/features/telemetry.go)',
        },
      ],
    });
    expect(translateCel(team, policy('1.24'), [], { peerLabels: ['team'] }).refusals?.[0]).toEqual({
      text: team,
      what: 'reads pod label "team" of the peer, which Istio 1.24 does not carry: filter_state.upstream_peer has namespace, cluster, service, revision, app, version, workload, type, name and no labels before 1.25',
      hint: "read filter_state.upstream_peer.app or .version, or target Istio 1.25+ and list the label in the mesh's peerMetadataLabels (PILOT_MX_ADDITIONAL_LABELS)",
    });
  });

  it('reads app.kubernetes.io/name as the peer app from 1.29.1, and as a listed label before', () => {
    const name = "upstream_peer.labels['app.kubernetes.io/name']";
    // "1.29" is its newest patch, which has the change; 1.29.0 does not.
    for (const version of ['1.30', '1.29', '1.29.1', '1.29.6']) {
      expect(on(version, name)).toEqual({ expression: 'filter_state.upstream_peer.app' });
    }
    expect(on('1.29.0', name).refusals?.[0]).toEqual({
      text: name,
      what: 'reads pod label "app.kubernetes.io/name" of the peer, which Istio 1.29 carries only when istiod lists it in PILOT_MX_ADDITIONAL_LABELS; the mesh lists none',
      hint: 'add "app.kubernetes.io/name" to the mesh\'s peerMetadataLabels (istio/istio@1.25.0:pilot/pkg/features/telemetry.go)',
    });
    expect(on('1.28', name).refusals?.[0]?.text).toBe(name);
    expect(translateCel(name, policy('1.29.0'), [], { peerLabels: ['app.kubernetes.io/name'] })).toEqual({
      expression: 'filter_state.upstream_peer.labels["app.kubernetes.io/name"]',
    });
  });

  it('refuses the labels map as a whole', () => {
    expect(on('1.30', "'app' in upstream_peer.labels").refusals?.[0]).toEqual({
      text: 'upstream_peer.labels',
      what: 'reads upstream_peer.labels as a whole, which Istio 1.30 has no equivalent for: filter_state.upstream_peer carries the app, version and canonical labels as fields (namespace, cluster, service, revision, app, version, workload, type, name) and, from 1.25, only the labels istiod is told to add in labels',
      hint: "read one label, e.g. upstream_peer.labels['app'] (it becomes filter_state.upstream_peer.app)",
    });
  });
  it('leaves an expression that does not parse to the cel-expression rule', () => {
    expect(on('1.24', 'node.metadata[')).toEqual({ expression: 'node.metadata[' });
  });
});

// istio/istio@1.24.0:releasenotes/notes/telemetry-cel.yaml: "Presence operator can be used for
// backwards compatible expressions in a mixed proxy scenario, e.g. has(filter_state.downstream_peer)
// ? filter_state.downstream_peer.namespace : filter_state["wasm.downstream_peer"].namespace".
describe('translateCel for a mesh whose proxies lag one minor behind', () => {
  const mixed = (version: string, expression: string) =>
    translateCel(expression, policy(version), [], { mixedProxies: true, peerLabels: [] });

  it('guards every peer read on 1.24, where 1.23 proxies read the old vocabulary', () => {
    expect(mixed('1.24', 'downstream_peer.namespace')).toEqual({
      expression:
        "(has(filter_state.downstream_peer) ? filter_state.downstream_peer.namespace : filter_state['wasm.downstream_peer'].namespace)",
    });
    expect(mixed('1.24', "upstream_peer.workload_name + '/' + upstream_peer.labels['app']")).toEqual({
      expression:
        "(has(filter_state.upstream_peer) ? filter_state.upstream_peer.workload : filter_state['wasm.upstream_peer'].workload_name) + '/' + (has(filter_state.upstream_peer) ? filter_state.upstream_peer.app : filter_state['wasm.upstream_peer'].labels['app'])",
    });
  });

  it('changes nothing where both minors read one vocabulary (1.25 next to 1.24, 1.23 next to 1.22)', () => {
    expect(mixed('1.25', 'downstream_peer.namespace')).toEqual({
      expression: 'filter_state.downstream_peer.namespace',
    });
    expect(mixed('1.23', 'downstream_peer.namespace')).toEqual({ expression: 'downstream_peer.namespace' });
  });
});
