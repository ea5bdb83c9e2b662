import type { IConstruct } from 'constructs';

/** What is wrong, when it needs saying beyond the value, and how to fix it, when known. */
export interface ProblemDetail {
  readonly what?: string;
  readonly hint?: string;
}

/**
 * One problem with one field of a construct's input.
 *
 * Messages follow one shape everywhere so users can grep for them:
 * `<field>: got <value>, expected <what is expected>`, or with a reason
 * `<field>: <what is wrong> (got <value>, expected <what is expected>)`, then `; hint: <fix>`.
 * The construct path is prefixed (`[app/chart/construct] ...`) by whoever reports it.
 */
export function problem(field: string, value: unknown, expected: string, detail: ProblemDetail = {}): string {
  const body = detail.what
    ? `${field}: ${detail.what} (got ${formatValue(value)}, expected ${expected})`
    : `${field}: got ${formatValue(value)}, expected ${expected}`;
  return detail.hint ? `${body}; hint: ${detail.hint}` : body;
}

/** Renders a user value unambiguously (strings quoted, so empty strings and spaces are visible). */
export function formatValue(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}

/**
 * Thrown eagerly (from a constructor or an `addX` mutator) when input cannot be recorded at all,
 * e.g. an unsupported Istio version or a key that is already taken. Every problem found at that
 * point is reported at once, each prefixed with the construct path, the same way cdk8s reports
 * `node.addValidation` problems.
 */
export class ObservabilityConfigError extends Error {
  readonly problems: readonly string[];
  /** Path of the construct whose input is refused. */
  readonly path: string;

  constructor(scope: IConstruct, problems: readonly string[]) {
    super(problems.map((p) => `[${scope.node.path}] ${p}`).join('\n'));
    this.name = 'ObservabilityConfigError';
    this.problems = problems;
    this.path = scope.node.path;
  }
}

/** Throws an {@link ObservabilityConfigError} if `problems` is not empty. */
export function throwIfProblems(scope: IConstruct, problems: readonly string[]): void {
  if (problems.length > 0) throw new ObservabilityConfigError(scope, problems);
}

/**
 * `.name`, or `["name"]` when the key is not a plain identifier (dots, slashes, quotes), to append
 * to a field path; `keyPathOf` reads both back.
 */
export function fieldKey(key: string): string {
  return /^[A-Za-z_][\w-]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}
