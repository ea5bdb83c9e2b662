import { describe, expect, it } from 'vitest';
import { IstioVersion } from '../constructs/version/istio-version';
import { VersionPolicy } from '../constructs/version/version-policy';

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
  it('implements 1.17 only so far', () => {
    expect(VersionPolicy.supportedVersions()).toEqual(['1.17']);
  });

  it('resolves a patch release to its minor release', () => {
    const policy = VersionPolicy.resolve('1.17.8');
    expect(policy).toBeInstanceOf(VersionPolicy);
    expect((policy as VersionPolicy).version.toString()).toBe('1.17');
    expect((policy as VersionPolicy).mechanisms.statsCustomization).toBe('istio-operator-config-override');
    expect((policy as VersionPolicy).generatedAttributeExpression('istio_operationId')).toBe('istio_operationId');
  });

  it('refuses a version it does not implement instead of emitting 1.17 output', () => {
    expect(VersionPolicy.resolve('1.22')).toBe(
      'istioVersion: got "1.22", expected a target this library implements: "1.17". ' +
        'Istio 1.22 needs different telemetry mechanisms, so 1.17 output is not emitted for it',
    );
  });

  it('refuses text that is not a version', () => {
    expect(VersionPolicy.resolve('latest')).toBe(
      'istioVersion: got "latest", expected an Istio release as "MAJOR.MINOR" or "MAJOR.MINOR.PATCH", one of "1.17"',
    );
  });
});
