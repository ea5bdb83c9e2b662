import { parse } from 'yaml';
import { PROXY_CONFIG_ANNOTATION } from '../core/istio/istio-names';
import type { FieldPath } from '../core/problems/field-path';
import type { RenderedObject } from './objects';
import { perObjectSet } from './per-object-set';

/** The pod template of a workload object, where Istio's pod annotations live. */
export interface PodTemplate {
  /** Construct path of the workload object. */
  readonly path: string;
  /** `Deployment "webapp"` */
  readonly workload: string;
  /** The workload object's kind and name, e.g. `Deployment`, `webapp`. */
  readonly kind: string;
  readonly name: string | undefined;
  readonly namespace: string | undefined;
  /** Field path of the template's annotations, e.g. `spec.template.metadata.annotations`. */
  readonly field: FieldPath;
  readonly annotations: Readonly<Record<string, unknown>>;
  /** The pods' labels, which Telemetry and WasmPlugin selectors match. */
  readonly labels: Readonly<Record<string, unknown>>;
  /** A patch of a workload deployed elsewhere (its annotations are set through `patches/`). */
  readonly patch: boolean;
  /** For a patch: where the workload's own annotations were read and merged (see RenderedObject). */
  readonly patchedFrom?: string;
  /** Declared outside the mesh: its pods run no sidecar. */
  readonly outsideMesh: boolean;
}

type Json = Record<string, unknown> | undefined;

/**
 * Where each workload kind keeps its pod template; a change under it replaces the pods. A bare
 * Pod is its own template (its metadata is the pods').
 */
const POD_TEMPLATE_FIELDS: Readonly<Record<string, readonly string[]>> = {
  Deployment: ['spec', 'template'],
  StatefulSet: ['spec', 'template'],
  DaemonSet: ['spec', 'template'],
  ReplicaSet: ['spec', 'template'],
  Job: ['spec', 'template'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template'],
  Rollout: ['spec', 'template'],
};

/** The kinds whose objects are pods or carry a pod template: the workloads. */
export const WORKLOAD_KINDS: readonly string[] = [...Object.keys(POD_TEMPLATE_FIELDS), 'Pod'];

/** Where a workload kind keeps its pod template (none for a bare Pod, which has no template). */
export function podTemplateField(kind: string): FieldPath | undefined {
  return POD_TEMPLATE_FIELDS[kind];
}

/** Where a workload kind keeps the metadata of its pods. */
function podMetadataField(kind: string): readonly string[] | undefined {
  if (kind === 'Pod') return ['metadata'];
  const template = POD_TEMPLATE_FIELDS[kind];
  return template ? [...template, 'metadata'] : undefined;
}

/** Every pod template among the rendered objects. */
export const podTemplates: (objects: readonly RenderedObject[]) => readonly PodTemplate[] = perObjectSet((objects) =>
  objects.flatMap(({ path, manifest, patch, podLabels, patchedFrom, outsideMesh }): PodTemplate[] => {
    const route = podMetadataField(manifest.kind);
    if (!route) return [];
    const metadata = route.reduce<Json>((node, key) => node?.[key] as Json, manifest as unknown as Json);
    return [
      {
        path,
        workload: `${manifest.kind} "${manifest.metadata.name}"`,
        kind: manifest.kind,
        name: manifest.metadata.name,
        namespace: manifest.metadata.namespace,
        field: [...route, 'annotations'],
        annotations: (metadata?.annotations as Record<string, unknown> | undefined) ?? {},
        labels: podLabels ?? (metadata?.labels as Record<string, unknown> | undefined) ?? {},
        patch: patch === true,
        ...(patchedFrom !== undefined ? { patchedFrom } : {}),
        outsideMesh: outsideMesh === true,
      },
    ];
  }),
);

/**
 * Parsed annotations, per rendered annotations object: several rules read each workload's
 * annotation, and its YAML parse costs more than their checks. Kept only as long as the objects
 * of one validation are.
 */
const parsedProxyConfigs = new WeakMap<object, Record<string, unknown> | Error>();

/**
 * The parsed `proxy.istio.io/config` of a template: undefined when absent, an Error when it is
 * not YAML. The result is shared between callers and must not be modified.
 */
export function proxyConfigOf(template: PodTemplate): Readonly<Record<string, unknown>> | Error | undefined {
  const value = template.annotations[PROXY_CONFIG_ANNOTATION];
  if (value === undefined) return undefined;
  let parsed = parsedProxyConfigs.get(template.annotations);
  if (parsed === undefined) {
    parsed = parseProxyConfig(String(value));
    parsedProxyConfigs.set(template.annotations, parsed);
  }
  return parsed;
}

/** A `proxy.istio.io/config` value, read as Istio reads it (YAML 1.1); an Error when it is no mapping. */
export function parseProxyConfig(text: string): Record<string, unknown> | Error {
  try {
    const parsed: unknown = parse(text, { version: '1.1' });
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return new Error('not a YAML mapping');
    return parsed as Record<string, unknown>;
  } catch (error) {
    return error as Error;
  }
}

/** `spec.template.metadata.annotations["proxy.istio.io/config"]` */
export function proxyConfigField(template: PodTemplate): FieldPath {
  return [...template.field, PROXY_CONFIG_ANNOTATION];
}
