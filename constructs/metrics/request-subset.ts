import type { ASTNode } from '@marcbachmann/cel-js';
import { lazily } from '../../core/lazily';
import { escapeRe2 } from '../../core/re2';

// Loaded when a CEL expression is first parsed (see core/lazily.ts).
const celJs = lazily((): typeof import('@marcbachmann/cel-js') => require('@marcbachmann/cel-js'));

/**
 * A counter of "requests that match a condition", the shape of most new metrics (`get_calls` is
 * `request.method.startsWith('GET') ? 1 : 0`), said the supported way: the standard request count
 * already counts every request once per reporter, so the subset is a PromQL selection over its
 * labels. What the labels lack (the request method) is added to `istio_requests_total` as a
 * dimension (a Telemetry tagOverride), which Istio's Telemetry API supports on every release; the
 * subset is then a recording rule, not a second stats filter.
 */

/** One PromQL label matcher: `request_method=~"GET.*"`. Regexes are RE2 and anchored, as Prometheus reads them. */
export interface LabelMatcher {
  readonly label: string;
  readonly op: '=~' | '!~';
  readonly regex: string;
}

/** The requests a counter counts, as a selection of `istio_requests_total`. */
export interface RequestSubset {
  /** Matchers selecting the counted requests (all must hold); none counts every request. */
  readonly matchers: readonly LabelMatcher[];
  /** Dimensions `istio_requests_total` must have for the matchers: label to CEL value. */
  readonly dimensions: Readonly<Record<string, string>>;
}

/**
 * The request attributes a condition may read, and the `istio_requests_total` label that carries
 * each: `response_code` is a standard label; `request_method` is added as a dimension. Both have a
 * handful of values, so the added label multiplies the series by little.
 */
const ATTRIBUTES: Readonly<
  Record<string, { readonly label: string; readonly dimension?: string; readonly kind: 'string' | 'code' }>
> = {
  'request.method': { label: 'request_method', dimension: 'request.method', kind: 'string' },
  'response.code': { label: 'response_code', kind: 'code' },
};

/** HTTP status codes a response_code label takes (Envoy reports 0 when there was no response). */
const CODES = Array.from({ length: 500 }, (_, i) => 100 + i);

/**
 * The requests a COUNTER value counts, when it is `1` (every request) or `<condition> ? 1 : 0`
 * over the request method and response code (`==`, `!=`, `in`, `startsWith`, `endsWith`,
 * `contains`, code comparisons, `!`, `&&`, and `||` of one attribute); otherwise why not.
 */
export function requestSubsetOf(value: string): RequestSubset | { readonly reason: string } {
  let ast: ASTNode;
  try {
    ast = celJs().parse(value).ast;
  } catch {
    return { reason: 'it does not parse (the cel-expression rule says where)' };
  }
  if (isInt(ast, 1n)) return { matchers: [], dimensions: {} };
  if (ast.op !== '?:' || !isInt(ast.args[1], 1n) || !isInt(ast.args[2], 0n)) {
    return { reason: 'its value is neither 1 nor <condition> ? 1 : 0' };
  }
  const matchers = condition(ast.args[0] as ASTNode);
  if (typeof matchers === 'string') return { reason: matchers };
  const dimensions: Record<string, string> = {};
  for (const m of matchers) {
    const attribute = Object.values(ATTRIBUTES).find((a) => a.label === m.label);
    if (attribute?.dimension) dimensions[m.label] = attribute.dimension;
  }
  return { matchers, dimensions };
}

/** A matcher list that holds exactly when `node` is true, or why there is none. */
function condition(node: ASTNode): LabelMatcher[] | string {
  switch (node.op) {
    case '&&': {
      const [a, b] = (node.args as ASTNode[]).map(condition);
      if (typeof a === 'string') return a;
      if (typeof b === 'string') return b;
      return [...a, ...b];
    }
    case '||': {
      const [a, b] = (node.args as ASTNode[]).map(condition);
      if (typeof a === 'string') return a;
      if (typeof b === 'string') return b;
      const [x, y] = [a[0], b[0]];
      if (a.length === 1 && b.length === 1 && x && y && x.label === y.label && x.op === '=~' && y.op === '=~') {
        return [{ label: x.label, op: '=~', regex: `${x.regex}|${y.regex}` }];
      }
      return 'an || that is not over one attribute (PromQL selects with a conjunction of label matchers)';
    }
    case '!_': {
      const inner = condition(node.args as unknown as ASTNode);
      if (typeof inner === 'string') return inner;
      const [only] = inner;
      if (inner.length !== 1 || !only) return 'a negated && (PromQL selects with a conjunction of label matchers)';
      return [{ ...only, op: only.op === '=~' ? '!~' : '=~' }];
    }
    default:
      return comparison(node);
  }
}

/** `request.method == 'GET'`, `response.code >= 500`, `request.method.startsWith('GET')`, `x in [...]`. */
function comparison(node: ASTNode): LabelMatcher[] | string {
  if (node.op === 'rcall') {
    const [fn, target, args] = node.args as [string, ASTNode, ASTNode[]];
    const attribute = attributeOf(target);
    const literal = args[0]?.op === 'value' && typeof args[0].args === 'string' ? args[0].args : undefined;
    const shapes: Record<string, (s: string) => string> = {
      startsWith: (s) => `${escapeRe2(s)}.*`,
      endsWith: (s) => `.*${escapeRe2(s)}`,
      contains: (s) => `.*${escapeRe2(s)}.*`,
    };
    const shape = shapes[fn];
    if (attribute?.kind === 'string' && literal !== undefined && shape && args.length === 1) {
      return [{ label: attribute.label, op: '=~', regex: shape(literal) }];
    }
    return `${textOf(node)} (only startsWith, endsWith and contains of request.method with a string literal)`;
  }
  const [left, right] = Array.isArray(node.args) ? (node.args as ASTNode[]) : [];
  if (!left || !right) return `${textOf(node)} is not a comparison of request.method or response.code`;
  if (node.op === 'in') {
    const attribute = attributeOf(left);
    const items = right.op === 'list' ? (right.args as ASTNode[]) : [];
    const values = items.map((i) => literalOf(i, attribute?.kind));
    if (!attribute || items.length === 0 || values.some((v) => v === undefined)) {
      return `${textOf(node)} (only request.method or response.code in a list of literals)`;
    }
    return [{ label: attribute.label, op: '=~', regex: (values as string[]).map(escapeRe2).join('|') }];
  }
  const flipped: Record<string, string> = { '<': '>', '<=': '>=', '>': '<', '>=': '<=', '==': '==', '!=': '!=' };
  const [attributeNode, literalNode, op] = attributeOf(left)
    ? [left, right, node.op]
    : [right, left, flipped[node.op] ?? node.op];
  const attribute = attributeOf(attributeNode);
  const literal = literalOf(literalNode, attribute?.kind);
  if (!attribute || literal === undefined) {
    return `${textOf(node)} is not a comparison of request.method or response.code with a literal`;
  }
  if (op === '==' || op === '!=') {
    return [{ label: attribute.label, op: op === '==' ? '=~' : '!~', regex: escapeRe2(literal) }];
  }
  if (attribute.kind !== 'code' || !['<', '<=', '>', '>='].includes(op)) {
    return `${textOf(node)} (request.method compares only with == and !=)`;
  }
  const n = Number(literal);
  const holds = (code: number) => (op === '<' ? code < n : op === '<=' ? code <= n : op === '>' ? code > n : code >= n);
  return [{ label: attribute.label, op: '=~', regex: codeRegex(CODES.filter(holds)) }];
}

function attributeOf(node: ASTNode | undefined): (typeof ATTRIBUTES)[string] | undefined {
  if (node?.op !== '.') return undefined;
  const [object, field] = node.args as [ASTNode, unknown];
  return object.op === 'id' ? ATTRIBUTES[`${object.args}.${String(field)}`] : undefined;
}

/** A literal's label value: a string for the method, a decimal status code for the code. */
function literalOf(node: ASTNode | undefined, kind: 'string' | 'code' | undefined): string | undefined {
  if (node?.op !== 'value') return undefined;
  if (kind === 'string' && typeof node.args === 'string') return node.args;
  if (kind === 'code' && typeof node.args === 'bigint') return node.args.toString();
  return undefined;
}

function isInt(node: unknown, value: bigint): boolean {
  const n = node as ASTNode | undefined;
  return n?.op === 'value' && (n.args === value || n.args === Number(value));
}

/**
 * An RE2 alternation of status codes, by hundreds and tens where whole ones are in: 500 to 599 is
 * `5[0-9][0-9]`; an empty set is `""`, which only an absent label matches (response_code never is).
 */
export function codeRegex(codes: readonly number[]): string {
  const set = new Set(codes);
  const parts: string[] = [];
  for (let h = 1; h <= 5; h++) {
    const hundred = Array.from({ length: 100 }, (_, i) => h * 100 + i);
    if (hundred.every((c) => set.has(c))) {
      parts.push(`${h}[0-9][0-9]`);
      continue;
    }
    for (let t = 0; t <= 9; t++) {
      const ten = Array.from({ length: 10 }, (_, i) => h * 100 + t * 10 + i);
      if (ten.every((c) => set.has(c))) parts.push(`${h}${t}[0-9]`);
      else parts.push(...ten.filter((c) => set.has(c)).map(String));
    }
  }
  return parts.length > 0 ? parts.join('|') : '';
}

/** A short rendering of an AST node for messages. */
function textOf(node: ASTNode): string {
  return `the ${node.op === 'rcall' ? `call ${String((node.args as unknown[])[0])}()` : `operator ${node.op}`}`;
}
