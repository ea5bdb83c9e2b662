import { jsonEqual } from '../json-values';
import { formatValue, type Problem, statement } from '../problems/problem';
import { byCodePoint } from './sorted-entries';

type Plain = Record<string, unknown>;

function isPlainObject(value: unknown): value is Plain {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Deep-merges plain-data fragments that several constructs contribute to one document
 * (a pod's `proxy.istio.io/config`, an IstioOperator spec), remembering who set each value.
 *
 * - objects merge key by key;
 * - arrays are sets: each contributor's items keep their order, contributors come in the order of
 *   their paths (not of their creation, so building the tree in another order changes nothing),
 *   and an item several contributors give appears once, with the first of them;
 * - any other value may be set by several contributors only if they all set the same value;
 *   a different value is a conflict and is refused, naming both contributors;
 * - objects at an atomic path (e.g. `tracing.customTags.*`, a proto oneof) are values too: they
 *   are never merged key by key, so two different custom tags of one name conflict.
 *
 * `undefined` values in a fragment are ignored, so optional props can be passed through as is.
 */
export class FragmentMerger {
  private readonly root: Plain = {};
  private readonly owners = new Map<string, string>();
  /** Who contributed each item of each array, by dotted path; the arrays in `root` are rendered from it. */
  private readonly arrayItems = new Map<string, { contributor: string; item: unknown }[]>();

  /**
   * @param subject names the merged document in conflict messages, e.g. `proxy.istio.io/config of Deployment "webapp"`
   * @param atomicPaths dotted paths whose objects are compared whole; `*` matches any one key
   */
  constructor(
    private readonly subject: string,
    private readonly atomicPaths: readonly string[] = [],
  ) {}

  /** True until a fragment with at least one defined value was added. */
  get isEmpty(): boolean {
    return Object.keys(this.root).length === 0;
  }

  /**
   * Merges `fragment` contributed by `contributor` (a construct path).
   * @returns the conflicts found; when there is any, nothing of `fragment` is merged.
   */
  add(contributor: string, fragment: Plain): Problem[] {
    const conflicts: Problem[] = [];
    this.check(this.root, fragment, [], contributor, conflicts);
    if (conflicts.length === 0) this.apply(this.root, fragment, [], contributor);
    return conflicts;
  }

  /** A deep copy of the merged document. */
  toValue(): Plain {
    return structuredClone(this.root);
  }

  private isAtomic(path: readonly string[]): boolean {
    return this.atomicPaths.some((pattern) => matchesPattern(path, pattern.split('.')));
  }

  private check(target: Plain, fragment: Plain, path: string[], contributor: string, out: Problem[]): void {
    for (const [key, incoming] of Object.entries(fragment)) {
      if (incoming === undefined) continue;
      const here = [...path, key];
      const existing = target[key];
      if (existing === undefined) continue;
      if (isPlainObject(existing) && isPlainObject(incoming) && !this.isAtomic(here)) {
        this.check(existing, incoming, here, contributor, out);
      } else if (Array.isArray(existing) && Array.isArray(incoming)) {
        // arrays are sets: always compatible
      } else if (!jsonEqual(existing, incoming)) {
        const owner = this.owners.get(here.join('.')) ?? 'another construct';
        out.push(
          statement(
            undefined,
            `${this.subject}: ${here.join('.')} is set to ${formatValue(existing)} by ${owner} and to ${formatValue(incoming)} by ${contributor}; set it in one place`,
          ),
        );
      }
    }
  }

  private apply(target: Plain, fragment: Plain, path: string[], contributor: string): void {
    for (const [key, incoming] of Object.entries(fragment)) {
      if (incoming === undefined) continue;
      const here = [...path, key];
      const existing = target[key];
      if (isPlainObject(incoming) && this.isAtomic(here)) {
        if (existing === undefined) {
          target[key] = structuredClone(incoming);
          this.owners.set(here.join('.'), contributor);
        }
      } else if (isPlainObject(incoming)) {
        if (!isPlainObject(existing)) target[key] = {};
        this.apply(target[key] as Plain, incoming, here, contributor);
      } else if (Array.isArray(incoming)) {
        const entries = this.arrayItems.get(here.join('.')) ?? [];
        for (const item of incoming) {
          const present = entries.find((entry) => jsonEqual(entry.item, item));
          if (!present) entries.push({ contributor, item: structuredClone(item) });
          else if (contributor < present.contributor) present.contributor = contributor;
        }
        // Stable: items of one contributor stay in the order it gave them.
        entries.sort((a, b) => byCodePoint(a.contributor, b.contributor));
        this.arrayItems.set(here.join('.'), entries);
        target[key] = entries.map((entry) => entry.item);
      } else if (existing === undefined) {
        target[key] = incoming;
        this.owners.set(here.join('.'), contributor);
      }
    }
  }
}

/** True when `path` matches one of the atomic patterns segment by segment. */
function matchesPattern(path: readonly string[], pattern: readonly string[]): boolean {
  return path.length === pattern.length && pattern.every((segment, i) => segment === '*' || segment === path[i]);
}
