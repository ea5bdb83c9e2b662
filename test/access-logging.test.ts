import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Testing } from 'cdk8s';

import { describe, expect, it } from 'vitest';
import { synthConfigFile } from '../cli/synth';
import { runValidate } from '../cli/validate';
import { AccessLogging } from '../constructs/logging/access-logging';
import { ProxyTarget } from '../constructs/proxy-config/proxy-target';
import { formatStringProblems } from '../core/checks/envoy-log-format';
import { ValidationFailedError } from '../core/problems/finding';
import { describeProblemWithHint } from '../core/problems/problem';
import { VersionPolicy } from '../core/version/version-policy';
import { capture } from './support/capture';
import { demoFixture } from './support/fixtures';

const formatProblems = (text: string, version = '1.31') =>
  formatStringProblems(['text'], text, VersionPolicy.resolve(version) as VersionPolicy).map(describeProblemWithHint);

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
      'text: has a "%" at character 42 that starts no command operator (got "%RESPONSE_CODES% %REQ% %DURATION(ms)% 100% done", expected Envoy command operators as %NAME%, %NAME(param)% or %NAME(param):length%); hint: write %% for a literal percent sign',
    ]);
  });

  it("reads %% as Envoy's literal percent sign", () => {
    expect(formatProblems('%RESPONSE_CODE% 100%% done %%%DURATION%')).toEqual([]);
  });

  // Istio 1.23's proxy runs Envoy 1.31 (istio/istio@1.23.6:istio.deps → istio/proxy@8d0aa290 →
  // Envoy release/v1.31); the three operators arrived in Envoy 1.32 (changelogs/1.32.0.yaml).
  it.each(['UPSTREAM_CLUSTER_RAW', 'START_TIME_LOCAL', 'EMIT_TIME_LOCAL'])(
    'refuses %%%s%% before the Envoy that has it, naming the release that does',
    (name) => {
      expect(formatProblems(`%${name}%`, '1.23')).toEqual([
        `text: arrived in Envoy 1.32 (Istio 1.24), and the proxy of Istio 1.23 runs Envoy 1.31, which refuses the format (got "%${name}%", expected a command operator Envoy 1.31 has); hint: target Istio 1.24 or later, or remove it (source: envoyproxy/envoy changelogs/1.32.0.yaml)`,
      ]);
      expect(formatProblems(`%${name}%`, '1.24')).toEqual([]);
    },
  );

  it('refuses METADATA before 1.18 and CEL before 1.20, whose formatters istiod did not enable', () => {
    expect(formatProblems('%METADATA(ROUTE:ns:key)% %CEL(request.path)%', '1.17')).toEqual([
      'text: needs the formatter istiod enables from Istio 1.18, and the target is Istio 1.17 (got "%METADATA%", expected a command operator Istio 1.17 has); hint: target Istio 1.18 or later, or remove it (source: istio/istio#44105 (first in 1.18.0))',
      'text: needs the formatter istiod enables from Istio 1.20, and the target is Istio 1.17 (got "%CEL%", expected a command operator Istio 1.17 has); hint: target Istio 1.20 or later, or remove it (source: istio/istio#47354 (first in 1.20.0))',
    ]);
    expect(formatProblems('%METADATA(ROUTE:ns:key)% %CEL(request.path)%', '1.20')).toEqual([]);
  });

  it('refuses more than one alternative header, a length where none is taken, and a parameter before its release', () => {
    expect(
      formatProblems('%REQ(A?B?C)% %RESP(A?B)% %RESPONSE_CODE:3% %RESPONSE_CODE_DETAILS(ALLOW_WHITESPACES)%', '1.25'),
    ).toEqual([
      'text: names more than one alternative header, which Envoy refuses (got "%REQ(A?B?C)%", expected %REQ(header?alternative)% with at most one alternative header)',
      'text: got "%RESPONSE_CODE:3%", expected %RESPONSE_CODE% without a length',
      'text: takes a parameter from Envoy 1.34 (Istio 1.26), and the proxy of Istio 1.25 runs Envoy 1.33 (got "%RESPONSE_CODE_DETAILS(ALLOW_WHITESPACES)%", expected %RESPONSE_CODE_DETAILS% without a parameter)',
    ]);
    expect(formatProblems('%RESPONSE_CODE_DETAILS(ALLOW_WHITESPACES)%', '1.26')).toEqual([]);
  });

  // istio/istio@1.23.0:pilot/pkg/model/telemetry_logging.go lines 530-533: OpenTelemetry logs get
  // the CEL, METADATA and REQ_WITHOUT_QUERY formatters from 1.23; before, Envoy rejects the log.
  it('refuses the formatter operators in an OpenTelemetry log before 1.23, and accepts them in a file log', () => {
    const policy = (v: string) => VersionPolicy.resolve(v) as VersionPolicy;
    const text = '%REQ_WITHOUT_QUERY(:PATH)%';
    expect(formatStringProblems(['text'], text, policy('1.22'), 'opentelemetry').map(describeProblemWithHint)).toEqual([
      'text: needs a formatter istiod gives OpenTelemetry access logs only from Istio 1.23, and the target is Istio 1.22, so Envoy rejects the log (got "%REQ_WITHOUT_QUERY%", expected a command operator an OpenTelemetry log of Istio 1.22 has); hint: use it in a file log, or target Istio 1.23 or later (source: istio/istio@1.23.0:pilot/pkg/model/telemetry_logging.go lines 530-533)',
    ]);
    expect(formatStringProblems(['text'], text, policy('1.22'), 'file')).toEqual([]);
    expect(formatStringProblems(['text'], text, policy('1.23'), 'opentelemetry')).toEqual([]);
  });

  it('has no operator Envoy never had', () => {
    for (const name of ['SYSTEM_TIME', 'UPSTREAM_LOCAL_SUBJECT', 'DOWNSTREAM_PEER_CHAIN']) {
      expect(formatProblems(`%${name}%`)[0]).toMatch(/^text: names no command operator Envoy has/);
    }
  });
});

describe('AccessLogging', () => {
  // Telemetry accessLogging is in 1.17's API, per workload, with a CEL filter and OpenTelemetry
  // (istio/api@1.17.8:telemetry/v1alpha1/telemetry.proto lines 613-655; istio/istio@1.17.8:
  // pilot/pkg/model/telemetry_logging.go lines 117-136), beside the IstioOperator's metrics.
  it('writes Telemetry accessLogging on 1.17 too, per workload with a filter, beside IstioOperator metrics', () => {
    const { mesh, meshChart, chart, webapp } = demoFixture({ istioVersion: '1.17' });
    new AccessLogging(meshChart, 'mesh-log', { mesh, file: { format: { json: { status: '%RESPONSE_CODE%' } } } });
    new AccessLogging(chart, 'webapp-log', {
      mesh,
      target: ProxyTarget.workload(webapp),
      openTelemetry: { address: 'otel-collector.observability:4317' },
      filter: 'response.code >= 500',
    });
    const telemetry = Testing.synth(chart).find((o: { kind: string }) => o.kind === 'Telemetry');
    expect(telemetry.apiVersion).toBe('telemetry.istio.io/v1alpha1');
    expect(telemetry.spec.accessLogging).toEqual([
      { providers: [{ name: 'otel-access-log' }], filter: { expression: 'response.code >= 500' } },
    ]);
    const operator = Testing.synth(meshChart).find((o: { kind: string }) => o.kind === 'IstioOperator');
    expect(operator.spec.meshConfig.accessLogFile).toBeUndefined();
    expect(operator.spec.meshConfig.extensionProviders.map((p: { name: string }) => p.name)).toEqual([
      'access-log-file',
      'otel-access-log',
    ]);
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
