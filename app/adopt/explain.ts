import {
  type TelemetryReview,
  telemetryReview,
  type WorkloadTelemetry,
} from '../../analysis/review/workload-telemetry';
import type { Finding } from '../../core/problems/finding';
import type { SourceLocation } from '../../core/problems/source-location';
import { resolvePolicy, validateManifests } from '../lint/manifest-validator';
import type { InputSet } from './input-set';

/** Two or more objects declare one workload (variants of one Deployment): istiod would see only the last applied. */
export interface WorkloadConflict {
  /** `istioinaction/Deployment/webapp` */
  readonly workload: string;
  /** Where each variant was read, in reading order. */
  readonly variants: readonly SourceLocation[];
}

/** What applies where in a set of objects, and what is wrong with them, at one Istio release. */
export interface Explanation {
  readonly istioVersion: string;
  readonly review: TelemetryReview;
  /** Every finding of the lint rules over the set, as applied together (`validate --complete`). */
  readonly findings: readonly Finding[];
  readonly conflicts: readonly WorkloadConflict[];
  /** Where each workload object was read, by its path. */
  readonly locations: ReadonlyMap<string, SourceLocation>;
}

/**
 * Explains a set of objects read from files or a cluster dump: per meshed workload, each setting
 * that applies, the object that sets it, what it overrides and when a change takes effect (the
 * review REPORT.md is made from), with the lint findings over the set as applied together. Two
 * objects of one workload are a conflict: both variants are explained, neither merged.
 *
 * @throws ManifestValidationError when `istioVersion` is not a release the library implements
 */
export async function explainInputSet(set: InputSet, istioVersion: string): Promise<Explanation> {
  const policy = resolvePolicy(istioVersion);
  const review = telemetryReview(set.objects, policy);
  const findings = await validateManifests([...set.documents.values()], { istioVersion, complete: true });
  const locations = new Map<string, SourceLocation>();
  for (const object of set.objects) if (object.location) locations.set(object.path, object.location);
  const byWorkload = new Map<string, WorkloadTelemetry[]>();
  for (const workload of [...review.workloads]) {
    const same = byWorkload.get(workload.workload) ?? [];
    same.push(workload);
    byWorkload.set(workload.workload, same);
  }
  const conflicts = [...byWorkload]
    .filter(([, same]) => same.length > 1)
    .map(([workload, same]) => ({
      workload,
      variants: same.flatMap((w) => locations.get(w.path) ?? []),
    }));
  return { istioVersion, review, findings, conflicts, locations };
}

/**
 * Whether `workload` (`istioinaction/Deployment/webapp`) is the one `wanted` names: `<namespace>/<name>`
 * or `<namespace>/<Kind>/<name>`.
 */
export function isWorkloadNamed(workload: string, wanted: string): boolean {
  const [namespace, kind, name] = workload.split('/');
  const parts = wanted.split('/');
  if (parts.length === 2) return parts[0] === namespace && parts[1] === name;
  return parts.length === 3 && parts[0] === namespace && parts[1] === kind && parts[2] === name;
}
