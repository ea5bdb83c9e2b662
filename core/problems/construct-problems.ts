import type { IConstruct } from 'constructs';
import { describeProblemWithHint, type Problem } from './problem';

const CHECKS = new WeakMap<IConstruct, (() => readonly Problem[])[]>();

/**
 * Registers a check of `construct`'s state at synth, like `node.addValidation`, but kept as data:
 * the validator reads the problems with their fields, and cdk8s's own `app.synth()` still sees
 * them as text through the `node.addValidation` this also registers.
 */
export function addProblemCheck(construct: IConstruct, check: () => readonly Problem[]): void {
  const checks = CHECKS.get(construct) ?? [];
  checks.push(check);
  CHECKS.set(construct, checks);
  construct.node.addValidation({ validate: () => check().map(describeProblemWithHint) });
}

/**
 * The problems `construct`'s registered checks find now, or undefined when it registered none
 * (its `node.validate()` text is then all there is).
 */
export function checkConstruct(construct: IConstruct): readonly Problem[] | undefined {
  return CHECKS.get(construct)?.flatMap((check) => check());
}

const INPUT = new WeakMap<IConstruct, Problem[]>();

/**
 * Records what is wrong with the input `construct` was given, to be reported at synth with every
 * other construct's problems (aws-cdk's `node.addValidation` model), instead of throwing from the
 * constructor and hiding the rest. Returns whether there were any, so that the constructor can
 * stop before it emits anything from bad input.
 */
export function refuseInput(construct: IConstruct, problems: readonly Problem[]): boolean {
  if (problems.length === 0) return false;
  const recorded = INPUT.get(construct);
  if (recorded) recorded.push(...problems);
  else {
    INPUT.set(construct, [...problems]);
    addProblemCheck(construct, () => INPUT.get(construct) ?? []);
  }
  return true;
}

/** The input problems {@link refuseInput} recorded for `construct`. */
export function inputProblems(construct: IConstruct): readonly Problem[] {
  return INPUT.get(construct) ?? [];
}
