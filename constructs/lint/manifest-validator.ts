import { describeProblemWithHint, type Problem } from '../problems/problem';
import { crdBundlesOf, runRules } from '../validate/app-validator';
import { type Finding, sortFindings } from '../validate/finding';
import type { AppRule, RenderedObject } from '../validate/rule';
import { APP_RULES } from '../validate/rule-catalog';
import { ObjectSchemas } from '../validate/schema/object-schemas';
import { VersionPolicy } from '../version/version-policy';
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
 *
 * @throws ManifestValidationError when `istioVersion` is not a release the library implements
 */
export async function validateManifests(
  documents: readonly ManifestDocument[],
  options: ManifestValidationOptions,
): Promise<Finding[]> {
  const policy = VersionPolicy.resolve(options.istioVersion);
  if (!(policy instanceof VersionPolicy)) throw new ManifestValidationError(policy);
  const byPath = new Map<string, ManifestDocument>();
  const objects: RenderedObject[] = documents.map((document) => {
    const { kind, metadata } = document.manifest;
    const base = `${kind}/${metadata.namespace ?? '-'}/${metadata.name ?? '-'}`;
    let path = base;
    for (let n = 2; byPath.has(path); n++) path = `${base}#${n}`;
    byPath.set(path, document);
    return { path, manifest: document.manifest, location: document.locate([]) };
  });
  const schemas = await ObjectSchemas.load(
    crdBundlesOf([policy]),
    objects.map((o) => o.manifest),
  );
  const targets = [{ istioVersion: options.istioVersion, policy }];
  const context = { constructs: [], targets, objects, schemas, complete: options.complete ?? false };
  const findings = runRules(context, options.rules ?? APP_RULES, '(files)');
  return sortFindings(
    findings.map((finding) => {
      const document = byPath.get(finding.path);
      if (!document) return finding;
      const { apiVersion, kind, metadata } = document.manifest;
      return {
        ...finding,
        location: document.locate(finding.field ?? []),
        object: {
          apiVersion,
          kind,
          ...(metadata.namespace !== undefined ? { namespace: metadata.namespace } : {}),
          ...(metadata.name !== undefined ? { name: metadata.name } : {}),
        },
      };
    }),
  );
}
