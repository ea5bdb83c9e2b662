import { describe, expect, it } from 'vitest';
import { translateCel } from '../constructs/version/cel-vocabulary';
import { VersionPolicy } from '../constructs/version/version-policy';

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
          what: 'reads upstream_peer.istio_version, which Istio 1.24 has no equivalent for: peer metadata moved to filter_state.upstream_peer, whose fields are namespace, cluster, service, revision, app, version, workload, type, name, and "istio_version" is not among them (facts A.5)',
          hint: "drop the dimension; filter_state.upstream_peer.version is the workload's version label, not its Istio version",
        },
      ],
    });
    expect(on('1.30', 'downstream_peer.mesh_id')).toEqual({
      refusals: [
        {
          text: 'downstream_peer.mesh_id',
          what: 'reads downstream_peer.mesh_id, which Istio 1.30 has no equivalent for: peer metadata moved to filter_state.downstream_peer, whose fields are namespace, cluster, service, revision, app, version, workload, type, name, and "mesh_id" is not among them (facts A.5)',
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

  it('translates peer labels only where they were verified (1.30), and refuses them before', () => {
    expect(on('1.30', "upstream_peer.labels['app']")).toEqual({
      expression: "filter_state.upstream_peer.labels['app']",
    });
    expect(on('1.29', "upstream_peer.labels['app']").refusals?.[0]).toEqual({
      text: 'upstream_peer.labels',
      what: 'reads upstream_peer.labels, which Istio 1.29 has no equivalent for: filter_state.upstream_peer carries namespace, cluster, service, revision, app, version, workload, type, name; labels were verified only from 1.30',
      hint: 'use filter_state.upstream_peer.app or .version for the app and version labels',
    });
  });

  it('leaves an expression that does not parse to the cel-expression rule', () => {
    expect(on('1.24', 'node.metadata[')).toEqual({ expression: 'node.metadata[' });
  });
});
