import type { IConstruct } from 'constructs';
import type { ProxyKind } from '../../core/istio/proxy-kind';

/**
 * A request attribute produced by an attribute generator (e.g. `istio_operationId`), usable as a
 * dimension value. Holding the producer lets a dimension be checked against it: the attribute
 * exists only on the proxies the generator runs on.
 */
export interface GeneratedAttribute {
  /** The output attribute name, e.g. `istio_operationId`. */
  readonly name: string;
  /** The construct that produces it. */
  readonly producer: IConstruct;
  /** The proxy kinds the producer runs on. */
  readonly proxies: readonly ProxyKind[];
}

/** A dimension value: a CEL expression, or an attribute produced in the same app. */
export type DimensionValue = string | GeneratedAttribute;

export function isGeneratedAttribute(value: unknown): value is GeneratedAttribute {
  return typeof value === 'object' && value !== null && 'name' in value && 'producer' in value;
}
