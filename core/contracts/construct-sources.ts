import type { IConstruct } from 'constructs';
import type { ProxyKind } from '../istio/proxy-kind';
import type { FieldPath } from '../problems/field-path';
import type { Problem } from '../problems/problem';
import type { IIstioMesh } from './istio-mesh';
import { requireOutputFolder } from './output-folder';

/**
 * What constructs tell the validator about their intent. Rules find these by shape on the
 * construct tree, so a user's own construct can take part by implementing the same methods.
 */

/** What a CEL expression must evaluate to. */
export type CelResultType = 'any' | 'bool' | 'number';

/** One CEL expression a construct emits, with the field the user gave it in. */
export interface CelSite {
  /** e.g. `['dimensions', 'upstream_operation']` */
  readonly field: FieldPath;
  readonly expression: string;
  readonly result: CelResultType;
  /** The proxies that evaluate it. */
  readonly proxies: readonly ProxyKind[];
  /** For a dimension: the Prometheus metric it labels, e.g. `istio_requests_total`. */
  readonly metric?: string;
}

/** A construct that emits CEL expressions evaluated by the proxies of `mesh`. */
export interface CelExpressionSource extends IConstruct {
  readonly mesh: IIstioMesh;
  celExpressions(): readonly CelSite[];
}

/** A construct that makes new attributes available to CEL on some proxies (an attribute generator). */
export interface AttributeSource extends IConstruct {
  readonly mesh: IIstioMesh;
  readonly proxies: readonly ProxyKind[];
  generatedAttributes(): readonly string[];
}

/** Dimensions and removed tags of one standard metric on some proxies. */
export interface MetricCustomizationSource extends IConstruct {
  readonly mesh: IIstioMesh;
  readonly metric: string;
  readonly proxies: readonly ProxyKind[];
  dimensionNames(): readonly string[];
  removedTags(): readonly string[];
}

function hasMethods(construct: IConstruct, ...names: string[]): boolean {
  const record = construct as unknown as Record<string, unknown>;
  return names.every((name) => typeof record[name] === 'function') && 'mesh' in record;
}

export function isCelExpressionSource(construct: IConstruct): construct is CelExpressionSource {
  return hasMethods(construct, 'celExpressions');
}

export function isAttributeSource(construct: IConstruct): construct is AttributeSource {
  return hasMethods(construct, 'generatedAttributes');
}

export function isMetricCustomizationSource(construct: IConstruct): construct is MetricCustomizationSource {
  return hasMethods(construct, 'dimensionNames', 'removedTags');
}

/** A construct that adapted an intent to the target release and says how, for the user to read. */
export interface PolicyNoteSource extends IConstruct {
  policyNotes(): readonly Problem[];
}

export function isPolicyNoteSource(construct: IConstruct): construct is PolicyNoteSource {
  return typeof (construct as unknown as Record<string, unknown>).policyNotes === 'function';
}

/**
 * A construct whose output works but can lose data or expose it (ephemeral trace storage,
 * Kiali without login), and says so for the user to read.
 */
export interface CaveatSource extends IConstruct {
  caveats(): readonly Problem[];
}

export function isCaveatSource(construct: IConstruct): construct is CaveatSource {
  return typeof (construct as unknown as Record<string, unknown>).caveats === 'function';
}

/**
 * Objects whose CEL expressions the constructs that contributed them declared (as
 * {@link CelExpressionSource}s), so the CEL rule checks them there, with the field the user gave,
 * and not again in the rendered object. Every other object's CEL is read from the object.
 */
const celDeclaredObjects = new WeakSet<IConstruct>();

/** Marks an object built from declared CEL (see {@link isCelDeclared}). */
export function markCelDeclared<T extends IConstruct>(object: T): T {
  celDeclaredObjects.add(object);
  return object;
}

export function isCelDeclared(object: IConstruct): boolean {
  return celDeclaredObjects.has(object);
}

const installInputs = new WeakMap<IConstruct, string>();

/**
 * Marks an object as an installer's input (an IstioOperator for `istioctl install -f`, the istiod
 * chart's values), written to `file` in the output folder instead of a chart file: it is never
 * applied to a cluster, so kustomize and GitOps engines must not see it.
 */
export function markInstallInput<T extends IConstruct>(object: T, file: string): T {
  installInputs.set(object, file);
  requireOutputFolder(object, () => file);
  return object;
}

/** The output file of an installer's input, or undefined for an object applied to the cluster. */
export function installInputFileOf(object: IConstruct): string | undefined {
  return installInputs.get(object);
}

/** A construct that deploys a span collector: the `host:port` addresses of its receiving Services. */
export interface SpanCollectorSource extends IConstruct {
  /** The namespace of its Services, against which a short host name resolves. */
  readonly namespace: string;
  spanReceiverAddresses(): readonly string[];
}

export function isSpanCollectorSource(construct: IConstruct): construct is SpanCollectorSource {
  return typeof (construct as unknown as Record<string, unknown>).spanReceiverAddresses === 'function';
}
