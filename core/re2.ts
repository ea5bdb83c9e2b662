/** Escapes RE2 metacharacters, so `value` matches only itself (Prometheus matchers and relabel regexes are anchored RE2). */
export function escapeRe2(value: string): string {
  return value.replace(/[\\^$.|?*+()[\]{}]/g, '\\$&');
}
