import { describe, expect, it } from 'vitest';
import { runValidate } from '../cli/validate';
import { capture } from './support/capture';
import { sarifValidator } from './support/sarif';

const SEED_MISTAKES = 'test/lint/seed-mistakes';

describe('validate --format sarif', () => {
  it('writes a SARIF 2.1.0 log that passes the schema, one located result per finding', async () => {
    const run = await capture(runValidate, ['--istio-version', '1.17', '--format', 'sarif', SEED_MISTAKES]);
    expect(run.status).toBe(1);
    expect(run.stderr).toBe('');
    const log = JSON.parse(run.stdout);
    const validate = sarifValidator();
    expect(validate(log), JSON.stringify(validate.errors, null, 2)).toBe(true);
    const sarifRun = log.runs[0];
    expect(sarifRun.tool.driver.name).toBe('cdk8s-istio-observability');
    expect(sarifRun.tool.driver.rules.map((r: { id: string }) => r.id)).toEqual([
      'deprecated-mechanism',
      'envoy-bootstrap',
      'proxy-version-regex',
      'restart-required',
      'zipkin-collector-path',
    ]);
    expect(sarifRun.results).toHaveLength(5);
    expect(sarifRun.results[0]).toEqual({
      ruleId: 'proxy-version-regex',
      ruleIndex: 2,
      level: 'error',
      message: {
        text: 'spec.configPatches[0].match.proxy.proxyVersion: selects only Istio 1.13 proxies, which an Istio 1.17 control plane does not serve: the patch applies to no proxy (got "^1\\\\.13.*", expected a regex for the proxies of Istio 1.17 or the minor before it); hint: delete it, or use "^1\\\\.17([.-].*)?$" if it is meant for 1.17',
      },
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri: 'test/lint/seed-mistakes/attribute-gen-book.yaml' },
            region: { startLine: 21 },
          },
          logicalLocations: [
            { fullyQualifiedName: 'EnvoyFilter/istioinaction/attribute-gen-example', kind: 'resource' },
          ],
        },
      ],
      properties: {
        field: 'spec.configPatches[0].match.proxy.proxyVersion',
        expected: 'a regex for the proxies of Istio 1.17 or the minor before it',
        hint: 'delete it, or use "^1\\\\.17([.-].*)?$" if it is meant for 1.17',
      },
    });
    expect(sarifRun.results.map((r: { level: string }) => r.level)).toEqual([
      'error',
      'warning',
      'warning',
      'warning',
      'warning',
    ]);
  });

  it('reports files that are not YAML as results of rule yaml, located at their line', async () => {
    const run = await capture(runValidate, ['--format', 'sarif', 'test/lint/not-yaml/broken.yaml']);
    expect(run.status).toBe(1);
    const log = JSON.parse(run.stdout);
    expect(sarifValidator()(log)).toBe(true);
    expect(log.runs[0].results.map((r: { ruleId: string }) => r.ruleId)).toEqual(['yaml']);
    expect(log.runs[0].results[0].locations[0].physicalLocation).toEqual({
      artifactLocation: { uri: 'test/lint/not-yaml/broken.yaml' },
      region: { startLine: 3 },
    });
  });
});

describe('validate --format json', () => {
  it('prints every finding as data: field path, value, expectation, place and object', async () => {
    const run = await capture(runValidate, ['--istio-version', '1.17', '--format', 'json', SEED_MISTAKES]);
    expect(run.status).toBe(1);
    const report = JSON.parse(run.stdout);
    expect(report.istioVersion).toBe('1.17');
    expect(report.summary).toEqual({ errors: 1, warnings: 4 });
    expect(report.findings[0]).toEqual({
      severity: 'error',
      rule: 'proxy-version-regex',
      path: 'EnvoyFilter/istioinaction/attribute-gen-example',
      field: 'spec.configPatches[0].match.proxy.proxyVersion',
      fieldPath: ['spec', 'configPatches', 0, 'match', 'proxy', 'proxyVersion'],
      value: '^1\\.13.*',
      expected: 'a regex for the proxies of Istio 1.17 or the minor before it',
      what: 'selects only Istio 1.13 proxies, which an Istio 1.17 control plane does not serve: the patch applies to no proxy',
      hint: 'delete it, or use "^1\\\\.17([.-].*)?$" if it is meant for 1.17',
      location: { file: 'test/lint/seed-mistakes/attribute-gen-book.yaml', line: 21 },
      object: {
        apiVersion: 'networking.istio.io/v1alpha3',
        kind: 'EnvoyFilter',
        namespace: 'istioinaction',
        name: 'attribute-gen-example',
      },
      message:
        'spec.configPatches[0].match.proxy.proxyVersion: selects only Istio 1.13 proxies, which an Istio 1.17 control plane does not serve: the patch applies to no proxy (got "^1\\\\.13.*", expected a regex for the proxies of Istio 1.17 or the minor before it)',
    });
  });

  it('refuses an unknown format before reading any file', async () => {
    const run = await capture(runValidate, ['--format', 'xml', 'missing.yaml']);
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr.split('\n')[0]).toBe('--format: got "xml", expected one of text, json, sarif');
  });
});
