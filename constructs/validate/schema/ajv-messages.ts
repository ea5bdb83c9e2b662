import type { ErrorObject } from 'ajv';
import { formatValue } from '../../errors';

/** `/spec/configPatches/0/match` → `spec.configPatches[0].match` */
export function fieldPath(instancePath: string): string {
  const parts = instancePath
    .split('/')
    .slice(1)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'));
  return parts.reduce((path, part) => {
    if (/^\d+$/.test(part)) return `${path}[${part}]`;
    const key = /^[A-Za-z_$][\w$-]*$/.test(part) ? part : JSON.stringify(part);
    return path === '' ? key : /^[A-Za-z_$]/.test(key) ? `${path}.${key}` : `${path}[${key}]`;
  }, '');
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
 * Turns ajv errors into `field: what (got X, expected Y)` lines, one per distinct problem.
 *
 * `anyOf`/`oneOf` summaries are dropped when a branch already explained the problem at the same
 * place, so a user sees the cause rather than "must match a schema in anyOf".
 */
export function describeAjvErrors(errors: readonly ErrorObject[], data: unknown): string[] {
  const explained = new Set(
    errors.filter((e) => e.keyword !== 'anyOf' && e.keyword !== 'oneOf').map((e) => e.instancePath),
  );
  // A branch that failed deeper down says more than the other branches' "wrong type" at the top.
  const deeper = (e: ErrorObject) => errors.some((o) => o.instancePath.startsWith(`${e.instancePath}/`));
  const kept = errors.filter((e) => {
    if (e.keyword === 'propertyNames') return false; // its cause is reported with the key
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
  const lines = kept.map((e) => {
    const field = fieldPath(e.instancePath) || '(object)';
    const got = formatValue(valueAt(data, e.instancePath));
    if (mixed(e))
      return `${field}: got ${got}, expected ${[...new Set(alternatives.get(e.instancePath))].join(' or ')}`;
    return e.keyword === 'type'
      ? `${field}: wrong type (got ${got}, expected ${[...new Set(types.get(e.instancePath))].join(' or ')})`
      : describe(e, data);
  });
  return [...new Set(lines)];
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

function describe(error: ErrorObject, data: unknown): string {
  const propertyName = (error as ErrorObject & { propertyName?: string }).propertyName;
  if (propertyName !== undefined) {
    // Raised by `propertyNames`: the key itself is wrong, so point at it.
    const at = fieldPath(`${error.instancePath}/${propertyName.replace(/~/g, '~0').replace(/\//g, '~1')}`);
    const rule =
      error.keyword === 'pattern'
        ? `a key matching ${String((error.params as { pattern: string }).pattern)}`
        : error.message;
    return `${at}: not a valid key (got ${formatValue(propertyName)}, expected ${rule})`;
  }
  const field = fieldPath(error.instancePath) || '(object)';
  const got = formatValue(valueAt(data, error.instancePath));
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperties': {
      const name = String(params.additionalProperty);
      const known = Object.keys((error.parentSchema?.properties as object | undefined) ?? {});
      const expected = expectedFields(name, known);
      const at = fieldPath(`${error.instancePath}/${name.replace(/~/g, '~0').replace(/\//g, '~1')}`);
      return `${at}: unknown field (expected ${expected})`;
    }
    case 'required':
      return `${fieldPath(`${error.instancePath}/${String(params.missingProperty)}`)}: missing (expected a value; it is required)`;
    case 'enum':
      return `${field}: not an allowed value (got ${got}, expected one of ${(params.allowedValues as unknown[]).map((v) => formatValue(v)).join(', ')})`;
    case 'const':
      return `${field}: not the allowed value (got ${got}, expected ${formatValue(params.allowedValue)})`;
    case 'type':
      return `${field}: wrong type (got ${got}, expected ${String(params.type)})`;
    case 'x-kubernetes-validations':
      return `${field}: ${error.message} (got ${got.length > 120 ? `${got.slice(0, 119)}…` : got}, expected it to satisfy the CRD rule ${String((error.params as { rule: string }).rule)})`;
    case 'not': {
      // Our schemas refuse a removed field with `not: {}` and say why in its description.
      const why = (error.parentSchema as { description?: string } | undefined)?.description;
      return why ? `${field}: ${why} (got ${got}, expected no ${field})` : `${field}: must not match (got ${got})`;
    }
    case 'maxProperties':
    case 'minProperties':
      return `${field}: has ${Object.keys(valueAt(data, error.instancePath) ?? {}).length} fields (got ${got}, expected ${error.keyword === 'maxProperties' ? 'at most' : 'at least'} ${String(params.limit)})`;
    default:
      return `${field}: ${error.message ?? error.keyword} (got ${got})`;
  }
}

/** Lists the known fields, or for long lists only the closest ones, so a typo points at its fix. */
function expectedFields(name: string, known: readonly string[]): string {
  if (known.length === 0) return 'no other fields';
  if (known.length <= 12) return `one of ${known.join(', ')}`;
  const close = known
    .map((k) => ({ k, d: editDistance(name.toLowerCase(), k.toLowerCase()) }))
    .filter(({ d }) => d <= Math.max(2, Math.floor(name.length / 4)))
    .sort((a, b) => a.d - b.d || (a.k < b.k ? -1 : 1))
    .map(({ k }) => k);
  return close.length > 0
    ? `one of ${known.length} known fields, e.g. ${close.slice(0, 3).join(', ')}`
    : `one of ${known.length} known fields: ${known.slice(0, 12).join(', ')}, ...`;
}

/** Levenshtein distance. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(
        (previous[j] ?? 0) + 1,
        (current[j - 1] ?? 0) + 1,
        (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
