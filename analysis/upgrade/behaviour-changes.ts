import { isMapping, listOf, mappingAt } from '../../core/json-values';
import type { FieldPath } from '../../core/problems/field-path';
import { IstioVersion } from '../../core/version/istio-version';
import { meshConfigs } from '../../model/install-inputs';
import type { RenderedObject } from '../../model/objects';
import { podTemplates, proxyConfigOf } from '../../model/pod-templates';
import { isTelemetry } from '../../model/telemetry-objects';

/** An object a behaviour change hits, and the field where it shows. */
export interface AffectedObject {
  readonly path: string;
  readonly field: FieldPath;
}

/**
 * A change of Istio's behaviour at one release that lint cannot see as a mistake in one object at
 * either release (it is right before and silently different after), with its source and a test of
 * which objects it hits. The rest of `plan` comes from the lint rules, which already know each
 * release (a finding new at the later release is a change), and from the review of what applies
 * per workload at each release.
 */
export interface BehaviourChange {
  readonly id: string;
  /** The first release that behaves the new way, `X.Y` or `X.Y.Z`. */
  readonly release: string;
  /** What changes, for the objects it hits. */
  readonly says: string;
  /** A release note or repository@tag:path a reader can open. */
  readonly source: string;
  affects(objects: readonly RenderedObject[]): readonly AffectedObject[];
}

/** Mesh configs' extension providers of `kind`, and where each is. */
function providersOfKind(objects: readonly RenderedObject[], kind: string): AffectedObject[] {
  return meshConfigs(objects).flatMap((source) =>
    listOf(source.meshConfig.extensionProviders).flatMap((provider, i) =>
      isMapping(provider) && isMapping(provider[kind])
        ? [{ path: source.path, field: [...source.field, 'extensionProviders', i, kind] }]
        : [],
    ),
  );
}

/** Whether anything in the objects names a tracer: ProxyConfig, defaultProviders, or a Telemetry. */
function namesATracer(objects: readonly RenderedObject[]): boolean {
  const proxyConfigTracer = (tracing: unknown) =>
    Object.keys(mappingAt(tracing)).some((k) => !['sampling', 'customTags', 'maxPathTagLength'].includes(k));
  return (
    meshConfigs(objects).some(
      (s) =>
        proxyConfigTracer(mappingAt(s.meshConfig, 'defaultConfig').tracing) ||
        listOf(mappingAt(s.meshConfig, 'defaultProviders').tracing).length > 0,
    ) ||
    objects.some(
      (o) =>
        isTelemetry(o.manifest) &&
        listOf(mappingAt(o.manifest, 'spec').tracing).some((t) => listOf(mappingAt(t).providers).length > 0),
    ) ||
    podTemplates(objects).some((t) => {
      const config = proxyConfigOf(t);
      return config !== undefined && !(config instanceof Error) && proxyConfigTracer(config.tracing);
    })
  );
}

/** Where the mesh sets sampling, which with no tracer of its own relied on the chart's zipkin default. */
function samplingPlaces(objects: readonly RenderedObject[]): AffectedObject[] {
  return [
    ...meshConfigs(objects).flatMap((s) =>
      mappingAt(s.meshConfig, 'defaultConfig', 'tracing').sampling !== undefined
        ? [{ path: s.path, field: [...s.field, 'defaultConfig', 'tracing', 'sampling'] }]
        : [],
    ),
    ...objects.flatMap((o) =>
      isTelemetry(o.manifest)
        ? listOf(mappingAt(o.manifest, 'spec').tracing).flatMap((t, i) =>
            mappingAt(t).randomSamplingPercentage !== undefined
              ? [{ path: o.path, field: ['spec', 'tracing', i, 'randomSamplingPercentage'] }]
              : [],
          )
        : [],
    ),
    ...podTemplates(objects).flatMap((t) => {
      const config = proxyConfigOf(t);
      return config && !(config instanceof Error) && mappingAt(config, 'tracing').sampling !== undefined
        ? [{ path: t.path, field: [...t.field, 'proxy.istio.io/config'] }]
        : [];
    }),
  ];
}

export const BEHAVIOUR_CHANGES: readonly BehaviourChange[] = [
  {
    id: 'default-zipkin-tracer-removed',
    release: '1.22',
    says: 'the charts no longer configure a zipkin tracer to zipkin.istio-system:9411 (global.proxy.tracer went from zipkin to none): this mesh names no tracer of its own, so its proxies stop sending spans although they still sample; name one (an extension provider in a Telemetry, or ProxyConfig tracing.zipkin)',
    source: 'istio/istio@1.22.0:releasenotes/notes/drop-default-tracing.yaml',
    affects: (objects) => (namesATracer(objects) ? [] : samplingPlaces(objects)),
  },
  {
    id: 'opencensus-removed',
    release: '1.25',
    says: 'OpenCensus support is removed (Envoy 1.33 dropped its tracer): this provider sends nothing; migrate it to an opentelemetry provider',
    source: 'istio/istio@1.25.0:releasenotes/notes/opencensus-removal.yaml',
    affects: (objects) => providersOfKind(objects, 'opencensus'),
  },
  {
    id: 'lightstep-removed',
    release: '1.27',
    says: 'the Lightstep tracing provider is removed: this provider sends nothing; migrate it to an opentelemetry provider',
    source: 'istio/istio@1.27.0:releasenotes/notes/54002.yaml',
    affects: (objects) => providersOfKind(objects, 'lightstep'),
  },
];

/** Whether release `at` lies in (`from`, `to`]: a change a step from `from` to `to` crosses. */
export function crosses(at: string, from: string, to: string): boolean {
  return compareReleases(from, at) < 0 && compareReleases(at, to) <= 0;
}

/** Orders `X.Y[.Z]` releases; a minor without a patch counts as its first patch. */
export function compareReleases(a: string, b: string): number {
  const pa = IstioVersion.tryParse(a);
  const pb = IstioVersion.tryParse(b);
  if (!pa || !pb) return a < b ? -1 : a > b ? 1 : 0;
  return pa.major - pb.major || pa.minor - pb.minor || (pa.patch ?? 0) - (pb.patch ?? 0);
}
