import { parse } from 'yaml';
import { ISTIOD_VALUES_KIND } from '../core/istio/istio-names';
import { isMapping, type JsonMapping, mappingAt } from '../core/json-values';
import { apiGroupOf } from '../core/names';
import type { FieldPath } from '../core/problems/field-path';
import type { VersionPolicy } from '../core/version/version-policy';
import type { Manifest, RenderedObject } from './objects';
import { perObjectSet } from './per-object-set';

/**
 * The four ways a mesh's configuration reaches istiod, and where each keeps what. This file is
 * the one place that knows it: every rule, REPORT.md, `diff` and lint read a mesh config, a chart
 * value or a stats configOverride through it, so a field is taught once for all four.
 *
 * - `istio-operator`: an IstioOperator for `istioctl install -f`. Its `spec.meshConfig` becomes the
 *   chart value `meshConfig` and its `spec.values` are overlaid on top, so `spec.values.meshConfig`
 *   wins where both set a field (istio/istio@1.20.8:operator/pkg/translate/translate.go lines 118
 *   and 563-592, a JSON merge patch: maps merge, lists are replaced).
 * - `helm-values`: values of the istiod chart (`helm install -f`). The chart merges `meshConfig`
 *   over its defaults into the `istio` ConfigMap (istio/istio@1.26.8:manifests/charts/istio-control/
 *   istio-discovery/templates/configmap.yaml line 74) and, from 1.24, copies `pilot.*` over the
 *   top-level values (istio/istio@1.24.0:…/templates/zzy_descope_legacy.yaml).
 * - `sail-istio`: a Sail Operator `Istio`, whose `spec.values` are the same chart's values.
 * - `mesh-configmap`: the `istio` (or `istio-<revision>`) ConfigMap istiod reads, its `mesh` key
 *   a YAML MeshConfig. Whatever wrote it, this is what istiod applies.
 */
export type InstallInputKind = 'istio-operator' | 'helm-values' | 'sail-istio' | 'mesh-configmap';

/** A MeshConfig inside an install input, and where. */
export interface MeshConfigPlace {
  /** e.g. `spec.meshConfig`, `meshConfig`, `data.mesh` (a path into the parsed `mesh` key). */
  readonly field: FieldPath;
  readonly meshConfig: JsonMapping;
}

export interface InstallInput {
  readonly kind: InstallInputKind;
  /** Its mesh configs in the order istiod applies them: where two set a field, the last wins. */
  readonly meshConfigs: readonly MeshConfigPlace[];
  /**
   * The root namespace it gives istiod: its mesh config's `rootNamespace`, else, through the
   * chart, `global.istioNamespace` (`rootNamespace: meshConfig.rootNamespace | default
   * global.istioNamespace`, istio/istio@1.26.8:manifests/charts/istio-control/istio-discovery/
   * templates/configmap.yaml line 10), which the Sail Operator sets to its `Istio`'s
   * `spec.namespace` (istio-ecosystem/sail-operator pkg/istiovalues/overrides.go); else istiod's
   * default.
   */
  readonly rootNamespace: string;
  /** Where the istiod chart's values are (`[]` for a values file); undefined for the ConfigMap. */
  readonly valuesField?: FieldPath;
}

const inputs = new WeakMap<object, InstallInput | null>();

/** The kinds an install input can be; any other object is none, without a lookup. */
const INPUT_KINDS: ReadonlySet<string> = new Set(['IstioOperator', ISTIOD_VALUES_KIND, 'Istio', 'ConfigMap']);

/** What install input `manifest` is, read once per object; undefined for any other object. */
export function installInputOf(manifest: Manifest): InstallInput | undefined {
  if (!INPUT_KINDS.has(manifest.kind)) return undefined;
  let input = inputs.get(manifest);
  if (input === undefined) {
    input = readInstallInput(manifest) ?? null;
    inputs.set(manifest, input);
  }
  return input ?? undefined;
}

function readInstallInput(manifest: Manifest): InstallInput | undefined {
  const values = (field: FieldPath) => mappingAt(valueAt(manifest, field));
  if (manifest.kind === 'IstioOperator' && apiGroupOf(manifest.apiVersion) === 'install.istio.io') {
    const meshConfigs = [
      ...placeAt(manifest, ['spec', 'meshConfig']),
      ...placeAt(manifest, ['spec', 'values', 'meshConfig']),
    ];
    const istioNamespace = mappingAt(values(['spec', 'values']), 'global').istioNamespace;
    return {
      kind: 'istio-operator',
      meshConfigs,
      rootNamespace: rootNamespaceFrom(meshConfigs, istioNamespace),
      valuesField: ['spec', 'values'],
    };
  }
  if (manifest.kind === ISTIOD_VALUES_KIND) {
    const meshConfigs = placeAt(manifest, ['meshConfig']);
    const istioNamespace = mappingAt(manifest, 'global').istioNamespace;
    return {
      kind: 'helm-values',
      meshConfigs,
      rootNamespace: rootNamespaceFrom(meshConfigs, istioNamespace),
      valuesField: [],
    };
  }
  if (manifest.kind === 'Istio' && apiGroupOf(manifest.apiVersion) === 'sailoperator.io') {
    const meshConfigs = placeAt(manifest, ['spec', 'values', 'meshConfig']);
    // The operator's own default namespace is istio-system (sail-operator api/v1/istio_types.go).
    const namespace = mappingAt(manifest, 'spec').namespace;
    return {
      kind: 'sail-istio',
      meshConfigs,
      rootNamespace: rootNamespaceFrom(meshConfigs, namespace),
      valuesField: ['spec', 'values'],
    };
  }
  if (isMeshConfigMap(manifest)) {
    const meshConfig = meshConfigMapData(manifest);
    const meshConfigs: MeshConfigPlace[] = meshConfig ? [{ field: ['data', 'mesh'], meshConfig }] : [];
    return { kind: 'mesh-configmap', meshConfigs, rootNamespace: rootNamespaceFrom(meshConfigs, undefined) };
  }
  return undefined;
}

/** The last `rootNamespace` the mesh configs set, else the chart's `global.istioNamespace`, else istiod's default. */
function rootNamespaceFrom(meshConfigs: readonly MeshConfigPlace[], istioNamespace: unknown): string {
  const named = meshConfigs.map((m) => m.meshConfig.rootNamespace).filter((n): n is string => typeof n === 'string');
  if (named.length > 0) return named.at(-1) as string;
  return typeof istioNamespace === 'string' && istioNamespace !== '' ? istioNamespace : DEFAULT_ROOT_NAMESPACE;
}

function placeAt(manifest: Manifest, field: readonly string[]): MeshConfigPlace[] {
  const meshConfig = valueAt(manifest, field);
  return isMapping(meshConfig) ? [{ field, meshConfig }] : [];
}

/** The ConfigMap istiod reads its mesh config from: `istio`, or `istio-<revision>` (core v1). */
function isMeshConfigMap(manifest: Manifest): boolean {
  return (
    manifest.kind === 'ConfigMap' &&
    manifest.apiVersion === 'v1' &&
    /^istio(-[\w.-]+)?$/.test(manifest.metadata.name ?? '') &&
    typeof mappingAt(manifest, 'data').mesh === 'string'
  );
}

/** The `mesh` key parsed; undefined when it is not a YAML mapping (istiod refuses it, nothing to read). */
function meshConfigMapData(manifest: Manifest): JsonMapping | undefined {
  try {
    const parsed = parse(mappingAt(manifest, 'data').mesh as string, { version: '1.1' }) as unknown;
    return isMapping(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** A mesh config with the object it is in. */
export interface MeshConfigSource extends MeshConfigPlace {
  readonly path: string;
  readonly object: RenderedObject;
}

/** Every mesh config of every install input among `objects`, each with its object (shared: do not modify). */
export const meshConfigs: (objects: readonly RenderedObject[]) => readonly MeshConfigSource[] = perObjectSet(
  (objects) =>
    objects.flatMap((object) =>
      (installInputOf(object.manifest)?.meshConfigs ?? []).map((place) => ({ ...place, path: object.path, object })),
    ),
);

/** A mesh-wide ProxyConfig (`meshConfig.defaultConfig`), where one is set. */
export interface MeshDefaultConfig {
  readonly path: string;
  /** e.g. `spec.meshConfig.defaultConfig`. */
  readonly field: FieldPath;
  readonly defaultConfig: JsonMapping;
}

/** The mesh-wide ProxyConfig of every mesh config, whatever install input carries it. */
export function meshDefaultConfigs(objects: readonly RenderedObject[]): MeshDefaultConfig[] {
  return meshConfigs(objects).flatMap(({ path, field, meshConfig }) =>
    isMapping(meshConfig.defaultConfig)
      ? [{ path, field: [...field, 'defaultConfig'], defaultConfig: meshConfig.defaultConfig }]
      : [],
  );
}

/** istiod's default root namespace (istio/istio@1.30.3:pkg/config/constants/constants.go IstioSystemNamespace). */
export const DEFAULT_ROOT_NAMESPACE = 'istio-system';

/** The root namespace the install input that carries a mesh config gives istiod. */
export function rootNamespaceOf(source: MeshConfigSource): string {
  return installInputOf(source.object.manifest)?.rootNamespace ?? DEFAULT_ROOT_NAMESPACE;
}

/**
 * Where an install input sets the istiod chart value `<path>` (e.g. `['pilot', 'traceSampling']`),
 * in the order the chart applies them (the last wins). From 1.24 the chart copies `pilot.*` over
 * the top-level values, so a values file's top-level `traceSampling` counts too, below
 * `pilot.traceSampling`; without `policy` both forms are read. None for the ConfigMap or another kind.
 */
export function chartValuePaths(manifest: Manifest, path: readonly string[], policy?: VersionPolicy): FieldPath[] {
  const input = installInputOf(manifest);
  if (input?.valuesField === undefined) return [];
  const base = input.valuesField;
  const flattened = input.kind === 'helm-values' && path[0] === 'pilot' && path.length > 1;
  if (flattened && (policy === undefined || policy.has('flatIstiodHelmValues'))) {
    return [
      [...base, ...path.slice(1)],
      [...base, ...path],
    ];
  }
  return [[...base, ...path]];
}

/** {@link chartValuePaths} of `pilot.<key>`. */
export function pilotValuePaths(manifest: Manifest, key: string, policy?: VersionPolicy): FieldPath[] {
  return chartValuePaths(manifest, ['pilot', key], policy);
}

/** The value at `field` of `manifest` (a concrete path of plain keys), or undefined. */
export function valueAt(manifest: Manifest, field: FieldPath): unknown {
  let value: unknown = manifest;
  for (const key of field) {
    if (typeof key === 'object') return undefined;
    value = isMapping(value) || Array.isArray(value) ? (value as Record<string | number, unknown>)[key] : undefined;
  }
  return value;
}

/** One proxy kind's stats configOverride, with where it is. */
export interface StatsConfigOverride {
  /** `inboundSidecar`, `outboundSidecar` or `gateway`. */
  readonly proxy: string;
  /** e.g. `spec.values.telemetry.v2.prometheus.configOverride.<proxy>`. */
  readonly field: FieldPath;
  readonly override: JsonMapping;
}

/**
 * The stats filter configOverrides of an install input's chart values
 * (`telemetry.v2.prometheus.configOverride`, which the 1.13-1.20 charts render into the
 * stats-filter EnvoyFilters, istio/istio@1.20.8:manifests/charts/istio-control/istio-discovery/
 * templates/telemetryv2_1.20.yaml; from 1.21 the chart fails on it, templates/NOTES.txt lines
 * 56-63). None for a Sail `Istio`: its CRD has no such field (the API server prunes it) and the
 * operator installs only 1.21 and later. None for another kind.
 */
export function statsConfigOverrides(manifest: Manifest): StatsConfigOverride[] {
  if (installInputOf(manifest)?.kind === 'sail-istio') return [];
  return chartValuePaths(manifest, ['telemetry', 'v2', 'prometheus', 'configOverride']).flatMap((base) =>
    Object.entries(mappingAt(valueAt(manifest, base))).flatMap(([proxy, override]) =>
      isMapping(override) ? [{ proxy, field: [...base, proxy], override }] : [],
    ),
  );
}

/**
 * `manifest` as istiod reads it: the mesh ConfigMap with its `mesh` key parsed, so that a
 * comparison of two versions names the fields of the mesh config that changed
 * (`data.mesh.defaultConfig.tracing`), not the whole string. Any other object as it is.
 */
export function withEmbeddedDocuments(manifest: Manifest): Manifest {
  const input = installInputOf(manifest);
  if (input?.kind !== 'mesh-configmap' || input.meshConfigs.length === 0) return manifest;
  return { ...manifest, data: { ...mappingAt(manifest, 'data'), mesh: input.meshConfigs[0]?.meshConfig } };
}

/**
 * The root namespace of the mesh among `objects`: that of the first install input that sets one
 * (its mesh config's `rootNamespace`, or the chart's `global.istioNamespace`), else that of the
 * first install input, else istiod's default.
 */
export function meshRootNamespace(objects: readonly RenderedObject[]): string {
  const inputs = objects.flatMap((o) => installInputOf(o.manifest) ?? []);
  const chosen = inputs.find((i) => i.rootNamespace !== DEFAULT_ROOT_NAMESPACE) ?? inputs[0];
  return chosen?.rootNamespace ?? DEFAULT_ROOT_NAMESPACE;
}

/** The kinds of the install inputs that carry a mesh config (see {@link InstallInputKind}). */
export const MESH_CONFIG_KINDS: readonly string[] = [...INPUT_KINDS];
