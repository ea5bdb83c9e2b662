/** Compares strings by code point, never by locale, so orders are the same on every machine. */
export function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * A mapping's entries in code-point order of their keys. Mappings (a YAML file's sections, the
 * maps contributions are merged into) have no order, so whenever one becomes a list or a sequence
 * of constructs, this order is used: the output then never depends on the order of a file or of
 * the construct tree.
 */
export function sortedEntries<T>(record: Readonly<Record<string, T>>): [string, T][] {
  return Object.entries(record).sort(([a], [b]) => byCodePoint(a, b));
}

/** A mapping's values, in code-point order of their keys (see {@link sortedEntries}). */
export function sortedValues<T>(record: Readonly<Record<string, T>>): T[] {
  return sortedEntries(record).map(([, value]) => value);
}
