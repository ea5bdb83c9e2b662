import { parse } from 'yaml';
import { CUSTOM_BOOTSTRAP_KEY, ISTIOD_VALUES_KIND } from '../core/istio/istio-names';
import { isMapping, type JsonMapping, listOf, mappingAt } from '../core/json-values';
import { apiGroupOf } from '../core/names';
import type { FieldPath } from '../core/problems/field-path';
import type { RenderedObject } from './objects';

/**
 * Parses a bootstrap override as pilot-agent reads it, YAML or JSON (istio/istio@1.30.3:
 * pkg/envoy/proxy.go readBootstrapToJSON): JSON first,
 * since overrides are JSON and JSON.parse is much faster than a YAML parser on thousands of them.
 * @throws the YAML parser's error when the text is neither
 */
export function parseBootstrapText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return parse(text, { version: '1.1' });
  }
}

/** A ConfigMap carrying a bootstrap override, with the key's value as written (any JSON type). */
export interface BootstrapConfigMap {
  readonly path: string;
  readonly value: unknown;
  readonly object: RenderedObject;
}

/** Every ConfigMap (core v1) that has a `custom_bootstrap.json` key. */
export function bootstrapConfigMaps(objects: readonly RenderedObject[]): BootstrapConfigMap[] {
  return objects.flatMap((object) => {
    const { path, manifest } = object;
    if (manifest.kind !== 'ConfigMap' || manifest.apiVersion !== 'v1') return [];
    const data = (manifest.data ?? {}) as Record<string, unknown>;
    return CUSTOM_BOOTSTRAP_KEY in data ? [{ path, value: data[CUSTOM_BOOTSTRAP_KEY], object }] : [];
  });
}

/** One `tagOverrides` entry of a Telemetry's metric override, as written. */
export interface TelemetryTagOverride {
  /** `spec.metrics[i].overrides[j].tagOverrides.<name>`. */
  readonly field: FieldPath;
  readonly name: string;
  /** The entry (`{ operation, value }`), any JSON type as written. */
  readonly tag: unknown;
  /** The override's `match` (`metric`, `mode`, `customMetric`). */
  readonly match: JsonMapping;
}

/** Every tag override of a Telemetry's `spec.metrics[].overrides[]`; the caller checks the kind. */
export function telemetryTagOverrides(manifest: RenderedObject['manifest']): TelemetryTagOverride[] {
  return listOf(mappingAt(manifest, 'spec').metrics).flatMap((metrics, i) =>
    listOf(mappingAt(metrics).overrides).flatMap((override, j) =>
      Object.entries(mappingAt(override, 'tagOverrides')).map(([name, tag]) => ({
        field: ['spec', 'metrics', i, 'overrides', j, 'tagOverrides', name],
        name,
        tag,
        match: mappingAt(override, 'match'),
      })),
    ),
  );
}

/** An IstioOperator's `spec.meshConfig.defaultConfig` (the mesh-wide ProxyConfig), where one is set. */
export interface MeshDefaultConfig {
  readonly path: string;
  readonly defaultConfig: Readonly<Record<string, unknown>>;
}

/** The mesh-wide ProxyConfig of every mesh config, whatever install method carries it. */
export function meshDefaultConfigs(objects: readonly RenderedObject[]): MeshDefaultConfig[] {
  return meshConfigs(objects).flatMap(({ path, meshConfig }) =>
    isMapping(meshConfig.defaultConfig) ? [{ path, defaultConfig: meshConfig.defaultConfig }] : [],
  );
}

// The kind lint and synth give the istiod chart's values (no apiVersion, no kind of their own).
export { ISTIOD_VALUES_KIND } from '../core/istio/istio-names';

/**
 * A mesh config (`MeshConfig`) as one of the install methods carries it: an IstioOperator's
 * `spec.meshConfig` (istioctl), the istiod chart's values (`meshConfig`, in a values file or the
 * Sail Operator `Istio`'s `spec.values`), or the `mesh` key of the mesh ConfigMap (`istio`, or
 * `istio-<revision>`, which istiod reads).
 */
export interface MeshConfigSource {
  readonly path: string;
  /** Where the mesh config is in the object, e.g. `spec.meshConfig` or `data["mesh"]`. */
  readonly field: FieldPath;
  readonly meshConfig: JsonMapping;
}

export function meshConfigs(objects: readonly RenderedObject[]): MeshConfigSource[] {
  return objects.flatMap(({ path, manifest }): MeshConfigSource[] => {
    if (manifest.kind === 'IstioOperator' && isMapping(mappingAt(manifest, 'spec').meshConfig)) {
      return [{ path, field: ['spec', 'meshConfig'], meshConfig: mappingAt(manifest, 'spec', 'meshConfig') }];
    }
    if (manifest.kind === ISTIOD_VALUES_KIND) {
      return [{ path, field: ['meshConfig'], meshConfig: mappingAt(manifest, 'meshConfig') }];
    }
    if (manifest.kind === 'Istio' && apiGroupOf(manifest.apiVersion) === 'sailoperator.io') {
      const meshConfig = mappingAt(manifest, 'spec', 'values').meshConfig;
      return isMapping(meshConfig) ? [{ path, field: ['spec', 'values', 'meshConfig'], meshConfig }] : [];
    }
    if (
      manifest.kind === 'ConfigMap' &&
      manifest.apiVersion === 'v1' &&
      /^istio(-[\w.-]+)?$/.test(manifest.metadata.name ?? '')
    ) {
      const meshConfig = meshConfigMapData(manifest);
      return meshConfig ? [{ path, field: ['data', 'mesh'], meshConfig }] : [];
    }
    return [];
  });
}

// Several rules read one mesh ConfigMap, and a lint that checks one file at a time shows it to
// the rules once per file: parse its YAML once.
const parsedMeshData = new WeakMap<object, JsonMapping | undefined>();

/** The `mesh` key of an `istio` ConfigMap, parsed; undefined when absent or not a YAML mapping. */
function meshConfigMapData(manifest: RenderedObject['manifest']): JsonMapping | undefined {
  if (parsedMeshData.has(manifest)) return parsedMeshData.get(manifest);
  const text = mappingAt(manifest, 'data').mesh;
  let meshConfig: JsonMapping | undefined;
  if (typeof text === 'string') {
    try {
      const parsed = parse(text, { version: '1.1' }) as unknown;
      meshConfig = isMapping(parsed) ? parsed : undefined;
    } catch {
      meshConfig = undefined; // not YAML: istiod refuses it, and the rules have nothing to read
    }
  }
  parsedMeshData.set(manifest, meshConfig);
  return meshConfig;
}

/** istiod's default root namespace (`pkg/config/constants`: IstioSystemNamespace). */
const DEFAULT_ROOT_NAMESPACE = 'istio-system';

/** The root namespace a mesh config names, or istiod's default. */
export function rootNamespaceOf(meshConfig: JsonMapping): string {
  return typeof meshConfig.rootNamespace === 'string' ? meshConfig.rootNamespace : DEFAULT_ROOT_NAMESPACE;
}

/**
 * The namespaces with a Telemetry that applies to the whole namespace (no selector, no
 * targetRef) and names a provider in `section` (`metrics` or `tracing`): a provider there reaches
 * every proxy of that namespace, and of the mesh when it is the root namespace.
 */
export function namespacesNamingProvider(
  objects: readonly RenderedObject[],
  section: 'metrics' | 'tracing' | 'accessLogging',
): Set<string> {
  const namespaces = new Set<string>();
  for (const { manifest } of objects) {
    if (manifest.kind !== 'Telemetry' || apiGroupOf(manifest.apiVersion) !== 'telemetry.istio.io') continue;
    const spec = mappingAt(manifest, 'spec');
    if (spec.selector !== undefined || spec.targetRef !== undefined || spec.targetRefs !== undefined) continue;
    if (namesProvider(spec, section)) namespaces.add(manifest.metadata.namespace ?? '');
  }
  return namespaces;
}

/** Whether some entry of a Telemetry's `section` names a provider. */
export function namesProvider(spec: JsonMapping, section: 'metrics' | 'tracing' | 'accessLogging'): boolean {
  return listOf(spec[section]).some((entry) =>
    listOf(mappingAt(entry).providers).some((p) => isMapping(p) && typeof p.name === 'string' && p.name !== ''),
  );
}

/** One proxy kind's stats configOverride of an IstioOperator, with where it is. */
export interface StatsConfigOverride {
  /** `inboundSidecar`, `outboundSidecar` or `gateway`. */
  readonly proxy: string;
  /** `spec.values.telemetry.v2.prometheus.configOverride.<proxy>`. */
  readonly field: FieldPath;
  readonly override: JsonMapping;
}

/**
 * The stats filter configOverrides of an IstioOperator (`values.telemetry.v2.prometheus.configOverride`,
 * which the 1.13-1.20 charts render into the stats-filter EnvoyFilters); none for another kind.
 */
export function statsConfigOverrides(manifest: RenderedObject['manifest']): StatsConfigOverride[] {
  if (manifest.kind !== 'IstioOperator') return [];
  const base = ['spec', 'values', 'telemetry', 'v2', 'prometheus', 'configOverride'];
  return Object.entries(mappingAt(manifest, ...base)).flatMap(([proxy, override]) =>
    isMapping(override) ? [{ proxy, field: [...base, proxy], override }] : [],
  );
}

/**
 * Where an install input sets istiod's chart value `pilot.<key>`: an IstioOperator's
 * `spec.values.pilot.<key>`, istiod Helm values' `pilot.<key>` and, from 1.24's flattened chart,
 * top-level `<key>`, a Sail `Istio`'s `spec.values.pilot.<key>`; none for another kind.
 */
export function pilotValuePaths(manifest: RenderedObject['manifest'], key: string): FieldPath[] {
  if (manifest.kind === 'IstioOperator') return [['spec', 'values', 'pilot', key]];
  if (manifest.kind === ISTIOD_VALUES_KIND) return [['pilot', key], [key]];
  if (manifest.kind === 'Istio' && apiGroupOf(manifest.apiVersion) === 'sailoperator.io') {
    return [['spec', 'values', 'pilot', key]];
  }
  return [];
}
