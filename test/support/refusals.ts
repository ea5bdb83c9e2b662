import { Construct } from 'constructs';
import { ObservabilityConfigError } from '../../core/errors';
import { inputProblems } from '../../core/problems/construct-problems';
import { describeProblemWithHint } from '../../core/problems/problem';

/**
 * The input problems a construct records for synth instead of throwing (aws-cdk's
 * `node.addValidation` model), as the `[path] problem` lines synth reports, for every construct
 * of the app `built` belongs to. Fails when `build` throws or records nothing: a constructor that
 * still threw would hide the problems of the constructs after it.
 */
export function refusalOf(build: () => unknown): string {
  let built: unknown;
  try {
    built = build();
  } catch (error) {
    if (error instanceof ObservabilityConfigError)
      throw new Error(`threw instead of recording for synth: ${error.message}`);
    throw error;
  }
  if (!(built instanceof Construct)) throw new Error('build() must return the construct it made');
  const lines = built.node.root.node
    .findAll()
    .flatMap((c) => inputProblems(c).map((p) => `[${c.node.path}] ${describeProblemWithHint(p)}`));
  if (lines.length === 0) throw new Error(`nothing was refused at ${built.node.path}`);
  return lines.join('\n');
}
