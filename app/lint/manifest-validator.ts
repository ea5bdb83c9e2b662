import type { AppRule } from '../../analysis/rule';
import { APP_RULES } from '../../analysis/rule-catalog';
import { crdBundlesOf, runRules } from '../../analysis/run-rules';
import { ObjectSchemas } from '../../analysis/schema/object-schemas';
import { type Finding, sortFindings } from '../../core/problems/finding';
import { describeProblemWithHint, type Problem, problem } from '../../core/problems/problem';
import { VersionPolicy } from '../../core/version/version-policy';
import type { RenderedObject } from '../../model/objects';
import type { ManifestDocument } from './manifest-files';

export interface ManifestValidationOptions {
  /** The Istio release the objects must work on, e.g. `1.17` or `1.24.6`. */
  readonly istioVersion: string;
  /**
   * The objects are everything applied together (a synth's output), so what they reference must be
   * among them and two of one identity collide. Off for files linted on their own, which may
   * rely on objects applied from elsewhere and hold alternatives of one object.
   * @default false
   */
  readonly complete?: boolean;
  /** @default every app rule (APP_RULES) */
  readonly rules?: readonly AppRule[];
  /**
   * Ids of rules not to run (`validate --disable`); one object silences a rule with the annotation
   * `ignore-check.cdk8s-istio-observability.io/<rule id>` instead.
   * @default none
   */
  readonly disable?: readonly string[];
}

/**
 * The rules a lint runs: `options.rules` without those `options.disable` names.
 * @throws ManifestValidationError naming every id that is no rule's
 */
export function lintRules(options: ManifestValidationOptions): readonly AppRule[] {
  const rules = options.rules ?? APP_RULES;
  const disable = options.disable ?? [];
  const unknown = disable.filter((id) => !rules.some((r) => r.id === id));
  if (unknown.length > 0) {
    throw new ManifestValidationError(
      problem(['disable'], unknown.join(','), `rule ids, from: ${rules.map((r) => r.id).join(', ')}`),
    );
  }
  return rules.filter((r) => !disable.includes(r.id));
}

/** A document read from a file as the object the rules check, named `path`. */
export function objectOf(document: ManifestDocument, path: string): RenderedObject {
  return {
    path,
    manifest: document.manifest,
    location: document.locate([]),
    file: document.file,
    ...(document.patch ? { patch: true } : {}),
  };
}

/** Thrown when the target itself is refused (an Istio release the library does not implement). */
export class ManifestValidationError extends Error {
  override readonly name = 'ManifestValidationError';

  constructor(readonly problem: Problem) {
    super(describeProblemWithHint(problem));
  }
}

/**
 * Validates Kubernetes objects that no construct of this library built (hand-written YAML, another
 * app's synth output) with the same rules as synth, against one Istio release. Each finding is
 * located at the object's `<Kind>/<namespace>/<name>` and at `file:line` of the field it names.
 * This holds every object at once; `lintManifestFiles` (lint-stream.ts) checks files one at a
 * time with the same result.
 *
 * @throws ManifestValidationError when `istioVersion` is not a release the library implements
 */
export async function validateManifests(
  documents: readonly ManifestDocument[],
  options: ManifestValidationOptions,
): Promise<Finding[]> {
  const policy = resolvePolicy(options.istioVersion);
  const paths = new ObjectPaths();
  const byPath = new Map<string, ManifestDocument>();
  const objects: RenderedObject[] = documents.map((document) => {
    const path = paths.next(document.manifest);
    byPath.set(path, document);
    return objectOf(document, path);
  });
  const schemas = await ObjectSchemas.load(
    crdBundlesOf([policy]),
    objects.map((o) => o.manifest),
  );
  const targets = [{ istioVersion: options.istioVersion, policy }];
  const context = { constructs: [], targets, objects, schemas, complete: options.complete ?? false };
  const findings = new DistinctFindings();
  for (const finding of runRules(context, lintRules(options), '(files)')) {
    const document = byPath.get(finding.path);
    findings.add(finding.path, document ? locatedFinding(finding, finding.path, document) : finding);
  }
  return sortFindings(findings.all());
}

/** The target's version policy. @throws ManifestValidationError when the library does not implement it */
export function resolvePolicy(istioVersion: string): VersionPolicy {
  const policy = VersionPolicy.resolve(istioVersion);
  if (!(policy instanceof VersionPolicy)) throw new ManifestValidationError(policy);
  return policy;
}

/**
 * Gives each object read from files its path, `<Kind>/<namespace>/<name>` (`-` for what is
 * missing), with `#2`, `#3`... for a second and third object of one such path, in reading order.
 */
export class ObjectPaths {
  private readonly used = new Set<string>();

  next(manifest: ManifestDocument['manifest']): string {
    const { kind, metadata } = manifest;
    const base = `${kind}/${metadata.namespace ?? '-'}/${metadata.name ?? '-'}`;
    let path = base;
    for (let n = 2; this.used.has(path); n++) path = `${base}#${n}`;
    this.used.add(path);
    return path;
  }
}

/** A rule's finding about an object read from a file, at the file's line of its field and with the object named. */
export function locatedFinding(finding: Finding, path: string, document: ManifestDocument): Finding {
  const { apiVersion, kind, metadata } = document.manifest;
  return {
    ...finding,
    path,
    location: document.locate(finding.field ?? []),
    object: {
      apiVersion,
      kind,
      ...(metadata.namespace !== undefined ? { namespace: metadata.namespace } : {}),
      ...(metadata.name !== undefined ? { name: metadata.name } : {}),
    },
  };
}

/**
 * Findings without repeats: a rule that meets one fault through several objects (a bootstrap
 * ConfigMap that two pods name) reports it once. `about` names the object the finding is about.
 */
export class DistinctFindings {
  private readonly seen = new Set<string>();
  private readonly found: Finding[] = [];

  /** Adds the finding unless an identical one about the same object was added; false when it was. */
  add(about: string, finding: Finding): boolean {
    if (!this.fresh(about, finding)) return false;
    this.found.push(finding);
    return true;
  }

  /** Whether no identical finding about the object has been added; marks it as added from now on. */
  fresh(about: string, finding: Finding): boolean {
    const { severity, rule, field, what, value, expected, hint, source } = finding;
    const key = JSON.stringify([about, severity, rule, field, what, 'value' in finding, value, expected, hint, source]);
    if (this.seen.has(key)) return false;
    this.seen.add(key);
    return true;
  }

  all(): Finding[] {
    return [...this.found];
  }
}
