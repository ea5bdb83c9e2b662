import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { telemetryReview } from '../analysis/review/workload-telemetry';
import { SECTION_ORDER } from '../app/adopt/config-yaml';
import { importInputSet } from '../app/adopt/import-config';
import { readInputSet } from '../app/adopt/input-set';
import { resolvePolicy, validateManifests } from '../app/lint/manifest-validator';
import { checkRoundTrip } from '../cli/round-trip';

/**
 * The round trip of import over Istio's own telemetry samples and test data at three tags
 * (../shared/corpus): each file is one input set, as Istio's tests apply it. A file import refuses
 * (its objects are invalid at the release, on purpose in Istio's analyzer test data) is listed
 * below with why; every other file round-trips: explain of the file equals explain of what
 * adopting its import applies, except what import listed as not expressed.
 */
const CORPUS = resolve(__dirname, '..', '..', 'shared', 'corpus');
const present = existsSync(CORPUS);
const work = mkdtempSync(join(tmpdir(), 'adopt-corpus-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Rules whose errors make import refuse the input (cli/import.ts). */
const REFUSING = new Set(['object-schema', 'field-availability', 'istio-api-version', 'kubernetes-metadata']);

/** Files import refuses, per tag: invalid at their own release, each for the reason given. */
const REFUSED: Readonly<Record<string, readonly string[]>> = {
  'istio-1.17.8': [
    // Test data that is wrong on purpose: removed EnvoyFilter fields, a field that is no field of
    // a match, an object without metadata, a Telemetry and a WasmPlugin with unknown fields.
    'pkg/config/analysis/analyzers/testdata/deprecation.yaml',
    'pkg/config/analysis/analyzers/testdata/envoy-filter-add-operation.yaml',
    'pkg/config/analysis/analyzers/testdata/misannotated.yaml',
    'pkg/test/datasets/validation/dataset/extensions-v1alpha1-WasmPlugin-invalid.yaml',
    'pkg/test/datasets/validation/dataset/telemetry-v1alpha1-Telemetry-invalid.yaml',
  ],
  'istio-1.22.8': [
    'pkg/config/analysis/analyzers/testdata/deprecation.yaml',
    'pkg/config/analysis/analyzers/testdata/envoy-filter-add-operation.yaml',
    'pkg/config/analysis/analyzers/testdata/misannotated.yaml',
  ],
  'istio-1.26.8': [
    'pkg/config/analysis/analyzers/testdata/deprecation.yaml',
    'pkg/config/analysis/analyzers/testdata/envoy-filter-add-operation.yaml',
    // A Telemetry with both selector and targetRefs, which the CRD's CEL rule refuses.
    'pkg/config/analysis/analyzers/testdata/k8sgateway-selector.yaml',
    'pkg/config/analysis/analyzers/testdata/misannotated.yaml',
    'pkg/config/validation/testdata/crds/telemetry-invalid.yaml',
    'pkg/config/validation/testdata/crds/wasm-invalid.yaml',
  ],
};

const TAGS: readonly (readonly [string, string])[] = [
  ['istio-1.17.8', '1.17'],
  ['istio-1.22.8', '1.22'],
  ['istio-1.26.8', '1.26'],
];

describe.skipIf(!present)("import round-trips Istio's own files", () => {
  it.each(TAGS)('at %s', async (tag, istioVersion) => {
    const root = join(CORPUS, tag);
    const files = readFileSync(join(root, 'MANIFEST.tsv'), 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => line.split('\t')[0] as string);
    const policy = resolvePolicy(istioVersion);
    const refused: string[] = [];
    const differences: string[] = [];
    let roundTrips = 0;
    let empty = 0;
    for (const file of files) {
      const set = readInputSet([join(root, file)], 'default');
      if (!('objects' in set) || set.problems.length > 0) throw new Error(`${file} does not read`);
      const findings = await validateManifests([...set.documents.values()], { istioVersion });
      if (findings.some((f) => f.severity === 'error' && REFUSING.has(f.rule))) {
        refused.push(file);
        continue;
      }
      const outFile = join(work, 'observability.yaml');
      const draft = importInputSet(set, { istioVersion, release: 'from the tag', outFile });
      const review = telemetryReview(set.objects, policy);
      const declares = SECTION_ORDER.some(
        (k) => !['istioVersion', 'namespace', 'mesh', 'backends', 'workloads'].includes(k) && k in draft.config,
      );
      if (!declares && review.mesh.length === 0 && review.workloads.every((w) => w.settings.length === 0)) {
        // Nothing applies and nothing is declared: an EnvoyFilter, a Gateway, a backend (listed).
        empty++;
        continue;
      }
      const trip = await checkRoundTrip(set, draft, istioVersion, 'default', outFile);
      roundTrips++;
      for (const d of trip.differences)
        differences.push(`${file}: ${d.workload} ${d.piece}: ${d.input} -> ${d.output}`);
    }
    expect(differences).toEqual([]);
    expect(refused).toEqual(REFUSED[tag]);
    // The files that hold settings are many enough for the round trip to mean something.
    expect(roundTrips).toBeGreaterThanOrEqual(15);
    expect(roundTrips + empty + refused.length).toBe(files.length);
  });
});
