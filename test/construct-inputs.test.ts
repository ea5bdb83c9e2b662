import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { validateApp } from '../app/validate/app-validator';
import { AttributeGen } from '../constructs/attributes/attribute-gen';
import { Jaeger } from '../constructs/backends/jaeger';
import { JaegerStorage } from '../constructs/backends/jaeger-storage';
import { BootstrapOverride } from '../constructs/bootstrap/bootstrap-override';
import { statsdSinkOverride, zipkinTracingOverride } from '../constructs/bootstrap/envoy-bootstrap';
import { IstioMesh } from '../constructs/mesh/istio-mesh';
import { MetricDefinition, MetricType } from '../constructs/metrics/metric-definition';
import { MetricDimensions } from '../constructs/metrics/metric-dimensions';
import { ProxyTarget } from '../constructs/proxy-config/proxy-target';
import { StatsInclusion } from '../constructs/stats/stats-inclusion';
import { CustomTag, CustomTraceTags } from '../constructs/tracing/custom-trace-tags';
import { OpenTelemetryTracer } from '../constructs/tracing/opentelemetry-tracer';
import { PilotTraceSampling } from '../constructs/tracing/pilot-trace-sampling';
import { TraceSampling } from '../constructs/tracing/trace-sampling';
import { ZipkinTracer } from '../constructs/tracing/zipkin-tracer';
import { ObservabilityConfigError } from '../core/errors';
import { StandardMetric } from '../core/istio/standard-metrics';
import { formatFinding } from '../core/problems/finding';
import { INJECTIONS } from './support/declarations';
import { demoFixture } from './support/fixtures';

const RUNS = Number(process.env.PROPERTY_RUNS ?? (process.env.CI ? 1000 : 150));

/** Any string, biased towards the ones that mean something somewhere. */
const text = fc.oneof(fc.string({ maxLength: 20 }), fc.constantFrom(...INJECTIONS, '', ' ', '-a', 'A', 'a'.repeat(70)));
/** Any number, NaN and the infinities included. */
const number = fc.oneof(fc.double(), fc.integer({ min: -5, max: 105 }));

type Fixture = ReturnType<typeof demoFixture>;

/**
 * Each entry builds one construct from fuzzed values of the right TypeScript types: what a typed
 * caller can pass. Strings and numbers are anything; the shapes are the props' own.
 */
const PIECES: readonly fc.Arbitrary<(f: Fixture) => unknown>[] = [
  fc.array(text, { maxLength: 3 }).map(
    (prefixes) => (f: Fixture) =>
      new StatsInclusion(f.chart, 'x', {
        mesh: f.mesh,
        target: ProxyTarget.workload(f.webapp),
        inclusionPrefixes: prefixes,
      }),
  ),
  number.map(
    (percentage) => (f: Fixture) =>
      new TraceSampling(f.chart, 'x', { mesh: f.mesh, target: ProxyTarget.workload(f.webapp), percentage }),
  ),
  number.map((percentage) => (f: Fixture) => new PilotTraceSampling(f.chart, 'x', { mesh: f.mesh, percentage })),
  fc
    .tuple(text, text, text, fc.constantFrom('literal', 'environment', 'header'))
    .map(([name, value, fallback, kind]) => (f: Fixture) => {
      const tag =
        kind === 'literal'
          ? CustomTag.literal(value)
          : kind === 'environment'
            ? CustomTag.environment(value, fallback)
            : CustomTag.header(value, fallback);
      return new CustomTraceTags(f.chart, 'x', {
        mesh: f.mesh,
        target: ProxyTarget.workload(f.webapp),
        tags: { [name]: tag },
      });
    }),
  fc.tuple(fc.dictionary(text, text, { maxKeys: 2 }), fc.array(text, { maxLength: 2 })).map(
    ([dimensions, tagsToRemove]) =>
      (f: Fixture) =>
        new MetricDimensions(f.chart, 'x', {
          mesh: f.mesh,
          metric: StandardMetric.REQUESTS_TOTAL,
          dimensions,
          tagsToRemove,
        }),
  ),
  fc.tuple(text, text, fc.dictionary(text, text, { maxKeys: 2 })).map(
    ([name, value, dimensions]) =>
      (f: Fixture) =>
        new MetricDefinition(f.chart, 'x', { mesh: f.mesh, name, type: MetricType.COUNTER, value, dimensions }),
  ),
  fc.tuple(text, text, text, fc.option(text, { nil: undefined })).map(
    ([name, attribute, value, condition]) =>
      (f: Fixture) =>
        new AttributeGen(f.chart, 'x', { mesh: f.mesh, name }).addAttribute(attribute, [
          condition === undefined ? { value, request: { path: `/${value}`, method: 'GET' } } : { value, condition },
        ]),
  ),
  fc.tuple(text, fc.option(text, { nil: undefined }), fc.option(text, { nil: undefined })).map(
    ([address, provider, path]) =>
      (f: Fixture) =>
        new ZipkinTracer(f.chart, 'x', { mesh: f.mesh, target: ProxyTarget.mesh(), address, provider, path }),
  ),
  fc.tuple(text, fc.option(text, { nil: undefined })).map(
    ([address, httpPath]) =>
      (f: Fixture) =>
        new OpenTelemetryTracer(f.chart, 'x', { mesh: f.mesh, target: ProxyTarget.mesh(), address, httpPath }),
  ),
  fc.tuple(text, text, text, fc.constantFrom('statsd', 'zipkin')).map(
    ([name, address, endpoint, kind]) =>
      (f: Fixture) =>
        new BootstrapOverride(f.chart, 'x', {
          name,
          workloads: [f.webapp],
          bootstrap:
            kind === 'statsd'
              ? statsdSinkOverride({ address })
              : zipkinTracingOverride({ collectorCluster: address, collectorEndpoint: endpoint }),
        }),
  ),
  fc.tuple(text, text, number).map(
    ([namespace, image, maxTraces]) =>
      (f: Fixture) =>
        new Jaeger(f.chart, 'x', {
          mesh: f.mesh,
          namespace,
          image,
          storage: JaegerStorage.memory({ maxTraces }),
        }),
  ),
  fc.tuple(text, text, text).map(
    ([istioVersion, rootNamespace, clusterDomain]) =>
      (f: Fixture) =>
        new IstioMesh(f.chart, 'x', { istioVersion, rootNamespace, clusterDomain }),
  ),
];

/** Our refusals: thrown at construction, or found by the rules before anything is written. */
function isOurRefusal(error: unknown): boolean {
  return error instanceof ObservabilityConfigError && error.message.startsWith('[istioinaction/x');
}

describe('construct props with any values of their types (a typed caller)', () => {
  it('are accepted, or refused with our error naming the construct and the field; never a TypeError', async () => {
    const outcomes = { accepted: 0, refused: 0 };
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('1.17', '1.30'), fc.oneof(...PIECES), async (istioVersion, build) => {
        const fixture = demoFixture({ istioVersion });
        try {
          build(fixture);
        } catch (error) {
          if (!isOurRefusal(error)) throw error;
          // `[path] field: got <value>, expected ...`, or a sentence naming the field
          expect((error as Error).message).toMatch(/^\[istioinaction\/x\S*\] \S+/);
          outcomes.refused++;
          return;
        }
        outcomes.accepted++;
        const findings = await validateApp(fixture.app);
        for (const finding of findings) expect(formatFinding(finding)).not.toMatch(/could not run|\n\s+at /);
      }),
      { numRuns: RUNS },
    );
    // Both paths were exercised, not just one.
    expect(outcomes.accepted).toBeGreaterThan(RUNS / 20);
    expect(outcomes.refused).toBeGreaterThan(RUNS / 20);
  });
});
