import type { ErrorObject } from 'ajv';
import { type FieldPath, renderField } from '../../core/problems/field-path';
import { nearestNames } from '../../core/problems/nearest';
import { describeProblem, formatValue, type Problem, problem } from '../../core/problems/problem';

/** `/spec/configPatches/0/match` → `['spec', 'configPatches', 0, 'match']` */
export function fieldPathOf(instancePath: string): FieldPath {
  return instancePath
    .split('/')
    .slice(1)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((part) => (/^\d+$/.test(part) ? Number(part) : part));
}

function valueAt(root: unknown, instancePath: string): unknown {
  let value = root;
  for (const part of instancePath.split('/').slice(1)) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[part.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return value;
}

/**
 * Turns ajv errors into problems (`field: what (got X, expected Y)`), one per distinct problem.
 *
 * `anyOf`/`oneOf` summaries are dropped when a branch already explained the problem at the same
 * place, so a user sees the cause rather than "must match a schema in anyOf".
 */
export function describeAjvErrors(errors: readonly ErrorObject[], data: unknown): Problem[] {
  const explained = new Set(
    errors.filter((e) => e.keyword !== 'anyOf' && e.keyword !== 'oneOf').map((e) => e.instancePath),
  );
  // A branch that failed deeper down says more than the other branches' "wrong type" at the top.
  const deeper = (e: ErrorObject) => errors.some((o) => o.instancePath.startsWith(`${e.instancePath}/`));
  const kept = errors.filter((e) => {
    if (e.keyword === 'propertyNames') return false; // its cause is reported with the key
    if (e.keyword === 'if') return false; // "must match then schema": the then branch's own error says why
    if (e.keyword === 'anyOf' || e.keyword === 'oneOf') return !explained.has(e.instancePath) && !deeper(e);
    if (BRANCH_KEYWORDS.has(e.keyword) && /\/(oneOf|anyOf)\//.test(e.schemaPath)) return !deeper(e);
    return true;
  });
  // Several branches refusing a type at one place become one line listing every accepted type.
  const types = new Map<string, string[]>();
  for (const e of kept.filter((k) => k.keyword === 'type')) {
    types.set(e.instancePath, [...(types.get(e.instancePath) ?? []), String((e.params as { type: string }).type)]);
  }
  // Branches refusing a value at one place in different ways (`false`, or an object) become one line.
  const alternatives = new Map<string, string[]>();
  for (const e of kept.filter((k) => BRANCH_KEYWORDS.has(k.keyword) && /\/(oneOf|anyOf)\//.test(k.schemaPath))) {
    alternatives.set(e.instancePath, [...(alternatives.get(e.instancePath) ?? []), ...acceptedBy(e)]);
  }
  const mixed = (e: ErrorObject) =>
    BRANCH_KEYWORDS.has(e.keyword) &&
    new Set(
      kept.filter((k) => k.instancePath === e.instancePath && BRANCH_KEYWORDS.has(k.keyword)).map((k) => k.keyword),
    ).size > 1;
  const problems = kept.map((e): Problem => {
    const field = fieldPathOf(e.instancePath);
    const got = valueAt(data, e.instancePath);
    if (mixed(e)) return problem(field, got, [...new Set(alternatives.get(e.instancePath))].join(' or '));
    return e.keyword === 'type'
      ? problem(field, got, [...new Set(types.get(e.instancePath))].join(' or '), { what: 'wrong type' })
      : describe(e, data);
  });
  const seen = new Set<string>();
  return problems.filter((p) => {
    const text = describeProblem(p);
    if (seen.has(text)) return false;
    seen.add(text);
    return true;
  });
}

const BRANCH_KEYWORDS = new Set(['type', 'const', 'enum']);

/** What a `type`, `const` or `enum` error accepts, for a line that lists every branch's. */
function acceptedBy(error: ErrorObject): string[] {
  const params = error.params as Record<string, unknown>;
  if (error.keyword === 'const') return [formatValue(params.allowedValue)];
  if (error.keyword === 'enum') return (params.allowedValues as unknown[]).map((v) => formatValue(v));
  const type = String(params.type);
  return [type === 'object' ? 'a mapping' : type === 'array' ? 'a list' : `a ${type}`];
}

function describe(error: ErrorObject, data: unknown): Problem {
  const propertyName = (error as ErrorObject & { propertyName?: string }).propertyName;
  if (propertyName !== undefined) {
    // Raised by `propertyNames`: the key itself is wrong, so point at it.
    const rule =
      error.keyword === 'pattern'
        ? `a key matching ${String((error.params as { pattern: string }).pattern)}`
        : (error.message ?? error.keyword);
    return problem([...fieldPathOf(error.instancePath), propertyName], propertyName, rule, {
      what: 'not a valid key',
    });
  }
  const at = fieldPathOf(error.instancePath);
  const field = at;
  const got = valueAt(data, error.instancePath);
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperties': {
      const name = String(params.additionalProperty);
      const known = Object.keys((error.parentSchema?.properties as object | undefined) ?? {});
      return { field: [...at, name], what: 'unknown field', expected: expectedFields(name, known) };
    }
    case 'required':
      return {
        field: [...at, String(params.missingProperty)],
        what: 'missing',
        expected: 'a value; it is required',
      };
    case 'enum':
      return problem(
        field,
        got,
        `one of ${(params.allowedValues as unknown[]).map((v) => formatValue(v)).join(', ')}`,
        { what: 'not an allowed value' },
      );
    case 'const':
      return problem(field, got, formatValue(params.allowedValue), { what: 'not the allowed value' });
    case 'type':
      return problem(field, got, String(params.type), { what: 'wrong type' });
    case 'x-kubernetes-validations':
      return problem(field, got, `it to satisfy the CRD rule ${String((error.params as { rule: string }).rule)}`, {
        what: error.message ?? 'fails a CRD rule',
      });
    case 'not': {
      // Our schemas refuse a removed field with `not: {}` and say why in its description.
      const why = (error.parentSchema as { description?: string } | undefined)?.description;
      return why
        ? problem(field, got, `no ${renderField(field) || 'such field'}`, { what: why })
        : { field, what: 'must not match', value: got };
    }
    case 'pattern': {
      // Our schemas say what a pattern stands for in the field's description: its first sentence
      // ("host:port, e.g. zipkin.istio-system:9411") reads better than the regex.
      const description = (error.parentSchema as { description?: string } | undefined)?.description;
      const sentence = description?.split(/\.\s+(?=[A-Z])|\.$/)[0];
      // "A Kubernetes name ..." reads after "expected" as "a Kubernetes name ..."; "RFC ..." stays.
      const expected =
        sentence && /^(?:A|An|The)\s|^[A-Z][a-z]/.test(sentence)
          ? sentence[0]?.toLowerCase() + sentence.slice(1)
          : sentence;
      return problem(field, got, expected ?? `a string matching ${String(params.pattern)}`);
    }
    case 'maxProperties':
    case 'minProperties':
      return problem(
        field,
        got,
        `${error.keyword === 'maxProperties' ? 'at most' : 'at least'} ${String(params.limit)}`,
        { what: `has ${Object.keys(got ?? {}).length} fields` },
      );
    default:
      return { field, what: error.message ?? error.keyword, value: got };
  }
}

/** Lists the known fields, or for long lists only the closest ones, so a typo points at its fix. */
function expectedFields(name: string, known: readonly string[]): string {
  if (known.length === 0) return 'no other fields';
  if (known.length <= 12) return `one of ${known.join(', ')}`;
  const close = nearestNames(name, known);
  return close.length > 0
    ? `one of ${known.length} known fields, e.g. ${close.slice(0, 3).join(', ')}`
    : `one of ${known.length} known fields: ${known.slice(0, 12).join(', ')}, ...`;
}
