import type { AppRule, RuleFinding, ValidationContext } from '../rule';
import { isCaveatSource } from '../sources';

/** Reports, as warnings, what generated backends lose or expose, so it is a choice rather than a surprise. */
export const backendCaveatsRule: AppRule = {
  id: 'backend-caveats',
  summary:
    'Warns where a generated backend works but loses or exposes data: Jaeger storage that does not survive a pod restart, Kiali without login (auth strategy anonymous), stats inclusions the plain scrape config may prune.',
  check(context: ValidationContext): RuleFinding[] {
    return context.constructs
      .filter(isCaveatSource)
      .flatMap((source) =>
        source.caveats().map((message) => ({ path: source.node.path, severity: 'warning' as const, message })),
      );
  },
};
