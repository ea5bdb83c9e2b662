import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigFile, ConfigFileError, type ConfigProblem, formatConfigProblem } from '../app/config/config-file';
import { ObservabilityStack } from '../app/stacks/observability-stack';
import { SECTION_BUILDERS } from '../app/stacks/sections/section-builders';
import { validateApp } from '../app/validate/app-validator';
import { formatFinding } from '../core/problems/finding';
import { testApp } from './support/app';

const ROOT = resolve(__dirname, '..');

/** The problems `ConfigFile.parse` reports for `text`, one line each. */
function problemsOf(text: string): readonly string[] {
  try {
    ConfigFile.parse('obs.yaml', text);
  } catch (error) {
    if (error instanceof ConfigFileError) return error.problems.map(formatConfigProblem);
    throw error;
  }
  return [];
}

/** The problems `ConfigFile.load` reports for `file`, one line each. */
function problemsOfFile(file: string): readonly string[] {
  try {
    ConfigFile.load(file);
  } catch (error) {
    if (error instanceof ConfigFileError) return error.problems.map(formatConfigProblem);
    throw error;
  }
  return [];
}

/** Builds `text` into an app and returns every error finding, formatted. */
async function buildErrors(text: string): Promise<string[]> {
  const file = ConfigFile.parse('obs.yaml', text);
  const app = testApp();
  new ObservabilityStack(app, 'default', { config: file.config, locate: (path) => file.locate(path) });
  return (await validateApp(app)).filter((f) => f.severity === 'error').map(formatFinding);
}

const HEAD = 'istioVersion: "1.17"\nnamespace: shop\n';

describe('observability.yaml', () => {
  it('is valid, and points editors at the published schema', () => {
    const text = readFileSync(join(ROOT, 'observability.yaml'), 'utf8');
    expect(text.startsWith('# yaml-language-server: $schema=./schemas/observability.schema.json\n')).toBe(true);
    expect(problemsOf(text)).toEqual([]);
    const schema = JSON.parse(readFileSync(join(ROOT, 'schemas', 'observability.schema.json'), 'utf8'));
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
    expect(schema.additionalProperties).toBe(false);
  });
});

describe('ConfigFile', () => {
  it('reports YAML syntax errors and duplicate keys with line and column', () => {
    expect(problemsOf(`${HEAD}statsInclusion:\n  a: {target: mesh\n`)).toEqual([
      'obs.yaml:5:1: Flow map in block collection must be sufficiently indented and end with a } (expected valid YAML)',
    ]);
    expect(problemsOf(`${HEAD}namespace: other\n`)).toEqual([
      'obs.yaml:3:1: repeats the key "namespace" of this mapping (expected each key once)',
    ]);
  });

  it('reports every schema problem at once, at the key it concerns; unknown keys are errors', () => {
    const text = [
      'istioVersion: 1.17',
      'namespce: shop',
      'traceSampling:',
      '  webapp-sampling:',
      '    target: { workload: web }',
      '    percentage: 101',
      '    sampling: 5',
      'metricDimensions:',
      '  Bad_Id:',
      '    metric: requests_total',
      '',
    ].join('\n');
    expect(problemsOf(text)).toEqual([
      'obs.yaml:1:1: istioVersion: wrong type (got 1.17, expected string); hint: quote it, YAML reads an unquoted 1.17 as a number',
      'obs.yaml:1:1: namespace: missing (expected a value; it is required)',
      'obs.yaml:2:1: namespce: unknown field (expected one of 23 known fields, e.g. namespace, namespaces)',
      'obs.yaml:6:5: traceSampling.webapp-sampling.percentage: must be <= 100 (got 101)',
      'obs.yaml:7:5: traceSampling.webapp-sampling.sampling: unknown field (expected one of target, percentage)',
      'obs.yaml:9:3: metricDimensions.Bad_Id: not a valid key (got "Bad_Id", expected a key matching ^[a-z0-9]([-a-z0-9]*[a-z0-9])?$)',
    ]);
  });

  it('reports a backend given the wrong shape in one line each, naming what each branch accepts', () => {
    const text = [
      HEAD.trimEnd(),
      'backends:',
      '  jaeger: { storage: { badger: tmpfs } }',
      '  scrapeConfig: { name: prom, pruneEnvoyStats: yes }',
      '  grafana: true',
      '  kiali: { auth: none }',
      '',
    ].join('\n');
    expect(problemsOf(text)).toEqual([
      'obs.yaml:4:24: backends.jaeger.storage.badger: unknown field (expected one of memory, badgerOnEmptyDir, badgerOnClaim)',
      'obs.yaml:5:31: backends.scrapeConfig.pruneEnvoyStats: wrong type (got "yes", expected boolean)',
      'obs.yaml:6:3: backends.grafana: got true, expected false or a mapping',
      'obs.yaml:7:12: backends.kiali.auth: not an allowed value (got "none", expected one of "token", "openid", "openshift", "header", "anonymous")',
    ]);
  });

  it('says when the file cannot be read', () => {
    expect(() => ConfigFile.load('missing.yaml')).toThrow(
      new ConfigFileError([{ location: { file: 'missing.yaml' }, what: 'cannot be read (ENOENT)' }]),
    );
    expect(problemsOfFile('missing.yaml')).toEqual(['missing.yaml: cannot be read (ENOENT)']);
  });

  it('keeps each problem as data: the field as a key path, the value, the expectation and the place', () => {
    let problems: readonly ConfigProblem[] = [];
    try {
      ConfigFile.parse('obs.yaml', `${HEAD}traceSampling:\n  s:\n    target: mesh\n    percentage: 101\n`);
    } catch (error) {
      problems = (error as ConfigFileError).problems;
    }
    expect(problems).toEqual([
      {
        field: ['traceSampling', 's', 'percentage'],
        what: 'must be <= 100',
        value: 101,
        location: { file: 'obs.yaml', line: 6, column: 5 },
      },
    ]);
  });
});

describe('ObservabilityStack from a config file', () => {
  it('has one builder for every section of the schema but the mesh and the file-level keys', () => {
    const schema = JSON.parse(readFileSync(join(ROOT, 'schemas', 'observability.schema.json'), 'utf8'));
    const fileLevel = ['$schema', 'istioVersion', 'namespace', 'mesh', 'clusters', 'gitops'];
    const sections = Object.keys(schema.properties).filter((key) => !fileLevel.includes(key));
    expect(SECTION_BUILDERS.map((b) => b.section).sort()).toEqual(sections.sort());
  });

  it('refuses references to workloads and attributes the file does not declare, at the piece', async () => {
    const text = [
      HEAD.trimEnd(),
      'statsInclusion:',
      '  web-stats:',
      '    target: { workload: webapp }',
      '    inclusionPrefixes: [cluster.outbound]',
      'metricDimensions:',
      '  ops:',
      '    metric: requests_total',
      '    dimensions:',
      '      op: { attribute: istio_operationId }',
      'customTraceTags:',
      '  tags:',
      '    target: mesh',
      '    tags:',
      '      both: { literal: a, header: x-b }',
      '',
    ].join('\n');
    expect(await buildErrors(text)).toEqual([
      'obs.yaml:11:13 [shop/ops] dimensions.op.attribute: got {"attribute":"istio_operationId"}, expected an attribute made by an attributeGenerators entry of this config (there is none)',
      'obs.yaml:16:7 [shop/tags] tags.both: got {"literal":"a","header":"x-b"}, expected exactly one of literal, environment, header, formatter, not ["literal","header"]',
      'obs.yaml:5:5 [shop/web-stats] target: is not a declared workload (got "webapp", expected a workload declared under workloads (this config declares none)); hint: declare it: workloads: { webapp: { namespace: <namespace>, selector: { app: webapp } } }',
    ]);
  });

  it('leaves nothing of a refused piece behind: a valid dimension beside a refused one is not in the IstioOperator', async () => {
    const text = [
      HEAD.trimEnd(),
      'metricDimensions:',
      '  dims:',
      '    metric: requests_total',
      '    dimensions:',
      '      aa_host: request.host',
      '      response_code: request.host',
      '',
    ].join('\n');
    const file = ConfigFile.parse('obs.yaml', text);
    const app = testApp();
    const stack = new ObservabilityStack(app, 'default', { config: file.config, locate: (path) => file.locate(path) });
    expect(stack.inputFindings.map((f) => f.field)).toEqual([['dimensions', 'response_code']]);
    const synthesized = app.charts.flatMap((chart) => chart.toJson());
    expect(JSON.stringify(synthesized)).not.toContain('aa_host');
  });

  it('sends tracers without an address to the generated Jaeger, and says when there is none to send to', async () => {
    const tracers = [
      'mesh: { tracing: telemetry-api }',
      'zipkinTracers:',
      '  zipkin: { target: mesh }',
      'openTelemetryTracers:',
      '  otel: { target: { namespace: shop } }',
      '',
    ].join('\n');
    expect(await buildErrors(`istioVersion: "1.22"\nnamespace: shop\n${tracers}`)).toEqual([
      'obs.yaml:7:3 [shop/otel] address: is required when backends.jaeger is not declared (got undefined, expected service.namespace:port of an OTLP/gRPC collector)',
      'obs.yaml:5:3 [shop/zipkin] address: is required when backends.jaeger is not declared (got undefined, expected host:port of a Zipkin collector)',
    ]);
    const jaeger = 'backends:\n  jaeger: { storage: { memory: {} } }\n';
    // istio/istio@1.18.7:samples/addons/jaeger.yaml exposes no OTLP port; @1.19.10 adds 4317 and 4318.
    expect(await buildErrors(`istioVersion: "1.19"\nnamespace: shop\n${tracers}${jaeger}`)).toEqual([]);
    expect(await buildErrors(`istioVersion: "1.18"\nnamespace: shop\n${tracers}${jaeger}`)).toEqual([
      'obs.yaml:7:3 [shop/otel] address: is required: the generated Jaeger (v1-all-in-one) has no OTLP receiver (got undefined, expected service.namespace:port of an OTLP/gRPC collector)',
    ]);
    const file = ConfigFile.parse('obs.yaml', `istioVersion: "1.30"\nnamespace: shop\n${tracers}${jaeger}`);
    const app = testApp();
    new ObservabilityStack(app, 'default', { config: file.config });
    expect((await validateApp(app)).filter((f) => f.severity === 'error')).toEqual([]);
    const operator = app.charts[0]?.toJson()[0];
    expect(operator.spec.meshConfig.extensionProviders).toEqual([
      // by provider name: the mesh config's providers do not depend on the order tracers are declared
      { name: 'otel', opentelemetry: { port: 4317, service: 'jaeger-collector.istio-system.svc.cluster.local' } },
      { name: 'zipkin', zipkin: { port: 9411, service: 'zipkin.istio-system.svc.cluster.local' } },
    ]);
  });

  it('refuses two objects with one identity: a bootstrap override named like the scrape config, in one namespace', async () => {
    const text = `${HEAD}demoApp: {}
bootstrapOverrides:
  boot: { name: shared, workloads: [webapp], statsd: { address: "statsd.shop:9125" } }
backends:
  prometheus: { release: prom, namespace: shop }
  scrapeConfig: { name: shared }
  jaeger: { storage: { memory: {} } }
`;
    expect(await buildErrors(text)).toEqual([
      'obs.yaml:8:3 [observability-backends/backends/scrape-config/Resource] metadata.name: shop/boot/Resource/Resource writes a ConfigMap of this name in namespace "shop" too; the cluster would keep only the one applied last (got "shared", expected a name no other ConfigMap in namespace "shop" has); hint: rename one of them',
    ]);
  });

  it('refuses a statsd address the schema lets through but Envoy cannot use, located, without a stack trace', async () => {
    const text = `${HEAD}demoApp: {}\nbootstrapOverrides:\n  boot: { workloads: [webapp], statsd: { address: "stats d:99999" } }\n`;
    expect(await buildErrors(text)).toEqual([
      'obs.yaml:5:3 [shop/boot] bootstrap.statsd.address: got "stats d:99999", expected host:port, e.g. "statsd.istioinaction:9125"',
    ]);
  });

  it('reports a refused Jaeger once, at its key, not again at a tracer that defaults to it', async () => {
    const jaeger = '  jaeger: { storage: { memory: {} }, image: "mirror.example.com/tracing:1.35" }';
    const text = `${HEAD}backends:\n${jaeger}\nzipkinTracers:\n  zipkin: { target: mesh }\n`;
    expect(await buildErrors(text)).toEqual([
      'obs.yaml:4:3 [observability-backends/backends/jaeger] generation: cannot be told from image "mirror.example.com/tracing:1.35" (neither .../all-in-one nor .../jaeger) (got undefined, expected v1-all-in-one or v2); hint: set generation for a mirrored or renamed image',
    ]);
  });

  it('builds only the backends asked for', () => {
    const file = ConfigFile.parse(
      'obs.yaml',
      `${HEAD}backends:\n  prometheusOperator: false\n  grafana: false\n  kiali: false\n  jaeger: { storage: { badgerOnClaim: traces } }\n`,
    );
    const app = testApp();
    new ObservabilityStack(app, 'default', { config: file.config });
    const backends = app.charts.find((c) => c.node.id === 'observability-backends');
    expect(
      backends?.toJson().map((o: { kind: string; metadata: { name: string } }) => `${o.kind}/${o.metadata.name}`),
    ).toEqual([
      'Deployment/jaeger',
      'NetworkPolicy/jaeger',
      'Service/tracing',
      'Service/zipkin',
      'Service/jaeger-collector',
    ]);
  });
});
