import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CelChecker } from '../analysis/rules/cel-checker';
import { celVocabulary } from '../core/version/cel-attributes';
import { VersionPolicy } from '../core/version/version-policy';

const RUNS = Number(process.env.PROPERTY_RUNS ?? (process.env.CI ? 1000 : 150));

function policy(version: string): VersionPolicy {
  const resolved = VersionPolicy.resolve(version);
  if (!(resolved instanceof VersionPolicy)) throw new Error(`no policy for ${version}`);
  return resolved;
}

/** The checker's answer as one line, or "ok". */
function check(
  version: string,
  expression: string,
  result: 'any' | 'bool' | 'number' = 'any',
  generated: string[] = [],
): string {
  const found = new CelChecker(policy(version), generated).check(expression, result);
  return found ? `${found.what} (expected ${found.expected})${found.hint ? `; hint: ${found.hint}` : ''}` : 'ok';
}

const REQUEST_FIELDS =
  'duration, headers, headers_bytes, host, id, method, path, protocol, query, referer, scheme, size, time, total_size, url_path, useragent';

describe('CEL typed against each release', () => {
  it('refuses a typo in a field with the column and the nearest name', () => {
    expect(check('1.30', 'request.hostt')).toBe(
      `reads request.hostt at column 9, which Istio 1.30 does not have (expected a field of request: ${REQUEST_FIELDS}); hint: did you mean request.host?`,
    );
  });

  it('refuses operands of the wrong type once an attribute is read', () => {
    expect(check('1.30', "response.code + 'x'")).toBe(
      'CEL type error at column 1: no such overload: int + string (expected a CEL expression)',
    );
  });

  it('refuses a string used as a condition or as a metric value', () => {
    expect(check('1.30', 'request.host', 'bool')).toBe('evaluates to string (expected a CEL condition (bool))');
    expect(check('1.30', 'request.headers["x-count"]', 'number')).toBe(
      'evaluates to string (expected a numeric CEL expression (int, uint or double))',
    );
    expect(check('1.30', 'request.duration', 'number')).toBe(
      'evaluates to google.protobuf.Duration (expected a numeric CEL expression (int, uint or double))',
    );
    expect(check('1.30', 'int(request.headers["x-count"])', 'number')).toBe('ok');
  });

  it('refuses the 1.24 peer vocabulary on a release whose proxies do not have it', () => {
    expect(check('1.17', 'filter_state.upstream_peer.workload')).toBe(
      'reads filter_state.upstream_peer at column 14, which Istio 1.17 does not have (it is in Istio 1.24 and later) (expected a field of filter_state: wasm.downstream_peer, wasm.upstream_peer); hint: Istio 1.17 reads the peer as upstream_peer: upstream_peer.name, upstream_peer.namespace, upstream_peer.labels, upstream_peer.owner, ...',
    );
    expect(check('1.24', 'filter_state.upstream_peer.workload')).toBe('ok');
    expect(check('1.17', 'upstream_peer.workload_name')).toBe('ok');
  });

  it('follows the peer fields release by release', () => {
    expect(check('1.24', "filter_state.upstream_peer.labels['team']")).toBe(
      'reads filter_state.upstream_peer.labels at column 28, which Istio 1.24 does not have (it is in Istio 1.25 and later) (expected a field of filter_state.upstream_peer: app, cluster, name, namespace, revision, service, type, version, workload)',
    );
    expect(check('1.25', "filter_state.upstream_peer.labels['team']")).toBe('ok');
    expect(check('1.28', 'filter_state.downstream_peer.region')).toBe(
      'reads filter_state.downstream_peer.region at column 30, which Istio 1.28 does not have (it is in Istio 1.29 and later) (expected a field of filter_state.downstream_peer: app, cluster, identity, labels, name, namespace, revision, service, type, version, workload)',
    );
    expect(check('1.29', 'filter_state.downstream_peer.region')).toBe('ok');
    expect(check('1.22', 'upstream_peer.identity')).toBe(
      'reads upstream_peer.identity at column 15, which Istio 1.22 does not have (it is in Istio 1.23 to 1.24) (expected a field of upstream_peer: app_containers, cluster_id, instance_ips, istio_version, labels, mesh_id, name, namespace, owner, platform_metadata, workload_name)',
    );
  });

  it('names the root the release reads where the vocabulary moved it', () => {
    expect(check('1.30', 'upstream_peer.workload_name')).toBe(
      'reads unknown attribute "upstream_peer" at column 1 (expected attributes of Istio 1.30: connection, destination, filter_state, metadata, request, response, source, upstream, xds); hint: Istio 1.30 reads it as filter_state.upstream_peer (the CEL vocabulary changed in 1.24: istio/istio@1.24.0:releasenotes/notes/telemetry-cel.yaml)',
    );
    expect(check('1.20', "xds.node.metadata['MESH_ID']")).toBe(
      'reads unknown attribute "xds" at column 1 (expected attributes of Istio 1.20: connection, destination, downstream_peer, filter_state, metadata, node, request, response, source, upstream, upstream_peer); hint: Istio 1.20 reads xds.node as node (the CEL vocabulary changed in 1.24: istio/istio@1.24.0:releasenotes/notes/telemetry-cel.yaml)',
    );
    expect(check('1.30', 'requst.method')).toBe(
      'reads unknown attribute "requst" at column 1 (expected attributes of Istio 1.30: connection, destination, filter_state, metadata, request, response, source, upstream, xds); hint: did you mean request?',
    );
  });

  it("reads other filters' filter state as dynamic, and a typo of Istio's keys as a typo", () => {
    expect(check('1.30', "filter_state['envoy.tcp_proxy.cluster'] == 'x'", 'bool')).toBe('ok');
    expect(check('1.30', "filter_state['wasm.istio_operationId']", 'any', ['istio_operationId'])).toBe('ok');
    expect(check('1.30', 'filter_state.upstream_per.app')).toBe(
      'reads filter_state.upstream_per at column 14, which Istio 1.30 does not have (expected a field of filter_state: downstream_peer, upstream_peer); hint: did you mean filter_state.upstream_peer?',
    );
  });

  it("accepts the presence-guarded read a 1.24 mesh with 1.23 proxies needs, and refuses it once 1.23's entry is gone", () => {
    const guarded =
      "has(filter_state.upstream_peer) ? filter_state.upstream_peer.app : filter_state['wasm.upstream_peer'].labels['app']";
    expect(check('1.24', guarded)).toBe('ok');
    expect(check('1.25', guarded)).toBe(
      'reads filter_state["wasm.upstream_peer"] at column 68, which Istio 1.25 does not have (it is in Istio 1.17 to 1.24) (expected a field of filter_state: downstream_peer, upstream_peer)',
    );
  });
});

/** Typed leaves of a release's vocabulary: attribute paths with a scalar type. */
function leaves(version: string): Record<'string' | 'int' | 'uint' | 'bool', string[]> {
  const vocabulary = celVocabulary(policy(version));
  const found: Record<'string' | 'int' | 'uint' | 'bool', string[]> = { string: [], int: [], uint: [], bool: [] };
  const walk = (path: string, type: string, depth: number): void => {
    if (Object.hasOwn(found, type)) found[type as keyof typeof found].push(path);
    const fields = vocabulary.messages[type];
    if (!fields || depth > 2) return;
    for (const [field, fieldType] of Object.entries(fields)) {
      walk(field.includes('.') ? `${path}[${JSON.stringify(field)}]` : `${path}.${field}`, fieldType, depth + 1);
    }
  };
  for (const [root, type] of Object.entries(vocabulary.roots)) walk(root, type, 0);
  return found;
}

describe('CEL types (properties)', () => {
  const versions = VersionPolicy.supportedVersions();
  const version = fc.constantFrom(...versions);

  it('never crashes the checker on any text', () => {
    fc.assert(
      fc.property(version, fc.string({ maxLength: 60 }), (v, expression) => {
        const found = new CelChecker(policy(v), []).check(expression, 'any');
        expect(found === undefined || typeof found.what === 'string').toBe(true);
      }),
      { numRuns: RUNS },
    );
  });

  /** A well-typed expression of each kind over the release's own leaves. */
  const typed = (v: string) => {
    const l = leaves(v);
    const str = fc.oneof(fc.constantFrom(...l.string), fc.constant("'x'"));
    const int = fc.oneof(fc.constantFrom(...l.int), fc.integer({ min: 0, max: 999 }).map(String));
    const bool = fc.letrec<{ bool: string }>((tie) => ({
      bool: fc.oneof(
        { depthSize: 'small' },
        fc.constantFrom(...l.bool),
        fc.tuple(str, str).map(([a, b]) => `${a} == ${b}`),
        fc.tuple(str, str).map(([a, b]) => `${a}.startsWith(${b})`),
        fc.tuple(int, int).map(([a, b]) => `${a} >= ${b}`),
        fc.tuple(tie('bool'), tie('bool')).map(([a, b]) => `(${a} && ${b})`),
        tie('bool').map((a) => `!(${a})`),
      ),
    })).bool;
    return { str, int, bool };
  };

  it('accepts well-typed expressions over the vocabulary with the type each site needs', () => {
    fc.assert(
      fc.property(
        version.chain((v) => {
          const t = typed(v);
          return fc.tuple(
            fc.constant(v),
            t.bool,
            t.int.chain((i) => t.bool.map((b) => `${b} ? ${i} : 0`)),
          );
        }),
        ([v, condition, value]) => {
          const checker = new CelChecker(policy(v), []);
          expect(checker.check(condition, 'bool')).toBeUndefined();
          expect(checker.check(value, 'number')).toBeUndefined();
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('refuses ill-typed ones: mixed operands, strings as conditions or values, misspelt fields', () => {
    fc.assert(
      fc.property(
        version.chain((v) => {
          const l = leaves(v);
          const str = fc.constantFrom(...l.string);
          const int = fc.constantFrom(...l.int);
          return fc.tuple(
            fc.constant(v),
            fc.oneof(
              fc.tuple(str, int).map(([s, i]) => ({ expression: `${s} + ${i}`, result: 'any' as const })),
              fc.tuple(int, str).map(([i, s]) => ({ expression: `${i} == ${s}`, result: 'any' as const })),
              str.map((s) => ({ expression: s, result: 'bool' as const })),
              str.map((s) => ({ expression: s, result: 'number' as const })),
              fc
                .tuple(fc.constantFrom(...l.string, ...l.int), fc.constantFrom('x', 'zz', '_'))
                .filter(([path]) => /\.[a-z_]+$/.test(path))
                .map(([path, typo]) => ({ expression: `${path}${typo}`, result: 'any' as const })),
            ),
          );
        }),
        ([v, { expression, result }]) => {
          expect(new CelChecker(policy(v), []).check(expression, result)).toBeDefined();
        },
      ),
      { numRuns: RUNS },
    );
  });
});
