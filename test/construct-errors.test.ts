import { Testing } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { validateApp } from '../app/validate/app-validator';
import { AttributeGen } from '../constructs/attributes/attribute-gen';
import { BootstrapOverride } from '../constructs/bootstrap/bootstrap-override';
import { zipkinTracingOverride } from '../constructs/bootstrap/envoy-bootstrap';
import { IstioMesh } from '../constructs/mesh/istio-mesh';
import { MetricDefinition, MetricType } from '../constructs/metrics/metric-definition';
import { MetricDimensions } from '../constructs/metrics/metric-dimensions';
import { ProxyTarget } from '../constructs/proxy-config/proxy-target';
import { StatsInclusion } from '../constructs/stats/stats-inclusion';
import { CustomTag, CustomTraceTags } from '../constructs/tracing/custom-trace-tags';
import { PilotTraceSampling } from '../constructs/tracing/pilot-trace-sampling';
import { TraceSampling } from '../constructs/tracing/trace-sampling';
import { ZipkinTracer } from '../constructs/tracing/zipkin-tracer';
import { ProxyKind } from '../core/istio/proxy-kind';
import { StandardMetric } from '../core/istio/standard-metrics';
import { formatFinding } from '../core/problems/finding';
import { testApp } from './support/app';
import { demoFixture } from './support/fixtures';
import { refusalOf } from './support/refusals';
import { RANGE, UNSUPPORTED } from './support/versions';

/** The fields of a synthesized EnvoyFilter config patch these tests read. */
interface ConfigPatch {
  readonly match: { readonly context: string; readonly proxy: { readonly proxyVersion: string } };
  readonly patch: { readonly operation: string };
}

describe('IstioMesh', () => {
  it('defaults to Istio 1.17 in istio-system', () => {
    const { mesh } = demoFixture();
    expect(mesh.istioVersion).toBe('1.17');
    expect(mesh.rootNamespace).toBe('istio-system');
  });

  it('refuses a version it does not implement, and every other problem with it', () => {
    const app = testApp();
    expect(() => new IstioMesh(app, 'mesh', { istioVersion: UNSUPPORTED, rootNamespace: 'Istio_System' })).toThrow(
      `[mesh] istioVersion: Istio ${UNSUPPORTED} has no row in the version policy, so no other release's mechanisms are emitted for it ` +
        `(got "${UNSUPPORTED}", expected a target this library implements, ${RANGE})\n` +
        '[mesh] rootNamespace: got "Istio_System", expected a Kubernetes namespace name (RFC 1123 label)',
    );
  });
});

describe('bad input in a TypeScript program', () => {
  it('refuses a workload target that is no workload construct, with the construct path, instead of a TypeError', async () => {
    const { app, mesh, chart } = demoFixture({ istioVersion: '1.20' });
    for (const bad of [undefined, null, 'web']) {
      new TraceSampling(chart, `sampling-${String(bad)}`, {
        mesh,
        target: ProxyTarget.workload(bad as never),
        percentage: 5,
      });
    }
    const expected =
      'expected a workload construct: a cdk8s-plus Deployment, StatefulSet or DaemonSet of this app, or a WorkloadRef';
    expect((await validateApp(app)).filter((f) => f.severity === 'error').map((f) => formatFinding(f))).toEqual([
      `[istioinaction/sampling-null] target.workload: got null, ${expected}`,
      `[istioinaction/sampling-undefined] target.workload: got undefined, ${expected}`,
      `[istioinaction/sampling-web] target.workload: got "web", ${expected}; hint: name a workload deployed elsewhere with new WorkloadRef(scope, id, { name: 'web', ... })`,
    ]);
  });

  it('refuses a mesh of another App, whose mesh-wide settings this App would never write', async () => {
    const other = demoFixture({ istioVersion: '1.22' });
    const { app, chart } = demoFixture({ istioVersion: '1.22' });
    new ZipkinTracer(chart, 'zipkin', { mesh: other.mesh, target: ProxyTarget.mesh(), address: 'zipkin.tracing:9411' });
    expect((await validateApp(app)).filter((f) => f.rule === 'construct').map((f) => formatFinding(f))).toEqual([
      '[istioinaction/zipkin] mesh: is the IstioMesh istio-install/mesh of another App, so what this construct sets mesh-wide is written by that App, not this one; hint: build the mesh in the same App as the constructs that use it',
    ]);
  });

  it('is recorded by each construct and reported at synth all at once, not thrown at the first', async () => {
    const { app, mesh, chart, webapp } = demoFixture();
    // None of these throws: a program learns every problem from one synth.
    new TraceSampling(chart, 'sampling', { mesh, target: ProxyTarget.workload(webapp), percentage: 150 });
    new ZipkinTracer(chart, 'zipkin', { mesh, target: ProxyTarget.mesh(), address: 'zipkin' });
    new StatsInclusion(chart, 'stats', { mesh, target: ProxyTarget.mesh(), inclusionRegexps: ['(?=x)'] });
    const findings = (await validateApp(app)).filter((f) => f.severity === 'error').map((f) => formatFinding(f));
    expect(findings).toEqual([
      '[istioinaction/sampling] percentage: got 150, expected a percentage from 0 to 100',
      '[istioinaction/stats] inclusionRegexps[0]: got "(?=x)", expected an RE2 regular expression (error parsing regexp: invalid or unsupported Perl syntax: `(?=`)',
      '[istioinaction/zipkin] address: got "zipkin", expected host:port with a DNS host and a port from 1 to 65535, e.g. "zipkin.istio-system:9411"',
    ]);
    // cdk8s's own synth sees the same problems through node.addValidation.
    const synth = (() => {
      try {
        app.synth();
        return 'synthesized';
      } catch (error) {
        return (error as Error).message;
      }
    })();
    for (const line of findings) expect(synth).toContain(line);
  });
});

describe('MetricDimensions', () => {
  it('refuses a Prometheus series name and points to the base name (istio/istio#27764)', () => {
    const { mesh, chart } = demoFixture();
    expect(
      refusalOf(
        () =>
          new MetricDimensions(chart, 'dims', {
            mesh,
            metric: 'request_duration_milliseconds_count' as StandardMetric,
          }),
      ),
    ).toContain(
      '[istioinaction/dims] metric: got "request_duration_milliseconds_count", expected a standard metric base name ' +
        '(requests_total, request_duration_milliseconds, request_bytes, response_bytes, request_messages_total, ' +
        'response_messages_total, tcp_connections_opened_total, tcp_connections_closed_total, tcp_sent_bytes_total, ' +
        'tcp_received_bytes_total); use the base name "request_duration_milliseconds" (istio/istio#27764)',
    );
  });

  it('refuses the istio_ prefix Prometheus adds', () => {
    const { mesh, chart } = demoFixture();
    expect(
      refusalOf(() => new MetricDimensions(chart, 'dims', { mesh, metric: 'istio_requests_total' as StandardMetric })),
    ).toContain('use "requests_total" without the istio_ prefix Prometheus adds');
  });

  it('reports every problem of a dimension at once', () => {
    const { mesh, chart } = demoFixture();
    const dims = new MetricDimensions(chart, 'dims', { mesh, metric: StandardMetric.REQUESTS_TOTAL });
    expect(() => dims.addDimension('response_code', '')).toThrow(
      '[istioinaction/dims] dimensions.response_code: got "response_code", expected a new label name; standard labels are set by Istio (remove it with tagsToRemove)\n' +
        '[istioinaction/dims] dimensions.response_code: got "", expected a non-empty CEL expression or a GeneratedAttribute',
    );
    expect(() => dims.addDimension('bad-name', 'request.host')).toThrow(
      '[istioinaction/dims] dimensions.bad-name: got "bad-name", expected a Prometheus label name ([a-zA-Z_][a-zA-Z0-9_]*, not starting with __)',
    );
  });

  it('refuses a dimension or removed tag twice', () => {
    const { mesh, chart } = demoFixture();
    const dims = new MetricDimensions(chart, 'dims', {
      mesh,
      metric: StandardMetric.REQUESTS_TOTAL,
      dimensions: { request_host: 'request.host' },
      tagsToRemove: ['request_protocol'],
    });
    expect(() => dims.addDimension('request_host', 'request.host')).toThrow(
      '[istioinaction/dims] dimensions.request_host: is already added; each dimension name once',
    );
    expect(() => dims.removeTag('request_protocol')).toThrow(
      '[istioinaction/dims] tagsToRemove: "request_protocol" is already removed; each tag once',
    );
  });

  it('refuses unknown and repeated proxy kinds', () => {
    const { mesh, chart } = demoFixture();
    expect(
      refusalOf(
        () =>
          new MetricDimensions(chart, 'dims', {
            mesh,
            metric: StandardMetric.REQUESTS_TOTAL,
            proxies: [ProxyKind.GATEWAY, ProxyKind.GATEWAY, 'waypoint' as ProxyKind],
          }),
      ),
    ).toContain(
      '[istioinaction/dims] proxies[1]: is listed again (got "gateway", expected each proxy kind once)\n' +
        '[istioinaction/dims] proxies[2]: got "waypoint", expected one of inboundSidecar, outboundSidecar, gateway',
    );
  });

  it('refuses two constructs giving one dimension different expressions', () => {
    const { mesh, chart } = demoFixture();
    new MetricDimensions(chart, 'a', {
      mesh,
      metric: StandardMetric.REQUESTS_TOTAL,
      dimensions: { host: 'request.host' },
    });
    expect(
      refusalOf(
        () =>
          new MetricDimensions(chart, 'b', {
            mesh,
            metric: StandardMetric.REQUESTS_TOTAL,
            proxies: [ProxyKind.GATEWAY],
            dimensions: { host: 'request.headers["host"]' },
          }),
      ),
    ).toContain(
      '[istioinaction/b] IstioOperator "control-plane": configOverride.gateway.metrics.requests_total.dimensions.host is set to ' +
        '"request.host" by istioinaction/a and to "request.headers[\\"host\\"]" by istioinaction/b; set it in one place',
    );
  });
});

describe('MetricDefinition', () => {
  it.each([
    [
      'requests_total',
      'name: got "requests_total", expected a new metric name; redefining a standard metric is rejected by the stats filter',
    ],
    [
      'istio_get_calls',
      'name: got "istio_get_calls", expected a name without the istio_ prefix, which Istio adds ("get_calls")',
    ],
    ['get-calls', 'name: got "get-calls", expected a Prometheus metric name ([a-zA-Z_][a-zA-Z0-9_]*)'],
  ])('refuses name %s', (name, message) => {
    const { mesh, chart } = demoFixture();
    expect(
      refusalOf(() => new MetricDefinition(chart, 'def', { mesh, name, type: MetricType.COUNTER, value: '1' })),
    ).toContain(`[istioinaction/def] ${message}`);
  });

  it('refuses an empty value and an unknown type together', () => {
    const { mesh, chart } = demoFixture();
    expect(
      refusalOf(
        () =>
          new MetricDefinition(chart, 'def', { mesh, name: 'get_calls', type: 'SUMMARY' as MetricType, value: ' ' }),
      ),
    ).toContain(
      '[istioinaction/def] type: got "SUMMARY", expected one of COUNTER, GAUGE, HISTOGRAM\n' +
        '[istioinaction/def] value: got " ", expected a non-empty CEL expression',
    );
  });

  it('exposes the Prometheus name', () => {
    const { mesh, chart } = demoFixture();
    expect(
      new MetricDefinition(chart, 'def', { mesh, name: 'get_calls', type: MetricType.COUNTER, value: '1' })
        .prometheusName,
    ).toBe('istio_get_calls');
  });
});

describe('AttributeGen', () => {
  it('refuses a rule without condition before other rules, and a dotted attribute name', () => {
    const { mesh, chart } = demoFixture();
    const generator = new AttributeGen(chart, 'gen', { mesh });
    expect(() =>
      generator.addAttribute('istio.operation', [
        { value: 'any' },
        { value: '', condition: "request.method == 'GET'" },
      ]),
    ).toThrow(
      '[istioinaction/gen] outputAttribute: got "istio.operation", expected an identifier ([A-Za-z_][A-Za-z0-9_]*, no dots) that CEL can read\n' +
        '[istioinaction/gen] ["istio.operation"].match[0].condition: got none before 1 more rule(s), expected a condition: a rule without one always matches, so later rules never apply\n' +
        '[istioinaction/gen] ["istio.operation"].match[1].value: got "", expected a non-empty string',
    );
  });

  it('refuses an attribute twice', () => {
    const { mesh, chart } = demoFixture();
    const generator = new AttributeGen(chart, 'gen', { mesh });
    generator.addAttribute('istio_operationId', [{ value: 'x' }]);
    expect(() => generator.addAttribute('istio_operationId', [{ value: 'y' }])).toThrow(
      '[istioinaction/gen] attributes: "istio_operationId" is already generated here; each output attribute once',
    );
  });

  it('refuses to synthesize with no attribute', () => {
    const { app, mesh, chart } = demoFixture();
    new AttributeGen(chart, 'gen', { mesh });
    expect(() => app.synth()).toThrow(
      '[istioinaction/gen] attributes: got none, expected at least one addAttribute() call',
    );
  });

  it('emits one config patch per proxy kind, inserted before istio.stats, for exactly the target version', () => {
    const { mesh, chart } = demoFixture({ istioVersion: '1.17.8' });
    const generator = new AttributeGen(chart, 'gen', {
      mesh,
      name: 'classify',
      proxies: [ProxyKind.GATEWAY, ProxyKind.INBOUND_SIDECAR],
    });
    generator.addAttribute('istio_responseClass', [
      { value: '2xx', condition: 'response.code >= 200 && response.code <= 299' },
    ]);
    const [filter] = Testing.synth(chart).filter((o) => o.kind === 'EnvoyFilter');
    expect(
      filter.spec.configPatches.map((p: ConfigPatch) => [
        p.match.context,
        p.match.proxy.proxyVersion,
        p.patch.operation,
      ]),
    ).toEqual([
      ['SIDECAR_INBOUND', '^1\\.17([.-].*)?$', 'INSERT_BEFORE'],
      ['GATEWAY', '^1\\.17([.-].*)?$', 'INSERT_BEFORE'],
    ]);
    expect(JSON.parse(filter.spec.configPatches[0].patch.value.typed_config.value.config.configuration.value)).toEqual({
      attributes: [
        {
          output_attribute: 'istio_responseClass',
          match: [{ value: '2xx', condition: 'response.code >= 200 && response.code <= 299' }],
        },
      ],
    });
  });

  it('keeps quotes, newlines and JSON metacharacters in a condition intact', () => {
    const { mesh, chart } = demoFixture();
    const condition = "request.url_path == \"/a\\\"b}\n{\" && request.headers['x'] == '\\u00e9'";
    new AttributeGen(chart, 'gen', { mesh, name: 'gen' }).addAttribute('attr', [{ value: 'v"}', condition }]);
    const [filter] = Testing.synth(chart).filter((o) => o.kind === 'EnvoyFilter');
    const config = JSON.parse(filter.spec.configPatches[0].patch.value.typed_config.value.config.configuration.value);
    expect(config.attributes[0].match[0]).toEqual({ value: 'v"}', condition });
  });
});

describe('tracing', () => {
  it.each([
    [
      0,
      'percentage: Istio reads a ProxyConfig sampling of 0 as unset and falls back to the default (1%) (got 0, expected a percentage above 0); hint: to trace nothing use the Telemetry API (the mesh tracing mechanism "telemetry-api"), whose randomSamplingPercentage takes 0',
    ],
    [100.5, 'percentage: got 100.5, expected a percentage from 0 to 100'],
    [Number.NaN, 'percentage: got NaN, expected a percentage from 0 to 100'],
  ])('refuses sampling %s', (percentage, message) => {
    const { mesh, chart, webapp } = demoFixture();
    expect(
      refusalOf(() => new TraceSampling(chart, 's', { mesh, target: ProxyTarget.workload(webapp), percentage })),
    ).toContain(`[istioinaction/s] ${message}`);
    expect(refusalOf(() => new PilotTraceSampling(chart, 'p', { mesh, percentage }))).toContain(
      `[istioinaction/p] ${message}`,
    );
  });

  it.each(['zipkin.istio-system', 'zipkin:0', 'http://zipkin:9411', 'zip kin:9411'])(
    'refuses zipkin address %j',
    (address) => {
      const { mesh, chart } = demoFixture();
      expect(refusalOf(() => new ZipkinTracer(chart, 'z', { mesh, target: ProxyTarget.mesh(), address }))).toContain(
        `[istioinaction/z] address: got ${JSON.stringify(address)}, expected host:port with a DNS host and a port from 1 to 65535, e.g. "zipkin.istio-system:9411"`,
      );
    },
  );

  it('refuses malformed custom tags, all at once', () => {
    const { mesh, chart, webapp } = demoFixture();
    const tags = new CustomTraceTags(chart, 't', { mesh, target: ProxyTarget.workload(webapp) });
    expect(() => tags.addTag('team name', CustomTag.header('x team'))).toThrow(
      '[istioinaction/t] tags["team name"].header.name: got "x team", expected an HTTP header name (RFC 9110 token)\n' +
        '[istioinaction/t] tags: got "team name", expected a tag name of letters, digits and _.:/-',
    );
    expect(() => tags.addTag('env', CustomTag.environment('1BAD'))).toThrow(
      '[istioinaction/t] tags.env.environment.name: got "1BAD", expected an environment variable name',
    );
    expect(() => tags.addTag('lit', CustomTag.literal(''))).toThrow(
      '[istioinaction/t] tags.lit.literal.value: got "", expected a non-empty string',
    );
  });

  it('writes pilot sampling to values.pilot.traceSampling', () => {
    const { mesh, chart } = demoFixture();
    new PilotTraceSampling(chart, 'p', { mesh, percentage: 0.5 });
    expect(mesh.install.resourceObject?.toJson().spec).toEqual({ values: { pilot: { traceSampling: 0.5 } } });
  });
});

describe('StatsInclusion', () => {
  it('refuses an empty matcher', () => {
    const { mesh, chart } = demoFixture();
    expect(refusalOf(() => new StatsInclusion(chart, 's', { mesh, target: ProxyTarget.mesh() }))).toContain(
      '[istioinaction/s] {inclusionPrefixes,inclusionSuffixes,inclusionRegexps}: got [], expected at least one entry',
    );
  });

  it('refuses blank, repeated and invalid entries at once', () => {
    const { mesh, chart } = demoFixture();
    expect(
      refusalOf(
        () =>
          new StatsInclusion(chart, 's', {
            mesh,
            target: ProxyTarget.mesh(),
            inclusionPrefixes: ['a', 'a'],
            inclusionSuffixes: [''],
            inclusionRegexps: ['(unclosed', 'cluster(?=.outbound)', '[[:alpha:]]+_rq'],
          }),
      ),
    ).toContain(
      '[istioinaction/s] inclusionPrefixes[1]: got "a", expected each entry once\n' +
        '[istioinaction/s] inclusionSuffixes[0]: got "", expected a non-empty string\n' +
        '[istioinaction/s] inclusionRegexps[0]: got "(unclosed", expected an RE2 regular expression (error parsing regexp: missing closing ): `(unclosed`)\n' +
        '[istioinaction/s] inclusionRegexps[1]: got "cluster(?=.outbound)", expected an RE2 regular expression (error parsing regexp: invalid or unsupported Perl syntax: `(?=`)',
    );
  });

  it('accepts what RE2 accepts, such as a POSIX class JavaScript has no name for', () => {
    const { mesh, chart } = demoFixture();
    const s = new StatsInclusion(chart, 's', {
      mesh,
      target: ProxyTarget.mesh(),
      inclusionRegexps: ['[[:alpha:]]+_rq_timeout'],
    });
    expect(s.node.path).toBe('istioinaction/s');
  });
});

describe('BootstrapOverride', () => {
  const bootstrap = zipkinTracingOverride({
    collectorCluster: 'zipkin',
    collectorEndpoint: '/api/v2/spans',
    traceId128bit: true,
  });

  it('writes custom_bootstrap.json with JSON types and names the ConfigMap on the pods', () => {
    const { chart, webapp } = demoFixture();
    new BootstrapOverride(chart, 'b', { name: 'custom-zipkin', bootstrap, workloads: [webapp] });
    const synthesized = Testing.synth(chart);
    const configMap = synthesized.find((o) => o.kind === 'ConfigMap');
    expect(configMap.metadata).toEqual({ name: 'custom-zipkin', namespace: 'istioinaction' });
    expect(JSON.parse(configMap.data['custom_bootstrap.json'])).toEqual({
      tracing: {
        http: {
          name: 'envoy.tracers.zipkin',
          typedConfig: {
            '@type': 'type.googleapis.com/envoy.config.trace.v3.ZipkinConfig',
            collectorCluster: 'zipkin',
            collectorEndpoint: '/api/v2/spans',
            traceId128bit: true,
          },
        },
      },
    });
    const deployment = synthesized.find((o) => o.kind === 'Deployment' && o.metadata.name === 'webapp');
    expect(deployment.spec.template.metadata.annotations).toEqual({
      'sidecar.istio.io/bootstrapOverride': 'custom-zipkin',
    });
  });

  it('refuses at synth a ConfigMap in another namespace than its workloads', () => {
    const { app, chart, webapp } = demoFixture();
    new BootstrapOverride(chart, 'b', {
      name: 'custom-zipkin',
      namespace: 'istio-system',
      bootstrap,
      workloads: [webapp],
    });
    expect(() => app.synth()).toThrow(
      '[istioinaction/b] workloads: Deployment "webapp" runs in namespace "istioinaction", expected "istio-system": ' +
        "the sidecar injector mounts the override ConfigMap from the pod's own namespace",
    );
  });

  it('refuses a bad name and an empty bootstrap together', () => {
    const { chart } = demoFixture();
    expect(refusalOf(() => new BootstrapOverride(chart, 'b', { name: 'Custom_Zipkin', bootstrap: {} }))).toContain(
      '[istioinaction/b] name: got "Custom_Zipkin", expected a ConfigMap name (RFC 1123 subdomain)\n' +
        '[istioinaction/b] bootstrap: got {}, expected at least one bootstrap field, e.g. tracing',
    );
  });
});

describe('validation at synth', () => {
  it('reports every problem of the app at once, each with its construct path', () => {
    const { app, mesh, chart, webapp } = demoFixture();
    new AttributeGen(chart, 'empty-gen', { mesh });
    new BootstrapOverride(chart, 'b', {
      name: 'custom-zipkin',
      namespace: 'istio-system',
      bootstrap: zipkinTracingOverride({ collectorCluster: 'zipkin', collectorEndpoint: '/api/v2/spans' }),
      workloads: [webapp],
    });
    expect(() => app.synth()).toThrow(
      'Validation failed with the following errors:\n' +
        '  [istioinaction/empty-gen] attributes: got none, expected at least one addAttribute() call\n' +
        '  [istioinaction/b] workloads: Deployment "webapp" runs in namespace "istioinaction", expected "istio-system": ' +
        "the sidecar injector mounts the override ConfigMap from the pod's own namespace",
    );
  });
});
