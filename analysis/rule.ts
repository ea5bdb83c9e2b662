import type { IConstruct } from 'constructs';
import type { Severity } from '../core/problems/finding';
import type { Problem } from '../core/problems/problem';
import type { RenderedObject, ValidationTarget } from '../model/objects';
import type { ObjectSchemas } from './schema/object-schemas';

/** Everything a rule sees: the construct tree, every object the app would write, and the targets. */
export interface ValidationContext {
  /** The app's constructs; empty when validating files. */
  readonly constructs: readonly IConstruct[];
  /** The Istio releases the objects must work on: the app's meshes, or the lint target. */
  readonly targets: readonly ValidationTarget[];
  /**
   * True when the objects are everything applied together (an app, a synth's output): an object
   * they reference must be among them, and two of one identity collide. False for files linted on
   * their own, which may reference objects applied from elsewhere and hold alternatives.
   */
  readonly complete: boolean;
  readonly objects: readonly RenderedObject[];
  readonly schemas: ObjectSchemas;
  /**
   * For a lint that checks one file at a time: the identity (see `objectIdentity`) and path of
   * every object of the files checked before, so that collisions across files are found without
   * holding those objects.
   */
  readonly earlierIdentities?: ReadonlyMap<string, string>;
}

/** What a rule reports: a problem at a construct path; the validator adds the rule id. */
export interface RuleFinding extends Problem {
  readonly path: string;
  /** @default 'error' */
  readonly severity?: Severity;
}

/** A rule that runs at synth over the whole app (cross-object rules, rendered objects). */
export interface AppRule {
  /** Stable kebab-case id, listed in the README. */
  readonly id: string;
  /** One line: what the rule refuses and why. */
  readonly summary: string;
  /** One line: what to do about a finding, which the cdk8s plugin shows as the recommendation. */
  readonly remediation: string;
  /**
   * The kinds of the objects it reads (`*`: any). A lint that checks one file at a time keeps the
   * objects of these kinds from every file for the rules of scope `mesh` (workloads excepted: they
   * are what grows with a folder, and are checked with their own file).
   */
  readonly kinds: readonly string[];
  /** The severity of a finding that names none. */
  readonly severity: Severity;
  /** Where the rule is documented, e.g. `docs/validation.md#telemetry-conflicts`. */
  readonly docs: string;
  /**
   * What its findings depend on. `object`: only the object each is about (with the targets and the
   * constructs), so a lint that checks one file at a time shows the rule that file's objects only.
   * `mesh`: other objects too. Such a rule must read across objects only the mesh-wide ones (mesh
   * configs, Telemetry, WasmPlugins, EnvoyFilters, ConfigMaps: lint/mesh-context.ts) and report only
   * on those and on pod templates: the lint runs it once over every file's mesh-wide objects, and
   * over each file's pods with them. test/lint-stream.test.ts holds the lint to the same findings
   * as a check of every object at once.
   * @default 'mesh'
   */
  readonly scope?: 'object' | 'mesh';
  check(context: ValidationContext): readonly RuleFinding[];
}

export type { InputRule } from '../core/problems/input-rule';
