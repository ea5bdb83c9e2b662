import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { synthConfigFile } from '../cli/synth';
import { RANGE, UNSUPPORTED } from './support/versions';

/**
 * Bad input as users get it wrong, each refused with one located line per problem and nothing
 * written: the corpus the closing note of the robustness issue counts.
 */
const BASE = ['istioVersion: "1.30"', 'namespace: shop', 'workloads:', '  web: { selector: { app: web } }'];
const base = (...lines: string[]) => [...BASE, ...lines, ''].join('\n');

/** Each case: the file, and the lines synth reports (`config` is the file's path). */
const BAD: readonly [string, string, (config: string) => readonly string[]][] = [
  [
    'unsupported release',
    base().replace('"1.30"', `"${UNSUPPORTED}"`),
    (config) => [
      `${config}:1:1 [mesh/mesh] istioVersion: Istio ${UNSUPPORTED} has no row in the version policy, so no other release's mechanisms are emitted for it (got "${UNSUPPORTED}", expected a target this library implements, ${RANGE})`,
    ],
  ],
  [
    'release not a version',
    base().replace('"1.30"', '"latest"'),
    (config) => [
      `${config}:1:1: istioVersion: got "latest", expected target Istio release, "MAJOR.MINOR" or "MAJOR.MINOR.PATCH", from "1.17" to the newest release with a row in docs/istio-versions.md (quote it: 1.20 unquoted is the number 1.2)`,
    ],
  ],
  [
    'namespace not a DNS label',
    base().replace('namespace: shop', 'namespace: Shop_1'),
    (config) => [
      `${config}:2:1: namespace: got "Shop_1", expected a Kubernetes name that must be an RFC 1123 label (namespaces, Services)`,
    ],
  ],
  [
    'unknown top-level key',
    base('tracing: { sampling: 10 }'),
    (config) => [
      `${config}:5:1: tracing: unknown field (expected one of 23 known fields: $schema, istioVersion, namespace, mesh, namespaces, waypoints, demoApp, workloads, statsInclusion, metricDimensions, metricDefinitions, attributeGenerators, ...)`,
    ],
  ],
  [
    'negative sampling',
    base('traceSampling:', '  s: { target: mesh, percentage: -1 }'),
    (config) => [`${config}:6:22: traceSampling.s.percentage: must be >= 0 (got -1)`],
  ],
  [
    'sampling as a string',
    base('traceSampling:', '  s: { target: mesh, percentage: "10" }'),
    (config) => [`${config}:6:22: traceSampling.s.percentage: wrong type (got "10", expected number)`],
  ],
  [
    'unknown workload target',
    base('traceSampling:', '  s: { target: { workload: webb }, percentage: 10 }'),
    (config) => [
      `${config}:6:8 [shop/s] target: is not a declared workload (got "webb", expected a workload declared under workloads: web); hint: did you mean "web"?`,
    ],
  ],
  [
    'RE2 lookahead',
    base('statsInclusion:', '  s: { target: mesh, inclusionRegexps: ["(?=x)"] }'),
    (config) => [
      `${config}:6:41 [shop/s] inclusionRegexps[0]: got "(?=x)", expected an RE2 regular expression (error parsing regexp: invalid or unsupported Perl syntax: \`(?=\`)`,
    ],
  ],
  [
    'empty stats inclusion',
    base('statsInclusion:', '  s: { target: mesh }'),
    (config) => [
      `${config}:6:3 [shop/s] {inclusionPrefixes,inclusionSuffixes,inclusionRegexps}: got [], expected at least one entry`,
    ],
  ],
  [
    'metric name typo',
    base('metricDimensions:', '  d: { metric: request_total, dimensions: { h: request.host } }'),
    (config) => [
      `${config}:6:8 [shop/d] metric: got "request_total", expected a standard metric base name (requests_total, request_duration_milliseconds, request_bytes, response_bytes, request_messages_total, response_messages_total, tcp_connections_opened_total, tcp_connections_closed_total, tcp_sent_bytes_total, tcp_received_bytes_total)`,
    ],
  ],
  [
    'CEL field typo',
    base('metricDimensions:', '  d: { metric: requests_total, dimensions: { h: request.hostt } }'),
    (config) => [
      `${config}:6:3 [shop/d] dimensions.h: reads request.hostt at column 9, which Istio 1.30 does not have (got "request.hostt", expected a field of request: duration, headers, headers_bytes, host, id, method, path, protocol, query, referer, scheme, size, time, total_size, url_path, useragent); hint: did you mean request.host?`,
    ],
  ],
  [
    'CEL int + string',
    base('metricDimensions:', '  d: { metric: requests_total, dimensions: { h: "response.code + \'x\'" } }'),
    (config) => [
      `${config}:6:3 [shop/d] dimensions.h: CEL type error at column 1: no such overload: int + string (got "response.code + 'x'", expected a CEL expression)`,
    ],
  ],
  [
    'CEL syntax',
    base('metricDimensions:', '  d: { metric: requests_total, dimensions: { h: "request.host ==" } }'),
    (config) => [
      `${config}:6:3 [shop/d] dimensions.h: CEL syntax error at column 16: Unexpected token: EOF (got "request.host ==", expected a CEL expression)`,
    ],
  ],
  [
    'string as a metric value',
    base(
      'metricDefinitions:',
      '  m: { name: hosts, type: COUNTER, value: request.host, implementation: stats-filter }',
    ),
    (config) => [
      `${config}:6:3 [shop/m] value: evaluates to string (got "request.host", expected a numeric CEL expression (int, uint or double))`,
    ],
  ],
  [
    'metric name with istio_ prefix',
    base('metricDefinitions:', '  m: { name: istio_x, type: COUNTER, value: "1" }'),
    (config) => [
      `${config}:6:8 [shop/m] name: got "istio_x", expected a name without the istio_ prefix, which Istio adds ("x")`,
    ],
  ],
  [
    'metric type unknown',
    base('metricDefinitions:', '  m: { name: x, type: SUMMARY, value: "1" }'),
    (config) => [
      `${config}:6:17: metricDefinitions.m.type: not an allowed value (got "SUMMARY", expected one of "COUNTER", "GAUGE", "HISTOGRAM")`,
    ],
  ],
  [
    'zipkin address without port',
    base('zipkinTracers:', '  z: { target: mesh, address: zipkin.istio-system }'),
    (config) => [
      `${config}:6:22: zipkinTracers.z.address: got "zipkin.istio-system", expected host:port, e.g. zipkin.istio-system:9411`,
    ],
  ],
  [
    'otel address with scheme',
    base('openTelemetryTracers:', '  o: { target: mesh, address: "http://otel:4317" }'),
    (config) => [
      `${config}:6:22: openTelemetryTracers.o.address: got "http://otel:4317", expected service.namespace:port, e.g. opentelemetry-collector.observability:4317`,
    ],
  ],
  [
    'header tag name with a space',
    base('customTraceTags:', '  t: { target: mesh, tags: { a: { header: "x team" } } }'),
    (config) => [
      `${config}:6:35 [shop/t] tags.a.header.name: got "x team", expected an HTTP header name (RFC 9110 token)`,
    ],
  ],
  [
    'environment tag name',
    base('customTraceTags:', '  t: { target: mesh, tags: { a: { environment: 1BAD } } }'),
    (config) => [`${config}:6:35 [shop/t] tags.a.environment.name: got "1BAD", expected an environment variable name`],
  ],
  [
    'bootstrap override name',
    base('bootstrapOverrides:', '  b: { name: Bad_Name, workloads: [web], statsd: { address: "statsd.x:9125" } }'),
    (config) => [
      `${config}:6:8: bootstrapOverrides.b.name: got "Bad_Name", expected a Kubernetes object name: an RFC 1123 subdomain`,
    ],
  ],
  [
    'same key in two sections',
    base(
      'traceSampling:',
      '  web-t: { target: mesh, percentage: 10 }',
      'zipkinTracers:',
      '  web-t: { target: mesh, address: "zipkin.istio-system:9411" }',
    ),
    (config) => [
      `${config}:8:3 [shop/web-t] zipkinTracers.web-t: is the id of traceSampling.web-t too; a key names one piece across the sections of a namespace; hint: rename one of them`,
    ],
  ],
  [
    'duplicate YAML key',
    base('traceSampling:', '  s: { target: mesh, percentage: 10 }', '  s: { target: mesh, percentage: 20 }'),
    (config) => [`${config}:7:3: repeats the key "s" of this mapping (expected each key once)`],
  ],
  [
    'YAML syntax error',
    base('traceSampling:', '  s: { target: mesh, percentage: 10'),
    (config) => [
      `${config}:7:1: Flow map in block collection must be sufficiently indented and end with a } (expected valid YAML)`,
    ],
  ],
  [
    'tab indentation',
    base('traceSampling:', '\ts: { target: mesh, percentage: 10 }'),
    (config) => [`${config}:6:1: Tabs are not allowed as indentation (expected valid YAML)`],
  ],
  ['empty file', '', (config) => [`${config}:1:1: wrong type (got null, expected object)`]],
  ['a list, not a mapping', '- a\n- b\n', (config) => [`${config}:1:1: wrong type (got ["a","b"], expected object)`]],
  [
    'empty selector',
    base().replace('{ selector: { app: web } }', '{ selector: {} }'),
    (config) => [
      `${config}:4:10 [shop/workloads/web] selector: is empty: a Telemetry or WasmPlugin with an empty selector applies to every pod of the namespace (got {}, expected at least one pod label, e.g. { app: cart })`,
    ],
  ],
  [
    'workload namespace',
    base().replace('{ selector: { app: web } }', '{ namespace: Bad_NS, selector: { app: web } }'),
    (config) => [
      `${config}:4:10: workloads.web.namespace: got "Bad_NS", expected a Kubernetes name that must be an RFC 1123 label (namespaces, Services)`,
    ],
  ],
  [
    'label value over 63',
    base().replace('{ app: web }', `{ app: ${'w'.repeat(64)} }`),
    (config) => [
      `${config}:4:22 [shop/workloads/web] selector.app: got "wwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwww", expected a label value (63 characters of [A-Za-z0-9_.-])`,
    ],
  ],
  [
    'kiali auth',
    base('backends:', '  prometheus: { release: kps, namespace: monitoring }', '  kiali: { auth: none }'),
    (config) => [
      `${config}:7:12: backends.kiali.auth: not an allowed value (got "none", expected one of "token", "openid", "openshift", "header", "anonymous")`,
    ],
  ],
  [
    'jaeger storage',
    base(
      'backends:',
      '  prometheus: { release: kps, namespace: monitoring }',
      '  jaeger: { storage: { type: cassandra } }',
    ),
    (config) => [
      `${config}:7:24: backends.jaeger.storage.type: unknown field (expected one of memory, badgerOnEmptyDir, badgerOnClaim)`,
    ],
  ],
  [
    'mesh install',
    base('mesh: { install: helmm }'),
    (config) => [
      `${config}:5:9: mesh.install: not an allowed value (got "helmm", expected one of "istioctl", "helm", "sail")`,
    ],
  ],
  [
    'pilot sampling',
    base('pilotTraceSampling: 200'),
    (config) => [`${config}:5:1: pilotTraceSampling: must be <= 100 (got 200)`],
  ],
  [
    'attribute condition syntax',
    base(
      'attributeGenerators:',
      '  g: { workload: web, attributes: { istio_op: [ { value: a, condition: "request.method ==" } ] } }',
    ),
    (config) => [
      `${config}:6:3 [shop/g] istio_op.match[0].condition: CEL syntax error at column 18: Unexpected token: EOF (got "request.method ==", expected a CEL condition (bool))`,
    ],
  ],
  [
    '1.24 peer field on 1.17',
    base(
      'metricDimensions:',
      '  d: { metric: requests_total, dimensions: { w: filter_state.upstream_peer.workload } }',
    ).replace('"1.30"', '"1.17"'),
    (config) => [
      `${config}:6:3 [shop/d] dimensions.w: reads filter_state.upstream_peer at column 14, which Istio 1.17 does not have (it is in Istio 1.24 and later) (got "filter_state.upstream_peer.workload", expected a field of filter_state: wasm.downstream_peer, wasm.upstream_peer); hint: Istio 1.17 reads the peer as upstream_peer: upstream_peer.name, upstream_peer.namespace, upstream_peer.labels, upstream_peer.owner, ...`,
    ],
  ],
  [
    '5 MiB tag literal',
    base(
      'customTraceTags:',
      `  t: { target: { workload: web }, tags: { big: { literal: "${'x'.repeat(5 * 1024 * 1024)}" } } }`,
    ),
    (config) => [
      `${config}:4:3 [shop/workloads/web/Telemetry/Resource] serializes to 5243092 bytes, more than the 1572864 etcd stores by default (--max-request-bytes), so the API server cannot persist it; hint: shrink the values that make it this large (a trace tag literal, a dashboard)`,
    ],
  ],
  [
    'deep nesting',
    base(`extra: ${'['.repeat(20000)}${']'.repeat(20000)}`),
    (config) => [
      `${config}:5:72: opens a collection 65 levels deep (expected at most 64 levels of [ ] and { } (a config needs a few))`,
    ],
  ],
  [
    'gitops path absolute with relative',
    base('gitops: { repoURL: "https://git.example.com/platform.git", path: "/abs" }'),
    (config) => [
      `${config}:5:60: gitops.path: got "/abs", expected the folder in the repository that holds the output: a path relative to its root (. for the root), without a leading or trailing /, .. segments or the pattern characters * ? [ ] \\`,
    ],
  ],
  [
    'gitops path out of the repository',
    base('gitops: { repoURL: "https://git.example.com/platform.git", path: "../platform" }'),
    (config) => [
      `${config}:5:60: gitops.path: got "../platform", expected the folder in the repository that holds the output: a path relative to its root (. for the root), without a leading or trailing /, .. segments or the pattern characters * ? [ ] \\`,
    ],
  ],
  [
    'objective on an undeclared workload',
    base(
      'backends:',
      '  prometheus: { release: kps, namespace: monitoring }',
      'slos:',
      '  a: { workload: webb, availability: 99.9 }',
    ),
    (config) => [
      `${config}:8:8 [observability-backends/a] workload: is not a declared workload (got "webb", expected a workload declared under workloads: web); hint: did you mean "web"?`,
    ],
  ],
  [
    'objective of 100%',
    base(
      'backends:',
      '  prometheus: { release: kps, namespace: monitoring }',
      'slos:',
      '  a: { workload: web, availability: 100 }',
    ),
    (config) => [
      `${config}:8:23 [observability-backends/a] availability: leaves no error budget, so no burn rate can be computed (got 100, expected a percentage above 0 and below 100, e.g. 99.9); hint: use 99.9, 99.95 or 99.99`,
    ],
  ],
  [
    'objective window shorter than its alerts',
    base(
      'backends:',
      '  prometheus: { release: kps, namespace: monitoring }',
      'slos:',
      '  a: { workload: web, availability: 99.9, window: 2d }',
    ),
    (config) => [
      `${config}:8:43 [observability-backends/a] window: is shorter than 7d: the ticket alert reads the error ratio over 3d, which the window must hold twice (got "2d", expected whole days or weeks from 7d to 90d, e.g. 30d or 4w)`,
    ],
  ],
  [
    'latency threshold between buckets',
    base(
      'backends:',
      '  prometheus: { release: kps, namespace: monitoring }',
      'slos:',
      '  a: { workload: web, latency: { thresholdMs: 300, objective: 99 } }',
    ),
    (config) => [
      `${config}:8:34 [observability-backends/a] latency.thresholdMs: is between the proxies' bucket boundaries (Envoy's defaults), so the share of requests under it cannot be read (got 300, expected a bucket boundary of istio_request_duration_milliseconds); hint: use 250 or 500 (the nearest boundaries)`,
    ],
  ],
  [
    'objective on an ambient workload without a waypoint',
    base(
      'mesh: { install: helm, dataplane: ambient }',
      'backends:',
      '  prometheus: { release: kps, namespace: monitoring }',
      'slos:',
      '  a: { workload: web, availability: 99.9 }',
    ),
    (config) => [
      `${config}:9:8 [observability-backends/a] workload: is ambient without a waypoint: ztunnel reports its connections (L4), no request, status or duration (got "web", expected a workload with a sidecar or behind a waypoint); hint: give its namespace a waypoint (namespaces.shop.waypoint) or the workload its own (workloads.web.waypoint)`,
    ],
  ],
  [
    'objective without a Prometheus',
    base('slos:', '  a: { workload: web, availability: 99 }'),
    (config) => [
      `${config}:6:3 [shop/a] no Prometheus evaluates this objective: no backend writes alert rules; hint: declare backends.prometheusOperator (its alerts are on by default) or backends.scrapeConfig`,
    ],
  ],
  [
    'demo egress without gateway',
    base('demoApp: { gateway: false, httpbinEgress: true }')
      .replace('"1.30"', '"1.17"')
      .replace('namespace: shop', 'namespace: istioinaction'),
    (config) => [
      `${config}:5:28 [istioinaction/app] httpbinEgress: routes httpbin.istioinaction.io through the coolstore gateway, which gateway: false leaves out (got true, expected false, or gateway: true)`,
    ],
  ],
];

const dir = mkdtempSync(join(tmpdir(), 'bad-inputs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('bad input', () => {
  it.each(BAD.map(([name, text, lines], i) => [name, text, lines, i] as const))(
    '%s: one located line per problem, nothing written',
    async (_name, text, lines, i) => {
      const config = join(dir, `${i}.yaml`);
      const out = join(dir, `out-${i}`);
      writeFileSync(config, text);
      const error = await synthConfigFile(config, out).then(
        () => undefined,
        (e: unknown) => e as Error,
      );
      expect(error).toBeDefined();
      const reported = (error?.message ?? '').split('\n').filter((line) => line.startsWith('  '));
      expect(reported.map((line) => line.slice(2))).toEqual(lines(config));
      expect(existsSync(out)).toBe(false);
    },
  );
});
