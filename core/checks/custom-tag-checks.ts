import { problem } from '../errors';
import { isHttpToken } from '../names';
import type { InputRule } from '../problems/input-rule';
import type { Problem } from '../problems/problem';

export const customTagRule: InputRule = {
  id: 'custom-tag',
  summary:
    'A custom trace tag has a name of letters, digits and `_.:/-` and exactly one well-formed source: a non-empty literal, an environment variable name, or an HTTP header name (RFC 9110 token).',
};

export function literalTagProblems(value: string): Problem[] {
  return value === '' ? [problem(['literal', 'value'], value, 'a non-empty string')] : [];
}

export function environmentTagProblems(name: string): Problem[] {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name)
    ? []
    : [problem(['environment', 'name'], name, 'an environment variable name')];
}

export function headerTagProblems(name: string): Problem[] {
  return isHttpToken(name) ? [] : [problem(['header', 'name'], name, 'an HTTP header name (RFC 9110 token)')];
}

export function tagNameProblems(name: string): Problem[] {
  return /^[A-Za-z0-9_.:/-]+$/.test(name) ? [] : [problem(['tags'], name, 'a tag name of letters, digits and _.:/-')];
}
