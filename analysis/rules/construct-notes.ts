import type { IConstruct } from 'constructs';
import type { Problem } from '../../core/problems/problem';
import type { RuleFinding, ValidationContext } from '../rule';

/** Each note the constructs of one kind have for the user, as a warning at the construct. */
export function constructWarnings<T extends IConstruct>(
  context: ValidationContext,
  isSource: (construct: IConstruct) => construct is T,
  notesOf: (source: T) => readonly Problem[],
): RuleFinding[] {
  return context.constructs
    .filter(isSource)
    .flatMap((source) =>
      notesOf(source).map((note) => ({ ...note, path: source.node.path, severity: 'warning' as const })),
    );
}
