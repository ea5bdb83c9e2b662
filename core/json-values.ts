/**
 * Reading values of unknown shape (objects read from files, parsed annotations and bootstrap
 * overrides) without casts: whatever is not of the expected kind reads as empty.
 */
export type JsonMapping = Record<string, unknown>;

/** A mapping: an object that is not an array (YAML/JSON `{}`), not null. */
export function isMapping(value: unknown): value is JsonMapping {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** `value` when it is a list, else an empty one. */
export function listOf(value: unknown): readonly unknown[] {
  return Array.isArray(value) ? value : [];
}

/** The mapping at `keys` under `value` (`mappingAt(m, 'spec', 'meshConfig')`), or `{}` where a step is not one. */
export function mappingAt(value: unknown, ...keys: readonly string[]): JsonMapping {
  let current: unknown = value;
  for (const key of keys) current = isMapping(current) ? current[key] : undefined;
  return isMapping(current) ? current : {};
}

/**
 * Whether two JSON values are equal: mappings key by key whatever the order of their keys, lists
 * item by item in order. `JSON.stringify` would call `{a: 1, b: 2}` and `{b: 2, a: 1}` different.
 */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((item, i) => jsonEqual(item, b[i]));
  }
  if (!isMapping(a) || !isMapping(b)) return false;
  const keys = Object.keys(a).filter((key) => a[key] !== undefined);
  return (
    keys.length === Object.keys(b).filter((key) => b[key] !== undefined).length &&
    keys.every((key) => jsonEqual(a[key], b[key]))
  );
}

/**
 * `value` without the mapping fields that are null, at any depth: what the API server stores for
 * a custom resource (null fields are pruned unless the schema says nullable) and what protobuf
 * JSON reads (a null message field is unset). List items are kept, their own null fields pruned.
 */
export function withoutNullFields(value: unknown): unknown {
  // Values without null fields are returned as they are, found without copying: most objects have
  // none, and every object is checked.
  if (!hasNullField(value)) return value;
  if (Array.isArray(value)) return value.map(withoutNullFields);
  if (!isMapping(value)) return value;
  const kept: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    if (field !== null) kept[key] = withoutNullFields(field);
  }
  return kept;
}

/** Whether a mapping at or under `value` has a field whose value is null. */
function hasNullField(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(hasNullField);
  if (!isMapping(value)) return false;
  for (const key in value) {
    const field = value[key];
    if (field === null || hasNullField(field)) return true;
  }
  return false;
}
