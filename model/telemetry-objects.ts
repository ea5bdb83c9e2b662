import { isMapping, type JsonMapping, listOf, mappingAt } from '../core/json-values';
import { apiGroupOf } from '../core/names';
import type { FieldPath } from '../core/problems/field-path';
import type { Manifest, RenderedObject } from './objects';

/** Istio's Telemetry (telemetry.istio.io, v1alpha1 or v1): the kind a reader must not confuse with another group's. */
export function isTelemetry(manifest: Manifest): boolean {
  return manifest.kind === 'Telemetry' && apiGroupOf(manifest.apiVersion) === 'telemetry.istio.io';
}

/** Istio's EnvoyFilter (networking.istio.io). */
export function isEnvoyFilter(manifest: Manifest): boolean {
  return manifest.kind === 'EnvoyFilter' && apiGroupOf(manifest.apiVersion) === 'networking.istio.io';
}

/** Istio's WasmPlugin (extensions.istio.io). */
export function isWasmPlugin(manifest: Manifest): boolean {
  return manifest.kind === 'WasmPlugin' && apiGroupOf(manifest.apiVersion) === 'extensions.istio.io';
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
    if (!isTelemetry(manifest)) continue;
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

/**
 * Whether a Telemetry `tracing`, `metrics` or `accessLogging` entry applies to client and server
 * traffic alike: no `match`, or `mode: CLIENT_AND_SERVER` (the default).
 */
export function appliesToBothModes(entry: unknown): boolean {
  const mode = mappingAt(entry, 'match').mode;
  return mode === undefined || mode === 'CLIENT_AND_SERVER';
}
