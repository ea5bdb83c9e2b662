import type { ApiObject } from 'cdk8s';
import type { IConstruct } from 'constructs';
import type { Severity } from './finding';
import type { ObjectSchemas } from './schema/object-schemas';

/** A synthesized Kubernetes object, resolved (Lazy values produced), with the construct that made it. */
export interface RenderedObject {
  /** Construct path of the ApiObject, e.g. `default/istioinaction/webapp-bootstrap/ConfigMap`. */
  readonly path: string;
  readonly apiObject: ApiObject;
  readonly manifest: Manifest;
}

/** The parts of a Kubernetes object every rule may read. */
export interface Manifest {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: {
    readonly name?: string;
    readonly namespace?: string;
    readonly labels?: Readonly<Record<string, unknown>>;
    readonly annotations?: Readonly<Record<string, unknown>>;
  };
  readonly [field: string]: unknown;
}

/** Everything a rule sees: the construct tree and every object the app would write. */
export interface ValidationContext {
  readonly constructs: readonly IConstruct[];
  readonly objects: readonly RenderedObject[];
  readonly schemas: ObjectSchemas;
}

/** What a rule reports; the validator adds the rule id. */
export interface RuleFinding {
  readonly path: string;
  readonly message: string;
  readonly hint?: string;
  /** @default 'error' */
  readonly severity?: Severity;
}

/** A rule that runs at synth over the whole app (cross-object rules, rendered objects). */
export interface AppRule {
  /** Stable kebab-case id, listed in the README. */
  readonly id: string;
  /** One line: what the rule refuses and why. */
  readonly summary: string;
  check(context: ValidationContext): readonly RuleFinding[];
}

/** A rule a construct applies to its own input when it is given (names, values). */
export interface InputRule {
  readonly id: string;
  readonly summary: string;
}
