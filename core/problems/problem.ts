import { type FieldPath, renderField } from './field-path';

/**
 * One problem with one field: what was given, what is expected, what is wrong when that needs
 * saying, and how to fix it. Data, so that a front end can locate it, group it or write it as
 * JSON or SARIF; {@link describeProblem} makes the one line users read.
 */
export interface Problem {
  /** The field at fault, relative to the construct's props or the object; absent for the whole. */
  readonly field?: FieldPath;
  /** What is wrong, when it needs saying beyond the value, e.g. `is deprecated`. */
  readonly what?: string;
  /** The value given. Present (even when `undefined`) only when the problem is about a value. */
  readonly value?: unknown;
  /** What would be accepted, e.g. `a percentage from 0 to 100`. */
  readonly expected?: string;
  /** How to fix it, when known. */
  readonly hint?: string;
  /** The schema the expectation comes from, e.g. `CRD schema istio-1.31.0-rc.0`. */
  readonly source?: string;
}

/** What is wrong, when it needs saying beyond the value, and how to fix it, when known. */
export interface ProblemDetail {
  readonly what?: string;
  readonly hint?: string;
}

/** A problem with the value of `field`: `field: got <value>, expected <expected>`. */
export function problem(field: FieldPath, value: unknown, expected: string, detail: ProblemDetail = {}): Problem {
  return {
    field,
    value,
    expected,
    ...(detail.what !== undefined ? { what: detail.what } : {}),
    ...(detail.hint !== undefined ? { hint: detail.hint } : {}),
  };
}

/** A problem that is a statement about `field` (`field: is deprecated; use ...`), with no value to show. */
export function statement(field: FieldPath | undefined, what: string, hint?: string): Problem {
  return { ...(field ? { field } : {}), what, ...(hint !== undefined ? { hint } : {}) };
}

/** `problem` moved under `prefix`: a construct's problem with a part of its props, seen from the whole. */
export function under(prefix: FieldPath, problem: Problem): Problem {
  return { ...problem, field: [...prefix, ...(problem.field ?? [])] };
}

/** Values longer than this are abbreviated in messages; JSON and SARIF output carry them whole. */
const MESSAGE_VALUE_LIMIT = 120;

/**
 * The one line users read, without the hint. One grammar everywhere, so that users can grep:
 * `<field>: got <value>, expected <expected>`, or with a reason
 * `<field>: <what is wrong> (got <value>, expected <expected>)`, or a statement `<field>: <what>`.
 */
export function describeProblem(problem: Problem): string {
  const field = problem.field && problem.field.length > 0 ? `${renderField(problem.field)}: ` : '';
  const facts: string[] = [];
  if ('value' in problem) {
    const got = formatValue(problem.value);
    facts.push(`got ${got.length > MESSAGE_VALUE_LIMIT ? `${got.slice(0, MESSAGE_VALUE_LIMIT - 1)}…` : got}`);
  }
  if (problem.expected !== undefined) facts.push(`expected ${problem.expected}`);
  const stated = facts.join(', ');
  let body = problem.what === undefined ? stated : stated === '' ? problem.what : `${problem.what} (${stated})`;
  if (problem.source !== undefined) body += ` [${problem.source}]`;
  return field + body;
}

/** {@link describeProblem} with `; hint: <fix>` when the fix is known. */
export function describeProblemWithHint(problem: Problem): string {
  return problem.hint ? `${describeProblem(problem)}; hint: ${problem.hint}` : describeProblem(problem);
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
