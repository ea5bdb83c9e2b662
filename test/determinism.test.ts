import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { MetricDimensions } from '../constructs/metrics/metric-dimensions';
import { ProxyTarget } from '../constructs/proxy-config/proxy-target';
import { StatsInclusion } from '../constructs/stats/stats-inclusion';
import { CustomTag, CustomTraceTags } from '../constructs/tracing/custom-trace-tags';
import { TraceSampling } from '../constructs/tracing/trace-sampling';
import { ZipkinTracer } from '../constructs/tracing/zipkin-tracer';
import { StandardMetric } from '../core/istio/standard-metrics';
import { validDeclaration } from './support/declarations';
import { demoFixture } from './support/fixtures';
import { SYNTH_PROPERTY_RUNS, SYNTH_PROPERTY_TIMEOUT } from './support/property-runs';
import { readTree, synthDeclaration } from './support/synth';

const RUNS = SYNTH_PROPERTY_RUNS;
const scratch = mkdtempSync(join(tmpdir(), 'determinism-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
let counter = 0;

/** The written files of a declaration, by name. */
async function synthesized(config: unknown): Promise<Record<string, string>> {
  const outdir = join(scratch, `out-${counter++}`);
  await synthDeclaration(config, outdir);
  const files = readTree(outdir);
  rmSync(outdir, { recursive: true });
  return files;
}

/** `value` with the keys of every mapping in the order `order` gives (lists keep theirs: rule order matters). */
function reorderKeys(value: unknown, order: (keys: string[]) => string[]): unknown {
  if (Array.isArray(value)) return value.map((item) => reorderKeys(item, order));
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value);
  const byKey = new Map(entries);
  return Object.fromEntries(order(entries.map(([key]) => key)).map((key) => [key, reorderKeys(byKey.get(key), order)]));
}

describe('output is byte-stable', () => {
  it(
    'for every valid declaration: two synths are byte-identical, and so is a synth of the same declaration with every mapping in another key order (so constructs are created in another order)',
    async () => {
      await fc.assert(
        fc.asyncProperty(validDeclaration, fc.integer(), async (config, seed) => {
          // A seeded shuffle, so a failure shrinks and replays.
          const shuffle = (keys: string[]) => {
            let state = seed >>> 0 || 1;
            const random = () => {
              state ^= state << 13;
              state ^= state >>> 17;
              state ^= state << 5;
              return (state >>> 0) / 2 ** 32;
            };
            return keys
              .map((key) => ({ key, rank: random() }))
              .sort((a, b) => a.rank - b.rank)
              .map((k) => k.key);
          };
          const first = await synthesized(config);
          expect(await synthesized(config)).toEqual(first);
          expect(await synthesized(reorderKeys(config, shuffle))).toEqual(first);
          expect(await synthesized(reorderKeys(config, (keys) => [...keys].reverse()))).toEqual(first);
        }),
        { numRuns: RUNS },
      );
    },
    // Two synths a run.
    2 * SYNTH_PROPERTY_TIMEOUT,
  );
});

type Fixture = ReturnType<typeof demoFixture>;

/** Constructs that all contribute to the same merged documents: webapp's annotation, its Telemetry, the IstioOperator. */
const CONTRIBUTIONS: readonly ((f: Fixture) => void)[] = [
  ({ mesh, chart, webapp }) =>
    new StatsInclusion(chart, 'stats-a', {
      mesh,
      target: ProxyTarget.workload(webapp),
      inclusionPrefixes: ['cluster.a'],
    }),
  ({ mesh, chart, webapp }) =>
    new StatsInclusion(chart, 'stats-b', {
      mesh,
      target: ProxyTarget.workload(webapp),
      inclusionPrefixes: ['cluster.b'],
    }),
  ({ mesh, chart, webapp }) =>
    new MetricDimensions(chart, 'dims-requests', {
      mesh,
      metric: StandardMetric.REQUESTS_TOTAL,
      dimensions: { request_host: 'request.host' },
      extraStatTagsFor: [webapp],
    }),
  ({ mesh, chart, webapp }) =>
    new MetricDimensions(chart, 'dims-bytes', {
      mesh,
      metric: StandardMetric.REQUEST_BYTES,
      dimensions: { request_verb: 'request.method' },
      extraStatTagsFor: [webapp],
    }),
  ({ mesh, chart, webapp }) =>
    new CustomTraceTags(chart, 'tags-team', {
      mesh,
      target: ProxyTarget.workload(webapp),
      tags: { team: CustomTag.literal('a') },
    }),
  ({ mesh, chart }) =>
    new CustomTraceTags(chart, 'tags-user', {
      mesh,
      target: ProxyTarget.mesh(),
      tags: { user: CustomTag.header('x-user') },
    }),
  ({ mesh, chart, webapp }) =>
    new TraceSampling(chart, 'sampling', { mesh, target: ProxyTarget.workload(webapp), percentage: 10 }),
  ({ mesh, chart }) =>
    new ZipkinTracer(chart, 'zipkin', { mesh, target: ProxyTarget.mesh(), address: 'zipkin.istio-system:9411' }),
];

/** The documents of an app, each as YAML text, sorted: the object order follows the construct tree, the objects must not. */
function objectsOf(fixture: Fixture): string[] {
  return fixture.app.charts.flatMap((chart) => (chart.toJson() as unknown[]).map((o) => stringify(o))).sort();
}

describe.each(['1.17', '1.30'])('on Istio %s, constructs contributing to one document in any order', (istioVersion) => {
  it('produce the same objects (annotation, Telemetry, IstioOperator)', () => {
    const build = (order: readonly ((f: Fixture) => void)[]) => {
      const fixture = demoFixture({ istioVersion });
      for (const contribute of order) contribute(fixture);
      return objectsOf(fixture);
    };
    const reference = build(CONTRIBUTIONS);
    fc.assert(
      fc.property(fc.shuffledSubarray([...CONTRIBUTIONS], { minLength: CONTRIBUTIONS.length }), (order) => {
        expect(build(order)).toEqual(reference);
      }),
      { numRuns: 100 },
    );
  });
});
