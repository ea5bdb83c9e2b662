import { isMapping, listOf, mappingAt } from '../../core/json-values';
import type { FieldPath } from '../../core/problems/field-path';
import { IstioVersion } from '../../core/version/istio-version';
import { installInputOf, meshConfigs, meshRootNamespace, rootNamespaceOf, valueAt } from '../../model/install-inputs';
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

/** ProxyConfig `tracing` keys that name a tracer (the others tune one: sampling, tags, TLS). */
const PROXY_CONFIG_TRACERS = ['zipkin', 'lightstep', 'datadog', 'stackdriver', 'openCensusAgent'];

/** ProxyConfig tracers of `kind` in the mesh configs and the pod annotations, and where each is. */
function proxyConfigTracers(objects: readonly RenderedObject[], kind: string): AffectedObject[] {
  return [
    ...meshConfigs(objects).flatMap((s) =>
      isMapping(mappingAt(s.meshConfig, 'defaultConfig', 'tracing')[kind])
        ? [{ path: s.path, field: [...s.field, 'defaultConfig', 'tracing', kind] }]
        : [],
    ),
    ...podTemplates(objects).flatMap((t) => {
      const config = proxyConfigOf(t);
      return config && !(config instanceof Error) && isMapping(mappingAt(config, 'tracing')[kind])
        ? [{ path: t.path, field: [...t.field, 'proxy.istio.io/config'] }]
        : [];
    }),
  ];
}

/**
 * The install inputs whose mesh relied on the chart's default zipkin tracer: their mesh config names
 * no tracer mesh-wide (a ProxyConfig tracer in `defaultConfig`, `defaultProviders.tracing`), no
 * root-namespace Telemetry names a provider, and their values neither choose a tracer
 * (`global.proxy.tracer`) nor keep 1.21's defaults (`compatibilityVersion`). The `istio` ConfigMap
 * a 1.21 chart rendered holds that default's address, `zipkin.<istio namespace>:9411`: it is the
 * chart's, which 1.22 no longer renders, unless the values keep it.
 */
function reliesOnDefaultZipkin(objects: readonly RenderedObject[]): AffectedObject[] {
  const root = meshRootNamespace(objects);
  const rootTracer = objects.some(
    (o) =>
      isTelemetry(o.manifest) &&
      o.manifest.metadata.namespace === root &&
      mappingAt(o.manifest, 'spec').selector === undefined &&
      listOf(mappingAt(o.manifest, 'spec').tracing).some((t) => listOf(mappingAt(t).providers).length > 0),
  );
  if (rootTracer) return [];
  const choosesTracer = objects.some((o) => {
    const input = installInputOf(o.manifest);
    if (input?.valuesField === undefined) return false;
    const values = mappingAt(valueAt(o.manifest, input.valuesField));
    return mappingAt(values, 'global', 'proxy').tracer !== undefined || values.compatibilityVersion !== undefined;
  });
  if (choosesTracer) return [];
  return meshConfigs(objects).flatMap((source) => {
    const tracing = mappingAt(source.meshConfig, 'defaultConfig', 'tracing');
    const named = PROXY_CONFIG_TRACERS.filter((k) => isMapping(tracing[k]));
    const defaultProviders = listOf(mappingAt(source.meshConfig, 'defaultProviders').tracing).length > 0;
    const chartDefault =
      installInputOf(source.object.manifest)?.kind === 'mesh-configmap' &&
      named.length === 1 &&
      mappingAt(tracing, 'zipkin').address === `zipkin.${rootNamespaceOf(source)}:9411`;
    if (defaultProviders || (named.length > 0 && !chartDefault)) return [];
    return [{ path: source.path, field: [...source.field, 'defaultConfig', 'tracing'] }];
  });
}

export const BEHAVIOUR_CHANGES: readonly BehaviourChange[] = [
  {
    id: 'default-zipkin-tracer-removed',
    release: '1.22',
    says: "the charts no longer configure a zipkin tracer to zipkin.<istio namespace>:9411 (global.proxy.tracer went from zipkin to none): this mesh names no tracer of its own, so from 1.22 its proxies send no spans; name one (an extension provider in defaultProviders.tracing or the root namespace's Telemetry), or keep 1.21's defaults with compatibilityVersion: 1.21",
    source: 'istio/istio@1.22.0:releasenotes/notes/drop-default-tracing.yaml',
    affects: reliesOnDefaultZipkin,
  },
  {
    id: 'opencensus-provider-removed',
    release: '1.23',
    says: 'istiod no longer configures the OpenCensus tracer of an extension provider: this provider sends nothing; migrate it to an opentelemetry provider',
    source: 'istio/istio@1.23.0:releasenotes/notes/51078.yaml',
    affects: (objects) => providersOfKind(objects, 'opencensus'),
  },
  {
    id: 'opencensus-agent-removed',
    release: '1.25',
    says: "OpenCensus support is removed (Envoy 1.33 dropped its tracer): ProxyConfig's openCensusAgent tracer sends nothing; migrate to an opentelemetry provider",
    source: 'istio/istio@1.25.0:releasenotes/notes/opencensus-removal.yaml',
    affects: (objects) => proxyConfigTracers(objects, 'openCensusAgent'),
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
