import type { RenderedObject } from './objects';

/**
 * `read` remembered per set of objects (the array a validation or a lint pass hands every rule):
 * a dozen rules read the mesh configs, the pod templates and the Telemetry order of the same
 * objects, and a lint that checks one file at a time runs them once per file over thousands of
 * mesh-wide objects. The result is shared and must not be modified.
 */
export function perObjectSet<T>(
  read: (objects: readonly RenderedObject[]) => T,
): (objects: readonly RenderedObject[]) => T {
  const results = new WeakMap<readonly RenderedObject[], T>();
  return (objects) => {
    let result = results.get(objects);
    if (result === undefined) {
      result = read(objects);
      results.set(objects, result);
    }
    return result;
  };
}
