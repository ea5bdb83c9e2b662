import type { IConstruct } from 'constructs';
import { describeProblemWithHint, type Problem } from './problems/problem';

export { formatValue, type ProblemDetail, problem } from './problems/problem';

/**
 * Thrown eagerly (from a constructor or an `addX` mutator) when input cannot be recorded at all,
 * e.g. an unsupported Istio version or a key that is already taken. Every problem found at that
 * point is reported at once, each prefixed with the construct path, the same way cdk8s reports
 * `node.addValidation` problems.
 */
export class ObservabilityConfigError extends Error {
  readonly problems: readonly Problem[];
  /** Path of the construct whose input is refused. */
  readonly path: string;

  constructor(scope: IConstruct, problems: readonly Problem[]) {
    super(problems.map((p) => `[${scope.node.path}] ${describeProblemWithHint(p)}`).join('\n'));
    this.name = 'ObservabilityConfigError';
    this.problems = problems;
    this.path = scope.node.path;
  }
}

/** Throws an {@link ObservabilityConfigError} if `problems` is not empty. */
export function throwIfProblems(scope: IConstruct, problems: readonly Problem[]): void {
  if (problems.length > 0) throw new ObservabilityConfigError(scope, problems);
}
