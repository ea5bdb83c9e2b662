/**
 * The key written at `offset` of YAML `text` (plain, single- or double-quoted), for messages about
 * a repeated key: the yaml parser's DUPLICATE_KEY error names none.
 */
export function keyAt(text: string, offset: number): string | undefined {
  const end = text.indexOf('\n', offset);
  const line = text.slice(offset, end === -1 ? undefined : end);
  const match = /^(?:"((?:[^"\\]|\\.)*)"|'((?:[^']|'')*)'|([^:#\s][^:#]*?))\s*:/.exec(line);
  return match ? (match[1] ?? match[2]?.replace(/''/g, "'") ?? match[3]) : undefined;
}
