import { renderField } from '../../core/problems/field-path';
import type { Finding } from '../../core/problems/finding';

/**
 * What the marker records of one folder synth wrote (a cluster's, the GitOps objects', or the
 * output itself): the release it was made for, and the warnings `validate` finds in it, which
 * synth reported already. `validate` of the folder checks it against that release and does not
 * repeat them; anything else it finds (a hand edit, a lint rule synth does not share) it reports.
 */
export interface OutputFolderRecord {
  /** The release the folder's objects target; absent for objects of no Istio release (GitOps). */
  readonly istioVersion?: string;
  /** Each warning as `validate` names it: the rule, the object (`Kind/namespace/name`) and the field. */
  readonly reviewed: readonly ReviewedWarning[];
}

export interface ReviewedWarning {
  readonly rule: string;
  readonly object: string;
  readonly field: string;
}

/** The identity of a warning within its folder: the marker's entries and `validate`'s findings compare by it. */
export function reviewedKey(warning: ReviewedWarning): string {
  return JSON.stringify([warning.rule, warning.object, warning.field]);
}

/** A lint finding as the marker records it. */
export function asReviewed(finding: Finding): ReviewedWarning {
  return { rule: finding.rule, object: finding.path, field: renderField(finding.field ?? []) };
}
