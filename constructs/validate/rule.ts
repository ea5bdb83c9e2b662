import type { ApiObject } from 'cdk8s';
import type { IConstruct } from 'constructs';
import type { Problem } from '../problems/problem';
import type { SourceLocation } from '../problems/source-location';
import type { TracingConfiguration, VersionPolicy } from '../version/version-policy';
import type { Severity } from './finding';
import type { ObjectSchemas } from './schema/object-schemas';

/**
 * An object to validate, resolved (Lazy values produced): one a construct of the app synthesizes,
 * or one read from a YAML file (lint mode, the cdk8s-cli plugin).
 */
export interface RenderedObject {
  /**
   * Construct path of the ApiObject, e.g. `default/istioinaction/webapp-bootstrap/ConfigMap`; for
   * an object read from a file, `<Kind>/<namespace>/<name>`.
   */
  readonly path: string;
  /** The construct that synthesizes it; absent for an object read from a file. */
  readonly apiObject?: ApiObject;
  /** Where it was read from (its first line), for an object read from a file. */
  readonly location?: SourceLocation;
  readonly manifest: Manifest;
  /**
   * A strategic merge patch of a workload the app does not build (only its pod template
   * annotations), not an object of its own: rules read its annotations, not its schema.
   */
  readonly patch?: boolean;
  /** For a patch: the labels of the pods it patches (its workload's selector), which it does not set. */
  readonly podLabels?: Readonly<Record<string, string>>;
  /**
   * Read from another file of a lint that checks one file at a time, for what it says about the
   * mesh (providers, generated attributes, bootstrap overrides): rules may read it, and what they
   * find about it is reported on its own file's turn (see lint/lint-stream.ts).
   */
  readonly reference?: boolean;
}

/**
 * An Istio release the objects are checked against, and the mesh-wide tracing mechanism when it
 * is known. An `IstioMesh` is one; lint mode builds one from `--istio-version`.
 */
export interface ValidationTarget {
  /** As given, e.g. `1.17` or `1.24.6`. */
  readonly istioVersion: string;
  readonly policy: VersionPolicy;
  /** Known when an IstioMesh declares it; undefined for files, where it is a property of the cluster. */
  readonly tracing?: TracingConfiguration;
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

export type { InputRule } from '../problems/input-rule';
