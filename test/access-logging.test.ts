import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Testing } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { synthConfigFile } from '../cli/synth';
import { runValidate } from '../cli/validate';
import { AccessLogging } from '../constructs/logging/access-logging';
import { formatStringProblems } from '../constructs/logging/envoy-log-format';
import { describeProblemWithHint } from '../constructs/problems/problem';
import { ProxyTarget } from '../constructs/proxy-config/proxy-target';
import { ValidationFailedError } from '../constructs/validate/finding';
import { capture } from './support/capture';
import { demoFixture } from './support/fixtures';
import { refusalOf } from './support/refusals';

const formatProblems = (text: string) => formatStringProblems(['text'], text).map(describeProblemWithHint);

describe("access log formats, against Envoy's command operators", () => {
  it("accepts Istio's default format, parameters with colons and nested parentheses, and lengths", () => {
    expect(
      formatProblems(
        '[%START_TIME(%Y-%m-%dT%H:%M:%S.%3fZ)%] "%REQ(:METHOD)% %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)% %PROTOCOL%" %RESPONSE_CODE% %RESPONSE_FLAGS% %REQ(USER-AGENT):20% %CEL(request.url_path.startsWith(\'/a\'))%',
      ),
    ).toEqual([]);
  });

  it('refuses an unknown operator with the nearest one, a missing or extra parameter, and a stray %', () => {
    expect(formatProblems('%RESPONSE_CODES% %REQ% %DURATION(ms)% 100% done')).toEqual([
      'text: names no command operator Envoy has (got "%RESPONSE_CODES%", expected an Envoy command operator); hint: did you mean %RESPONSE_CODE%?',
      'text: got "%REQ%", expected %REQ(...)% with its parameter',
      'text: got "%DURATION(ms)%", expected %DURATION% without a parameter',
      'text: has a "%" at character 42 that starts no command operator (got "%RESPONSE_CODES% %REQ% %DURATION(ms)% 100% done", expected Envoy command operators as %NAME%, %NAME(param)% or %NAME(param):length%)',
    ]);
  });
});

describe('AccessLogging', () => {
  it("writes meshConfig's own log on 1.17, where the mesh customizes metrics through the IstioOperator", () => {
    const { mesh, meshChart } = demoFixture({ istioVersion: '1.17' });
    new AccessLogging(meshChart, 'log', { mesh, file: { format: { json: { status: '%RESPONSE_CODE%' } } } });
    const operator = Testing.synth(meshChart).find((o: { kind: string }) => o.kind === 'IstioOperator');
    expect(operator.spec.meshConfig).toEqual({
      accessLogEncoding: 'JSON',
      accessLogFile: '/dev/stdout',
      accessLogFormat: '{"status":"%RESPONSE_CODE%"}',
    });
  });

  it('writes Telemetry accessLogging from 1.18: a provider per log, the filter, and disabled', () => {
    const { mesh, meshChart, chart, webapp } = demoFixture({ istioVersion: '1.22' });
    new AccessLogging(meshChart, 'mesh-log', { mesh });
    new AccessLogging(chart, 'webapp-log', {
      mesh,
      target: ProxyTarget.workload(webapp),
      file: { name: 'errors', path: '/dev/stderr', format: { text: '%RESPONSE_CODE% %REQ(:PATH)%' } },
      filter: 'response.code >= 500',
    });
    new AccessLogging(chart, 'namespace-off', { mesh, target: ProxyTarget.namespace('istioinaction'), disabled: true });
    const telemetry = (c: typeof chart) =>
      Object.fromEntries(
        Testing.synth(c)
          .filter((o: { kind: string }) => o.kind === 'Telemetry')
          .map((o: { metadata: { name: string }; spec: { accessLogging: unknown } }) => [
            o.metadata.name,
            o.spec.accessLogging,
          ]),
      );
    expect(telemetry(meshChart)).toEqual({ 'mesh-default': [{ providers: [{ name: 'envoy' }] }] });
    expect(telemetry(chart)).toEqual({
      webapp: [{ providers: [{ name: 'errors' }], filter: { expression: 'response.code >= 500' } }],
      'namespace-default': [{ disabled: true }],
    });
    expect(mesh.install.helmValues().meshConfig).toEqual({
      extensionProviders: [
        {
          name: 'errors',
          envoyFileAccessLog: { path: '/dev/stderr', logFormat: { text: '%RESPONSE_CODE% %REQ(:PATH)%' } },
        },
      ],
    });
  });

  it('refuses on 1.17 what meshConfig cannot express, all at once', () => {
    const { mesh, chart, webapp } = demoFixture({ istioVersion: '1.17' });
    expect(
      refusalOf(
        () =>
          new AccessLogging(chart, 'log', {
            mesh,
            target: ProxyTarget.workload(webapp),
            filter: 'response.code >= 500',
          }),
      ),
    ).toBe(
      [
        '[istioinaction/log] target: has no per-namespace or per-workload log: with metrics customized through the IstioOperator (Istio 1.17 here), access logging is meshConfig\'s accessLogFile, one log for every proxy (got "Deployment \\"webapp\\"", expected the mesh); hint: log mesh-wide to a file, or target a release whose mesh uses the Telemetry API (1.18 and later)',
        '[istioinaction/log] filter: has no filter: with metrics customized through the IstioOperator (Istio 1.17 here), access logging is meshConfig\'s accessLogFile, one log for every proxy (got "response.code >= 500", expected no filter); hint: log mesh-wide to a file, or target a release whose mesh uses the Telemetry API (1.18 and later)',
      ].join('\n'),
    );
  });
});

describe('accessLogging in observability.yaml', () => {
  const synth = async (text: string) => {
    const dir = mkdtempSync(join(tmpdir(), 'access-log-'));
    const config = join(dir, 'observability.yaml');
    writeFileSync(config, text);
    const error = await synthConfigFile(config, join(dir, 'out')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationFailedError);
    return (error as ValidationFailedError).findings.map(
      (f) => `${f.location?.line}:${f.location?.column} ${f.rule} ${f.field?.join('.')}: ${f.what ?? ''}`,
    );
  };
  const config = (format: string, filter: string) =>
    [
      'istioVersion: "1.30"',
      'namespace: shop',
      'workloads:',
      '  cart: { selector: { app: cart } }',
      'accessLogging:',
      '  cart-errors:',
      '    target: { workload: cart }',
      `    file: { format: { text: "${format}" } }`,
      `    filter: "${filter}"`,
      '',
    ].join('\n');

  it('refuses an unknown format operator, located at its piece', async () => {
    expect(await synth(config('%RESPONSE_CODE% %UPSTREAM_HOSTT%', 'response.code >= 500'))).toEqual([
      '8:23 input file.format.text: names no command operator Envoy has',
    ]);
  });

  it("refuses a filter that reads what the release's attributes lack, located at its piece", async () => {
    expect(await synth(config('%RESPONSE_CODE%', 'response.cod >= 500'))).toEqual([
      '6:3 cel-expression filter: reads response.cod at column 10, which Istio 1.30 does not have',
    ]);
  });
});

describe('access-log-provider on hand-written Telemetry', () => {
  const lintLines = async (version: string, ...texts: string[]) => {
    const dir = mkdtempSync(join(tmpdir(), 'access-log-lint-'));
    const paths = texts.map((text, i) => {
      const path = join(dir, `f${i}.yaml`);
      writeFileSync(path, text);
      return path;
    });
    const run = await capture(runValidate, ['--istio-version', version, ...paths]);
    return run.stdout
      .split('\n')
      .filter((line) => line.includes('(access-log-provider)'))
      .map((line) => line.slice(line.indexOf(': ') + 2));
  };
  const telemetry = (spec: string) =>
    `apiVersion: telemetry.istio.io/v1\nkind: Telemetry\nmetadata: { name: t, namespace: shop }\nspec:\n${spec}\n`;

  it('warns when an entry names no provider and nothing supplies one; disabling needs none', async () => {
    expect(
      await lintLines('1.30', telemetry('  accessLogging: [{ filter: { expression: "response.code >= 500" } }]')),
    ).toEqual([
      "warning: [Telemetry/shop/t] spec.accessLogging: names no provider, and logs only if the mesh supplies one: a Telemetry in the root namespace or this namespace without a selector, or meshConfig.defaultProviders.accessLogging; without one these proxies write no access log; hint: name the provider here (providers: [{ name: envoy }], Istio's built-in file log) or in meshConfig.defaultProviders.accessLogging (access-log-provider)",
    ]);
    expect(await lintLines('1.30', telemetry('  accessLogging: [{ disabled: true }]'))).toEqual([]);
  });

  it("is satisfied by the root namespace's Telemetry naming one", async () => {
    const root =
      'apiVersion: telemetry.istio.io/v1\nkind: Telemetry\nmetadata: { name: mesh-default, namespace: istio-system }\nspec:\n  accessLogging: [{ providers: [{ name: envoy }] }]\n';
    expect(
      await lintLines('1.30', telemetry('  accessLogging: [{ filter: { expression: "response.code >= 500" } }]'), root),
    ).toEqual([]);
  });
});
