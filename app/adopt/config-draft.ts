import type { FieldPath } from '../../core/problems/field-path';
import { renderField } from '../../core/problems/field-path';
import type { SourceLocation } from '../../core/problems/source-location';
import type { RenderedObject } from '../../model/objects';

/** Where something imported, or not, was read: the object and the field in it. */
export interface ImportSource {
  /** `Telemetry istio-system/mesh-default` */
  readonly object: string;
  /** `spec.tracing[0].randomSamplingPercentage`; empty for the whole object. */
  readonly field: string;
  readonly location?: SourceLocation;
}

/**
 * Something of the input the declaration does not express, with why. It stays with the team: they
 * keep applying it, and `explain` of the output differs from the input's in `pieces` (for the
 * workloads named, or every one).
 */
export interface NotExpressed extends ImportSource {
  readonly why: string;
  /** The settings of `explain` it changes (`sampling`, `tracer`...); none when it changes none of them. */
  readonly pieces: readonly string[];
  /** The workloads (`ns/Kind/name`) it changes them for; undefined: every workload. */
  readonly workloads?: readonly string[];
  /** Expressed another way (`accessLogFile` as an access log of the envoy provider): the value reads differently. */
  readonly converted?: boolean;
}

/** Two objects of the input that disagree, and what Istio applies. */
export interface ImportConflict extends ImportSource {
  readonly what: string;
}

/** `Kind namespace/name`, as REPORT.md and explain name an object. */
export function describeObject(object: RenderedObject): string {
  const { kind, metadata } = object.manifest;
  if (kind === 'IstiodHelmValues') return 'istiod Helm values';
  const namespace = metadata.namespace ? `${metadata.namespace}/` : '';
  return `${kind} ${namespace}${metadata.name ?? '(unnamed)'}`;
}

/**
 * The `observability.yaml` an import builds: its sections, each entry with the comment that says
 * where it came from, and what could not be expressed. Ids are made from the objects' names and
 * never repeat.
 */
export class ConfigDraft {
  readonly config: Record<string, unknown> = {};
  /** Comments by the entry's key path, e.g. `traceSampling.mesh-default-sampling`. */
  readonly comments = new Map<string, string>();
  readonly notExpressed: NotExpressed[] = [];
  readonly conflicts: ImportConflict[] = [];
  /** Paths of the input objects the output replaces: applying both would set things twice. */
  readonly replaced = new Set<string>();

  constructor(private readonly locate: (object: RenderedObject, field: FieldPath) => SourceLocation | undefined) {}

  /** Where `field` of `object` was read. */
  source(object: RenderedObject, field: FieldPath = []): ImportSource {
    const location = this.locate(object, field);
    return { object: describeObject(object), field: renderField(field), ...(location ? { location } : {}) };
  }

  /** Sets a top-level key (`istioVersion`, `mesh`), with a comment. */
  set(key: string, value: unknown, comment?: string): void {
    this.config[key] = value;
    if (comment) this.comments.set(key, comment);
  }

  /**
   * Adds `value` under `section` with an id made from `base`, unique in the section; returns the id.
   * `from` says where it was read, as the entry's comment.
   */
  add(section: string, base: string, value: unknown, from: ImportSource | string): string {
    if (this.config[section] === undefined) this.config[section] = {};
    const entries = this.config[section] as Record<string, unknown>;
    const clean = idOf(base);
    let id = clean;
    for (let n = 2; id in entries; n++) id = `${clean.slice(0, 60)}-${n}`;
    entries[id] = value;
    this.comments.set(`${section}.${id}`, typeof from === 'string' ? from : `from ${describeSource(from)}`);
    return id;
  }

  entries(section: string): Record<string, Record<string, unknown>> {
    return (this.config[section] ?? {}) as Record<string, Record<string, unknown>>;
  }

  skip(from: ImportSource, why: string, pieces: readonly string[] = [], workloads?: readonly string[]): void {
    this.notExpressed.push({ ...from, why, pieces, ...(workloads ? { workloads } : {}) });
  }

  convert(from: ImportSource, why: string, pieces: readonly string[], workloads?: readonly string[]): void {
    this.notExpressed.push({ ...from, why, pieces, converted: true, ...(workloads ? { workloads } : {}) });
  }

  conflict(from: ImportSource, what: string): void {
    this.conflicts.push({ ...from, what });
  }
}

/** `Telemetry istio-system/x spec.tracing[0] (file.yaml:12)` */
export function describeSource(from: ImportSource): string {
  const at = from.location ? ` (${from.location.file}${from.location.line ? `:${from.location.line}` : ''})` : '';
  return `${from.object}${from.field ? ` ${from.field}` : ''}${at}`;
}

/** A construct id (an RFC 1123 label) made from names: lower case, `-` for anything else, at most 63 characters. */
export function idOf(text: string): string {
  const id = text
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 63)
    .replace(/-$/, '');
  return id === '' ? 'imported' : id;
}
