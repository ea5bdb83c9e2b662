/**
 * Go's `path.Match` (go/src/path/match.go), ported so that the patterns written for GitOps engines
 * are checked with the engines' own semantics: Argo CD's git directory generator keeps a folder
 * when `path.Match(directories[].path, folder)` holds (argoproj/argo-cd
 * applicationset/generators/git.go, filterApps).
 *
 * `*` matches any run of characters but `/`, `?` one character but `/`, `[...]` a class (`^`
 * negates, `a-z` ranges), and `\` escapes the next character. Unlike a shell glob, `*` never
 * crosses `/`, and a leading `./` is matched literally: `./clusters/*` matches no folder Argo CD
 * lists, since it lists `clusters/prod`.
 */

/** A pattern Go refuses (`path.ErrBadPattern`). */
export class BadPatternError extends Error {
  constructor(pattern: string) {
    super(`syntax error in pattern ${JSON.stringify(pattern)}`);
    this.name = 'BadPatternError';
  }
}

/**
 * Whether `name` matches `pattern`, as Go's `path.Match` answers.
 * @throws BadPatternError for a malformed pattern, as Go returns `ErrBadPattern`
 */
export function goPathMatch(pattern: string, name: string): boolean {
  // Runes, as Go decodes UTF-8: one `?` matches one code point.
  let p = [...pattern];
  let n = [...name];
  const bad = () => new BadPatternError(pattern);
  chunks: while (p.length > 0) {
    const { star, chunk, rest } = scanChunk(p);
    p = rest;
    if (star && chunk.length === 0) return !n.includes('/'); // a trailing * matches the rest unless it has a /
    const here = matchChunk(chunk, n, bad);
    // The last chunk must use up the name; otherwise a later star may still match.
    if (here !== undefined && (here.length === 0 || p.length > 0)) {
      n = here;
      continue;
    }
    if (star) {
      // Try the chunk after skipping i+1 characters, never skipping a /.
      for (let i = 0; i < n.length && n[i] !== '/'; i++) {
        const after = matchChunk(chunk, n.slice(i + 1), bad);
        if (after !== undefined) {
          if (p.length === 0 && after.length > 0) continue;
          n = after;
          continue chunks;
        }
      }
    }
    // No match: Go still reports a malformed rest of the pattern.
    while (p.length > 0) {
      const next = scanChunk(p);
      p = next.rest;
      matchChunk(next.chunk, [], bad);
    }
    return false;
  }
  return n.length === 0;
}

/** The leading stars, the chunk up to the next star outside a class, and the rest. */
function scanChunk(pattern: readonly string[]): { star: boolean; chunk: string[]; rest: string[] } {
  let start = 0;
  while (start < pattern.length && pattern[start] === '*') start++;
  let inRange = false;
  let i = start;
  for (; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') {
      if (i + 1 < pattern.length) i++;
    } else if (c === '[') inRange = true;
    else if (c === ']') inRange = false;
    else if (c === '*' && !inRange) break;
  }
  return { star: start > 0, chunk: pattern.slice(start, i), rest: pattern.slice(i) };
}

/** The rest of `s` after `chunk` matched its start, or undefined; throws for a malformed chunk. */
function matchChunk(chunk: readonly string[], s: readonly string[], bad: () => Error): string[] | undefined {
  let c = [...chunk];
  let rest = [...s];
  let failed = false;
  while (c.length > 0) {
    if (!failed && rest.length === 0) failed = true;
    const head = c[0];
    if (head === '[') {
      let r = '';
      if (!failed) {
        r = rest[0] as string;
        rest = rest.slice(1);
      }
      c = c.slice(1);
      let negated = false;
      if (c[0] === '^') {
        negated = true;
        c = c.slice(1);
      }
      let matched = false;
      let ranges = 0;
      for (;;) {
        if (c.length > 0 && c[0] === ']' && ranges > 0) {
          c = c.slice(1);
          break;
        }
        const lo = escaped(c, bad);
        c = lo.rest;
        let hi = lo.rune;
        if (c[0] === '-') {
          const upper = escaped(c.slice(1), bad);
          hi = upper.rune;
          c = upper.rest;
        }
        if (!failed && codePoint(lo.rune) <= codePoint(r) && codePoint(r) <= codePoint(hi)) matched = true;
        ranges++;
      }
      if (matched === negated) failed = true;
    } else if (head === '?') {
      if (!failed) {
        if (rest[0] === '/') failed = true;
        rest = rest.slice(1);
      }
      c = c.slice(1);
    } else {
      if (head === '\\') {
        c = c.slice(1);
        if (c.length === 0) throw bad();
      }
      if (!failed) {
        if (c[0] !== rest[0]) failed = true;
        rest = rest.slice(1);
      }
      c = c.slice(1);
    }
  }
  return failed ? undefined : rest;
}

/** One character of a class, unescaped; Go's getEsc. */
function escaped(chunk: readonly string[], bad: () => Error): { rune: string; rest: string[] } {
  if (chunk.length === 0 || chunk[0] === '-' || chunk[0] === ']') throw bad();
  let c = chunk;
  if (c[0] === '\\') {
    c = c.slice(1);
    if (c.length === 0) throw bad();
  }
  const rest = c.slice(1);
  if (rest.length === 0) throw bad();
  return { rune: c[0] as string, rest };
}

function codePoint(rune: string): number {
  return rune.codePointAt(0) ?? -1;
}
