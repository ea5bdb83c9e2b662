import { describe, expect, it } from 'vitest';
import type { Problem } from '../core/problems/problem';
import { IstioVersion } from '../core/version/istio-version';
import { VersionPolicy } from '../core/version/version-policy';
import { text } from './support/problem-text';
import { RANGE, UNSUPPORTED } from './support/versions';

describe('IstioVersion', () => {
  it.each([
    ['1.17', '1.17'],
    ['1.17.8', '1.17'],
    ['1.30.3', '1.30'],
  ])('parses %s as minor release %s', (text, minor) => {
    expect(IstioVersion.tryParse(text)?.toString()).toBe(minor);
  });

  it.each(['', '1', 'v1.17', '1.17.x', '1.17.8-distroless', 'latest', ' 1.17'])('refuses %j', (text) => {
    expect(IstioVersion.tryParse(text)).toBeUndefined();
  });

  it('derives an anchored proxyVersion regex', () => {
    expect(IstioVersion.tryParse('1.17')?.proxyVersionRegex()).toBe('^1\\.17([.-].*)?$');
  });

  const regex = (v: string) => new RegExp(IstioVersion.tryParse(v)?.proxyVersionRegex() ?? 'never');

  it.each(['1.17', '1.17.0', '1.17.8', '1.17-dev', '1.17.0-beta.1', '1.17.8-distroless'])(
    '1.17 matches proxy %s',
    (proxy) => {
      expect(regex('1.17').test(proxy)).toBe(true);
    },
  );

  it.each(['1.170', '1.171.0', '1.1.7', '1.16.8', '1.18.0', '11.17.0', 'x1.17.0'])(
    '1.17 does not match proxy %s',
    (proxy) => {
      expect(regex('1.17').test(proxy)).toBe(false);
    },
  );

  it("avoids the book's ^1\\.16.* trap: 1.16 does not match 1.161 (istio/istio#43602)", () => {
    expect(/^1\.16.*/.test('1.161.0')).toBe(true);
    expect(regex('1.16').test('1.161.0')).toBe(false);
    expect(regex('1.16').test('1.16.7')).toBe(true);
  });
});

describe('VersionPolicy', () => {
  const policy = (version: string) => VersionPolicy.resolve(version) as VersionPolicy;

  it('resolves a minor to its newest known patch, and keeps a given patch', () => {
    expect(policy('1.29').version.release).toBe('1.29.6');
    expect(policy('1.29.0').version.release).toBe('1.29.0');
    expect(policy('1.17').version.release).toBe('1.17.8');
    expect(policy('1.31').version.release).toBe('1.31.0');
  });

  it('tells patches apart where Istio changed within a minor (istio/proxy at the 1.29.1 pin)', () => {
    expect(policy('1.29.0').has('qualifiedAppLabels')).toBe(false);
    expect(policy('1.29.1').has('qualifiedAppLabels')).toBe(true);
    expect(policy('1.29').has('qualifiedAppLabels')).toBe(true);
    expect(policy('1.28.10').has('qualifiedAppLabels')).toBe(false);
    expect(policy('1.29.0').featureStatus('qualifiedAppLabels')).toBe('not-yet');
  });

  it.each([
    ['1.26.99', '"1.26.0" to "1.26.8"', '1.26'],
    ['1.31.1', '"1.31.0" to "1.31.0"', '1.31'],
  ])('refuses patch %s that no Istio release has facts for, with the known range', (version, range, minor) => {
    expect(text(VersionPolicy.resolve(version) as Problem)).toBe(
      `istioVersion: Istio ${version} is a patch release this library has no facts for (got "${version}", expected a known patch of Istio ${minor}, from ${range}, or "${minor}" for the newest)`,
    );
  });

  it('has a row for every minor release from 1.17 to 1.31', () => {
    expect(VersionPolicy.supportedVersions()).toEqual([
      '1.17',
      '1.18',
      '1.19',
      '1.20',
      '1.21',
      '1.22',
      '1.23',
      '1.24',
      '1.25',
      '1.26',
      '1.27',
      '1.28',
      '1.29',
      '1.30',
      '1.31',
    ]);
  });

  it('derives each mechanism at the release the facts doc names', () => {
    const row = (version: string) => {
      const m = policy(version).mechanisms;
      return [
        version,
        m.networkingApiVersion.split('/')[1],
        m.telemetryApiVersion.split('/')[1],
        `${m.defaultMetricsCustomization}[${m.metricsCustomizations.join('|')}]`,
        m.extraStatTags,
        m.attributeGeneration,
        m.generatedAttributeReference,
        m.defaultTracing,
        m.helmTraceSamplingPath,
      ].join(' ');
    };
    expect(['1.17', '1.18', '1.20', '1.21', '1.22', '1.23', '1.24', '1.30'].map(row)).toEqual([
      '1.17 v1alpha3 v1alpha1 istio-operator[istio-operator] tolerated envoy-filter-null-vm bare-name proxy-config pilot.traceSampling',
      '1.18 v1alpha3 v1alpha1 telemetry-api[istio-operator|telemetry-api] tolerated wasm-plugin bare-name proxy-config pilot.traceSampling',
      '1.20 v1alpha3 v1alpha1 telemetry-api[istio-operator|telemetry-api] tolerated wasm-plugin bare-name proxy-config pilot.traceSampling',
      '1.21 v1alpha3 v1alpha1 telemetry-api[telemetry-api] deprecated wasm-plugin bare-name proxy-config pilot.traceSampling',
      '1.22 v1 v1 telemetry-api[telemetry-api] deprecated wasm-plugin bare-name telemetry-api pilot.traceSampling',
      '1.23 v1 v1 telemetry-api[telemetry-api] deprecated wasm-plugin bare-name telemetry-api pilot.traceSampling',
      '1.24 v1 v1 telemetry-api[telemetry-api] deprecated wasm-plugin wasm-filter-state telemetry-api traceSampling',
      '1.30 v1 v1 telemetry-api[telemetry-api] deprecated wasm-plugin wasm-filter-state telemetry-api traceSampling',
    ]);
  });

  it('switches the CEL vocabulary and the served API versions at 1.24 and 1.22', () => {
    expect(policy('1.23').mechanisms.celRootAttributes).toEqual([
      'connection',
      'destination',
      'downstream_peer',
      'filter_state',
      'metadata',
      'node',
      'request',
      'response',
      'source',
      'upstream',
      'upstream_peer',
    ]);
    expect(policy('1.24').mechanisms.celRootAttributes).toEqual([
      'connection',
      'destination',
      'filter_state',
      'metadata',
      'request',
      'response',
      'source',
      'upstream',
      'xds',
    ]);
    expect(policy('1.21').mechanisms.istioApiVersions).not.toContain('telemetry.istio.io/v1');
    expect(policy('1.22').mechanisms.istioApiVersions).toContain('telemetry.istio.io/v1');
    expect(policy('1.22').mechanisms.istioApiVersions).toContain('networking.istio.io/v1');
  });

  it('reads the Kiali CR generation of each release (Kiali 2 from 1.24)', () => {
    expect(['1.23', '1.24'].map((v) => policy(v).mechanisms.addons.kialiCr)).toEqual(['v1', 'v2']);
  });

  it('resolves a patch release to its minor release', () => {
    expect(policy('1.17.8').version.toString()).toBe('1.17');
    expect(policy('1.17.8').generatedAttributeExpression('istio_operationId')).toBe('istio_operationId');
    expect(policy('1.24.6').generatedAttributeExpression('istio_operationId')).toBe(
      "filter_state['wasm.istio_operationId']",
    );
  });

  it('answers feature questions and names the releases in a refusal', () => {
    expect(policy('1.28').has('telemetryTagFormatter')).toBe(false);
    expect(policy('1.29').has('telemetryTagFormatter')).toBe(true);
    expect(
      text(
        policy('1.28').featureProblem('telemetryTagFormatter', ['tags', 'sni', 'formatter'], '%REQUESTED_SERVER_NAME%'),
      ),
    ).toBe(
      'tags.sni.formatter: needs Telemetry customTags formatter (Istio 1.29 and later), and the target is Istio 1.28 ' +
        '(got "%REQUESTED_SERVER_NAME%", expected a setting Istio 1.28 has); ' +
        'hint: target a release that has it, or remove tags.sni.formatter (source: istio/istio@1.29.0:releasenotes/notes/formatter-custom-tag.yaml)',
    );
    expect(text(policy('1.21').featureProblem('istioOperatorConfigOverride', ['f'], 'x'))).toContain(
      'needs IstioOperator values.telemetry.v2.prometheus.configOverride (Istio 1.13 to 1.20; removed in 1.21)',
    );
    expect(policy('1.29').featureProblem('telemetryTagFormatter', ['f'], 'x')).toBeUndefined();
  });

  it("refuses a version outside its rows instead of emitting another release's output", () => {
    expect(text(VersionPolicy.resolve(UNSUPPORTED) as Problem)).toBe(
      `istioVersion: Istio ${UNSUPPORTED} has no row in the version policy, so no other release's mechanisms are emitted for it ` +
        `(got "${UNSUPPORTED}", expected a target this library implements, ${RANGE})`,
    );
    expect(text(VersionPolicy.resolve('1.16') as Problem)).toContain(
      `expected a target this library implements, ${RANGE}`,
    );
  });

  it('refuses text that is not a version', () => {
    expect(text(VersionPolicy.resolve('latest') as Problem)).toBe(
      `istioVersion: got "latest", expected an Istio release as "MAJOR.MINOR" or "MAJOR.MINOR.PATCH", ${RANGE}`,
    );
  });
});
