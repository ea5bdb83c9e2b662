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
