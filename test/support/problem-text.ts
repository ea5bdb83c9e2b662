import { describeProblemWithHint, type Problem } from '../../core/problems/problem';

/** Each problem as the one line a user reads (`field: got ..., expected ...; hint: ...`). */
export function texts(problems: readonly Problem[]): string[] {
  return problems.map(describeProblemWithHint);
}

/** {@link texts} for one problem, or undefined. */
export function text(problem: Problem | undefined): string | undefined {
  return problem && describeProblemWithHint(problem);
}
