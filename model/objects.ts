import type { ApiObject } from 'cdk8s';
import type { SourceLocation } from '../core/problems/source-location';
import type { TracingConfiguration, VersionPolicy } from '../core/version/version-policy';

/** The objects everything past the emitters reads: resolved manifests, wherever they came from. */

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
  /**
   * The file it was read from: objects of one file are applied together, while files linted on
   * their own may be alternatives.
   */
  readonly file?: string;
  readonly manifest: Manifest;
  /**
   * A strategic merge patch of a workload the app does not build (only its pod template
   * annotations), not an object of its own: rules read its annotations, not its schema.
   */
  readonly patch?: boolean;
  /** For a patch: the labels of the pods it patches (its workload's selector), which it does not set. */
  readonly podLabels?: Readonly<Record<string, string>>;
  /**
   * For a patch: where the workload's own pod template annotations were read, which the patch
   * merges with ours; absent when they were not, and the patch replaces the annotations it sets.
   */
  readonly patchedFrom?: string;
  /** For a patch: the workload runs without a sidecar (declared outside the mesh). */
  readonly outsideMesh?: boolean;
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
