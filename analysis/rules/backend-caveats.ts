import { isCaveatSource } from '../../core/contracts/construct-sources';
import type { AppRule, RuleFinding, ValidationContext } from '../rule';
import { constructWarnings } from './construct-notes';

/** Reports, as warnings, what generated backends lose or expose, so it is a choice rather than a surprise. */
export const backendCaveatsRule: AppRule = {
  id: 'backend-caveats',
  scope: 'object',
  summary:
    "Warns where a generated backend works but loses or exposes data: Jaeger storage that does not survive a pod restart, Kiali without login (auth strategy anonymous) or not view-only, stats inclusions the plain scrape config may prune, credentials in a URL (Kiali's Prometheus, the GitOps repository) that the objects would store in plain text.",
  remediation:
    'Give the backend persistent storage, login and view-only access, and credentials from a Secret, as the finding names.',
  kinds: ['*'],
  severity: 'warning',
  docs: 'docs/validation.md#backend-caveats',
  check(context: ValidationContext): RuleFinding[] {
    return constructWarnings(context, isCaveatSource, (source) => source.caveats());
  },
};
