import { existsSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runValidate } from '../cli/validate';
import { capture } from './support/capture';
import { sarifValidator } from './support/sarif';

/**
 * Lint over the observability YAML Istio itself ships (../shared/corpus: istio/istio's samples,
 * manifests, operator and test data at three tags, and the kiali-operator's example CRs), each at
 * its own minor. Every error must be a real mistake in that file; each expected error below says
 * why it is one. Istio's deliberately invalid fixtures must stay flagged.
 */
const CORPUS = resolve(__dirname, '..', '..', 'shared', 'corpus');
const present = existsSync(CORPUS);

/** Errors of every Istio tag: analyzer and operator test data that is wrong on purpose or by age. */
const EVERY_TAG = [
  // An overlay fixture whose extension providers are left empty: istiod refuses "unsupported provider".
  ...[1, 2, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13].map(
    (i) =>
      `operator/pkg/util/testdata/overlay-iop.yaml | IstioOperator | spec.meshConfig.extensionProviders[${i}] | extension-providers`,
  ),
  // The analyzer's deprecation fixture: EnvoyFilter fields removed in Istio 1.1, and the removed Mixer QuotaSpec API.
  'pkg/config/analysis/analyzers/testdata/deprecation.yaml | EnvoyFilter/istio-system/istio-multicluster-egressgateway | spec.filters | object-schema',
  'pkg/config/analysis/analyzers/testdata/deprecation.yaml | EnvoyFilter/istio-system/istio-multicluster-egressgateway | spec.workloadLabels | object-schema',
  'pkg/config/analysis/analyzers/testdata/deprecation.yaml | QuotaSpec/istio-system/request-count | apiVersion | istio-api-version',
  // `app:` is no field of an EnvoyFilter match: kubectl apply refuses it (strict field validation).
  'pkg/config/analysis/analyzers/testdata/envoy-filter-add-operation.yaml | EnvoyFilter/bookinfo/test-auth-4 | spec.configPatches[0].match.app | object-schema',
  'pkg/config/analysis/analyzers/testdata/envoy-filter-add-operation.yaml | EnvoyFilter/bookinfo/test-auth-5 | spec.configPatches[0].match.app | object-schema',
  // Analyzer fixtures whose patches select only Istio 1.11 proxies: on this release they apply to no proxy.
  'pkg/config/analysis/analyzers/testdata/envoy-filter-add-operation.yaml | EnvoyFilter/bookinfo/test-auth-4 | spec.configPatches[0].match.proxy.proxyVersion | proxy-version-regex',
  'pkg/config/analysis/analyzers/testdata/envoy-filter-replace-operation.yaml | EnvoyFilter/bookinfo/test-replace-3 | spec.configPatches[0].match.proxy.proxyVersion | proxy-version-regex',
  'pkg/config/analysis/analyzers/testdata/relative-envoy-filter-operation.yaml | EnvoyFilter/bookinfo/test-relative-3 | spec.configPatches[0].match.proxy.proxyVersion | proxy-version-regex',
  // A networking.k8s.io/v1 Ingress path without the pathType v1 requires.
  'pkg/config/analysis/analyzers/testdata/misannotated.yaml | Ingress/-/gateway | spec.rules[0].http.paths[0].pathType | object-schema',
];

/** Per tag: what else is flagged there. */
const EXPECTED: Readonly<Record<string, readonly string[]>> = {
  '1.17.8': [
    ...EVERY_TAG,
    // The validation dataset's invalid objects, invalid on purpose.
    'pkg/test/datasets/validation/dataset/extensions-v1alpha1-WasmPlugin-invalid.yaml | WasmPlugin/-/invalid | spec.sha256 | object-schema',
    'pkg/test/datasets/validation/dataset/telemetry-v1alpha1-Telemetry-invalid.yaml | Telemetry/-/invalid | spec.tracing[0].randomSamplingPercentage | object-schema',
  ],
  '1.22.8': [
    ...EVERY_TAG,
    // The analyzer's IST0160 fixture: two Telemetry objects without a selector in namespace ns2.
    'pkg/config/analysis/analyzers/testdata/telemetry-default-selector.yaml | Telemetry/ns2/has-conflict-2 | spec | telemetry-conflicts',
  ],
  '1.26.8': [
    ...EVERY_TAG,
    // Both a selector and a targetRef, which the 1.26 CRD refuses.
    'pkg/config/analysis/analyzers/testdata/k8sgateway-selector.yaml | Telemetry/default/telemetry-effective | spec | object-schema',
    // The analyzer's IST0160 fixture: two Telemetry objects without a selector in namespace ns2.
    'pkg/config/analysis/analyzers/testdata/telemetry-default-selector.yaml | Telemetry/ns2/has-conflict-2 | spec | telemetry-conflicts',
    // The CRD tests' valid fixtures, each meant alone: applied as the one file they are, in one
    // namespace and without selectors, istiod would apply only the first, "full" (IST0160).
    'pkg/config/validation/testdata/crds/telemetry-valid.yaml | Telemetry/-/tag-remove | spec | telemetry-conflicts',
    'pkg/config/validation/testdata/crds/telemetry-valid.yaml | Telemetry/-/tag-upsert | spec | telemetry-conflicts',
    // The CRD tests' valid fixture writes the tag value `add`, an attribute no 1.26 proxy has: the tag would read "unknown".
    'pkg/config/validation/testdata/crds/telemetry-valid.yaml | Telemetry/-/tag-upsert | spec.metrics[0].overrides[0].tagOverrides.foo.value | cel-expression',
  ],
};

/** The CRD tests' invalid fixtures (files named *-invalid.yaml, each object with an `_err` marker): every object must be flagged. */
const INVALID_FIXTURES = /testdata\/crds\/[a-z]+-invalid\.yaml$/;

interface JsonFinding {
  readonly severity: string;
  readonly rule: string;
  readonly path: string;
  readonly field?: string;
  readonly location?: { readonly file: string };
}

async function lint(folder: string, version: string): Promise<JsonFinding[]> {
  const run = await capture(runValidate, ['--istio-version', version, '--format', 'json', folder]);
  return (JSON.parse(run.stdout) as { findings: JsonFinding[] }).findings.filter((f) => f.severity === 'error');
}

/** `file | object | field | rule`; IstioOperators without a name are numbered by their place in the run, so left out. */
function key(folder: string, finding: JsonFinding): string {
  const object = finding.path.startsWith('IstioOperator/-/-') ? 'IstioOperator' : finding.path;
  return [relative(folder, finding.location?.file ?? ''), object, finding.field ?? '', finding.rule].join(' | ');
}

describe(
  present ? 'lint on the YAML Istio ships' : 'lint on the YAML Istio ships (skipped: ../shared/corpus not found)',
  () => {
    for (const [tag, expected] of Object.entries(EXPECTED)) {
      it.skipIf(!present)(`istio ${tag}: only real mistakes, and every deliberately invalid fixture`, async () => {
        const folder = join(CORPUS, `istio-${tag}`);
        const errors = await lint(folder, tag.split('.').slice(0, 2).join('.'));
        const outsideFixtures = errors.filter((f) => !INVALID_FIXTURES.test(f.location?.file ?? ''));
        expect(outsideFixtures.map((f) => key(folder, f)).sort()).toEqual([...expected].sort());
      });
    }

    it.skipIf(!present)("istio 1.26.8: flags every object of Istio's invalid CRD fixtures", async () => {
      const folder = join(CORPUS, 'istio-1.26.8');
      const flagged = new Set(
        (await lint(folder, '1.26')).filter((f) => INVALID_FIXTURES.test(f.location?.file ?? '')).map((f) => f.path),
      );
      expect([...flagged].sort()).toEqual([
        'Telemetry/-/bad-custom-metric',
        'Telemetry/-/bad-provider',
        'Telemetry/-/bad-tag-remove',
        'Telemetry/-/bad-tag-upsert',
        'WasmPlugin/-/duplicate-env',
        'WasmPlugin/-/invalid-env-name',
        'WasmPlugin/-/invalid-env-name#2',
        'WasmPlugin/-/invalid-env-name#3',
        'WasmPlugin/-/invalid-imagePullSecret',
        'WasmPlugin/-/invalid-pluginName',
        'WasmPlugin/-/invalid-selector',
        'WasmPlugin/-/invalid-selector#2',
        'WasmPlugin/-/invalid-sha256',
        'WasmPlugin/-/invalid-url',
        'WasmPlugin/-/invalid-url-schema',
        'WasmPlugin/-/nested-nil',
        'WasmPlugin/-/nil',
        'WasmPlugin/-/unset-port',
        'WasmPlugin/-/unset-url',
      ]);
    });

    it.skipIf(!present)(
      'istio 1.26.8 as SARIF: a log the SARIF 2.1.0 schema accepts, one result per finding',
      async () => {
        const folder = join(CORPUS, 'istio-1.26.8');
        const json = await capture(runValidate, ['--istio-version', '1.26', '--format', 'json', folder]);
        const sarif = await capture(runValidate, ['--istio-version', '1.26', '--format', 'sarif', folder]);
        const log = JSON.parse(sarif.stdout) as { runs: { results: unknown[] }[] };
        const validate = sarifValidator();
        expect(validate(log) ? [] : validate.errors).toEqual([]);
        expect(log.runs[0]?.results.length).toBe((JSON.parse(json.stdout) as { findings: unknown[] }).findings.length);
      },
    );

    it.skipIf(!present)("the kiali-operator's example CRs: no error", async () => {
      expect(await lint(join(CORPUS, 'kiali-operator'), '1.26')).toEqual([]);
    });
  },
);
