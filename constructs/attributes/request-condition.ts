import { problem } from '../../core/errors';
import { isHttpToken } from '../../core/names';
import type { FieldPath } from '../../core/problems/field-path';
import type { Problem } from '../../core/problems/problem';

/**
 * What a request must look like for an attribute rule to apply, as typed fields instead of a
 * hand-written CEL condition. Every field given must match.
 */
export interface RequestMatch {
  /** The exact request path without the query string (`request.url_path`), e.g. `/items`. */
  readonly path?: string;
  /** A prefix of the request path, e.g. `/items/`. */
  readonly pathPrefix?: string;
  /** The HTTP method, e.g. `GET` (compared case-sensitively, as HTTP does). */
  readonly method?: string;
}

/**
 * A CEL string literal whose value is exactly `value`: double-quoted, with the backslash, the
 * double quote and every character outside printable ASCII written as an escape, so no value can
 * end the literal or add to the expression (CEL spec, "String and Bytes Values": `\\`, `\"`,
 * `\uXXXX`, `\UXXXXXXXX`).
 */
export function celString(value: string): string {
  let out = '"';
  for (const char of value) {
    const code = char.codePointAt(0) ?? 0;
    if (char === '\\' || char === '"') out += `\\${char}`;
    else if (code >= 0x20 && code < 0x7f) out += char;
    else if (code <= 0xffff) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += `\\U${code.toString(16).padStart(8, '0')}`;
  }
  return `${out}"`;
}

/** Why `match` (at `field`) cannot be matched by a request, one problem per field; empty when it can. */
export function requestMatchProblems(field: FieldPath, match: RequestMatch): Problem[] {
  const problems: Problem[] = [];
  if (match.path === undefined && match.pathPrefix === undefined && match.method === undefined) {
    problems.push(problem(field, match, 'at least one of path, pathPrefix, method'));
  }
  if (match.path !== undefined && match.pathPrefix !== undefined) {
    problems.push(problem([...field, 'pathPrefix'], match.pathPrefix, 'either path or pathPrefix, not both'));
  }
  for (const key of ['path', 'pathPrefix'] as const) {
    const value = match[key];
    if (value === undefined) continue;
    // A request path starts with "/", never carries the query or fragment in url_path, and has no
    // control characters (RFC 9112 request-target): such a value could never match.
    if (typeof value !== 'string' || !value.startsWith('/') || /[?#\p{Cc}]/u.test(value)) {
      problems.push(
        problem(
          [...field, key],
          value,
          'a request path starting with "/", without "?", "#" or control characters (url_path excludes the query)',
        ),
      );
    }
  }
  if (match.method !== undefined && (typeof match.method !== 'string' || !isHttpToken(match.method))) {
    problems.push(problem([...field, 'method'], match.method, 'an HTTP method, e.g. "GET" (an RFC 9110 token)'));
  }
  return problems;
}

/**
 * The CEL condition for `match`, e.g. `request.url_path == "/items" && request.method == "GET"`.
 * User values only ever appear inside string literals ({@link celString}). Check
 * `requestMatchProblems` first.
 */
export function requestCondition(match: RequestMatch): string {
  const terms: string[] = [];
  if (match.path !== undefined) terms.push(`request.url_path == ${celString(match.path)}`);
  if (match.pathPrefix !== undefined) terms.push(`request.url_path.startsWith(${celString(match.pathPrefix)})`);
  if (match.method !== undefined) terms.push(`request.method == ${celString(match.method)}`);
  return terms.join(' && ');
}
