/**
 * Where in a construct's props or in a Kubernetes object a problem is: the keys and list indexes
 * from the root, e.g. `['spec', 'tracing', 0, 'randomSamplingPercentage']`. Kept as data so that a
 * front end can find the key's line in a file, and rendered to text only for messages.
 */
export type FieldPath = readonly FieldSegment[];

/** A mapping key, a list index, or several sibling keys at once (`{proxyStatsMatcher,tracing}`). */
export type FieldSegment = string | number | KeySet;

/** Several keys of one mapping that a problem concerns together. */
export interface KeySet {
  readonly keys: readonly string[];
}

/** Keys that read unambiguously after a dot; any other key is quoted in brackets. */
const PLAIN_KEY = /^[A-Za-z_$@][\w$@-]*$/;

/** `spec.tracing[0]["custom_bootstrap.json"].{a,b}`; `''` for the root. */
export function renderField(path: FieldPath): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else if (typeof segment === 'object') text += `${text === '' ? '' : '.'}{${segment.keys.join(',')}}`;
    else if (!PLAIN_KEY.test(segment)) text += `[${JSON.stringify(segment)}]`;
    else text += text === '' ? segment : `.${segment}`;
  }
  return text;
}

/** The keys and indexes of `path`, for looking it up in a document (a key set stands for its mapping). */
export function keysOf(path: FieldPath): (string | number)[] {
  const keys: (string | number)[] = [];
  for (const segment of path) {
    if (typeof segment === 'object') break;
    keys.push(segment);
  }
  return keys;
}

/** Whether one path is the other or lies under it (a change to `a.b` touches `a.b.c` and `a`). */
export function overlaps(a: FieldPath, b: FieldPath): boolean {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i];
    const y = b[i];
    if (typeof x === 'object' || typeof y === 'object') {
      const xs = typeof x === 'object' ? x.keys : [x];
      const ys = typeof y === 'object' ? y.keys : [y];
      if (!xs.some((k) => ys.includes(k as string))) return false;
    } else if (x !== y) return false;
  }
  return true;
}
