import { ApiObject } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { describe, expect, it } from 'vitest';
import { APP_RULES } from '../analysis/rule-catalog';
import { bootstrapProblem, checkBootstrap } from '../analysis/rules/envoy-bootstrap';
import { neighboursOf, proxyVersionProblem } from '../analysis/rules/proxy-version-regex';
import { validateApp } from '../app/validate/app-validator';
import { AttributeGen } from '../constructs/attributes/attribute-gen';
import { BootstrapOverride } from '../constructs/bootstrap/bootstrap-override';
import { zipkinTracingOverride } from '../constructs/bootstrap/envoy-bootstrap';
import { MetricDefinition, MetricType } from '../constructs/metrics/metric-definition';
import { MetricDimensions } from '../constructs/metrics/metric-dimensions';
import { ProxyTarget } from '../constructs/proxy-config/proxy-target';
import { StatsInclusion } from '../constructs/stats/stats-inclusion';
import { ProxyKind } from '../core/istio/proxy-kind';
import { StandardMetric } from '../core/istio/standard-metrics';
import { formatFinding } from '../core/problems/finding';
import { IstioVersion } from '../core/version/istio-version';
import { testApp } from './support/app';
import { defaultStack, demoFixture } from './support/fixtures';
import { texts } from './support/problem-text';

type Fixture = ReturnType<typeof demoFixture>;

/** The findings of one rule, one formatted line each, for what `build` adds to the demo fixture. */
async function findingsOf(rule: string, build: (fixture: Fixture) => void, istioVersion?: string): Promise<string[]> {
  const fixture = demoFixture(istioVersion ? { istioVersion } : {});
  build(fixture);
  return (await validateApp(fixture.app)).filter((f) => f.rule === rule).map(formatFinding);
}

/** A valid bootstrap override, built the typed way. */
const ZIPKIN_BOOTSTRAP = zipkinTracingOverride({ collectorCluster: 'zipkin', collectorEndpoint: '/api/v2/spans' });

const bootstrapJson = (typedConfig: Record<string, unknown>) =>
  JSON.stringify({
    tracing: {
      http: {
        name: 'envoy.tracers.zipkin',
        typedConfig: { '@type': 'type.googleapis.com/envoy.config.trace.v3.ZipkinConfig', ...typedConfig },
      },
    },
  });

describe('every rule on the default stack', () => {
  it('finds no error, and exactly the expected warnings', async () => {
    const app = testApp();
    defaultStack(app);
    const findings = await validateApp(app);
    const counts = Object.fromEntries(APP_RULES.map((r) => [r.id, findings.filter((f) => f.rule === r.id).length]));
    expect(findings.filter((f) => f.severity === 'error')).toEqual([]);
    expect(counts).toEqual({
      'object-schema': 0,
      'istio-api-version': 0,
      'istiod-flags': 0,
      'metrics-merge': 0,
      'series-cardinality': 0,
      'field-availability': 0,
      'kubernetes-metadata': 0,
      'mesh-default-providers': 0,
      'unique-objects': 0,
      'cel-expression': 0,
      'generated-attribute-coverage': 0,
      'removed-tag': 0,
      'kiali-labels': 1,
      'proxy-version-regex': 0,
      'envoy-bootstrap': 0,
      'bootstrap-configmap-reference': 0,
      'bootstrap-zipkin-cluster': 0,
      'zipkin-collector-path': 0,
      'proxy-config-annotation': 0,
      'extra-stat-tags-coverage': 0,
      'extension-providers': 0,
      'config-override': 0,
      'hand-written-inputs': 0,
      'null-vm-attributegen': 0,
      'tracing-provider': 0,
      'access-log-provider': 0,
      'stats-inclusion-exclusive': 0,
      'telemetry-conflicts': 0,
      'waypoint-telemetry': 0,
      'version-adaptation': 0,
      'patch-replaces-annotation': 0,
      'restart-required': 2,
      'deprecated-mechanism': 1,
      'backend-caveats': 1,
      'tracing-backend-address': 0,
    });
  });
});

describe('object-schema', () => {
  it('checks custom resources against the vendored CRD schema, refusing unknown fields', async () => {
    const found = await findingsOf('object-schema', ({ chart }) => {
      new ApiObject(chart, 'ef', {
        apiVersion: 'networking.istio.io/v1alpha3',
        kind: 'EnvoyFilter',
        metadata: { name: 'ef' },
        spec: { workloadSelectr: { labels: { app: 'webapp' } }, configPatches: [{ applyTo: 'HTTP_FILTR' }] },
      });
    });
    expect(found).toEqual([
      '[istioinaction/ef] spec.configPatches[0].applyTo: not an allowed value (got "HTTP_FILTR", expected one of "INVALID", "LISTENER", "FILTER_CHAIN", "NETWORK_FILTER", "HTTP_FILTER", "ROUTE_CONFIGURATION", "VIRTUAL_HOST", "HTTP_ROUTE", "CLUSTER", "EXTENSION_CONFIG", "BOOTSTRAP", "LISTENER_FILTER") [the istio-1.31.0-rc.0 CRD schema]',
      '[istioinaction/ef] spec.workloadSelectr: unknown field (expected one of configPatches, priority, targetRefs, workloadSelector) [the istio-1.31.0-rc.0 CRD schema]',
    ]);
  });

  it("evaluates the CRDs' own CEL rules (x-kubernetes-validations), those of the target's release", async () => {
    const build = ({ chart }: Fixture) => {
      new ApiObject(chart, 'tel', {
        apiVersion: 'telemetry.istio.io/v1alpha1',
        kind: 'Telemetry',
        metadata: { name: 'tel' },
        spec: {
          metrics: [
            {
              overrides: [
                { tagOverrides: { a: { operation: 'REMOVE', value: 'x' }, b: { operation: 'UPSERT', value: '' } } },
              ],
            },
          ],
        },
      });
      new ApiObject(chart, 'se', {
        apiVersion: 'networking.istio.io/v1alpha3',
        kind: 'ServiceEntry',
        metadata: { name: 'se' },
        spec: {
          hosts: ['httpbin.org'],
          ports: [
            { number: 80, name: 'http', protocol: 'HTTP' },
            { number: 80, name: 'http-alt', protocol: 'HTTP' },
          ],
        },
      });
    };
    // The 1.17 CRDs have none of these rules, so a 1.17 API server stores both objects.
    expect(await findingsOf('object-schema', build)).toEqual([]);
    const found = await findingsOf('object-schema', build, '1.30');
    const schema = ' [the istio-1.31.0-rc.0 CRD schema]';
    expect(found).toEqual([
      `[istioinaction/se] spec.ports: port number cannot be duplicated (got [{"name":"http","number":80,"protocol":"HTTP"},{"name":"http-alt","number":80,"protocol":"HTTP"}], expected it to satisfy the CRD rule self.all(l1, self.exists_one(l2, l1.number == l2.number)))${schema}`,
      `[istioinaction/tel] spec.metrics[0].overrides[0].tagOverrides.a: value must not be set when operation is REMOVE (got {"operation":"REMOVE","value":"x"}, expected it to satisfy the CRD rule ((has(self.operation) ? self.operation : "") == "REMOVE") ? !has(self.value) : true)${schema}`,
      `[istioinaction/tel] spec.metrics[0].overrides[0].tagOverrides.b: value must be set when operation is UPSERT (got {"operation":"UPSERT","value":""}, expected it to satisfy the CRD rule ((has(self.operation) ? self.operation : "") == "UPSERT") ? (self.value != "") : true)${schema}`,
    ]);
  });

  it('checks Kubernetes kinds against the Kubernetes schemas', async () => {
    const found = await findingsOf('object-schema', ({ chart }) => {
      new ApiObject(chart, 'dep', {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'dep' },
        spec: { replicas: 'two', selector: {}, template: {} },
      });
    });
    expect(found).toEqual([
      '[istioinaction/dep] spec.replicas: wrong type (got "two", expected integer) [the Kubernetes schema (kubernetes-models)]',
    ]);
  });

  it('checks the IstioOperator against schemas/istio-operator.schema.json (configOverride and ProxyConfig shapes)', async () => {
    const found = await findingsOf('object-schema', ({ chart }) => {
      new ApiObject(chart, 'iop', {
        apiVersion: 'install.istio.io/v1alpha1',
        kind: 'IstioOperator',
        metadata: { name: 'iop' },
        spec: {
          meshConfig: {
            defaultConfig: {
              proxyStatMatcher: {},
              tracing: { sampling: '10', customTags: { a: { literal: { value: 'x' }, header: { name: 'y' } } } },
            },
          },
          values: {
            pilot: { traceSampling: 101 },
            telemetry: {
              v2: {
                prometheus: {
                  configOverride: { outboundSidecar: { statPrefix: 'istio_', metrics: [{ dimension: {} }] } },
                },
              },
            },
          },
        },
      });
    });
    const schema = ' [schemas/istio-operator.schema.json]';
    expect(found).toEqual([
      `[istioinaction/iop] spec.meshConfig.defaultConfig.proxyStatMatcher: unknown field (expected one of 74 known fields, e.g. proxyStatsMatcher, proxy_stats_matcher)${schema}`,
      `[istioinaction/iop] spec.meshConfig.defaultConfig.tracing.customTags.a: has 2 fields (got {"header":{"name":"y"},"literal":{"value":"x"}}, expected at most 1)${schema}`,
      `[istioinaction/iop] spec.meshConfig.defaultConfig.tracing.sampling: wrong type (got "10", expected number)${schema}`,
      `[istioinaction/iop] spec.values.pilot.traceSampling: must be <= 100 (got 101)${schema}`,
      `[istioinaction/iop] spec.values.telemetry.v2.prometheus.configOverride.outboundSidecar.metrics[0].dimension: unknown field (expected one of dimensions, name, tags_to_remove, match, drop)${schema}`,
      `[istioinaction/iop] spec.values.telemetry.v2.prometheus.configOverride.outboundSidecar.statPrefix: unknown field (expected one of debug, stat_prefix, disable_host_header_fallback, tcp_reporting_duration, metrics, definitions, reporter, rotation_interval, graceful_deletion_interval)${schema}`,
    ]);
  });

  it('refuses a kind or version the CRDs of its API group do not serve', async () => {
    const found = await findingsOf('object-schema', ({ chart }) => {
      new ApiObject(chart, 'ef', {
        apiVersion: 'networking.istio.io/v1beta1',
        kind: 'EnvoyFilter',
        metadata: { name: 'ef' },
      });
      new ApiObject(chart, 'mp', {
        apiVersion: 'telemetry.istio.io/v1',
        kind: 'MetricsPolicy',
        metadata: { name: 'mp' },
      });
    });
    expect(found).toEqual([
      '[istioinaction/ef] kind: the vendored CRDs serve no EnvoyFilter in networking.istio.io/v1beta1 (got "networking.istio.io/v1beta1/EnvoyFilter", expected one of networking.istio.io/v1alpha3/EnvoyFilter)',
      '[istioinaction/mp] kind: the vendored CRDs serve no MetricsPolicy in telemetry.istio.io/v1 (got "telemetry.istio.io/v1/MetricsPolicy", expected a kind of telemetry.istio.io: Telemetry)',
    ]);
  });

  it('warns, without failing, about a kind it has no schema for', async () => {
    const fixture = demoFixture();
    new ApiObject(fixture.chart, 'cert', {
      apiVersion: 'cert-manager.io/v1',
      kind: 'Certificate',
      metadata: { name: 'c' },
    });
    const findings = (await validateApp(fixture.app)).filter((f) => f.rule === 'object-schema');
    expect(findings.map((f) => [f.severity, formatFinding(f)])).toEqual([
      [
        'warning',
        '[istioinaction/cert] apiVersion: no schema known for cert-manager.io/v1 Certificate, so it was not schema-checked (got "cert-manager.io/v1", expected a Kubernetes, Istio or Prometheus Operator kind)',
      ],
    ]);
  });
});

describe('istio-api-version', () => {
  it('refuses Istio API versions the target release does not serve, though the 1.30.3 CRDs do', async () => {
    const found = await findingsOf('istio-api-version', ({ chart }) => {
      new ApiObject(chart, 'tel', {
        apiVersion: 'telemetry.istio.io/v1',
        kind: 'Telemetry',
        metadata: { name: 'tel' },
        spec: {},
      });
      new ApiObject(chart, 'gw', {
        apiVersion: 'networking.istio.io/v1',
        kind: 'Gateway',
        metadata: { name: 'gw' },
        spec: {},
      });
      new ApiObject(chart, 'old', {
        apiVersion: 'telemetry.istio.io/v1alpha1',
        kind: 'Telemetry',
        metadata: { name: 'old' },
        spec: {},
      });
    });
    expect(found).toEqual([
      '[istioinaction/gw] apiVersion: not served by Istio 1.17 (got "networking.istio.io/v1", expected one of networking.istio.io/v1alpha3, networking.istio.io/v1beta1)',
      '[istioinaction/tel] apiVersion: not served by Istio 1.17 (got "telemetry.istio.io/v1", expected one of telemetry.istio.io/v1alpha1)',
    ]);
  });
});

describe('kubernetes-metadata', () => {
  it('refuses names, label keys and values and annotation keys the API server refuses', async () => {
    const found = await findingsOf('kubernetes-metadata', ({ chart }) => {
      new ApiObject(chart, 'cm', {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'Bad_Name', labels: { app: 'x'.repeat(64), 'bad key!': 'v' }, annotations: { 'a/b/c': 'x' } },
      });
      new ApiObject(chart, 'svc', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'a.b' } });
    });
    expect(found).toEqual([
      '[istioinaction/cm] metadata.annotations: has an invalid key (got "a/b/c", expected a qualified name ([prefix/]name))',
      `[istioinaction/cm] metadata.labels.app: got "${'x'.repeat(64)}", expected a label value (at most 63 alphanumerics, '-', '_' or '.', starting and ending alphanumeric)`,
      '[istioinaction/cm] metadata.labels: has an invalid key (got "bad key!", expected a qualified name ([prefix/]name))',
      "[istioinaction/cm] metadata.name: got \"Bad_Name\", expected a name for this ConfigMap (RFC 1123 subdomain: lower-case alphanumerics and '-' or '.')",
      '[istioinaction/svc] metadata.name: got "a.b", expected a name for this Service (RFC 1123 label: lower-case alphanumerics and \'-\')',
    ]);
  });
});

describe('kubernetes-metadata on generated names', () => {
  it('accepts the names cdk8s generates for constructs given no name', async () => {
    const found = await findingsOf('kubernetes-metadata', ({ mesh, chart, webapp }) => {
      new AttributeGen(chart, 'gen', { mesh }).addAttribute('istio_operationId', [{ value: 'all' }]);
      new BootstrapOverride(chart, 'boot', { bootstrap: ZIPKIN_BOOTSTRAP, workloads: [webapp] });
    });
    expect(found).toEqual([]);
  });
});

describe('cel-expression', () => {
  it('reports syntax and type errors with their column, unknown attributes and wrong result types', async () => {
    const found = await findingsOf('cel-expression', ({ mesh, chart }) => {
      const gen = new AttributeGen(chart, 'gen', { mesh, name: 'gen' });
      gen.addAttribute('istio_operationId', [
        { value: 'a', condition: "request.url_path == '/items' &&" },
        { value: 'b', condition: "'x'" },
        { value: 'c' },
      ]);
      new MetricDimensions(chart, 'dims', {
        mesh,
        metric: StandardMetric.REQUESTS_TOTAL,
        proxies: [ProxyKind.OUTBOUND_SIDECAR],
        dimensions: { a: "nod.metadata['MESH_ID']", b: "request.method == 'GET' ? 1 : 'x'", c: 'istio_operationId' },
      });
      new MetricDefinition(chart, 'def', {
        mesh,
        name: 'gets',
        type: MetricType.COUNTER,
        value: "request.method == 'GET'",
      });
    });
    expect(found).toEqual([
      '[istioinaction/def] value: evaluates to bool (got "request.method == \'GET\'", expected a numeric CEL expression (int, uint or double))',
      '[istioinaction/dims] dimensions.a: reads unknown attribute "nod" at column 1 (got "nod.metadata[\'MESH_ID\']", expected attributes of Istio 1.17: connection, destination, downstream_peer, filter_state, metadata, node, request, response, source, upstream, upstream_peer; or one generated in this app: istio_operationId); hint: did you mean node?',
      "[istioinaction/dims] dimensions.b: CEL type error at column 1: Ternary branches must have the same type, got 'int' and 'string' (got \"request.method == 'GET' ? 1 : 'x'\", expected a CEL expression)",
      '[istioinaction/gen] istio_operationId.match[0].condition: CEL syntax error at column 32: Unexpected token: EOF (got "request.url_path == \'/items\' &&", expected a CEL condition (bool))',
      '[istioinaction/gen] istio_operationId.match[1].condition: evaluates to string (got "\'x\'", expected a CEL condition (bool))',
    ]);
  });

  it('knows attributes only when an attribute generator of the app makes them', async () => {
    const found = await findingsOf('cel-expression', ({ mesh, chart }) => {
      new MetricDimensions(chart, 'dims', {
        mesh,
        metric: StandardMetric.REQUESTS_TOTAL,
        dimensions: { op: 'istio_operationId' },
      });
    });
    expect(found).toEqual([
      '[istioinaction/dims] dimensions.op: reads unknown attribute "istio_operationId" at column 1 (got "istio_operationId", expected attributes of Istio 1.17: connection, destination, downstream_peer, filter_state, metadata, node, request, response, source, upstream, upstream_peer)',
    ]);
  });
});

describe('generated-attribute-coverage', () => {
  it('refuses reading a generated attribute on proxies its generator does not run on, by handle or by name', async () => {
    const found = await findingsOf('generated-attribute-coverage', ({ mesh, chart }) => {
      const operation = new AttributeGen(chart, 'gen', { mesh, name: 'gen' }).addAttribute('istio_operationId', [
        { value: 'all' },
      ]);
      new MetricDimensions(chart, 'dims', {
        mesh,
        metric: StandardMetric.REQUESTS_TOTAL,
        proxies: [ProxyKind.INBOUND_SIDECAR, ProxyKind.OUTBOUND_SIDECAR],
        dimensions: { upstream_operation: operation, by_name: "istio_operationId + '-x'" },
      });
    });
    expect(found).toEqual([
      '[istioinaction/dims] dimensions.by_name: reads attribute "istio_operationId" on inboundSidecar, but istioinaction/gen generates it only on outboundSidecar; hint: narrow proxies or generate the attribute there too',
      '[istioinaction/dims] dimensions.upstream_operation: reads attribute "istio_operationId" on inboundSidecar, but istioinaction/gen generates it only on outboundSidecar; hint: narrow proxies or generate the attribute there too',
    ]);
  });

  it('is satisfied when generators together cover every proxy that reads the attribute', async () => {
    const found = await findingsOf('generated-attribute-coverage', ({ mesh, chart }) => {
      for (const proxy of [ProxyKind.INBOUND_SIDECAR, ProxyKind.OUTBOUND_SIDECAR]) {
        new AttributeGen(chart, `gen-${proxy}`, { mesh, proxies: [proxy] }).addAttribute('istio_operationId', [
          { value: 'all' },
        ]);
      }
      new MetricDimensions(chart, 'dims', {
        mesh,
        metric: StandardMetric.REQUESTS_TOTAL,
        proxies: [ProxyKind.INBOUND_SIDECAR, ProxyKind.OUTBOUND_SIDECAR],
        dimensions: { op: 'istio_operationId' },
      });
    });
    expect(found).toEqual([]);
  });
});

describe('removed-tag', () => {
  it('refuses removing a label that is neither standard nor a dimension of the metric on those proxies', async () => {
    const found = await findingsOf('removed-tag', ({ mesh, chart }) => {
      new MetricDimensions(chart, 'add', {
        mesh,
        metric: StandardMetric.REQUESTS_TOTAL,
        proxies: [ProxyKind.GATEWAY],
        dimensions: { request_host: 'request.host' },
      });
      new MetricDimensions(chart, 'remove', {
        mesh,
        metric: StandardMetric.REQUESTS_TOTAL,
        proxies: [ProxyKind.GATEWAY, ProxyKind.INBOUND_SIDECAR],
        tagsToRemove: ['request_host', 'response_flags'],
      });
      new MetricDimensions(chart, 'remove-on-gateway', {
        mesh,
        metric: StandardMetric.REQUESTS_TOTAL,
        proxies: [ProxyKind.GATEWAY],
        tagsToRemove: ['request_host'],
      });
    });
    expect(found).toEqual([
      '[istioinaction/remove] tagsToRemove: names neither a standard label nor a dimension of requests_total on gateway, inboundSidecar (got "request_host", expected one of reporter, source_workload, source_workload_namespace, source_principal, source_app, source_version, source_canonical_service, source_canonical_revision, source_cluster, destination_workload, destination_workload_namespace, destination_principal, destination_app, destination_version, destination_service, destination_service_name, destination_service_namespace, destination_canonical_service, destination_canonical_revision, destination_cluster, request_protocol, response_code, grpc_response_status, response_flags, connection_security_policy, or a dimension added to requests_total)',
    ]);
  });
});

describe('proxy-version-regex', () => {
  const v117 = IstioVersion.tryParse('1.17') as IstioVersion;

  it('accepts exactly the regex the library generates', () => {
    expect(proxyVersionProblem(v117.proxyVersionRegex(), v117)).toBeUndefined();
    expect(neighboursOf(v117)).toEqual(['1.170', '1.171.0', '1.1.7', '1.16.0', '1.18.0', '11.17.0']);
  });

  it.each([
    ['^1\\.17.*', 'also matches 1.170, 1.171.0'],
    ['1\\.17', 'also matches 1.170, 1.171.0, 11.17.0'],
    ['^1.17', 'also matches 1.170, 1.171.0'],
    ['^1\\.17\\.\\d+$', 'does not match 1.17, 1.17-dev, 1.17.1-beta.1'],
    ['^1\\.1(', 'is not an RE2 regular expression: error parsing regexp: missing closing ): `^1\\.1(`'],
    [
      '^(?=1)1\\.17$',
      'is not an RE2 regular expression: error parsing regexp: invalid or unsupported Perl syntax: `(?=`',
    ],
  ])('refuses %s: %s', (regex, problem) => {
    expect(proxyVersionProblem(regex, v117)).toBe(problem);
  });

  it('checks every EnvoyFilter of the app against the mesh version', async () => {
    const found = await findingsOf('proxy-version-regex', ({ chart }) => {
      new ApiObject(chart, 'ef', {
        apiVersion: 'networking.istio.io/v1alpha3',
        kind: 'EnvoyFilter',
        metadata: { name: 'stats-filter-1.17' },
        spec: { configPatches: [{ applyTo: 'HTTP_FILTER', match: { proxy: { proxyVersion: '^1\\.17.*' } } }] },
      });
    });
    expect(found).toEqual([
      '[istioinaction/ef] spec.configPatches[0].match.proxy.proxyVersion: also matches 1.170, 1.171.0 (got "^1\\\\.17.*", expected a regex for Istio 1.17 proxies only); hint: use "^1\\\\.17([.-].*)?$"',
    ]);
  });
});

describe('envoy-bootstrap', () => {
  it("accepts the book's override as Envoy's Bootstrap proto", () => {
    expect(
      bootstrapProblem(
        bootstrapJson({ collectorCluster: 'zipkin', collectorEndpointVersion: 'HTTP_JSON', traceId128bit: true }),
      ),
    ).toBeUndefined();
  });

  it.each([
    [
      'an unknown enum value',
      bootstrapJson({ collectorEndpointVersion: 'HTTP_XML' }),
      'is not a valid envoy.config.bootstrap.v3.Bootstrap: envoy.config.trace.v3.ZipkinConfig.collectorEndpointVersion: unknown enum value: "HTTP_XML" (at tracing.http.typedConfig.collectorEndpointVersion)',
    ],
    [
      'an unknown field',
      bootstrapJson({ sharedSpamContext: false }),
      'is not a valid envoy.config.bootstrap.v3.Bootstrap: envoy.config.trace.v3.ZipkinConfig: unknown field: "sharedSpamContext" (at tracing.http.typedConfig.sharedSpamContext)',
    ],
    [
      'a string where the proto has a bool that is not "true" or "false"',
      bootstrapJson({ traceId128bit: 'yes' }),
      'is not a valid envoy.config.bootstrap.v3.Bootstrap: envoy.config.trace.v3.ZipkinConfig.traceId_128bit: expected boolean: "yes" (at tracing.http.typedConfig.traceId128bit)',
    ],
    [
      'an unknown @type',
      bootstrapJson({}).replace('ZipkinConfig', 'ZipkinConfg'),
      'is not a valid envoy.config.bootstrap.v3.Bootstrap: no such type: envoy.config.trace.v3.ZipkinConfg (at tracing.http.typedConfig.@type)',
    ],
    [
      'text that is not JSON or YAML',
      '{"tracing": ',
      'is not JSON or YAML: Flow map must end with a } at line 1, column 13',
    ],
  ])('refuses %s', (_what, text, problem) => {
    expect(bootstrapProblem(text)).toBe(problem);
  });

  // The seeds' own lab (Istio 1.17.8): after applying the book's istio-custom-zipkin ConfigMap with
  // "traceId128bit": "true", `istioctl pc bootstrap` shows "traceId128bit": true: Envoy's JSON
  // parser (protobuf's C++ JSON parser) accepts a quoted bool.
  it('accepts the book\'s "traceId128bit": "true" as Envoy does, and says the canonical form is a boolean', () => {
    expect(
      texts(checkBootstrap(bootstrapJson({ traceId128bit: 'true', sharedSpanContext: 'false' })).nonCanonical),
    ).toEqual([
      'tracing.http.typedConfig.traceId128bit: is the string "true" where Envoy\'s proto has a bool; Envoy\'s JSON parser accepts it, the canonical form is true',
      'tracing.http.typedConfig.sharedSpanContext: is the string "false" where Envoy\'s proto has a bool; Envoy\'s JSON parser accepts it, the canonical form is false',
    ]);
  });

  it('checks every ConfigMap that carries custom_bootstrap.json, naming the key', async () => {
    const found = await findingsOf('envoy-bootstrap', ({ chart }) => {
      new kplus.ConfigMap(chart, 'cm', {
        metadata: { name: 'boot' },
        data: { 'custom_bootstrap.json': bootstrapJson({ collectorEndpointVersion: 'HTTP_XML' }) },
      });
    });
    expect(found).toEqual([
      '[istioinaction/cm/Resource] data["custom_bootstrap.json"]: is not a valid envoy.config.bootstrap.v3.Bootstrap: envoy.config.trace.v3.ZipkinConfig.collectorEndpointVersion: unknown enum value: "HTTP_XML" (at tracing.http.typedConfig.collectorEndpointVersion)',
    ]);
  });
});

describe('bootstrap-configmap-reference', () => {
  it('refuses an override that names no ConfigMap of the app, one in another namespace, or one without the key', async () => {
    const found = await findingsOf('bootstrap-configmap-reference', ({ chart, webapp, catalog, meshChart }) => {
      webapp.podMetadata.addAnnotation('sidecar.istio.io/bootstrapOverride', 'missing');
      catalog?.podMetadata.addAnnotation('sidecar.istio.io/bootstrapOverride', 'elsewhere');
      new kplus.ConfigMap(meshChart, 'elsewhere', {
        metadata: { name: 'elsewhere' },
        data: { 'custom_bootstrap.json': '{}' },
      });
      const job = new kplus.Job(chart, 'job', { containers: [{ image: 'busybox' }] });
      job.podMetadata.addAnnotation('sidecar.istio.io/bootstrapOverride', 'no-key');
      new kplus.ConfigMap(chart, 'no-key', { metadata: { name: 'no-key' }, data: { 'bootstrap.json': '{}' } });
    });
    expect(found).toEqual([
      '[istioinaction/app/catalog/Deployment/Resource] spec.template.metadata.annotations["sidecar.istio.io/bootstrapOverride"]: names a ConfigMap this app creates only in namespace "istio-system" (got "elsewhere", expected a ConfigMap in the pod\'s namespace "istioinaction"); hint: the sidecar injector mounts the override from the pod\'s own namespace; create it with BootstrapOverride',
      '[istioinaction/app/webapp/Deployment/Resource] spec.template.metadata.annotations["sidecar.istio.io/bootstrapOverride"]: names a ConfigMap this app does not create (got "missing", expected a ConfigMap of this app in namespace "istioinaction"); hint: the sidecar injector mounts the override from the pod\'s own namespace; create it with BootstrapOverride',
      '[istioinaction/job/Resource] spec.template.metadata.annotations["sidecar.istio.io/bootstrapOverride"]: ConfigMap "no-key" has no key custom_bootstrap.json (got keys ["bootstrap.json"], expected "custom_bootstrap.json")',
    ]);
  });

  it('is satisfied by BootstrapOverride, which creates both sides', async () => {
    const found = await findingsOf('bootstrap-configmap-reference', ({ chart, webapp }) => {
      new BootstrapOverride(chart, 'boot', { bootstrap: ZIPKIN_BOOTSTRAP, workloads: [webapp] });
    });
    expect(found).toEqual([]);
  });
});

describe('proxy-config-annotation', () => {
  it('checks hand-written proxy.istio.io/config annotations like the generated ones', async () => {
    const found = await findingsOf('proxy-config-annotation', ({ chart, webapp, catalog }) => {
      webapp.podMetadata.addAnnotation('proxy.istio.io/config', 'proxyStatMatcher: {}\ntracing:\n  sampling: 0\n');
      catalog?.podMetadata.addAnnotation('proxy.istio.io/config', '- a list');
      const job = new kplus.Job(chart, 'job', { containers: [{ image: 'busybox' }] });
      job.podMetadata.addAnnotation('proxy.istio.io/config', 'holdApplicationUntilProxyStarts: true\n');
    });
    expect(found).toEqual([
      '[istioinaction/app/catalog/Deployment/Resource] spec.template.metadata.annotations["proxy.istio.io/config"]: is not a YAML mapping (not a YAML mapping; expected ProxyConfig fields)',
      '[istioinaction/app/webapp/Deployment/Resource] spec.template.metadata.annotations["proxy.istio.io/config"].proxyStatMatcher: unknown field (expected one of 74 known fields, e.g. proxyStatsMatcher, proxy_stats_matcher)',
      '[istioinaction/app/webapp/Deployment/Resource] spec.template.metadata.annotations["proxy.istio.io/config"].tracing.sampling: Istio reads a ProxyConfig sampling of 0 as unset and falls back to the default (1%) (got 0, expected a percentage above 0); hint: to trace nothing use the Telemetry API (the mesh tracing mechanism "telemetry-api"), whose randomSamplingPercentage takes 0',
    ]);
  });
});

describe('extra-stat-tags-coverage', () => {
  it('warns on 1.17 (native stats ignore the list) when a workload lists some new dimensions but not all', async () => {
    const fixture = demoFixture();
    const { mesh, chart, webapp } = fixture;
    new MetricDimensions(chart, 'listed', {
      mesh,
      metric: StandardMetric.REQUESTS_TOTAL,
      dimensions: { a: 'request.host' },
      extraStatTagsFor: [webapp],
    });
    new MetricDimensions(chart, 'unlisted', {
      mesh,
      metric: StandardMetric.REQUEST_BYTES,
      dimensions: { b: 'request.host' },
    });
    const findings = (await validateApp(fixture.app)).filter((f) => f.rule === 'extra-stat-tags-coverage');
    expect(findings.map((f) => [f.severity, formatFinding(f)])).toEqual([
      [
        'warning',
        '[istioinaction/app/webapp/Deployment/Resource] spec.template.metadata.annotations["proxy.istio.io/config"].extraStatTags: misses b, which the sidecars of Deployment "webapp" report (got ["a"], expected every new dimension: a, b); hint: list Deployment "webapp" in extraStatTagsFor of istioinaction/unlisted',
      ],
    ]);
  });

  it('stays quiet for workloads that list no extraStatTags, and for gateway-only dimensions', async () => {
    const found = await findingsOf('extra-stat-tags-coverage', ({ mesh, chart, webapp }) => {
      new MetricDimensions(chart, 'sidecars', {
        mesh,
        metric: StandardMetric.REQUESTS_TOTAL,
        dimensions: { a: 'request.host' },
        extraStatTagsFor: [webapp],
      });
      new MetricDimensions(chart, 'gateways', {
        mesh,
        metric: StandardMetric.REQUESTS_TOTAL,
        proxies: [ProxyKind.GATEWAY],
        dimensions: { g: 'request.host' },
      });
    });
    expect(found).toEqual([]);
  });
});

describe('stats-inclusion-exclusive', () => {
  it("refuses the statsInclusion annotations together with the pod's own or the mesh's proxyStatsMatcher", async () => {
    const found = await findingsOf('stats-inclusion-exclusive', ({ mesh, chart, webapp, catalog }) => {
      webapp.podMetadata.addAnnotation('sidecar.istio.io/statsInclusionPrefixes', 'cluster.outbound');
      new StatsInclusion(chart, 'webapp-stats', {
        mesh,
        target: ProxyTarget.workload(webapp),
        inclusionPrefixes: ['x'],
      });
      catalog?.podMetadata.addAnnotation('sidecar.istio.io/statsInclusionRegexps', '.*');
      new StatsInclusion(chart, 'mesh-stats', { mesh, target: ProxyTarget.mesh(), inclusionPrefixes: ['y'] });
    });
    expect(found).toEqual([
      '[istioinaction/app/catalog/Deployment/Resource] spec.template.metadata.annotations: sets sidecar.istio.io/statsInclusionRegexps and the mesh default proxyStatsMatcher applies (got both, expected one of them: the annotation replaces the matcher, so its inclusions are lost); hint: drop the annotations and use StatsInclusion, which writes proxyStatsMatcher',
      '[istioinaction/app/webapp/Deployment/Resource] spec.template.metadata.annotations: sets sidecar.istio.io/statsInclusionPrefixes and spec.template.metadata.annotations["proxy.istio.io/config"].proxyStatsMatcher (got both, expected one of them: the annotation replaces the matcher, so its inclusions are lost); hint: drop the annotations and use StatsInclusion, which writes proxyStatsMatcher',
    ]);
  });

  it('allows the annotation alone, with a deprecation warning', async () => {
    const fixture = demoFixture();
    fixture.webapp.podMetadata.addAnnotation('sidecar.istio.io/statsInclusionPrefixes', 'cluster.outbound');
    const findings = await validateApp(fixture.app);
    expect(findings.map((f) => [f.severity, f.rule, formatFinding(f)])).toEqual([
      [
        'warning',
        'deprecated-mechanism',
        '[istioinaction/app/webapp/Deployment/Resource] spec.template.metadata.annotations["sidecar.istio.io/statsInclusionPrefixes"]: is deprecated; use proxyStatsMatcher (StatsInclusion)',
      ],
    ]);
  });
});

describe('restart-required and deprecated-mechanism (warnings)', () => {
  it('say nothing about an app without mesh defaults, bootstrap overrides or deprecated annotations', async () => {
    const fixture = demoFixture();
    new StatsInclusion(fixture.chart, 'stats', {
      mesh: fixture.mesh,
      target: ProxyTarget.workload(fixture.webapp),
      inclusionPrefixes: ['x'],
    });
    expect(await validateApp(fixture.app)).toEqual([]);
  });

  it('warn about ProxyConfig zipkinAddress, which is deprecated', async () => {
    const found = await findingsOf('deprecated-mechanism', ({ webapp }) => {
      webapp.podMetadata.addAnnotation('proxy.istio.io/config', 'zipkinAddress: zipkin:9411\n');
    });
    expect(found).toEqual([
      '[istioinaction/app/webapp/Deployment/Resource] spec.template.metadata.annotations["proxy.istio.io/config"].zipkinAddress: is deprecated; use tracing.zipkin.address (ZipkinTracer)',
    ]);
  });
});

describe('validateApp', () => {
  it('reports a rule that cannot finish as an error and still runs the others', async () => {
    const fixture = demoFixture();
    const data = { remediation: 'fix it', kinds: ['*'], severity: 'error' as const, docs: 'docs/validation.md' };
    const broken = {
      ...data,
      id: 'broken',
      summary: 'throws',
      check: () => {
        throw new Error('unexpected shape');
      },
    };
    const quiet = {
      ...data,
      id: 'quiet',
      summary: 'finds one thing',
      check: () => [{ path: 'x', field: ['field'], what: 'found' }],
    };
    const findings = await validateApp(fixture.app, [broken, quiet]);
    expect(findings.map((f) => [f.severity, f.rule, formatFinding(f)])).toEqual([
      ['error', 'broken', '[(app)] rule broken could not run: unexpected shape'],
      ['error', 'quiet', '[x] field: found'],
    ]);
  });
});
