import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import {
  ADDON_RELEASES,
  CRD_FIELD_RANGES,
  CRD_RELEASE_TAGS,
  SERVED_API_VERSIONS,
} from '../core/version/release-tables.generated';
import { FEATURES } from '../core/version/version-features';
import { VersionPolicy } from '../core/version/version-policy';

const ROOT = resolve(__dirname, '..');
const SHARED = resolve(ROOT, '..', 'shared');
const policy = (version: string) => VersionPolicy.resolve(version) as VersionPolicy;

describe('release-tables.generated.ts', () => {
  // The vendored CRDs and add-ons live beside the repository (shared/), as in CI.
  it.skipIf(!existsSync(SHARED))(
    'is exactly what scripts/derive-release-tables.mjs derives from ../shared/crds and ../shared/addons',
    () => {
      const scratch = mkdtempSync(join(tmpdir(), 'release-tables-'));
      const out = join(scratch, 'release-tables.generated.ts');
      try {
        execFileSync('node', [join(ROOT, 'scripts', 'derive-release-tables.mjs')], {
          cwd: ROOT,
          env: { ...process.env, RELEASE_TABLES_OUT: out },
          stdio: 'pipe',
        });
        expect(readFileSync(out, 'utf8')).toBe(
          readFileSync(join(ROOT, 'core', 'version', 'release-tables.generated.ts'), 'utf8'),
        );
      } finally {
        rmSync(scratch, { recursive: true, force: true });
      }
    },
    60_000,
  );

  it('has a CRD and an add-on row for every supported release', () => {
    for (const version of VersionPolicy.supportedVersions()) {
      // A patch release, or the newest minor's release candidate while it is the one published.
      expect(CRD_RELEASE_TAGS[version], version).toMatch(
        new RegExp(`^${version.replace('.', '\\.')}\\.\\d+(-rc\\.\\d+)?$`),
      );
      expect(ADDON_RELEASES[version]?.tag, version).toBe(CRD_RELEASE_TAGS[version]);
    }
  });

  // istio/istio@1.19.10 and @1.20.8:manifests/charts/base/crds/crd-all.gen.yaml: Telemetry has
  // targetRef from 1.20 and targetRefs from 1.22; customTags formatter from 1.29
  // (@1.29.6:manifests/charts/base/files/crd-all.gen.yaml); enableIstioTags from 1.25.
  it('records the Telemetry fields each release added, as read from its CRD', () => {
    expect(CRD_FIELD_RANGES['telemetry.istio.io/Telemetry']).toEqual({
      'spec.targetRef': ['1.20'],
      'spec.targetRefs': ['1.22'],
      'spec.tracing[].customTags.*.formatter': ['1.29'],
      'spec.tracing[].disableContextPropagation': ['1.30'],
      'spec.tracing[].enableIstioTags': ['1.25'],
    });
    expect(policy('1.20').crdFieldStatus('telemetry.istio.io/Telemetry', 'spec.targetRef')).toEqual({ present: true });
    expect(policy('1.19').crdFieldStatus('telemetry.istio.io/Telemetry', 'spec.targetRef')).toEqual({
      present: false,
      releases: 'Istio 1.20 and later',
      source: 'istio/istio@1.19.10:manifests/charts/base/crds/crd-all.gen.yaml',
    });
    expect(
      policy('1.28').crdFieldStatus('telemetry.istio.io/Telemetry', 'spec.tracing[].customTags.*.formatter'),
    ).toEqual({
      present: false,
      releases: 'Istio 1.29 and later',
      source: 'istio/istio@1.28.10:manifests/charts/base/files/crd-all.gen.yaml',
    });
  });

  it('agrees with the hand-kept feature table wherever a feature is a CRD field, so constructs and lint gate alike', () => {
    const since = (kind: string, path: string) => CRD_FIELD_RANGES[kind]?.[path]?.[0];
    expect(FEATURES.telemetryTagFormatter.since).toBe(
      since('telemetry.istio.io/Telemetry', 'spec.tracing[].customTags.*.formatter'),
    );
    expect(FEATURES.tracingEnableIstioTags.since).toBe(
      since('telemetry.istio.io/Telemetry', 'spec.tracing[].enableIstioTags'),
    );
  });

  it('derives the served API versions from the CRDs: the v1 networking and telemetry APIs from 1.22', () => {
    expect(SERVED_API_VERSIONS['telemetry.istio.io/v1']).toEqual(['1.22']);
    expect(SERVED_API_VERSIONS['networking.istio.io/v1']).toEqual(['1.22']);
    // istio/istio@1.17.8:manifests/charts/base/crds/crd-all.gen.yaml serves security.istio.io/v1 already.
    expect(policy('1.17').mechanisms.istioApiVersions).toContain('security.istio.io/v1');
    expect(policy('1.21').mechanisms.telemetryApiVersion).toBe('telemetry.istio.io/v1alpha1');
    expect(policy('1.22').mechanisms.telemetryApiVersion).toBe('telemetry.istio.io/v1');
    expect(policy('1.21').mechanisms.networkingApiVersion).toBe('networking.istio.io/v1alpha3');
    expect(policy('1.22').mechanisms.networkingApiVersion).toBe('networking.istio.io/v1');
  });

  // istio/istio samples/addons/jaeger.yaml and samples/addons/extras/prometheus-operator.yaml at each tag.
  it('derives each release add-on: the Jaeger image, OTLP on jaeger-collector from 1.19, the PodMonitor relabelings', () => {
    const row = (version: string) => {
      const a = policy(version).mechanisms.addons;
      const podLabel = JSON.stringify(a.podMonitorRelabelings).includes('"targetLabel":"pod"') ? 'pod' : 'pod_name';
      return `${version} ${a.jaegerImage} ${a.jaeger} otlp=${a.jaegerOtlp} ${a.podMonitorRelabeling} ${podLabel}`;
    };
    expect(VersionPolicy.supportedVersions().map(row)).toEqual([
      '1.17 docker.io/jaegertracing/all-in-one:1.35 v1-all-in-one otlp=false book pod_name',
      '1.18 docker.io/jaegertracing/all-in-one:1.35 v1-all-in-one otlp=false dual-stack pod_name',
      '1.19 docker.io/jaegertracing/all-in-one:1.46 v1-all-in-one otlp=true dual-stack pod_name',
      '1.20 docker.io/jaegertracing/all-in-one:1.46 v1-all-in-one otlp=true dual-stack pod_name',
      '1.21 docker.io/jaegertracing/all-in-one:1.46 v1-all-in-one otlp=true dual-stack pod_name',
      '1.22 docker.io/jaegertracing/all-in-one:1.56 v1-all-in-one otlp=true dual-stack pod_name',
      '1.23 docker.io/jaegertracing/all-in-one:1.58 v1-all-in-one otlp=true dual-stack pod_name',
      '1.24 docker.io/jaegertracing/all-in-one:1.58 v1-all-in-one otlp=true dual-stack pod_name',
      '1.25 docker.io/jaegertracing/all-in-one:1.63.0 v1-all-in-one otlp=true dual-stack pod',
      '1.26 docker.io/jaegertracing/all-in-one:1.67.0 v1-all-in-one otlp=true dual-stack pod',
      '1.27 docker.io/jaegertracing/all-in-one:1.70.0 v1-all-in-one otlp=true dual-stack pod',
      '1.28 docker.io/jaegertracing/all-in-one:1.70.0 v1-all-in-one otlp=true dual-stack pod',
      '1.29 docker.io/jaegertracing/jaeger:2.14.0 v2 otlp=true dual-stack pod',
      '1.30 docker.io/jaegertracing/jaeger:2.14.0 v2 otlp=true dual-stack pod',
      '1.31 docker.io/jaegertracing/jaeger:2.17.0 v2 otlp=true dual-stack pod',
    ]);
  });

  it("keeps the book's relabelings as the 1.17 add-on's: seed 003's ch7/pod-monitor-dp.yaml", () => {
    const seed = parseAllDocuments(readFileSync(join(__dirname, 'seeds', 'prometheus-operator-monitors.yaml'), 'utf8'))
      .map((d) => d.toJS())
      .find((o) => o?.kind === 'PodMonitor');
    const sorted = (rule: Record<string, unknown>) =>
      Object.fromEntries(Object.entries(rule).sort(([a], [b]) => (a < b ? -1 : 1)));
    expect(seed.spec.podMetricsEndpoints[0].relabelings.map(sorted)).toEqual(
      ADDON_RELEASES['1.17']?.podMonitorRelabelings,
    );
  });
});
